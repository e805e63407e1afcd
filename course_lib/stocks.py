"""Real daily Google (GOOG) prices, 2004-2013, for the stock-price homework ``hw07_stock_gru``.

The lecture's hands-on predicts the next trading day's Google **open** from the 60 opens before
it. The ``backtesting`` package (a course requirement) ships the real daily GOOG prices it uses in
its own tests, ``backtesting/test/GOOG.csv`` (2004-08-19 → 2013-03-01, 2,148 trading days, header
``,Open,High,Low,Close,Volume``). :func:`goog_path` finds that file with
``importlib.util.find_spec`` and never imports the package (importing it pulls in bokeh and
prints warnings); :func:`load_goog` reads and checks it; :func:`stock_windows` prepares the
homework's data the one way the notebook, the grader and its sandboxed evaluation all use:

1. chronological split of the chosen column (``course_lib.data.chronological_split``, 70/15/15);
2. ``MinMaxScaler`` fitted on the training part only,
   ``z = (x - min_train) / (max_train - min_train)``;
3. windows ``z[t-W], ..., z[t-1] -> z[t]`` (``course_lib.data.make_windows``); validation and test
   windows reach back into the part before them, so every validation and every test day is a
   target exactly once;
4. the persistence forecast of every validation and test day, ``y_hat[t] = y[t-1]`` in USD
   (``course_lib.evaluation.persistence_forecast``), the baseline a model must be compared with.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .evaluation import persistence_forecast
from .preprocessing import MinMaxScaler, chronological_split, make_windows

__all__ = ["GOOG_HEADER", "StockWindows", "goog_path", "load_goog", "stock_windows"]

#: The exact header line of backtesting's GOOG.csv (its first column, the date, has no name).
GOOG_HEADER = ("", "Open", "High", "Low", "Close", "Volume")
COLUMNS = ("open", "high", "low", "close", "volume")
_INSTALL = (
    "It comes with the backtesting package, a course requirement: install the course's "
    "requirements (pip install -r requirements.txt) or pip install 'backtesting>=0.4,<0.7'."
)


def goog_path() -> Path:
    """Path of ``backtesting/test/GOOG.csv``, found with ``find_spec`` (no import).

    Raises ``FileNotFoundError`` saying what is missing (the package, or the file in it).
    """
    try:
        spec = importlib.util.find_spec("backtesting")
    except (ImportError, ValueError) as exc:  # a broken installation
        msg = f"cannot locate the backtesting package ({exc}). {_INSTALL}"
        raise FileNotFoundError(msg) from None
    if spec is None or not spec.origin:
        raise FileNotFoundError(
            f"the real GOOG daily prices (GOOG.csv) were not found: the backtesting package is "
            f"not installed. {_INSTALL}"
        )
    path = Path(spec.origin).parent / "test" / "GOOG.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"{path}: no such file. This version of backtesting does not ship GOOG.csv. {_INSTALL}"
        )
    return path


def load_goog(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """The daily GOOG prices: a DataFrame indexed by trading day, columns ``open, high, low,
    close, volume`` (floats, USD and shares).

    ``path`` defaults to :func:`goog_path`. The file must have backtesting's header, ISO dates
    in increasing order without repeats, and finite positive prices with ``low <= open, close
    <= high``; anything else raises ``ValueError`` naming the file, the line and the problem.
    ``df.attrs["source"]`` says which file was read.
    """
    p = Path(path) if path is not None else goog_path()
    if not p.is_file():
        raise FileNotFoundError(f"{p}: no such file (expected backtesting's GOOG.csv)")
    with open(p, encoding="utf-8-sig") as fh:
        header = tuple(fh.readline().rstrip("\r\n").split(","))
    if header != GOOG_HEADER:
        raise ValueError(
            f"{p}: unexpected header {','.join(header)!r}; expected {','.join(GOOG_HEADER)!r} "
            "(the format of backtesting's GOOG.csv)"
        )
    raw = pd.read_csv(p, header=0, names=["date", *COLUMNS], dtype=str, keep_default_na=False)
    if raw.empty:
        raise ValueError(f"{p}: the file has a header but no rows")
    dates = pd.to_datetime(raw["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        i = int(np.argmax(dates.isna().to_numpy()))
        raise ValueError(f"{p}, line {i + 2}: {raw['date'].iloc[i]!r} is not a date YYYY-MM-DD")
    values = raw[list(COLUMNS)].apply(pd.to_numeric, errors="coerce")
    bad = values.isna().to_numpy() | ~np.isfinite(values.to_numpy(dtype=float))
    if bad.any():
        i, j = (int(k[0]) for k in np.nonzero(bad))
        col = COLUMNS[j]
        raise ValueError(f"{p}, line {i + 2}: {col} is {raw[col].iloc[i]!r}, not a finite number")
    prices = values[["open", "high", "low", "close"]].to_numpy()
    checks = (
        ((prices <= 0).any(axis=1), "a price that is not positive"),
        ((values["volume"] < 0).to_numpy(), "a negative volume"),
        (
            (prices[:, 2] > np.minimum(prices[:, 0], prices[:, 3]))
            | (prices[:, 1] < np.maximum(prices[:, 0], prices[:, 3])),
            "open or close outside [low, high]",
        ),
    )
    for mask, what in checks:
        if mask.any():
            i = int(np.argmax(mask))
            raise ValueError(f"{p}, line {i + 2} ({raw['date'].iloc[i]}): {what}")
    step = np.diff(dates.to_numpy()).astype("int64")
    if (step <= 0).any():
        i = int(np.argmax(step <= 0)) + 1
        what = "repeats" if step[i - 1] == 0 else "comes before"
        raise ValueError(
            f"{p}, line {i + 2}: the date {raw['date'].iloc[i]} {what} the line above it "
            "(dates must increase)"
        )
    df = values.astype("float64").set_axis(pd.DatetimeIndex(dates, name="date"))
    df.attrs["source"] = f"real daily GOOG prices shipped by the backtesting package, {p}"
    return df


@dataclass
class StockWindows:
    """The homework's data, ready for Keras (see :func:`stock_windows`).

    ``X_*`` have shape ``(n, window, 1)`` and ``y_*`` shape ``(n,)``, in scaled units; the USD
    truths are ``val_usd`` and ``test_usd`` (one per validation / test day, in order, dated
    ``val_dates`` / ``test_dates``), and ``*_persistence_usd`` the persistence forecasts of the
    same days (the previous trading day's value). ``to_usd`` turns scaled predictions back.
    """

    column: str
    window: int
    scaler: MinMaxScaler
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    val_dates: pd.DatetimeIndex
    test_dates: pd.DatetimeIndex
    val_usd: np.ndarray
    test_usd: np.ndarray
    val_persistence_usd: np.ndarray
    test_persistence_usd: np.ndarray

    def to_usd(self, z) -> np.ndarray:
        """Scaled predictions of any shape ``(n,)`` or ``(n, 1)`` back to USD, shape ``(n,)``:
        ``x = z * (max_train - min_train) + min_train``."""
        z = np.asarray(z, dtype="float64").reshape(-1)
        return self.scaler.inverse_transform(z)


def stock_windows(
    df: pd.DataFrame,
    window: int = 60,
    column: str = "open",
    train: float = 0.7,
    val: float = 0.15,
) -> StockWindows:
    """Split ``df[column]`` along time, scale it on the training part only, window it.

    With ``z`` the scaled series and ``W = window``: training rows ``z[t-W:t] -> z[t]`` for the
    training days ``t >= W``; validation (test) rows for *every* validation (test) day ``t``,
    their inputs reaching back into the part before. Persistence: ``y_hat[t] = y[t-1]``.
    """
    if column not in df.columns:
        raise KeyError(f"no column {column!r}; the columns are {list(df.columns)}")
    series = df[column]
    tr, va, te = chronological_split(series, train=train, val=val)
    if not isinstance(window, int | np.integer) or not 1 <= window < min(len(tr), len(va)):
        raise ValueError(
            f"window must be an int in [1, {min(len(tr), len(va)) - 1}] for these parts "
            f"({len(tr)} training and {len(va)} validation days), got {window!r}"
        )
    scaler = MinMaxScaler().fit(tr.to_numpy())
    z_tr, z_va, z_te = (scaler.transform(part.to_numpy()) for part in (tr, va, te))
    X_tr, y_tr = make_windows(z_tr, window)
    X_va, y_va = make_windows(np.concatenate([z_tr[-window:], z_va]), window)
    X_te, y_te = make_windows(np.concatenate([z_va[-window:], z_te]), window)
    val_prev = persistence_forecast(np.concatenate([tr.to_numpy()[-1:], va.to_numpy()]))
    test_prev = persistence_forecast(np.concatenate([va.to_numpy()[-1:], te.to_numpy()]))
    return StockWindows(
        column=column,
        window=int(window),
        scaler=scaler,
        X_train=X_tr,
        y_train=y_tr,
        X_val=X_va,
        y_val=y_va,
        X_test=X_te,
        y_test=y_te,
        val_dates=va.index,
        test_dates=te.index,
        val_usd=va.to_numpy(dtype="float64"),
        test_usd=te.to_numpy(dtype="float64"),
        val_persistence_usd=val_prev,
        test_persistence_usd=test_prev,
    )
