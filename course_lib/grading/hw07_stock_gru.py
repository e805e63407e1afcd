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
    (:mod:`.hw07_architecture`.)
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..evaluation import mae, rmse
from ..i18n import N_, _
from .common import Assignment, GradingContext, Part, Verdict, print_verdicts
from .hw07_architecture import (
    SubmissionError,
    diagnose_architecture,
    inspect_config,
    read_model_config,
)
from .hw07_band import _reference_model, measure_band  # noqa: F401 - named here too
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

# Limits on what the grader reads from a submission (model.keras: hw07_architecture).
MAX_REPORT_BYTES = 64 * 2**10  # report.json
MAX_EVAL_OUTPUT = 2**20  # stdout of the sandboxed evaluation
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
    "assignment": N_("the string 'hw07_stock_gru'"),
    "column": N_("the predicted column, 'open'"),
    "window": N_("days per input window, 60"),
    "val_rmse_table": N_("list of at least 3 rows {'settings': {...}, 'val_rmse': USD}"),
    "chosen": N_("index in val_rmse_table of the row whose model is model.keras"),
    "val_rmse": N_("validation RMSE of model.keras, USD"),
    "test_rmse": N_("test RMSE of model.keras, USD"),
    "test_mae": N_("test MAE of model.keras, USD"),
    "persistence_rmse": N_("test RMSE of persistence (tomorrow's open = today's), USD"),
    "persistence_mae": N_("test MAE of persistence, USD"),
    "n_test": N_("number of test days"),
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
        return [_("the table must be a list of rows, got {type}").format(type=type(table).__name__)]
    problems = []
    if len(table) < 3:
        problems.append(_("the table has {n} row(s); try at least 3 settings").format(n=len(table)))
    seen = []
    for i, row in enumerate(table[:50]):
        if not isinstance(row, dict) or set(row) != {"settings", "val_rmse"}:
            problems.append(
                _("row {i} must be {{'settings': {{...}}, 'val_rmse': number}}").format(i=i)
            )
            continue
        s, v = row["settings"], row["val_rmse"]
        if not isinstance(s, dict) or not s:
            problems.append(
                _("row {i}: settings must be a non-empty dict, got {value!r}").format(i=i, value=s)[
                    :200
                ]
            )
        elif not all(
            isinstance(k, str) and (v_ is None or isinstance(v_, bool | int | float | str))
            for k, v_ in s.items()
        ):
            problems.append(
                _("row {i}: settings must map names to plain numbers or strings").format(i=i)
            )
        elif s in seen:
            problems.append(
                _("row {i}: the same settings as row {index}").format(i=i, index=seen.index(s))
            )
        else:
            seen.append(s)
        if not (_number(v) and v > 0):
            problems.append(
                _("row {i}: val_rmse must be a positive number (USD), got {value!r}").format(
                    i=i, value=v
                )[:200]
            )
    return problems


def report_problems(report: Any) -> list[str]:
    """Structure of ``report.json``: keys, types, the table, ``chosen`` pointing into it."""
    if not isinstance(report, dict):
        return [
            _("report.json must hold a JSON object, got {type}").format(type=type(report).__name__)
        ]
    problems = [
        _("missing key {key!r} ({meaning})").format(key=k, meaning=_(REPORT_KEYS[k]))
        for k in REPORT_KEYS
        if k not in report
    ]
    extra = sorted(set(report) - set(REPORT_KEYS))
    if extra:
        problems.append(
            _("unknown keys {extra} (the keys are {keys})").format(
                extra=extra[:5], keys=list(REPORT_KEYS)
            )
        )
    if "assignment" in report and report["assignment"] != "hw07_stock_gru":
        problems.append(
            _("assignment is {assignment!r}, expected 'hw07_stock_gru'").format(
                assignment=report["assignment"]
            )
        )
    if "column" in report and report["column"] != COLUMN:
        problems.append(
            _("column is {column!r}, expected {expected!r}").format(
                column=report["column"], expected=COLUMN
            )
        )
    for k in NUMERIC_CLAIMS:
        if k in report and not _number(report[k]):
            problems.append(
                _("{key} must be a finite number, got {value!r}").format(key=k, value=report[k])[
                    :200
                ]
            )
    table = report.get("val_rmse_table")
    if "val_rmse_table" in report:
        problems += [f"val_rmse_table: {p}" for p in table_problems(table)]
    chosen = report.get("chosen")
    if "chosen" in report:
        if not (isinstance(chosen, int) and not isinstance(chosen, bool)):
            problems.append(
                _("chosen must be a row index, got {value!r}").format(value=chosen)[:200]
            )
        elif isinstance(table, list) and not 0 <= chosen < len(table):
            problems.append(
                _("chosen = {chosen} is not a row of val_rmse_table").format(chosen=chosen)
            )
        elif isinstance(table, list) and isinstance(table[chosen], dict):
            row_v, claim = table[chosen].get("val_rmse"), report.get("val_rmse")
            if _number(row_v) and _number(claim) and not _close(row_v, claim):
                problems.append(
                    _(
                        "val_rmse ({claim:.2f}) is not the val_rmse of the chosen row {chosen} "
                        "({row_v:.2f}): model.keras should be the model of the chosen row"
                    ).format(claim=claim, chosen=chosen, row_v=row_v)
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
            wrong.append(_("{key}: no number claimed").format(key=k))
        elif not _close(float(claim), float(truth)):
            wrong.append(
                _("{key}: you claim {claim:.4g}, the grader measured {truth:.4g}").format(
                    key=k, claim=claim, truth=truth
                )
            )
    n_ok = len(NUMERIC_CLAIMS) - len(wrong) + (not problems)
    fraction = n_ok / (len(NUMERIC_CLAIMS) + 1)
    if not wrong and not problems:
        return Verdict(
            1.0,
            _("all {n} claimed numbers match the grader's").format(n=len(NUMERIC_CLAIMS)),
        )
    lines = []
    if wrong:
        lines.append(
            _("{n} claimed number(s) differ: {wrong}").format(n=len(wrong), wrong="; ".join(wrong))
        )
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
        raise SubmissionError(_("{name} is missing or not a regular file").format(name=p.name))
    with open(p, "rb") as fh:
        raw = fh.read(MAX_REPORT_BYTES + 1)
    if len(raw) > MAX_REPORT_BYTES:
        raise SubmissionError(
            _("{name} is larger than {limit:,} bytes").format(name=p.name, limit=MAX_REPORT_BYTES)
        )
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SubmissionError(
            _("{name} is not valid JSON ({exc})").format(name=p.name, exc=exc)
        ) from None


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
        verdict = Verdict(
            0.0, _("the model could not be saved and read back: {exc}").format(exc=exc)
        )
    return print_verdicts("check_model_is_gru", {_("architecture"): verdict})


def check_tuning_table(table) -> bool:
    """Public check of the hyperparameter table: at least 3 distinct settings, USD RMSEs."""
    problems = table_problems(table)
    verdict = Verdict(
        not problems,
        "; ".join(problems) or _("{n} settings, each scored").format(n=len(table)),
    )
    ok = print_verdicts("check_tuning_table", {_("table"): verdict})
    if isinstance(table, list) and not problems:
        vals = [row["val_rmse"] for row in table]
        if min(vals) < 1.0 or max(vals) > 1e4:
            print(_("  note: RMSEs should be in USD (tens of dollars), not in scaled units"))
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
    verdicts[_("structure")] = Verdict(not problems, "; ".join(problems) or _("all keys present"))
    if model is not None and data is not None:
        from .hw07_eval import predict_usd

        val, test = predict_usd(model, data)
        verdicts[_("claims")] = compare_claims(report, measure(val, test, data))
    return print_verdicts("check_report", verdicts)
