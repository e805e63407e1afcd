"""Small synthetic sequence tasks with a known answer, for showing what RNNs cannot learn.

Both tasks put the information the answer needs ``lag`` steps before the answer is asked for,
so the lag is a dial for how far back the gradient has to reach. They are exercises, not data:
nothing here is presented as a real series.
"""

from __future__ import annotations

import numpy as np

from .validation import check_int

__all__ = ["adding_problem", "delayed_recall", "chance_level"]


def adding_problem(n: int, lag: int, seed: int | None = 0):
    """The adding problem (Hochreiter & Schmidhuber 1997), with the distance set by ``lag``.

    Each sequence has ``lag + 1`` steps and two channels: channel 0 holds random numbers in
    [0, 1), channel 1 is a marker that is 1 at exactly two steps. The first marked step is step
    0, the second is the last step, so the two numbers to add are ``lag`` steps apart:

        y = X[:, 0, 0] + X[:, lag, 0]

    Always answering the mean, 1.0, gives an MSE of 1/6 ≈ 0.167 (the variance of the sum of
    two uniforms); a model that has learned the task goes well below that.

    Returns ``X`` (n, lag + 1, 2) and ``y`` (n, 1), float32.
    """
    n, lag = check_int(n, "n"), check_int(lag, "lag")
    rng = np.random.default_rng(seed)
    X = np.zeros((n, lag + 1, 2), dtype=np.float32)
    X[:, :, 0] = rng.random((n, lag + 1))
    X[:, 0, 1] = 1.0
    X[:, lag, 1] = 1.0
    y = (X[:, 0, 0] + X[:, lag, 0])[:, None]
    return X, y.astype(np.float32)


def delayed_recall(
    n: int,
    lag: int,
    n_symbols: int = 4,
    seed: int | None = 0,
    noise: tuple[float, float] = (0.0, 1.0),
):
    """Remember a symbol for ``lag`` steps, then say which it was.

    Each sequence has ``lag + 1`` steps and ``n_symbols + 2`` channels:

    - step 0: the symbol to remember, one-hot in channels ``0 … n_symbols − 1``;
    - steps 1 … lag − 1: distraction, random noise uniform in [low, high) = ``noise`` (by
      default [0, 1)) in channel ``n_symbols``;
    - step ``lag``: the cue "answer now", a 1 in the last channel.

    Strong noise (e.g. ``noise=(-4, 4)``) pushes tanh units into saturation, where a simple RNN's
    gradient vanishes within a few steps; an LSTM's cell state is not squashed on its way.

    The target ``y`` (n,) is the symbol's index (0 … n_symbols − 1): a classification whose
    chance level is ``1 / n_symbols``. Returns ``X`` (n, lag + 1, n_symbols + 2) float32 and
    ``y`` int64.
    """
    n, lag = check_int(n, "n"), check_int(lag, "lag")
    n_symbols = check_int(n_symbols, "n_symbols", minimum=2)
    low, high = (float(v) for v in noise)
    if not low < high:
        raise ValueError(f"noise must be a range (low, high) with low < high, got {noise}")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_symbols, size=n)
    X = np.zeros((n, lag + 1, n_symbols + 2), dtype=np.float32)
    X[np.arange(n), 0, y] = 1.0
    if lag > 1:
        X[:, 1:lag, n_symbols] = low + (high - low) * rng.random((n, lag - 1))
    X[:, lag, n_symbols + 1] = 1.0
    return X, y.astype(np.int64)


def chance_level(task: str, n_symbols: int = 4) -> float:
    """The score of a model that ignores its input: MSE 1/6 for the adding problem (answering
    1.0), accuracy 1/n_symbols for delayed recall."""
    if task == "adding_problem":
        return 1.0 / 6.0
    if task == "delayed_recall":
        return 1.0 / n_symbols
    raise ValueError(f"unknown task {task!r}; expected 'adding_problem' or 'delayed_recall'")
