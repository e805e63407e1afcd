"""hw07_stock_gru's ``architecture`` part: ``model.keras`` read as plain data, and walked.

A ``.keras`` file is a zip archive; :func:`read_model_config` returns its ``config.json`` as a
dict after checking the archive (size on disk, number of members, declared and compressed sizes,
member names), never loading the model (loading a Keras model has had code-execution CVEs).
:func:`inspect_config` walks it recursively (Sequential and functional models, nested models,
``Bidirectional`` / ``TimeDistributed`` wrappers, ``RNN`` layers and their cells) and
:func:`diagnose_architecture` turns what it found into a verdict. Used by the grader's part and
by the public check :func:`.hw07_stock_gru.check_model_is_gru`.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..i18n import _
from .common import Verdict

__all__ = [
    "SubmissionError",
    "diagnose_architecture",
    "inspect_config",
    "read_model_config",
]

# Limits on what the grader reads from model.keras.
MAX_MODEL_BYTES = 32 * 2**20  # the .keras file on disk (4 x GRU(50) weighs about 0.3 MB)
MAX_MEMBERS = 16  # a Keras archive holds 3 (config.json, metadata.json, model.weights.h5)
MAX_UNCOMPRESSED = 64 * 2**20  # declared sizes of all members together
MAX_RATIO = 100  # uncompressed / compressed, for members over 1 MB: more is a zip bomb
MAX_CONFIG_BYTES = 2**20  # config.json
MAX_DEPTH = 64  # nesting of config.json objects

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
        raise SubmissionError(
            _("{filename} is larger than {cap:,} bytes").format(filename=info.filename, cap=cap)
        )
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
        raise SubmissionError(_("{name} is a symbolic link, not a file").format(name=p.name))
    if not p.is_file():
        raise SubmissionError(
            _("{name} is missing: save the model with model.save('model.keras')").format(
                name=p.name
            )
        )
    size = p.stat().st_size
    if size > MAX_MODEL_BYTES:
        raise SubmissionError(
            _("{name} is {size:,} bytes, over the limit of {limit:,}").format(
                name=p.name, size=size, limit=MAX_MODEL_BYTES
            )
        )
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SubmissionError(
            _(
                "{name} is not a Keras .keras file (not a zip archive: {exc}); save it "
                "with model.save('model.keras')"
            ).format(name=p.name, exc=exc)
        ) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise SubmissionError(
                _("{name} has {n} members, more than {limit}: not a Keras model file").format(
                    name=p.name, n=len(infos), limit=MAX_MEMBERS
                )
            )
        names = [i.filename for i in infos]
        bad = [n for n in names if not _safe_member_name(n)]
        if bad:
            raise SubmissionError(
                _("{name} has unsafe member names: {bad!r}").format(name=p.name, bad=bad[:3])
            )
        if len(set(names)) != len(names):
            raise SubmissionError(_("{name} has repeated member names").format(name=p.name))
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise SubmissionError(
                _("{name} would unpack to {total:,} bytes, over the limit of {limit:,}").format(
                    name=p.name, total=total, limit=MAX_UNCOMPRESSED
                )
            )
        for i in infos:
            ratio = i.file_size / max(i.compress_size, 1)
            if i.file_size > 2**20 and ratio > MAX_RATIO:
                raise SubmissionError(
                    _(
                        "{name}: member {filename} is compressed {ratio:.0f} times (over "
                        "{limit}): refused as a possible zip bomb"
                    ).format(name=p.name, filename=i.filename, ratio=ratio, limit=MAX_RATIO)
                )
        if "config.json" not in names:
            raise SubmissionError(
                _("{name} has no config.json: not a Keras 3 .keras file").format(name=p.name)
            )
        info = zf.getinfo("config.json")
        if info.file_size > MAX_CONFIG_BYTES:
            raise SubmissionError(
                _("{name}: config.json is {file_size:,} bytes, over the limit of {limit:,}").format(
                    name=p.name, file_size=info.file_size, limit=MAX_CONFIG_BYTES
                )
            )
        try:
            raw = _read_capped(zf, info, MAX_CONFIG_BYTES)
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError) as exc:
            raise SubmissionError(
                _("{name}: config.json cannot be read ({exc})").format(name=p.name, exc=exc)
            ) from None
    try:
        config = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SubmissionError(
            _("{name}: config.json is not valid JSON ({exc})").format(name=p.name, exc=exc)
        ) from None
    if not isinstance(config, dict):
        raise SubmissionError(_("{name}: config.json is not a JSON object").format(name=p.name))
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
                    if reg is None:
                        what = _("{cls} (module {module!r})").format(cls=cls, module=module)
                    else:
                        what = _("{cls} (module {module!r}, registered as {reg!r})").format(
                            cls=cls, module=module, reg=reg
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
    return ", ".join(shown) + (_(" and {more} more").format(more=more) if more > 0 else "")


def diagnose_architecture(config: Any) -> Verdict:
    """Verdict on a model's configuration: all recurrent layers GRU, nothing foreign.

    0 for a Lambda, an object from outside keras, or no recurrent layer; a stack with LSTMs (or
    SimpleRNNs) left gets ``0.5 * (GRUs / recurrent layers)`` and the names of what is left.
    """
    f = inspect_config(config)
    problems = []
    if f.too_deep:
        problems.append(
            _("config.json is nested deeper than {limit} levels").format(limit=MAX_DEPTH)
        )
    if f.lambdas:
        problems.append(
            _(
                "Lambda layers are not allowed (their code cannot be loaded safely): {listing}"
            ).format(listing=_listing(f.lambdas))
        )
    if f.foreign:
        problems.append(
            _("only Keras' own layers are allowed, no custom layers or objects: {listing}").format(
                listing=_listing(f.foreign)
            )
        )
    if problems:
        return Verdict(0.0, "; ".join(problems))
    if f.recurrent == 0:
        return Verdict(
            0.0,
            _("no recurrent layer found: the homework asks for GRU layers in place of the LSTMs"),
        )
    if f.lstm or f.other_rnn:
        parts = []
        if f.lstm:
            parts.append(_("still LSTM: {listing}").format(listing=_listing(f.lstm)))
        if f.other_rnn:
            parts.append(_("not a GRU: {listing}").format(listing=_listing(f.other_rnn)))
        return Verdict(
            0.5 * len(f.gru) / f.recurrent,
            _(
                "{n} of {total} recurrent layers are GRU; {problems}. Replace every LSTM by a GRU."
            ).format(n=len(f.gru), total=f.recurrent, problems="; ".join(parts)),
        )
    return Verdict(
        1.0,
        _("all {n} recurrent layers are GRU: {listing}").format(
            n=len(f.gru), listing=_listing(f.gru)
        ),
    )
