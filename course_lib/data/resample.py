"""OHLCV resampling: the rows of each period become one bar (open=first, high=max, low=min,
close=last, volume=sum), in UTC; periods without trades are filled with the previous close or
dropped. Also used chunk by chunk by the streaming reader (``_partial_ohlcv``, ``_combine``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import _
from .formats import COLUMNS, _describe_step, _freq_seconds, _to_utc_ns, _typical_step

_AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}


def _resample(obj, freq: str):
    """``obj.resample(freq)`` in UTC; fixed-length periods (``min``, ``h``, ``D``, ``2D``...) are
    aligned on the Unix epoch, so chunks of a file and the whole file use the same bins."""
    naive = obj.copy(deep=False)
    naive.index = obj.index.tz_convert("UTC").tz_localize(None)
    off = pd.tseries.frequencies.to_offset(freq)
    if isinstance(off, pd.offsets.Tick | pd.offsets.Day):
        return naive.resample(freq, origin="epoch")
    return naive.resample(freq)


def _partial_ohlcv(f: pd.DataFrame, freq: str) -> pd.DataFrame:
    """OHLCV per period of the rows in ``f`` plus ``n`` (rows used); empty periods left out."""
    r = _resample(f, freq)
    agg = r.agg(_AGG)
    agg["n"] = r.size()
    agg.index = _to_utc_ns(agg.index)
    agg.index.name = "time"
    return agg[agg["n"] > 0]


def _combine(partials: list[pd.DataFrame]) -> pd.DataFrame:
    """Merge per-chunk aggregates; a period split by a chunk boundary is merged by OHLCV rules."""
    allp = pd.concat(partials)
    if not allp.index.has_duplicates:
        return allp
    return allp.groupby(level=0, sort=True).agg({**_AGG, "n": "sum"})


def _fill_empty(agg: pd.DataFrame, freq: str, empty: str) -> tuple[pd.DataFrame, list[str]]:
    """Insert the periods without trades and fill them (or drop them): see ``resample_ohlcv``."""
    full = pd.date_range(agg.index[0], agg.index[-1], freq=freq, name="time").as_unit("ns")
    n_empty = len(full) - len(agg)
    if n_empty == 0 or empty == "drop":
        out = agg[list(COLUMNS)].copy()
        if n_empty == 0:
            return out, [_("no empty periods (every period has at least one trade)")]
        return out, [
            _("{n} empty periods (no trades) dropped, as asked (empty='drop')").format(
                n=f"{n_empty:,}"
            )
        ]
    out = agg[list(COLUMNS)].reindex(full)
    miss = out["close"].isna()
    out["close"] = out["close"].ffill()
    for c in ("open", "high", "low"):
        out[c] = out[c].fillna(out["close"])
    out["volume"] = out["volume"].fillna(0.0)
    runs = miss.astype(int).groupby((~miss).cumsum()).sum()
    return out, [
        _(
            "{n} empty periods (no trades) filled with the previous close "
            "(open = high = low = close, volume 0); longest run {longest} periods"
        ).format(n=f"{n_empty:,}", longest=f"{int(runs.max()):,}")
    ]


def _same_period(a: pd.Timestamp, b: pd.Timestamp, freq: str) -> bool:
    s = pd.Series([1, 1], index=pd.DatetimeIndex([a, b]))
    return len(_resample(s, freq).size()) == 1


def _check_freq_arg(freq) -> None:
    if freq is not None and not isinstance(freq, str):
        raise TypeError(f"freq must be a pandas frequency string such as 'D' or None, got {freq!r}")


def resample_ohlcv(df: pd.DataFrame, freq: str, *, empty: str = "fill") -> pd.DataFrame:
    """Resample OHLCV rows to periods of ``freq`` (in UTC), by the OHLCV rules.

    For the rows ``k`` that fall in one period::

        open   = open of the first row        high   = max_k high_k
        close  = close of the last row        low    = min_k low_k
        volume = sum_k volume_k

    Periods are pandas' bins for ``freq`` with ``origin="epoch"`` (``"D"``: 00:00-24:00 UTC,
    labelled by their start; ``"W"``, ``"ME"``: labelled by their end, as pandas does).
    Rows whose values are all NaN (minutes without trades in the Kaggle files) are ignored.

    A period without any trade is, with ``empty="fill"`` (default), given the previous close:
    ``open = high = low = close = close of the previous period`` and ``volume = 0`` -- the price
    did not move because nobody traded. With ``empty="drop"`` such periods are left out.
    Either way the count is appended to ``attrs["report"]``.

    Parameters
    ----------
    df : DataFrame
        Columns ``open, high, low, close, volume``; a sorted, unique ``DatetimeIndex``
        (naive times are taken as UTC).
    freq : str
        A pandas alias: ``"min"``, ``"h"``, ``"D"``, ``"W"``, ``"ME"``, ``"MS"``, ...
        It must not be finer than the data (no upsampling: that would invent prices).
    empty : {"fill", "drop"}

    Returns
    -------
    DataFrame with the same columns, indexed by period (UTC, name ``time``).

    Examples
    --------
    >>> t = pd.to_datetime(["2024-01-01 10:00", "2024-01-01 15:00", "2024-01-03 09:00"], utc=True)
    >>> m = pd.DataFrame({"open": [1.0, 2, 4], "high": [3.0, 2, 5], "low": [1.0, 1, 4],
    ...                   "close": [2.0, 1.5, 4.5], "volume": [1.0, 1, 2]}, index=t)
    >>> resample_ohlcv(m, "D")[["open", "high", "low", "close", "volume"]].to_numpy().tolist()
    [[1.0, 3.0, 1.0, 1.5, 2.0], [1.5, 1.5, 1.5, 1.5, 0.0], [4.0, 5.0, 4.0, 4.5, 2.0]]
    """
    if empty not in ("fill", "drop"):
        raise ValueError(f"empty must be 'fill' or 'drop', got {empty!r}")
    if not isinstance(freq, str):
        _check_freq_arg(freq)
        raise TypeError("freq is required for resample_ohlcv")
    target = _freq_seconds(freq)
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"resample_ohlcv: missing columns {missing}; need {list(COLUMNS)}")
    if not isinstance(df.index, pd.DatetimeIndex):
        raise TypeError("resample_ohlcv: the index must be a DatetimeIndex")
    if df.index.has_duplicates or not df.index.is_monotonic_increasing:
        raise ValueError(
            "resample_ohlcv: the index must be sorted and unique (first/last depend on the order); "
            "sort and remove duplicates first, as load_bitcoin does and reports"
        )
    f = df[list(COLUMNS)].astype("float64")
    f.index = _to_utc_ns(df.index)
    f.index.name = "time"
    isna = f.isna().to_numpy()
    partial = isna.any(axis=1) & ~isna.all(axis=1)
    if partial.any():
        t = f.index[int(np.argmax(partial))]
        raise ValueError(f"resample_ohlcv: row {t} has some NaN values and some numbers")
    f = f[~isna.all(axis=1)]
    if f.empty:
        raise ValueError("resample_ohlcv: no rows with prices")
    step = _typical_step(f.index)
    if step:
        if target < 0.9 * step:
            raise ValueError(
                f"resample_ohlcv: freq={freq!r} is finer than the data ({_describe_step(step)}); "
                "upsampling would invent prices"
            )
    agg = _partial_ohlcv(f, freq)
    out, lines = _fill_empty(agg, freq, empty)
    out.index = pd.DatetimeIndex(out.index, name="time", freq=None)
    out.attrs = {k: v for k, v in df.attrs.items()}
    out.attrs["report"] = [
        *list(df.attrs.get("report", [])),
        _(
            "resampled {rows} rows to {periods} periods of freq={freq} (UTC; open=first, "
            "high=max, low=min, close=last, volume=sum)"
        ).format(rows=f"{len(f):,}", periods=f"{len(out):,}", freq=repr(freq)),
        *lines,
    ]
    return out
