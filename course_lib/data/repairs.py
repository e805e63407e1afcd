"""Rows judged corrupt: finding price outliers, and replacing or dropping rows with a report."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..i18n import _
from ..validation import check_int
from .formats import COLUMNS, PRICE_COLUMNS, _fmt_time


def find_price_outliers(
    df: pd.DataFrame, window: int = 15, threshold: float = 3.0, column: str = "close"
) -> pd.DataFrame:
    """Rows whose price is far from the prices around them (rolling-median ratio test).

    With ``m_t`` the median of ``column`` over a centred window of ``window`` rows::

        ratio_t = p_t / m_t        flagged if ratio_t > threshold or ratio_t < 1 / threshold

    A median ignores one wild value, so a single corrupt row stands out (a close of 55 among
    prices near 5 has a ratio near 11). Nothing is changed: deciding what to do (drop, replace,
    keep) is left to the caller.

    Returns
    -------
    DataFrame of the flagged rows with columns ``column``, ``rolling_median`` and ``ratio``
    (empty if none).
    """
    window = check_int(window, "window")
    if threshold <= 1:
        raise ValueError(f"threshold is a factor and must be > 1, got {threshold}")
    p = df[column].astype("float64")
    med = p.rolling(window, center=True, min_periods=1).median()
    ratio = p / med
    flag = (ratio > threshold) | (ratio < 1.0 / threshold)
    return pd.DataFrame({column: p, "rolling_median": med, "ratio": ratio})[flag]


def repair_rows(
    df: pd.DataFrame, when, how: str = "previous_close", *, source: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Replace or drop whole rows judged corrupt, and write the decision into ``attrs["report"]``.

    ``when`` is one time or a list of times (e.g. ``find_price_outliers(df).index``). ``how``:

    ``"previous_close"``
        the file's row is not trusted at all, so the day is treated like a period without a
        usable record, by the rule ``load_bitcoin`` uses for periods without trades::

            open_t = high_t = low_t = close_t = close_{t-1}        volume_t = NaN (unknown)

        (``close_{t-1}`` is the previous row's close, after its own repair). No price is
        invented: the series simply does not move that day, and the next day's return carries
        the whole move.
    ``"source"``
        the rows are taken from ``source``, an independent record of the same market with the
        same columns (e.g. daily bars aggregated from the exchange's 1-minute trades).
    ``"drop"``
        the rows are removed (the neighbours are then joined by a longer step).

    Returns a repaired copy; ``df`` is not changed. Raises ``KeyError`` naming a time that is not
    in ``df`` (or not in ``source``), ``ValueError`` for the first row with ``"previous_close"``.
    """
    times = pd.DatetimeIndex([when] if isinstance(when, str | pd.Timestamp) else list(when))
    if times.tz is None:
        times = times.tz_localize("UTC")
    missing = times.difference(df.index)
    if len(missing):
        raise KeyError(f"repair_rows: {_fmt_time(missing[0])} is not a row of the data")
    out = df.copy()
    out.attrs = {k: (list(v) if isinstance(v, list) else v) for k, v in df.attrs.items()}
    lines = []
    for t in times.sort_values():
        old = df.loc[t, "close"]
        if how == "previous_close":
            pos = out.index.get_loc(t)
            if pos == 0:
                raise ValueError(
                    f"repair_rows: {_fmt_time(t)} is the first row, it has no previous close; "
                    "use how='drop' or how='source'"
                )
            prev = float(out["close"].iloc[pos - 1])
            out.loc[t, list(PRICE_COLUMNS)] = prev
            out.loc[t, "volume"] = np.nan
            what = _(
                "set to the previous close {close} (open = high = low = close), volume unknown"
            ).format(close=f"{prev:g}")
        elif how == "source":
            if source is None:
                raise ValueError("repair_rows: how='source' needs source=<an independent record>")
            if t not in source.index:
                raise KeyError(f"repair_rows: {_fmt_time(t)} is not a row of the source")
            out.loc[t, list(COLUMNS)] = source.loc[t, list(COLUMNS)].to_numpy(dtype="float64")
            what = _("replaced from the independent record (close {close})").format(
                close=f"{out.loc[t, 'close']:g}"
            )
        elif how == "drop":
            out = out.drop(index=t)
            what = _("dropped")
        else:
            raise ValueError(f"how must be 'previous_close', 'source' or 'drop', got {how!r}")
        lines.append(
            _("{time}: row judged corrupt (close {close}) {what}").format(
                time=_fmt_time(t), close=f"{old:g}", what=what
            )
        )
    out.attrs["report"] = [*out.attrs.get("report", []), *lines]
    return out
