"""``load_bitcoin``: the source order, one file read and checked, and the outlier line."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from ..i18n import _
from ..validation import check_int
from .formats import DEFAULT_CHUNKSIZE, _detect_format, _fmt_time, _freq_seconds
from .reading import _load_file
from .repairs import find_price_outliers
from .resample import _check_freq_arg
from .sources import _resolve_source


def load_bitcoin(
    path: str | os.PathLike | None = None,
    freq: str | None = "D",
    *,
    chunksize: int | None = DEFAULT_CHUNKSIZE,
    repeats: str = "auto",
) -> pd.DataFrame:
    """Load real Bitcoin OHLCV prices and say where they came from and what was done to them.

    Source order: ``path`` (a file, or a folder to choose from) -> the folder in the environment
    variable ``COURSE_DATA_DIR`` -> ``./data`` then ``../data`` (the student's own CSV files) ->
    the daily file shipped with the course, ``SHIPPED_DAILY`` (real Bitstamp daily bars) -> last
    resort, if that file is missing from a broken install: the
    real monthly series shipped by the ``backtesting`` package. An explicitly configured source
    (``path``, ``COURSE_DATA_DIR``) that holds no usable file is an error, not a fall-through.
    ``load_bitcoin(SHIPPED_DAILY)`` always reads the shipped file, whatever the environment
    (lesson 07 does this, so its outputs are the same on every machine).

    Choosing in a folder: only ``*.csv`` files with a recognised header count (README.md and
    others are ignored). Among them the rule is, in order:

    1. resolution fine enough for ``freq`` (a daily file cannot give hourly bars);
    2. the most recent data (latest last row, by calendar day) -- the up-to-date series;
    3. the longest span; 4. the finest resolution; 5. the file name.

    Every candidate is listed in ``attrs["report"]``; pass ``path=<file>`` to take a particular
    one.

    Reading: in chunks of ``chunksize`` rows (only the needed columns, float64), each chunk is
    checked and aggregated to ``freq`` at once and the partial periods at chunk boundaries are
    merged by the OHLCV rules, so memory stays bounded however long the file. Rows out of time
    order force one in-memory sort (reported).

    Checks and repairs: a missing file -> ``FileNotFoundError``; an empty file, a header without
    rows, an unknown header, a non-numeric value (column, line and value are named), a price
    <= 0, one time with two different rows (the time is named) -> ``ValueError``. Exact
    duplicate rows are dropped, unsorted rows sorted, rows with no values at all (minutes
    without trades) left out; gaps, zero volumes and rows repeating the previous row are counted.
    All of it is listed in ``attrs["report"]``. Implausible but valid prices are NOT altered
    (see ``find_price_outliers``).

    Resampling (``resample_ohlcv`` rules, UTC): ``open=first, high=max, low=min, close=last,
    volume=sum``; a period without trades gets the previous close and volume 0 (reported).
    A ``freq`` finer than the data (e.g. ``"D"`` from a monthly file) is NOT upsampled: the
    data are returned at their own resolution, and the report says so. ``freq=None`` never
    resamples.

    Parameters
    ----------
    path : str or path-like, optional
    freq : str or None, default "D"
    chunksize : int or None, default 1_000_000
        Rows per chunk; ``None`` reads the file in one piece (same result).
    repeats : {"auto", "no_trade", "keep"}
        What a row whose values ALL equal the previous row's means. An older Kaggle release
        (old 8-column format) forward-filled minutes without trades this way; kept, such copies
        count their volume again and make a day open at the previous day's close (data/README.md
        gives the figures). ``"no_trade"`` treats them as minutes without trades (like the NaN
        rows of later releases; a real minute that repeats the previous one exactly is lost
        too); ``"keep"`` keeps them; ``"auto"`` means ``"no_trade"`` for the old Kaggle format
        below daily resolution (all 7 value columns must repeat, including both volumes) and
        ``"keep"`` otherwise. The count is reported either way.

    Returns
    -------
    DataFrame
        Index ``time`` (UTC, sorted, unique); float64 columns ``open, high, low, close,
        volume``; ``attrs["source"]`` (str), ``attrs["report"]`` (list of str),
        ``attrs["format"]`` (str).
    """
    _check_freq_arg(freq)
    if freq is not None:
        _freq_seconds(freq)
    if chunksize is not None:
        check_int(chunksize, "chunksize")
    if repeats not in ("auto", "no_trade", "keep"):
        raise ValueError(f"repeats must be 'auto', 'no_trade' or 'keep', got {repeats!r}")
    file, source, choice = _resolve_source(path, freq)
    df, report = _load_file(Path(file), freq, chunksize, repeats)
    report = [*choice, *report]
    report.append(_outlier_line(df))
    df.attrs = {
        "source": source,
        "report": [str(r) for r in report],
        "format": _(_detect_format(Path(file))[0].label),
    }
    return df


def _outlier_line(df: pd.DataFrame) -> str:
    if len(df) < 3:
        return _("outlier check skipped (fewer than 3 rows)")
    out = find_price_outliers(df)
    if out.empty:
        return _(
            "outlier check (close vs rolling median, find_price_outliers defaults): none flagged"
        )
    shown = ", ".join(
        _("{time} (close {close} vs median {median})").format(
            time=_fmt_time(t), close=f"{r.close:g}", median=f"{r.rolling_median:g}"
        )
        for t, r in out.head(5).iterrows()
    )
    more = _(" and {n} more").format(n=len(out) - 5) if len(out) > 5 else ""
    return _(
        "outlier check (close vs rolling median, find_price_outliers defaults): {n} rows "
        "flagged and LEFT UNCHANGED: {shown}{more}; inspect them with find_price_outliers(df)"
    ).format(n=len(out), shown=shown, more=more)
