"""The probe cell: how the grader calls a student's function and reads the answer back.

For each :class:`~course_lib.grading.common.FunctionPart` the grader sends ONE cell to the
student's kernel (after the notebook has run). Its source is generated here, self-contained,
with the calls as a JSON literal. In the kernel it

- decodes each call's arguments (:func:`course_lib.grading.common.decode`),
- looks the function up in the notebook's globals,
- calls it with ``sys.setprofile`` and ``threading.setprofile`` recording every ``course_lib``
  function entered (``module.qualname``), after a canary call (``course_lib.cells.sigmoid``)
  that proves the recorder works; afterwards it checks that its recorder was neither removed nor
  replaced (``tampered``),
- encodes the return value (:func:`course_lib.grading.common.encode`), and prints ONE line
  ``<nonce> <json>``, the nonce a fresh random token.

The grader (:func:`parse_answer`) reads only that cell's stdout, takes the LAST line that starts
with the nonce, parses it as JSON under :data:`~course_lib.grading.common.MAX_PLAIN_BYTES`, and
rebuilds each outcome from plain values only. Nothing from the kernel is ever executed or
unpickled in the grader; expected values are computed by the part's ``judge`` in the grader.
"""

from __future__ import annotations

import json
import secrets

from .common import MAX_PLAIN_BYTES

_TEMPLATE = r"""
def __grader_probe_{tag}():
    import json as _json
    import sys as _sys
    import threading as _threading
    import time as _time

    import course_lib.cells as _cells
    from course_lib.grading.common import decode as _decode
    from course_lib.grading.common import encode as _encode

    _calls = _json.loads({calls!r})
    _fn = globals().get({function!r})
    _answer = {{"tampered": False, "outcomes": []}}
    for _call in _calls:
        _seen = []

        def _recorder(frame, event, arg, _seen=_seen):
            if event == "call":
                _mod = frame.f_globals.get("__name__", "")
                if isinstance(_mod, str) and _mod.startswith("course_lib"):
                    _seen.append(_mod + "." + frame.f_code.co_qualname)

        if _fn is None or not callable(_fn):
            _answer["outcomes"].append({{"ok": False, "error": "missing", "seconds": 0.0,
                                         "course_lib_calls": []}})
            continue
        try:
            _args = [_decode(a) for a in _call.get("args", [])]
            _kwargs = {{k: _decode(v) for k, v in _call.get("kwargs", {{}}).items()}}
        except Exception as _e:
            _answer["outcomes"].append({{"ok": False, "error": "bad call: " + repr(_e)[:200],
                                         "seconds": 0.0, "course_lib_calls": []}})
            continue
        _outcome = {{}}
        _start = _time.perf_counter()
        _sys.setprofile(_recorder)
        _threading.setprofile(_recorder)
        try:
            _cells.sigmoid(0.0)
            _value = _fn(*_args, **_kwargs)
            _outcome["ok"] = True
        except BaseException as _e:
            _outcome["ok"] = False
            _outcome["error"] = (type(_e).__name__ + ": " + str(_e))[:500]
        finally:
            _current = _sys.getprofile()
            _sys.setprofile(None)
            _threading.setprofile(None)
        _outcome["seconds"] = _time.perf_counter() - _start
        if _current is not _recorder or not _seen or _seen[0] != "course_lib.cells.sigmoid":
            _answer["tampered"] = True
        _outcome["course_lib_calls"] = sorted(set(_seen[1:]))
        if _outcome["ok"]:
            try:
                _outcome["value"] = _encode(_value)
            except BaseException as _e:
                _outcome["ok"] = False
                _outcome["error"] = "could not encode the result: " + repr(_e)[:200]
        _answer["outcomes"].append(_outcome)
    try:
        _line = _json.dumps(_answer, allow_nan=True)
    except BaseException as _e:
        _line = _json.dumps({{"tampered": False, "error": "answer not JSON: " + repr(_e)[:200]}})
    _sys.stdout.write("\n" + {nonce!r} + " " + _line + "\n")
    _sys.stdout.flush()


try:
    __grader_probe_{tag}()
finally:
    del __grader_probe_{tag}
"""


def new_nonce() -> str:
    return "GRADER-" + secrets.token_hex(16)


def probe_source(function: str, calls: list[dict], nonce: str) -> str:
    """The probe cell's Python source for ``function`` on ``calls`` (encoded plain data)."""
    if not function.isidentifier():
        raise ValueError(f"not a Python name: {function!r}")
    text = json.dumps(calls, allow_nan=True)
    tag = "".join(c for c in nonce if c.isalnum())[-12:]
    return _TEMPLATE.format(tag=tag, calls=text, function=function, nonce=nonce)


def _plain_outcome(raw) -> dict:
    """One outcome rebuilt from plain values only (anything odd becomes a failed call)."""
    if not isinstance(raw, dict):
        return {"ok": False, "error": "malformed outcome", "seconds": 0.0, "course_lib_calls": []}
    calls = raw.get("course_lib_calls", [])
    if not isinstance(calls, list):
        calls = []
    seconds = raw.get("seconds", 0.0)
    out = {
        "ok": raw.get("ok") is True,
        "seconds": float(seconds) if isinstance(seconds, int | float) else 0.0,
        "course_lib_calls": [str(c)[:200] for c in calls[:100]],
    }
    if out["ok"]:
        out["value"] = raw.get("value")
    else:
        out["error"] = str(raw.get("error", "error"))[:500]
    return out


def parse_answer(stdout: str, nonce: str, n_calls: int, cap: int = MAX_PLAIN_BYTES) -> dict:
    """The probe's answer from its cell's stdout: ``{"tampered", "outcomes", "error"}``.

    ``error`` is None when an answer was read; otherwise it says why not (then ``outcomes`` is
    empty and the part scores zero).
    """
    line = None
    for candidate in stdout.split("\n"):
        if candidate.startswith(nonce + " "):
            line = candidate[len(nonce) + 1 :]
    if line is None:
        return {"tampered": False, "outcomes": [], "error": "the probe printed no answer"}
    if len(line) > cap:
        return {
            "tampered": False,
            "outcomes": [],
            "error": f"answer of {len(line):,} bytes is over the cap of {cap:,}",
        }
    try:
        data = json.loads(line)
    except ValueError as e:
        return {"tampered": False, "outcomes": [], "error": f"answer is not JSON: {e}"}
    if not isinstance(data, dict) or not isinstance(data.get("outcomes"), list):
        err = data.get("error") if isinstance(data, dict) else None
        return {"tampered": False, "outcomes": [], "error": str(err or "malformed answer")[:300]}
    outcomes = [_plain_outcome(o) for o in data["outcomes"][:n_calls]]
    if len(outcomes) != n_calls:
        return {
            "tampered": data.get("tampered") is True,
            "outcomes": [],
            "error": f"answered {len(outcomes)} calls of {n_calls}",
        }
    return {"tampered": data.get("tampered") is not False, "outcomes": outcomes, "error": None}
