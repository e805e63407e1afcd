"""Set up Keras for a lesson: quiet TensorFlow start-up, seeds, deterministic ops, one version line.

Every lesson that trains or runs a Keras model starts with::

    from course_lib.lesson import setup_keras

    setup_keras(seed=0)  # before the first "import keras"

Why a helper. Importing TensorFlow on a machine without a GPU prints lines from its C++ core that a
reader takes for errors: ``WARNING: All log messages before absl::InitializeLog() is called are
written to STDERR``, ``I0000 ... cudart_stub.cc ... Could not find cuda drivers``, ``I0000 ...
oneDNN custom operations are on``, ``E0000 ... failed call to cuInit``. They are harmless (no GPU,
the CPU is used). ``TF_CPP_MIN_LOG_LEVEL=3`` set before the import hides the ``E``/``W`` lines of
TensorFlow's logger, but not the ``I0000`` lines: abseil writes those straight to file
descriptor 2 before its logging is initialised, so no Python setting reaches them. The helper
therefore also points descriptor 2 at a temporary file while TensorFlow is imported and sets
itself up, then restores it and passes on every captured line that is not one of those known
start-up lines: a real error still shows.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

from .i18n import _

__all__ = ["STARTUP_NOISE", "setup_keras", "split_startup_noise", "state"]

#: What the last ``setup_keras`` call did, read back from TensorFlow and Keras (empty before):
#: ``{"tensorflow": "2.21.0", "keras": "3.15.1", "seed": 0, "deterministic": True}``. Lessons
#: assert on it after the set-up cell, whose printed versions are not compared by the tests.
state: dict = {}

#: Lines of TensorFlow's start-up on a CPU-only machine (regular expressions, matched from the
#: start of a line). Anything else captured during the import is passed on to stderr.
STARTUP_NOISE = (
    r"WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR",
    r"[IWE]\d{4} [\d:. ]+\d+ \S+\.(cc|h):\d+\] ",  # abseil/TensorFlow C++ log line
    r"To enable the following instructions: .* in other operations, rebuild TensorFlow",
    r"This TensorFlow binary is optimized to use available CPU instructions",
)
_NOISE = re.compile("|".join(f"(?:{p})" for p in STARTUP_NOISE))


def split_startup_noise(text: str) -> tuple[list[str], list[str]]:
    """Split captured stderr text into (known start-up lines, other lines)."""
    noise, other = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        (noise if _NOISE.match(line) else other).append(line)
    return noise, other


@contextlib.contextmanager
def _capture_fd2():
    """Point file descriptor 2 (C/C++ stderr) at a temporary file; yield a list that receives
    the captured text when the block ends. Python's ``sys.stderr`` is flushed first."""
    got: list[str] = []
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError):
        pass
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield got
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            got.append(tmp.read().decode("utf-8", errors="replace"))


def _determinism_enabled() -> bool | None:
    """TensorFlow's own answer (None if this TensorFlow version cannot say)."""
    try:
        from tensorflow.python.framework import config
    except ImportError:  # pragma: no cover - very old or very new TensorFlow
        return None
    fn = getattr(config, "is_op_determinism_enabled", None)
    return bool(fn()) if fn else None


def setup_keras(seed: int = 0, *, deterministic: bool = True, quiet: bool = True) -> None:
    """Prepare TensorFlow and Keras for a lesson and print one line with the versions.

    1. ``TF_CPP_MIN_LOG_LEVEL`` is set to ``"3"`` (unless already set) before TensorFlow is
       imported, so TensorFlow's C++ logger stays silent below errors that stop the program;
    2. TensorFlow and Keras are imported, and TensorFlow sets itself up (devices, one small
       operation), with file descriptor 2 captured (``quiet=True``): the known start-up lines
       (``STARTUP_NOISE``) are dropped, anything else is written to stderr;
    3. ``keras.utils.set_random_seed(seed)`` seeds Python's ``random``, NumPy and TensorFlow;
    4. ``tf.config.experimental.enable_op_determinism()`` (``deterministic=True``): the same
       seed gives the same numbers on the same machine (another CPU may still round
       differently).

    Call it before the lesson's first ``import keras``. Called again later (or after TensorFlow
    was imported elsewhere) it still seeds, but cannot hide start-up lines already printed.

    Prints, e.g., ``TensorFlow 2.21.0 | Keras 3.15.1 | seed 0 | deterministic ops``; returns
    nothing (so a cell ending with the call shows that line only).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    capture = _capture_fd2() if quiet else contextlib.nullcontext([])
    with capture as got:
        import keras
        import tensorflow as tf

        tf.config.list_physical_devices()  # TensorFlow sets itself up here ...
        tf.constant(1.0) + 1.0  # ... and on its first operation
    if got:
        _noise, other = split_startup_noise(got[0])
        if other:
            print("\n".join(other), file=sys.stderr)
    keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    state.clear()
    state.update(
        tensorflow=tf.__version__,
        keras=keras.__version__,
        seed=seed,
        deterministic=_determinism_enabled(),
    )
    line = _("TensorFlow {tf} | Keras {keras} | seed {seed}").format(
        tf=tf.__version__, keras=keras.__version__, seed=seed
    ) + (_(" | deterministic ops") if deterministic else "")
    print(line)
