"""Generic preprocessing of a time series for a forecasting model: log returns, a chronological
split, scalers fitted on the training part only, and sliding windows.

Nothing here knows about Bitcoin or CSV files (``course_lib.data`` loads those and re-exports
these names); numpy and pandas only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .validation import check_int

__all__ = [
    "MinMaxScaler",
    "StandardScaler",
    "chronological_split",
    "log_returns",
    "make_windows",
]


def log_returns(prices):
    """Log returns ``r_t = ln(p_t / p_{t-1})`` (one fewer value than prices).

    Log returns add up over time: ``r_1 + ... + r_n = ln(p_n / p_0)``.

    Parameters
    ----------
    prices : Series, DataFrame or array (time along axis 0), all > 0

    Returns
    -------
    Same type, first row dropped (for pandas the index of ``p_t`` is kept).
    """
    vals = np.asarray(prices, dtype="float64")
    if vals.shape[0] < 2:
        raise ValueError("log_returns needs at least 2 prices")
    if np.isnan(vals).any():
        raise ValueError("log_returns: prices contain NaN")
    if (vals <= 0).any():
        raise ValueError("log_returns: prices must be > 0")
    r = np.log(vals[1:] / vals[:-1])
    if isinstance(prices, pd.DataFrame):
        return pd.DataFrame(r, index=prices.index[1:], columns=prices.columns)
    if isinstance(prices, pd.Series):
        return pd.Series(r, index=prices.index[1:], name=prices.name)
    return r


def chronological_split(data, train: float = 0.7, val: float = 0.15):
    """Split along time into (train, val, test), without shuffling.

    With ``n`` rows: ``n_train = floor(n * train)``, ``n_val = floor(n * val)``, the test part
    is the rest, so the test data are always the most recent::

        rows [0, n_train) | [n_train, n_train + n_val) | [n_train + n_val, n)

    Works for DataFrame / Series (by position) and arrays (axis 0).
    """
    for name, v in (("train", train), ("val", val)):
        if not isinstance(v, int | float) or not np.isfinite(v):
            raise ValueError(f"{name} must be a number, got {v!r}")
    if not 0 < train < 1:
        raise ValueError(f"train must be a fraction in (0, 1), got {train}")
    if not 0 <= val < 1:
        raise ValueError(f"val must be a fraction in [0, 1), got {val}")
    if train + val >= 1:
        raise ValueError(f"train + val = {train + val:g} leaves nothing for the test part")
    n = len(data)
    n_train = int(np.floor(n * train + 1e-9))
    n_val = int(np.floor(n * val + 1e-9))
    n_test = n - n_train - n_val
    if n_train < 1 or n_test < 1 or (val > 0 and n_val < 1):
        raise ValueError(
            f"{n} rows are too few for train={train}, val={val} "
            f"(would give {n_train}/{n_val}/{n_test} rows)"
        )
    take = (lambda a, b: data.iloc[a:b]) if hasattr(data, "iloc") else (lambda a, b: data[a:b])
    return take(0, n_train), take(n_train, n_train + n_val), take(n_train + n_val, n)


class _Scaler:
    """Common part: per-feature ``z = (x - shift) / scale``, fitted on the training part only."""

    shift_: np.ndarray | None = None
    scale_: np.ndarray | None = None

    def _fit_params(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def _as_array(x) -> np.ndarray:
        a = np.asarray(x, dtype="float64")
        if a.ndim not in (1, 2):
            raise ValueError(f"expected a 1-D or 2-D array (time, features), got shape {a.shape}")
        return a

    def fit(self, x):
        a = self._as_array(x)
        if a.shape[0] == 0:
            raise ValueError("cannot fit on an empty array")
        if np.isnan(a).any():
            raise ValueError("cannot fit: the data contain NaN")
        self.ndim_ = a.ndim
        self.columns_ = list(x.columns) if isinstance(x, pd.DataFrame) else None
        shift, scale = self._fit_params(a.reshape(a.shape[0], -1))
        scale = np.where(scale == 0, 1.0, scale)  # a constant feature maps to 0
        self.shift_, self.scale_ = shift, scale
        return self

    def _check(self, a: np.ndarray, feature) -> tuple[np.ndarray, np.ndarray]:
        if self.shift_ is None:
            raise RuntimeError(
                f"{type(self).__name__} is not fitted yet: call fit(train) first "
                "(on the training part only)"
            )
        if feature is not None:
            if isinstance(feature, str):
                if self.columns_ is None or feature not in self.columns_:
                    raise KeyError(f"unknown feature {feature!r}; fitted on {self.columns_}")
                feature = self.columns_.index(feature)
            return self.shift_[feature], self.scale_[feature]
        n_feat = 1 if a.ndim == 1 else a.shape[1]
        if n_feat != len(self.shift_):
            raise ValueError(f"fitted on {len(self.shift_)} features, got {n_feat}")
        return self.shift_, self.scale_

    def _wrap(self, x, out: np.ndarray):
        if isinstance(x, pd.DataFrame):
            return pd.DataFrame(out, index=x.index, columns=x.columns)
        if isinstance(x, pd.Series):
            return pd.Series(out, index=x.index, name=x.name)
        return out

    def transform(self, x, feature=None):
        """``z = (x - shift) / scale``; ``feature`` (index or column name) for one column."""
        a = self._as_array(x)
        shift, scale = self._check(a, feature)
        out = (
            (a.reshape(a.shape[0], -1) - shift) / scale if feature is None else (a - shift) / scale
        )
        return self._wrap(x, out.reshape(a.shape))

    def inverse_transform(self, z, feature=None):
        """``x = z * scale + shift``; use ``feature`` to turn one predicted column back to USD."""
        a = self._as_array(z)
        shift, scale = self._check(a, feature)
        out = a.reshape(a.shape[0], -1) * scale + shift if feature is None else a * scale + shift
        return self._wrap(z, out.reshape(a.shape))

    def fit_transform(self, x):
        return self.fit(x).transform(x)


class MinMaxScaler(_Scaler):
    """Scale each feature to ``[lo, hi]`` using the training minimum and maximum.

    ``z = lo + (x - min_train) * (hi - lo) / (max_train - min_train)``. Values outside the
    training range (e.g. later, higher prices) map outside ``[lo, hi]``: that is expected.
    A constant feature maps to ``lo``.
    """

    def __init__(self, feature_range: tuple[float, float] = (0.0, 1.0)):
        lo, hi = feature_range
        if not hi > lo:
            raise ValueError(f"feature_range must be (lo, hi) with hi > lo, got {feature_range}")
        self.feature_range = (float(lo), float(hi))

    def _fit_params(self, a):
        lo, hi = self.feature_range
        self.min_, self.max_ = a.min(axis=0), a.max(axis=0)
        scale = (self.max_ - self.min_) / (hi - lo)
        return self.min_ - lo * np.where(scale == 0, 1.0, scale), scale


class StandardScaler(_Scaler):
    """``z = (x - mean_train) / std_train`` per feature (population std, ``ddof=0``)."""

    def _fit_params(self, a):
        self.mean_, self.std_ = a.mean(axis=0), a.std(axis=0)
        return self.mean_, self.std_


def make_windows(values, window: int, horizon: int = 1, target=None):
    """Sliding windows: the table "X1 ... Xn -> Y" of lesson 03.

    Row ``i`` holds the ``window`` values ``x[i], ..., x[i + window - 1]`` and, as target,
    the value ``horizon`` steps after the last one: ``y[i] = x[i + window - 1 + horizon]``.
    There are ``n = len(x) - window - horizon + 1`` rows.

    Parameters
    ----------
    values : 1-D (time,) or 2-D (time, features) array, Series or DataFrame
    window : int >= 1
    horizon : int >= 1
    target : int or column name, optional
        For 2-D input, the feature to predict (``y`` then has shape ``(n,)``); by default ``y``
        holds all features, shape ``(n, features)``. For 1-D input ``y`` has shape ``(n,)``.

    Returns
    -------
    X : ndarray (n, window, features)  -- a 1-D series gets a feature axis of size 1
    y : ndarray

    Examples
    --------
    >>> X, y = make_windows([1, 2, 3, 4, 5, 6], window=3)
    >>> X[:, :, 0].tolist(), y.tolist()
    ([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 5.0]], [4.0, 5.0, 6.0])
    >>> X.shape
    (3, 3, 1)
    """
    window = check_int(window, "window")
    horizon = check_int(horizon, "horizon")
    columns = list(values.columns) if isinstance(values, pd.DataFrame) else None
    a = np.asarray(values, dtype="float64")
    if a.ndim not in (1, 2):
        raise ValueError(f"values must be 1-D (time,) or 2-D (time, features), got {a.shape}")
    one_d = a.ndim == 1
    a2 = a[:, None] if one_d else a
    n = a2.shape[0] - window - horizon + 1
    if n < 1:
        raise ValueError(
            f"series too short: window={window} + horizon={horizon} needs at least "
            f"{window + horizon} points, got {a2.shape[0]}"
        )
    idx = np.arange(window)[None, :] + np.arange(n)[:, None]
    X = a2[idx]  # (n, window, features), a copy
    y = a2[window - 1 + horizon : window - 1 + horizon + n]
    if one_d:
        y = y[:, 0]
    elif target is not None:
        if isinstance(target, str):
            if columns is None or target not in columns:
                raise KeyError(f"unknown target {target!r}; columns are {columns}")
            target = columns.index(target)
        y = y[:, target]
    return X, y.copy()
