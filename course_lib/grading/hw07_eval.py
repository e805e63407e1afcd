"""Evaluate a student's saved model on the homework's own data, inside the grader's sandbox.

Run as ``python -m course_lib.grading.hw07_eval model.keras`` in a fresh folder holding only a
copy of the student's ``model.keras``: it loads the real GOOG prices itself
(``course_lib.stocks.load_goog``), builds the homework's windows and scaling
(``course_lib.stocks.stock_windows``, window 60, the ``open`` column), loads the model with
``keras.saving.load_model(safe_mode=True, compile=False)`` (no Lambda code, no custom objects),
predicts every validation and test day, and prints ONE line::

    HW07_EVAL {"ok": true, "window": 60, "val_usd": [...], "test_usd": [...]}

(predictions in USD, one per day, in order), or ``HW07_EVAL {"ok": false, "error": "..."}``
with exit status 1. The grader reads only that line (size-capped) and computes every score in its
own process; nothing this script prints is trusted beyond "numbers, this many".
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

#: Prefix of the one line of output the grader reads.
MARKER = "HW07_EVAL "
WINDOW = 60
COLUMN = "open"


def predict_usd(model, data) -> tuple[list[float], list[float]]:
    """The model's predictions of every validation and test day, in USD.

    ``model`` must take ``(batch, window, 1)`` (or ``(batch, None, 1)``) and give one number
    per window (shape ``(n,)`` or ``(n, 1)``); anything else raises ``ValueError`` saying what
    it got.
    """
    import numpy as np

    shape = getattr(model, "input_shape", None)
    want = (None, data.window, 1)
    ok = isinstance(shape, tuple) and len(shape) == 3 and shape[2] == 1
    if not (ok and shape[1] in (None, data.window)):  # a free time axis is fine too
        raise ValueError(
            f"the model's input shape is {shape}, expected {want}: windows of {data.window} days "
            "of one feature (the scaled open)"
        )
    out = []
    for X in (data.X_val, data.X_test):
        pred = np.asarray(model.predict(X, batch_size=256, verbose=0), dtype="float64")
        if pred.size != len(X) or pred.shape[0] != len(X):
            raise ValueError(
                f"the model returned an output of shape {pred.shape} for {len(X)} windows; "
                f"expected one number per window, shape ({len(X)}, 1)"
            )
        out.append(data.to_usd(pred).tolist())
    return out[0], out[1]


def evaluate_file(path: str) -> dict:
    """Load ``path`` safely and predict; a dict ready to print (never raises)."""
    try:
        from course_lib.stocks import load_goog, stock_windows

        data = stock_windows(load_goog(), window=WINDOW, column=COLUMN)
        import keras

        model = keras.saving.load_model(path, compile=False, safe_mode=True)
        val, test = predict_usd(model, data)
        return {"ok": True, "window": WINDOW, "val_usd": val, "test_usd": test}
    except Exception as exc:  # report, do not crash: the grader turns it into a message
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:2000]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # Keras writes its config into KERAS_HOME; the sandbox's home may not be writable
    if "KERAS_HOME" not in os.environ:
        try:
            os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="hw07-keras-")
        except OSError:  # no writable temp dir: the working folder then
            os.environ["KERAS_HOME"] = os.path.abspath(".keras")
    result = evaluate_file(argv[0] if argv else "model.keras")
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    sys.stdout.flush()
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
