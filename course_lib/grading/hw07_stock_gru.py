"""hw07_stock_gru: swap the LSTM for a GRU, tune it, and report honest numbers (graded homework).

The submission is the notebook ``hw07_stock_gru.ipynb``, the saved model ``model.keras`` and
``report.json``, the numbers the notebook claims. Three parts:

``architecture``
    ``model.keras`` is a zip file; the grader reads its ``config.json`` as plain JSON, size-capped
    (never ``keras.models.load_model`` in the grader's process: loading a Keras model has had
    code-execution CVEs), and walks it recursively: Sequential and functional models, nested
    models, ``Bidirectional`` / ``TimeDistributed`` wrappers, ``RNN`` layers and their cells.
    Every recurrent layer must be a GRU (``GRU`` or ``RNN(GRUCell)``); each LSTM left is named
    (a mixed LSTM/GRU stack gets partial credit); a ``Lambda`` or an object from outside
    ``keras`` (a custom layer, a registered custom object, a plain Python function) scores 0.
``accuracy``
    The grader runs ``python -m course_lib.grading.hw07_eval model.keras`` through
    ``ctx.run_sandboxed`` (unprivileged, no network, a fresh folder holding a copy of the model):
    that script loads GOOG itself, builds the homework's windows and loads the model with
    ``safe_mode=True``. It prints its predictions in USD as one JSON line; the grader computes
    RMSE and MAE in USD in its own process and compares them with persistence and with the band
    of the reference solution over several seeds (:data:`BAND`).
``claims``
    Every number of ``report.json`` (size-capped) is compared with the grader's own; each one
    that differs is listed.

``report.json`` (see :data:`REPORT_KEYS`)::

    {"assignment": "hw07_stock_gru", "column": "open", "window": 60,
     "val_rmse_table": [{"settings": {"units": 32, "layers": 2, ...}, "val_rmse": 21.7}, ...],
     "chosen": 1,                  # index of the row whose model is model.keras
     "val_rmse": 21.7,             # validation RMSE of model.keras, USD
     "test_rmse": 26.1, "test_mae": 20.3,                # model.keras on the test days, USD
     "persistence_rmse": 9.16, "persistence_mae": 6.6,   # "tomorrow = today", same days, USD
     "n_test": 323}

Public checks (advice; the score comes from the autograder): :func:`check_model_is_gru`,
:func:`check_tuning_table`, :func:`check_report`. They use the same diagnosis functions as the
parts (:func:`diagnose_architecture`, :func:`table_problems`, :func:`compare_claims`).
"""

from __future__ import annotations

import hashlib
import json
import math
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ..evaluation import mae, rmse
from .common import Assignment, GradingContext, Part, Verdict, print_verdicts
from .hw07_eval import COLUMN, MARKER, WINDOW

__all__ = [
    "ASSIGNMENT",
    "BAND",
    "REPORT_KEYS",
    "SubmissionError",
    "check_model_is_gru",
    "check_report",
    "check_tuning_table",
    "compare_claims",
    "diagnose_architecture",
    "inspect_config",
    "measure",
    "measure_band",
    "read_model_config",
    "read_report",
    "score_accuracy",
    "table_problems",
]

MODEL_FILE = "model.keras"
REPORT_FILE = "report.json"

# Limits on what the grader reads from a submission.
MAX_MODEL_BYTES = 32 * 2**20  # the .keras file on disk (4 x GRU(50) weighs about 0.3 MB)
MAX_MEMBERS = 16  # a Keras archive holds 3 (config.json, metadata.json, model.weights.h5)
MAX_UNCOMPRESSED = 64 * 2**20  # declared sizes of all members together
MAX_RATIO = 100  # uncompressed / compressed, for members over 1 MB: more is a zip bomb
MAX_CONFIG_BYTES = 2**20  # config.json
MAX_REPORT_BYTES = 64 * 2**10  # report.json
MAX_EVAL_OUTPUT = 2**20  # stdout of the sandboxed evaluation
MAX_DEPTH = 64  # nesting of config.json objects
EVAL_TIMEOUT = 180.0  # seconds for the sandboxed evaluation (TensorFlow's import is most of it)

#: Relative and absolute (USD) tolerance of a claimed number against the grader's.
CLAIM_RTOL, CLAIM_ATOL = 2e-3, 0.01

#: Test RMSE and MAE (USD) of the reference solution's chosen setting (:data:`REFERENCE`) over
#: seeds 0-4: (lowest, highest); per seed, test RMSE 12.23 14.01 12.44 13.94 14.36, MAE 9.61
#: 11.46 9.82 11.29 11.65 (persistence: 9.16 and 6.79). Measured on 2026-12-01 with
#: ``python -c "from course_lib.grading.hw07_stock_gru import measure_band; measure_band()"``
#: (TensorFlow 2.21, Keras 3.15, 2-core CPU). Full marks up to ``highest * (1 + BAND_MARGIN)``,
#: then linearly down to 0 at twice that.
BAND = {"test_rmse": (12.23, 14.36), "test_mae": (9.61, 11.65)}
BAND_MARGIN = 0.25

#: The setting the reference solution picks, and how it is trained (mirrors the notebook).
REFERENCE = {"units": 64, "layers": 1, "dropout": 0.0, "epochs": 5, "batch_size": 64, "lr": 2e-3}

#: Keys of report.json and what they hold.
REPORT_KEYS = {
    "assignment": "the string 'hw07_stock_gru'",
    "column": "the predicted column, 'open'",
    "window": "days per input window, 60",
    "val_rmse_table": "list of at least 3 rows {'settings': {...}, 'val_rmse': USD}",
    "chosen": "index in val_rmse_table of the row whose model is model.keras",
    "val_rmse": "validation RMSE of model.keras, USD",
    "test_rmse": "test RMSE of model.keras, USD",
    "test_mae": "test MAE of model.keras, USD",
    "persistence_rmse": "test RMSE of persistence (tomorrow's open = today's), USD",
    "persistence_mae": "test MAE of persistence, USD",
    "n_test": "number of test days",
}
#: The claims compared with the grader's numbers.
NUMERIC_CLAIMS = (
    "val_rmse",
    "test_rmse",
    "test_mae",
    "persistence_rmse",
    "persistence_mae",
    "window",
    "n_test",
)

LSTM_CLASSES = frozenset({"LSTM", "LSTMCell", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"})
GRU_CLASSES = frozenset({"GRU", "GRUCell"})
OTHER_RNN_CLASSES = frozenset({"SimpleRNN", "SimpleRNNCell"})
LAMBDA_CLASSES = frozenset({"Lambda", "__lambda__"})
#: Keras' own markers for tensors and constants inside a config (no module field).
INTERNAL_CLASSES = frozenset(
    {"__keras_tensor__", "__tensor__", "__numpy__", "__typespec__", "__bytes__", "__ellipsis__"}
)


class SubmissionError(ValueError):
    """A submitted file is missing, too big, malformed or unsafe; the message says which."""


# ------------------------------------------------------------------------------------------
# Reading model.keras as plain data
# ------------------------------------------------------------------------------------------
def _safe_member_name(name: str) -> bool:
    p = PurePosixPath(name)
    return (
        bool(name)
        and "\\" not in name
        and "\x00" not in name
        and not p.is_absolute()
        and ".." not in p.parts
        and len(p.parts) <= 3
        and len(name) <= 200
    )


def _read_capped(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> bytes:
    """Read a member, never more than ``cap`` bytes whatever its header declares."""
    with zf.open(info) as fh:
        data = fh.read(cap + 1)
    if len(data) > cap:
        raise SubmissionError(f"{info.filename} is larger than {cap:,} bytes")
    return data


def read_model_config(path) -> dict:
    """``config.json`` of a ``.keras`` file, as a dict, after checking the archive.

    Rejected with :class:`SubmissionError` (message says why): a missing file, a symbolic link,
    a file over :data:`MAX_MODEL_BYTES`, not a zip, more than :data:`MAX_MEMBERS` members,
    member names that are absolute, contain ``..``, backslashes or deep folders, repeated
    names, declared sizes over :data:`MAX_UNCOMPRESSED`, a compression ratio over
    :data:`MAX_RATIO` (zip bomb), no ``config.json``, a ``config.json`` over
    :data:`MAX_CONFIG_BYTES`, or text that is not a JSON object.
    """
    p = Path(path)
    if p.is_symlink():
        raise SubmissionError(f"{p.name} is a symbolic link, not a file")
    if not p.is_file():
        raise SubmissionError(f"{p.name} is missing: save the model with model.save('model.keras')")
    size = p.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise SubmissionError(f"{p.name} is {size:,} bytes, over the limit of {MAX_MODEL_BYTES:,}")
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SubmissionError(
            f"{p.name} is not a Keras .keras file (not a zip archive: {exc}); "
            "save it with model.save('model.keras')"
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SubmissionError(
                f"{p.name} has {len(infos)} members, more than {MAX_MEMBERS}: "
                "not a Keras model file"
            )
        names = [i.filename for i in infos]
        bad = [n for n in names if not _safe_member_name(n)]
        if bad:
            raise SubmissionError(f"{p.name} has unsafe member names: {bad[:3]!r}")
        if len(set(names)) != len(names):
            raise SubmissionError(f"{p.name} has repeated member names")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise SubmissionError(
                f"{p.name} would unpack to {total:,} bytes, over the limit of {MAX_UNCOMPRESSED:,}"
            )
        for i in infos:
            ratio = i.file_size / max(i.compress_size, 1)
            if i.file_size > 2**20 and ratio > MAX_RATIO:
                raise SubmissionError(
                    f"{p.name}: member {i.filename} is compressed {ratio:.0f} times "
                    f"(over {MAX_RATIO}): refused as a possible zip bomb"
                )
        if "config.json" not in names:
            raise SubmissionError(f"{p.name} has no config.json: not a Keras 3 .keras file")
        info = zf.getinfo("config.json")
        if info.file_size > MAX_CONFIG_BYTES:
            raise SubmissionError(
                f"{p.name}: config.json is {info.file_size:,} bytes, over the limit of "
                f"{MAX_CONFIG_BYTES:,}"
            )
        try:
            raw = _read_capped(zf, info, MAX_CONFIG_BYTES)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            raise SubmissionError(f"{p.name}: config.json cannot be read ({exc})") from None
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SubmissionError(f"{p.name}: config.json is not valid JSON ({exc})") from None
    if not isinstance(config, dict):
        raise SubmissionError(f"{p.name}: config.json is not a JSON object")
    return config


# ------------------------------------------------------------------------------------------
# Walking the configuration
# ------------------------------------------------------------------------------------------
@dataclass
class ConfigFindings:
    """What :func:`inspect_config` found; each entry is ``(where, class_name)``.

    ``where`` is the chain of layer names from the outer model down ("functional > bidirectional
    > forward_lstm"). ``foreign`` entries are ``(where, description)``.
    """

    gru: list[tuple[str, str]] = field(default_factory=list)
    lstm: list[tuple[str, str]] = field(default_factory=list)
    other_rnn: list[tuple[str, str]] = field(default_factory=list)
    lambdas: list[tuple[str, str]] = field(default_factory=list)
    foreign: list[tuple[str, str]] = field(default_factory=list)
    too_deep: bool = False

    @property
    def recurrent(self) -> int:
        return len(self.gru) + len(self.lstm) + len(self.other_rnn)


def _is_keras_module(module: Any) -> bool:
    return isinstance(module, str) and (module == "keras" or module.startswith("keras."))


def inspect_config(config: Any) -> ConfigFindings:
    """Walk a Keras 3 ``config.json`` (plain data) and classify every serialized object.

    A serialized object is a dict with a ``class_name``. It is *foreign* unless its ``module``
    is ``keras`` or ``keras.*`` and its ``registered_name`` is ``null`` or a plain keras name
    (custom objects are registered as ``"package>Name"`` and saved with ``module: null``, or with
    their own module such as ``__main__``; plain Python functions have module ``builtins``).
    Recurrent classes are counted wherever they sit (inside ``Bidirectional``, ``RNN`` cells,
    ``StackedRNNCells``, nested models), so nothing hides an LSTM.
    """
    found = ConfigFindings()

    def name_of(obj: dict) -> str:
        cfg = obj.get("config")
        name = cfg.get("name") if isinstance(cfg, dict) else None
        if not isinstance(name, str):
            name = obj.get("name") if isinstance(obj.get("name"), str) else None
        return (name or str(obj.get("class_name")))[:80]

    def walk(node: Any, where: tuple[str, ...], depth: int) -> None:
        if depth > MAX_DEPTH:
            found.too_deep = True
            return
        if isinstance(node, list):
            for item in node:
                walk(item, where, depth + 1)
            return
        if not isinstance(node, dict):
            return
        cls = node.get("class_name")
        here = where
        if isinstance(cls, str):
            here = (*where, name_of(node))
            label = " > ".join(here)
            if cls in LAMBDA_CLASSES:
                found.lambdas.append((label, cls))
            elif cls not in INTERNAL_CLASSES:
                module, reg = node.get("module"), node.get("registered_name")
                custom_reg = reg is not None and not (isinstance(reg, str) and ">" not in reg)
                if not _is_keras_module(module) or custom_reg:
                    what = f"{cls} (module {module!r}" + (
                        f", registered as {reg!r})" if reg is not None else ")"
                    )
                    found.foreign.append((label, what))
            if cls in LSTM_CLASSES:
                found.lstm.append((label, cls))
            elif cls in GRU_CLASSES:
                found.gru.append((label, cls))
            elif cls in OTHER_RNN_CLASSES:
                found.other_rnn.append((label, cls))
        for key, value in node.items():
            if key in ("inbound_nodes", "build_config"):
                continue  # references to tensors and shapes, no objects
            walk(value, here, depth + 1)

    walk(config, (), 0)
    return found


def _listing(entries: list[tuple[str, str]], limit: int = 8) -> str:
    shown = [f"'{where}' ({cls})" for where, cls in entries[:limit]]
    more = len(entries) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def diagnose_architecture(config: Any) -> Verdict:
    """Verdict on a model's configuration: all recurrent layers GRU, nothing foreign.

    0 for a Lambda, an object from outside keras, or no recurrent layer; a stack with LSTMs (or
    SimpleRNNs) left gets ``0.5 * (GRUs / recurrent layers)`` and the names of what is left.
    """
    f = inspect_config(config)
    problems = []
    if f.too_deep:
        problems.append(f"config.json is nested deeper than {MAX_DEPTH} levels")
    if f.lambdas:
        problems.append(
            f"Lambda layers are not allowed (their code cannot be loaded safely): "
            f"{_listing(f.lambdas)}"
        )
    if f.foreign:
        problems.append(
            "only Keras' own layers are allowed, no custom layers or objects: "
            + _listing(f.foreign)
        )
    if problems:
        return Verdict(0.0, "; ".join(problems))
    if f.recurrent == 0:
        return Verdict(
            0.0, "no recurrent layer found: the homework asks for GRU layers in place of the LSTMs"
        )
    if f.lstm or f.other_rnn:
        parts = []
        if f.lstm:
            parts.append(f"still LSTM: {_listing(f.lstm)}")
        if f.other_rnn:
            parts.append(f"not a GRU: {_listing(f.other_rnn)}")
        return Verdict(
            0.5 * len(f.gru) / f.recurrent,
            f"{len(f.gru)} of {f.recurrent} recurrent layers are GRU; "
            + "; ".join(parts)
            + ". Replace every LSTM by a GRU.",
        )
    return Verdict(1.0, f"all {len(f.gru)} recurrent layers are GRU: {_listing(f.gru)}")


# ------------------------------------------------------------------------------------------
# Numbers: measured, reported, compared
# ------------------------------------------------------------------------------------------
def measure(val_pred_usd, test_pred_usd, data) -> dict:
    """The grader's numbers for predictions in USD (``data``: ``course_lib.stocks.StockWindows``).

    RMSE and MAE from ``course_lib.evaluation`` on the validation and test days, and the same
    metrics for persistence on the test days.
    """
    return {
        "window": data.window,
        "n_test": len(data.test_usd),
        "val_rmse": rmse(data.val_usd, val_pred_usd),
        "test_rmse": rmse(data.test_usd, test_pred_usd),
        "test_mae": mae(data.test_usd, test_pred_usd),
        "persistence_rmse": rmse(data.test_usd, data.test_persistence_usd),
        "persistence_mae": mae(data.test_usd, data.test_persistence_usd),
    }


def _number(x) -> bool:
    """A finite JSON number (not a bool; an int too large for a float is not one either)."""
    if not isinstance(x, int | float) or isinstance(x, bool):
        return False
    try:
        return math.isfinite(float(x))
    except OverflowError:
        return False


def table_problems(table: Any) -> list[str]:
    """What is wrong with a hyperparameter table (empty list: nothing).

    A table is a list of at least three rows ``{"settings": {name: value}, "val_rmse": USD}``
    with distinct, non-empty settings of plain values and positive finite RMSEs.
    """
    if not isinstance(table, list):
        return [f"the table must be a list of rows, got {type(table).__name__}"]
    problems = []
    if len(table) < 3:
        problems.append(f"the table has {len(table)} row(s); try at least 3 settings")
    seen = []
    for i, row in enumerate(table[:50]):
        if not isinstance(row, dict) or set(row) != {"settings", "val_rmse"}:
            problems.append(f"row {i} must be {{'settings': {{...}}, 'val_rmse': number}}")
            continue
        s, v = row["settings"], row["val_rmse"]
        if not isinstance(s, dict) or not s:
            problems.append(f"row {i}: settings must be a non-empty dict, got {s!r}"[:200])
        elif not all(
            isinstance(k, str) and (v_ is None or isinstance(v_, bool | int | float | str))
            for k, v_ in s.items()
        ):
            problems.append(f"row {i}: settings must map names to plain numbers or strings")
        elif s in seen:
            problems.append(f"row {i}: the same settings as row {seen.index(s)}")
        else:
            seen.append(s)
        if not (_number(v) and v > 0):
            problems.append(f"row {i}: val_rmse must be a positive number (USD), got {v!r}"[:200])
    return problems


def report_problems(report: Any) -> list[str]:
    """Structure of ``report.json``: keys, types, the table, ``chosen`` pointing into it."""
    if not isinstance(report, dict):
        return [f"report.json must hold a JSON object, got {type(report).__name__}"]
    problems = [f"missing key {k!r} ({REPORT_KEYS[k]})" for k in REPORT_KEYS if k not in report]
    extra = sorted(set(report) - set(REPORT_KEYS))
    if extra:
        problems.append(f"unknown keys {extra[:5]} (the keys are {list(REPORT_KEYS)})")
    if "assignment" in report and report["assignment"] != "hw07_stock_gru":
        problems.append(f"assignment is {report['assignment']!r}, expected 'hw07_stock_gru'")
    if "column" in report and report["column"] != COLUMN:
        problems.append(f"column is {report['column']!r}, expected {COLUMN!r}")
    for k in NUMERIC_CLAIMS:
        if k in report and not _number(report[k]):
            problems.append(f"{k} must be a finite number, got {report[k]!r}"[:200])
    table = report.get("val_rmse_table")
    if "val_rmse_table" in report:
        problems += [f"val_rmse_table: {p}" for p in table_problems(table)]
    chosen = report.get("chosen")
    if "chosen" in report:
        if not (isinstance(chosen, int) and not isinstance(chosen, bool)):
            problems.append(f"chosen must be a row index, got {chosen!r}"[:200])
        elif isinstance(table, list) and not 0 <= chosen < len(table):
            problems.append(f"chosen = {chosen} is not a row of val_rmse_table")
        elif isinstance(table, list) and isinstance(table[chosen], dict):
            row_v, claim = table[chosen].get("val_rmse"), report.get("val_rmse")
            if _number(row_v) and _number(claim) and not _close(row_v, claim):
                problems.append(
                    f"val_rmse ({claim:.2f}) is not the val_rmse of the chosen row {chosen} "
                    f"({row_v:.2f}): model.keras should be the model of the chosen row"
                )
    return problems


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= CLAIM_ATOL + CLAIM_RTOL * abs(b)


def compare_claims(report: Any, measured: dict) -> Verdict:
    """Flag every claimed number that differs from ``measured`` (relative tolerance).

    The fraction is the share of checks that pass: one per number of :data:`NUMERIC_CLAIMS`,
    plus one for the report's structure (keys, table, ``chosen``).
    """
    problems = report_problems(report)
    if not isinstance(report, dict):
        return Verdict(0.0, problems[0])
    wrong = []
    for k in NUMERIC_CLAIMS:
        claim, truth = report.get(k), measured[k]
        if not _number(claim):
            wrong.append(f"{k}: no number claimed")
        elif not _close(float(claim), float(truth)):
            wrong.append(f"{k}: you claim {claim:.4g}, the grader measured {truth:.4g}")
    n_ok = len(NUMERIC_CLAIMS) - len(wrong) + (not problems)
    fraction = n_ok / (len(NUMERIC_CLAIMS) + 1)
    if not wrong and not problems:
        return Verdict(1.0, f"all {len(NUMERIC_CLAIMS)} claimed numbers match the grader's")
    lines = []
    if wrong:
        lines.append(f"{len(wrong)} claimed number(s) differ: " + "; ".join(wrong))
    if problems:
        lines.append("report.json: " + "; ".join(problems[:10]))
    return Verdict(fraction, ". ".join(lines))


def _metric_fraction(value: float, highest: float) -> float:
    full = highest * (1 + BAND_MARGIN)
    if value <= full:
        return 1.0
    return max(0.0, 2.0 - value / full)  # 1 at `full`, 0 at twice `full`


def score_accuracy(measured: dict) -> Verdict:
    """Test RMSE and MAE (USD) against persistence and the reference band (:data:`BAND`)."""
    fractions, lines = [], []
    for key, base_key in (("test_rmse", "persistence_rmse"), ("test_mae", "persistence_mae")):
        lo, hi = BAND[key]
        v, base = measured[key], measured[base_key]
        fr = _metric_fraction(v, hi)
        fractions.append(fr)
        verdict = "within" if fr >= 1 else "above"
        lines.append(
            f"{key} {v:.2f} USD ({v / base:.2f} x persistence's {base:.2f}); {verdict} the "
            f"reference band {lo:.2f}-{hi:.2f} USD (+{BAND_MARGIN:.0%} allowed)"
        )
    return Verdict(float(np.mean(fractions)), "; ".join(lines))


# ------------------------------------------------------------------------------------------
# The grader's parts
# ------------------------------------------------------------------------------------------
def _submitted(ctx: GradingContext, name: str) -> Path:
    """The file ``name`` the student submitted, else the one the notebook wrote when run."""
    for base in (ctx.submission_dir, ctx.workdir):
        if base is None:
            continue
        p = Path(base) / name
        if p.is_symlink():
            raise SubmissionError(f"{name} is a symbolic link, not a file")
        if p.is_file():
            return p
    raise SubmissionError(
        f"{name} is missing from the submission: the notebook's last part writes it"
    )


def read_report(path) -> Any:
    """``report.json`` as plain data (size-capped); :class:`SubmissionError` if unreadable."""
    p = Path(path)
    if p.is_symlink() or not p.is_file():
        raise SubmissionError(f"{p.name} is missing or not a regular file")
    with open(p, "rb") as fh:
        raw = fh.read(MAX_REPORT_BYTES + 1)
    if len(raw) > MAX_REPORT_BYTES:
        raise SubmissionError(f"{p.name} is larger than {MAX_REPORT_BYTES:,} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SubmissionError(f"{p.name} is not valid JSON ({exc})") from None


_EVAL_CACHE: dict[str, dict] = {}


def _grader_data():
    from ..stocks import load_goog, stock_windows

    return stock_windows(load_goog(), window=WINDOW, column=COLUMN)


def _parse_eval_output(stdout: str, data) -> tuple[list[float], list[float]]:
    if len(stdout) > MAX_EVAL_OUTPUT:
        raise SubmissionError(f"the evaluation printed more than {MAX_EVAL_OUTPUT:,} characters")
    lines = [ln for ln in stdout.splitlines() if ln.startswith(MARKER)]
    if not lines:
        raise SubmissionError("the evaluation of model.keras printed no result")
    try:
        out = json.loads(lines[-1][len(MARKER) :])
    except (ValueError, RecursionError) as exc:
        raise SubmissionError(f"the evaluation's result is not valid JSON ({exc})") from None
    if not isinstance(out, dict):
        raise SubmissionError("the evaluation's result is not a JSON object")
    if out.get("ok") is not True:
        raise SubmissionError(f"model.keras could not be evaluated: {str(out.get('error'))[:500]}")
    preds = []
    for key, n in (("val_usd", len(data.val_usd)), ("test_usd", len(data.test_usd))):
        v = out.get(key)
        if not isinstance(v, list) or len(v) != n or not all(_number(x) for x in v):
            raise SubmissionError(f"the evaluation's {key} is not a list of {n} finite numbers")
        preds.append([float(x) for x in v])
    return preds[0], preds[1]


def evaluate_submission(ctx: GradingContext) -> dict:
    """The grader's numbers for the submitted model, from the sandboxed evaluation (cached by
    the model file's SHA-256: the same bytes always give the same predictions)."""
    path = _submitted(ctx, MODEL_FILE)
    read_model_config(path)  # the archive checks, before anything else touches it
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest in _EVAL_CACHE:
        return _EVAL_CACHE[digest]
    try:
        rc, stdout, stderr = ctx.run_sandboxed(
            ["python", "-m", "course_lib.grading.hw07_eval", MODEL_FILE],
            files={MODEL_FILE: str(path)},
            timeout=EVAL_TIMEOUT,
        )
    except Exception as exc:  # a timeout or a sandbox failure: the student's model gets 0
        msg = f"the evaluation of model.keras failed: {type(exc).__name__}: {exc}"
        raise SubmissionError(msg) from None
    data = _grader_data()
    try:
        val, test = _parse_eval_output(stdout or "", data)
    except SubmissionError as exc:
        tail = (stderr or "").strip().splitlines()[-1:] if rc else []
        msg = f"{exc}" + (f" (exit status {rc}: {tail[0][:300]})" if tail else "")
        raise SubmissionError(msg) from None
    measured = measure(val, test, data)
    if len(_EVAL_CACHE) > 16:
        _EVAL_CACHE.clear()
    _EVAL_CACHE[digest] = measured
    return measured


def _guarded(fn, ctx: GradingContext) -> Verdict:
    try:
        return fn(ctx)
    except SubmissionError as exc:
        return Verdict(0.0, str(exc))
    except Exception as exc:  # never let a submission crash the grader
        return Verdict(0.0, f"could not be graded ({type(exc).__name__}: {str(exc)[:300]})")


@dataclass
class ArchitecturePart(Part):
    """Every recurrent layer of model.keras a GRU, read from its config.json as plain JSON."""

    def score(self, calls, outcomes, ctx: GradingContext) -> Verdict:
        return _guarded(
            lambda c: diagnose_architecture(read_model_config(_submitted(c, MODEL_FILE))), ctx
        )


@dataclass
class AccuracyPart(Part):
    """Test RMSE/MAE of model.keras, recomputed in the sandbox, against the reference band."""

    def score(self, calls, outcomes, ctx: GradingContext) -> Verdict:
        return _guarded(lambda c: score_accuracy(evaluate_submission(c)), ctx)


@dataclass
class ClaimsPart(Part):
    """The numbers of report.json against the grader's own."""

    def score(self, calls, outcomes, ctx: GradingContext) -> Verdict:
        def run(c):
            measured = evaluate_submission(c)  # first: without a model, no claim can be checked
            return compare_claims(read_report(_submitted(c, REPORT_FILE)), measured)

        return _guarded(run, ctx)


ASSIGNMENT = Assignment(
    name="hw07_stock_gru",
    title="Stock prices: swap the LSTM for a GRU",
    parts=(
        ArchitecturePart("architecture: every recurrent layer a GRU", 3.0),
        AccuracyPart("accuracy: test RMSE and MAE in USD", 4.0),
        ClaimsPart("claims: report.json matches the model", 3.0),
    ),
    files=(MODEL_FILE, REPORT_FILE),
    cell_timeout=300.0,
    timeout=600.0,
)


# ------------------------------------------------------------------------------------------
# Public checks (advice)
# ------------------------------------------------------------------------------------------
def _saved_config(model) -> dict:
    with tempfile.TemporaryDirectory(prefix="hw07-check-") as tmp:
        path = Path(tmp) / MODEL_FILE
        model.save(path)
        return read_model_config(path)


def check_model_is_gru(model) -> bool:
    """Public check: save ``model`` as the grader will read it and walk its config.json.

    Prints which recurrent layers are GRU and names any LSTM, Lambda or custom layer left.
    """
    try:
        verdict = diagnose_architecture(_saved_config(model))
    except Exception as exc:
        verdict = Verdict(0.0, f"the model could not be saved and read back: {exc}")
    return print_verdicts("check_model_is_gru", {"architecture": verdict})


def check_tuning_table(table) -> bool:
    """Public check of the hyperparameter table: at least 3 distinct settings, USD RMSEs."""
    problems = table_problems(table)
    verdict = Verdict(not problems, "; ".join(problems) or f"{len(table)} settings, each scored")
    ok = print_verdicts("check_tuning_table", {"table": verdict})
    if isinstance(table, list) and not problems:
        vals = [row["val_rmse"] for row in table]
        if min(vals) < 1.0 or max(vals) > 1e4:
            print("  note: RMSEs should be in USD (tens of dollars), not in scaled units")
    return ok


def check_report(report, model=None, data=None) -> bool:
    """Public check of ``report`` (a dict, or the path of report.json).

    With the ``model`` and the homework's ``data`` (``StockWindows``), its numbers are compared
    with the model's predictions recomputed here, the way the grader will (it does so in its
    own sandbox, on its own copy of the data).
    """
    if isinstance(report, str | Path):
        try:
            report = read_report(report)
        except SubmissionError as exc:
            return print_verdicts("check_report", {"report.json": Verdict(0.0, str(exc))})
    verdicts = {}
    problems = report_problems(report)
    verdicts["structure"] = Verdict(not problems, "; ".join(problems) or "all keys present")
    if model is not None and data is not None:
        from .hw07_eval import predict_usd

        val, test = predict_usd(model, data)
        verdicts["claims"] = compare_claims(report, measure(val, test, data))
    return print_verdicts("check_report", verdicts)


# ------------------------------------------------------------------------------------------
# The reference band (instructors)
# ------------------------------------------------------------------------------------------
def _reference_model(setting: dict, seed: int):
    import keras

    keras.utils.set_random_seed(seed)
    layers = [keras.Input((WINDOW, 1))]
    for i in range(setting["layers"]):
        last = i == setting["layers"] - 1
        layers.append(keras.layers.GRU(setting["units"], return_sequences=not last))
        layers.append(keras.layers.Dropout(setting["dropout"]))
    model = keras.Sequential([*layers, keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(setting["lr"]), loss="mse")
    return model


def measure_band(seeds=range(5), setting: dict | None = None) -> dict:
    """Train the reference solution's chosen setting once per seed; print and return the band.

    Returns ``{"test_rmse": (lowest, highest), "test_mae": (lowest, highest), "runs": [...]}``
    in USD. Takes about 15 s per seed on 2 cores. Paste the result into :data:`BAND`.
    """
    from tqdm.auto import tqdm

    from ..lesson import setup_keras
    from .hw07_eval import predict_usd

    setup_keras(seed=0)  # quiet start-up, deterministic ops, as in the notebook
    import keras

    setting = dict(REFERENCE if setting is None else setting)
    data = _grader_data()
    runs = []
    for seed in tqdm(list(seeds), desc="reference seeds"):
        model = _reference_model(setting, seed)
        keras.utils.set_random_seed(seed)  # the notebook seeds the build and the fit
        model.fit(
            data.X_train,
            data.y_train,
            epochs=setting["epochs"],
            batch_size=setting["batch_size"],
            verbose=0,
        )
        val, test = predict_usd(model, data)
        m = measure(val, test, data)
        runs.append({"seed": seed, **{k: m[k] for k in ("val_rmse", "test_rmse", "test_mae")}})
        print(
            f"seed {seed}: val_rmse {m['val_rmse']:.2f}  test_rmse {m['test_rmse']:.2f}  "
            f"test_mae {m['test_mae']:.2f} USD"
        )
    band = {
        k: (round(min(r[k] for r in runs), 2), round(max(r[k] for r in runs), 2))
        for k in ("test_rmse", "test_mae")
    }
    print("BAND =", band)
    return {**band, "runs": runs}
