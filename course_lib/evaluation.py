"""Is the network any good? Baselines, metrics in real units and a walk-forward loop.

A price model must beat the naive forecasts before it means anything:

- persistence ("tomorrow = today"): ``y_hat[t] = y[t - h]``
- moving average of the last ``k`` values: ``y_hat[t] = (y[t-h] + ... + y[t-h-k+1]) / k``

Metrics are computed in the units of the input (give them USD, get USD back): MAE, RMSE, MAPE
(in percent) and the direction accuracy (did the forecast move the right way?).

``walk_forward`` replays history one point at a time, the way a forecast is used in practice:
predict the next point from the last ``window`` points, then reveal the truth (and optionally
let the model learn from it).

Diagnostics for lesson 07: ``lag_correlations`` / ``best_lag`` (does a forecast merely follow the
truth one step late?), ``recursive_forecast`` (several steps ahead by feeding the forecasts back
in) and ``prices_from_returns`` (forecast log returns back to prices).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .validation import check_int

__all__ = [
    "best_lag",
    "direction_accuracy",
    "evaluate",
    "lag_correlations",
    "mae",
    "mean_error",
    "mape",
    "moving_average_forecast",
    "persistence_forecast",
    "prices_from_returns",
    "recursive_forecast",
    "rmse",
    "walk_forward",
]


# --------------------------------------------------------------------------------------------
# checking inputs
# --------------------------------------------------------------------------------------------
def _as_1d(x, name: str) -> np.ndarray:
    a = np.asarray(x, dtype="float64")
    if a.ndim == 0:
        raise ValueError(f"{name} must be a sequence of numbers, got a single value")
    if a.ndim == 2 and 1 in a.shape:
        a = a.reshape(-1)
    if a.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"{name} is empty")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name} has a missing or infinite value ({a[i]}) at position {i}")
    return a


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Both as float arrays of the same length; pandas indexes must agree (alignment check)."""
    t, p = _as_1d(y_true, "y_true"), _as_1d(y_pred, "y_pred")
    if len(t) != len(p):
        raise ValueError(
            f"length mismatch: y_true has {len(t)} values, y_pred has {len(p)}; "
            "align predictions and truths first"
        )
    ti, pi = getattr(y_true, "index", None), getattr(y_pred, "index", None)
    if isinstance(ti, pd.Index) and isinstance(pi, pd.Index) and not ti.equals(pi):
        raise ValueError(
            "y_true and y_pred have different indexes (an off-by-one shift?); align them, or "
            "pass .to_numpy() of both if the order is right"
        )
    return t, p


# --------------------------------------------------------------------------------------------
# baselines
# --------------------------------------------------------------------------------------------
def _wrap(series, values: np.ndarray, first: int, name: str):
    if isinstance(series, pd.Series):
        return pd.Series(values, index=series.index[first:], name=name)
    return values


def persistence_forecast(series, horizon: int = 1):
    """Persistence ("tomorrow = today"): ``y_hat[t] = y[t - horizon]``.

    Returns the forecasts of ``y[horizon:]`` (aligned with them): an array of length
    ``n - horizon``, or a Series indexed by the forecast times if ``series`` is a Series.

    Examples
    --------
    >>> persistence_forecast([10.0, 11.0, 13.0]).tolist()  # forecasts of 11 and 13
    [10.0, 11.0]
    """
    a = _as_1d(series, "series")
    horizon = check_int(horizon, "horizon")
    if len(a) <= horizon:
        raise ValueError(f"series too short: {len(a)} values for horizon={horizon}")
    return _wrap(series, a[:-horizon].copy(), horizon, "persistence")


def moving_average_forecast(series, window: int, horizon: int = 1):
    """Moving average of the last ``window`` known values.

    ``y_hat[t] = (y[t-h] + y[t-h-1] + ... + y[t-h-window+1]) / window`` with ``h = horizon``.
    Forecasts exist for ``t = window + h - 1, ..., n - 1`` (aligned with
    ``series[window + h - 1:]``); ``window=1`` is persistence.

    Examples
    --------
    >>> moving_average_forecast([1.0, 2.0, 3.0, 4.0], window=2).tolist()  # forecasts of 3, 4
    [1.5, 2.5]
    """
    a = _as_1d(series, "series")
    window = check_int(window, "window")
    horizon = check_int(horizon, "horizon")
    first = window + horizon - 1
    if len(a) <= first:
        raise ValueError(
            f"series too short: {len(a)} values, need more than window + horizon - 1 = {first}"
        )
    c = np.concatenate([[0.0], np.cumsum(a)])
    means = (c[window:] - c[:-window]) / window  # means[i] = mean(a[i : i + window])
    return _wrap(series, means[: len(a) - first], first, f"moving_average_{window}")


# --------------------------------------------------------------------------------------------
# metrics
# --------------------------------------------------------------------------------------------
def mae(y_true, y_pred) -> float:
    """Mean absolute error ``(1/n) * sum |y - y_hat|``, in the units of the input (e.g. USD)."""
    t, p = _pair(y_true, y_pred)
    return float(np.mean(np.abs(t - p)))


def mean_error(y_true, y_pred) -> float:
    """Mean signed error ``(1/n) * sum (y_hat - y)``, the bias, in the units of the input.

    Negative: the forecasts are too low on average; positive: too high. Errors of opposite
    signs cancel, so read it next to ``mae``.
    """
    t, p = _pair(y_true, y_pred)
    return float(np.mean(p - t))


def rmse(y_true, y_pred) -> float:
    """Root mean squared error ``sqrt((1/n) * sum (y - y_hat)^2)``, in the units of the input.

    Always ``>= mae``; much larger than MAE means a few big misses.
    """
    t, p = _pair(y_true, y_pred)
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mape(y_true, y_pred) -> float:
    """Mean absolute percentage error ``(100/n) * sum |y - y_hat| / |y|``, in percent.

    Undefined if any true value is 0 (raises ``ValueError``).
    """
    t, p = _pair(y_true, y_pred)
    if (t == 0).any():
        i = int(np.argmax(t == 0))
        raise ValueError(f"MAPE is undefined: y_true is 0 at position {i}")
    return float(100.0 * np.mean(np.abs(t - p) / np.abs(t)))


def direction_accuracy(y_true, y_pred, y_prev=None) -> float:
    """Share of forecasts that move the same way as the truth, from the last known value.

    ``mean( sign(y_hat[t] - y_prev[t]) == sign(y[t] - y_prev[t]) )``, where ``y_prev[t]`` is
    the last value known when forecasting ``t``. If ``y_prev`` is not given, the forecasts are
    taken to be one step ahead on consecutive points, so ``y_prev[t] = y[t-1]`` and the first
    point is skipped (``n - 1`` comparisons).

    ``sign(0) = 0``: a forecast of "no change" only counts as right when the price did not
    move, so persistence scores (almost) 0 -- compare models with MAE/RMSE too.
    """
    t, p = _pair(y_true, y_pred)
    if y_prev is None:
        if len(t) < 2:
            raise ValueError("direction_accuracy needs at least 2 points when y_prev is not given")
        prev, t, p = t[:-1], t[1:], p[1:]
    else:
        prev = _as_1d(y_prev, "y_prev")
        if len(prev) != len(t):
            raise ValueError(f"length mismatch: y_prev has {len(prev)} values, y_true {len(t)}")
    return float(np.mean(np.sign(p - prev) == np.sign(t - prev)))


def evaluate(y_true, y_pred, y_prev=None) -> dict[str, float]:
    """All metrics at once: ``{"mae", "rmse", "mape", "direction"}`` (plain floats)."""
    return {
        "mae": mae(y_true, y_pred),
        "rmse": rmse(y_true, y_pred),
        "mape": mape(y_true, y_pred),
        "direction": direction_accuracy(y_true, y_pred, y_prev),
    }


# --------------------------------------------------------------------------------------------
# walk-forward
# --------------------------------------------------------------------------------------------
def walk_forward(
    model_predict: Callable[[np.ndarray], float],
    series,
    start: int,
    window: int,
    update: Callable[[np.ndarray, float], object] | None = None,
    target: int | None = None,
):
    """Replay history one new point at a time.

    For ``t = start, start + 1, ..., n - 1``::

        x_window = series[t - window : t]     # only the past: the model never sees y[t]
        y_hat[t] = model_predict(x_window)
        update(x_window, series[t])           # optional: learn from the point just revealed

    Parameters
    ----------
    model_predict : callable
        Gets a copy of the window, shape ``(window,)`` for a 1-D series or ``(window,
        features)`` for a 2-D one, and returns one number (or an array of one value per
        feature when ``target`` is None and the series is 2-D). A Keras model, for instance:
        ``lambda w: model.predict(w[None, :, None], verbose=0)[0, 0]``.
    series : 1-D or 2-D array, Series or DataFrame (time along axis 0), no NaN
    start : int
        Position of the first point to forecast; ``start >= window``.
    window : int
        How many past points the model gets.
    update : callable, optional
        ``update(x_window, y_true)`` is called after each forecast.
    target : int, optional
        For a 2-D series: the column that is forecast.

    Returns
    -------
    (predictions, truths), aligned: arrays, or Series indexed by the forecast times when
    ``series`` is a pandas object.

    Examples
    --------
    >>> pred, true = walk_forward(lambda w: w[-1], [1.0, 2.0, 3.0, 4.0], start=2, window=2)
    >>> pred.tolist(), true.tolist()
    ([2.0, 3.0], [3.0, 4.0])
    """
    if not callable(model_predict):
        raise TypeError("model_predict must be callable: window -> prediction")
    if update is not None and not callable(update):
        raise TypeError("update must be callable: (window, y_true) -> None")
    a = np.asarray(series, dtype="float64")
    if a.ndim not in (1, 2):
        raise ValueError(f"series must be 1-D or 2-D (time, features), got shape {a.shape}")
    bad = ~np.isfinite(a)
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise ValueError(f"series has a missing or infinite value at position {i}")
    n = a.shape[0]
    window = check_int(window, "window")
    start = check_int(start, "start", minimum=window)
    if start >= n:
        raise ValueError(f"start={start} leaves nothing to forecast in a series of {n} points")
    if target is not None and a.ndim != 2:
        raise ValueError("target is only meaningful for a 2-D series (time, features)")
    truth = a[:, target] if target is not None else a
    out_size = 1 if truth.ndim == 1 else truth.shape[1]

    preds = []
    for t in range(start, n):
        x = a[t - window : t].copy()
        p = np.asarray(model_predict(x), dtype="float64")
        if p.size != out_size:
            raise ValueError(
                f"model_predict returned {p.size} values at t={t}; expected {out_size}"
            )
        preds.append(p.reshape(truth.shape[1:]))
        if update is not None:
            y = truth[t]
            update(x, y.copy() if isinstance(y, np.ndarray) else float(y))
    pred = np.array(preds, dtype="float64")
    true = truth[start:].copy()
    if isinstance(series, pd.Series | pd.DataFrame) and pred.ndim == 1:
        idx = series.index[start:]
        return pd.Series(pred, index=idx, name="prediction"), pd.Series(
            true, index=idx, name="truth"
        )
    return pred, true


# --------------------------------------------------------------------------------------------
# is the forecast just the truth, late? (lag analysis)
# --------------------------------------------------------------------------------------------
def lag_correlations(y_true, y_pred, max_lag: int = 5) -> np.ndarray:
    """Correlation of the forecasts with the truth shifted by ``k`` steps, ``k = 0 ... max_lag``.

    ``rho_k = corr( y_pred[t], y_true[t - k] )`` (Pearson), over the SAME times
    ``t = max_lag, ..., n - 1`` for every ``k``, so the values are comparable. A forecast that
    only repeats the last known value (persistence, ``y_pred[t] = y_true[t - 1]``) has
    ``rho_1 = 1``: its curve is the truth drawn one step late. A forecast with real skill
    correlates best at ``k = 0``.

    For prices, use the changes (e.g. ``log_returns`` of both series): price levels correlate
    near 1 at every small lag, their changes do not.

    Returns
    -------
    ndarray of shape ``(max_lag + 1,)``; entry ``k`` is ``rho_k``.

    Examples
    --------
    >>> y = [1.0, -1.0, 1.0, -1.0, 1.0, -1.0]
    >>> lag_correlations(y, [0.0] + y[:-1], max_lag=2).round(6).tolist()  # y_pred = y, 1 late
    [-1.0, 1.0, -1.0]
    """
    t, p = _pair(y_true, y_pred)
    max_lag = check_int(max_lag, "max_lag", minimum=0)
    n = len(t)
    if n - max_lag < 3:
        raise ValueError(
            f"series too short: {n} values leave {n - max_lag} common points for "
            f"max_lag={max_lag}; need at least 3"
        )
    pred = p[max_lag:]
    if np.ptp(pred) == 0:
        raise ValueError("y_pred is constant over the compared times: correlation undefined")
    out = np.empty(max_lag + 1)
    for k in range(max_lag + 1):
        shifted = t[max_lag - k : n - k]
        if np.ptp(shifted) == 0:
            raise ValueError(f"y_true shifted by {k} is constant: correlation undefined")
        out[k] = np.corrcoef(pred, shifted)[0, 1]
    return out


def best_lag(y_true, y_pred, max_lag: int = 5) -> tuple[int, float]:
    """The shift ``k`` in ``0 ... max_lag`` with the highest ``lag_correlations`` value.

    Returns ``(k, rho_k)`` as plain Python numbers (the smallest ``k`` on a tie).
    ``k = 1`` means: the forecast looks most like the truth of one step earlier.
    """
    rho = lag_correlations(y_true, y_pred, max_lag)
    k = int(np.argmax(rho))
    return k, float(rho[k])


# --------------------------------------------------------------------------------------------
# several steps ahead, and from returns back to prices
# --------------------------------------------------------------------------------------------
def recursive_forecast(step: Callable[[np.ndarray], object], history, steps: int) -> np.ndarray:
    """Forecast ``steps`` points ahead by feeding each forecast back in as if it were data.

    With ``w`` the length of ``history`` (the model's window)::

        x_hat[T + 1] = step( x[T - w + 1], ..., x[T] )
        x_hat[T + 2] = step( x[T - w + 2], ..., x[T], x_hat[T + 1] )
        ...                                       # the window slides over its own forecasts

    Errors compound: from the second step on, the model reads its own guesses.

    Parameters
    ----------
    step : callable
        One-step model. Gets the window as an array of shape ``(w,)`` when ``history`` is 1-D,
        or ``(batch, w)`` when ``history`` is 2-D (one row per forecast origin, all advanced
        together: one call per step), and returns one number, or one per row. A Keras model:
        ``lambda w: model.predict_on_batch(w[..., None])[:, 0]`` with 2-D ``history``.
    history : 1-D ``(w,)`` or 2-D ``(batch, w)`` array, the last ``w`` known values
    steps : int >= 1

    Returns
    -------
    ndarray ``(steps,)`` or ``(batch, steps)``.

    Examples
    --------
    >>> recursive_forecast(lambda w: 2 * w[-1] - w[-2], [1.0, 2.0, 3.0], steps=3).tolist()
    [4.0, 5.0, 6.0]
    """
    if not callable(step):
        raise TypeError("step must be callable: window -> next value")
    steps = check_int(steps, "steps")
    h = np.asarray(history, dtype="float64")
    if h.ndim not in (1, 2) or h.shape[-1] < 1:
        raise ValueError(f"history must be 1-D (w,) or 2-D (batch, w), got shape {h.shape}")
    if not np.isfinite(h).all():
        raise ValueError("history has a missing or infinite value")
    one_d = h.ndim == 1
    win = h[None, :].copy() if one_d else h.copy()
    batch = win.shape[0]
    out = np.empty((batch, steps))
    for s in range(steps):
        arg = win[0].copy() if one_d else win.copy()
        nxt = np.asarray(step(arg), dtype="float64").reshape(-1)
        if nxt.size != batch:
            raise ValueError(
                f"step returned {nxt.size} values at step {s + 1}; expected {batch} "
                "(one per row of history)"
            )
        if not np.isfinite(nxt).all():
            raise ValueError(f"step returned a missing or infinite value at step {s + 1}")
        out[:, s] = nxt
        win = np.concatenate([win[:, 1:], nxt[:, None]], axis=1)
    return out[0] if one_d else out


def prices_from_returns(base, returns, cumulative: bool = False):
    """Turn log returns back into prices: the inverse of ``course_lib.data.log_returns``.

    - ``cumulative=False`` (one step ahead from known prices): ``p_hat[t] = base[t] * exp(r[t])``,
      where ``base[t]`` is the last known price before ``t`` (``base`` and ``returns`` have the
      same length, or ``base`` is one number).
    - ``cumulative=True`` (a path from one starting price, e.g. a multi-step forecast):
      ``p_hat[T + h] = base * exp(r[T + 1] + ... + r[T + h])`` along the last axis of
      ``returns``; ``base`` is one number, or one per row of a 2-D ``returns``.

    Returns an array (a Series with the index of ``returns`` if it is a Series).

    Examples
    --------
    >>> prices_from_returns(100.0, [np.log(2.0), np.log(0.5)], cumulative=True).round(6).tolist()
    [200.0, 100.0]
    """
    r = np.asarray(returns, dtype="float64")
    b = np.asarray(base, dtype="float64")
    if r.ndim not in (1, 2) or r.size == 0:
        raise ValueError(f"returns must be a non-empty 1-D or 2-D array, got shape {r.shape}")
    if not np.isfinite(r).all():
        raise ValueError("returns has a missing or infinite value")
    if not np.isfinite(b).all() or (b <= 0).any():
        raise ValueError("base prices must be finite and > 0")
    if cumulative:
        if b.ndim == 1 and r.ndim == 2 and len(b) == r.shape[0]:
            b = b[:, None]
        elif b.ndim != 0:
            raise ValueError(
                "cumulative=True: base must be one price, or one per row of 2-D returns; "
                f"got base shape {b.shape} for returns shape {r.shape}"
            )
        out = b * np.exp(np.cumsum(r, axis=-1))
    else:
        if b.ndim != 0 and b.shape != r.shape:
            raise ValueError(
                f"base has shape {b.shape} but returns {r.shape}: give one base price per return "
                "(the last known price before each forecast)"
            )
        out = b * np.exp(r)
    if isinstance(returns, pd.Series):
        return pd.Series(out, index=returns.index, name="price")
    return out
