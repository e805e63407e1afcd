"""Streaming reads of one CSV file: chunks checked, repaired where no guess is needed, counted,
aggregated as they come, and the report in words of what was found and done.

A file is read in the order of its rows, chunk by chunk (bounded memory); only rows out of time
order force one in-memory sort, which the report states.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import _
from .formats import (
    _DAY,
    COLUMNS,
    _describe_step,
    _fmt_time,
    _Format,
    _freq_seconds,
    _names_for,
    _original_column,
    _parse_times,
    _read_csv,
)
from .resample import _combine, _fill_empty, _partial_ohlcv, _same_period
from .sources import _sniff


# --------------------------------------------------------------------------------------------
# counts kept while reading, and the checks of one chunk
# --------------------------------------------------------------------------------------------
@dataclass
class _Stats:
    rows: int = 0
    nan_rows: int = 0
    duplicates: int = 0
    first_duplicate: pd.Timestamp | None = None
    unsorted_example: str | None = None
    gaps: int = 0
    missing: int = 0
    longest_gap: tuple = ()
    repeats: int = 0
    zero_volume: int = 0
    ohlc_bad: int = 0
    ohlc_example: pd.Timestamp | None = None
    adj_differs: int = 0
    first_time: pd.Timestamp | None = None
    last_time: pd.Timestamp | None = None
    last_row: np.ndarray | None = None  # values of the last raw row (NaN rows included)
    last_valued: np.ndarray | None = None  # values of the last row with prices
    extra: list = field(default_factory=list)


def _read_chunks(path: Path, fmt: _Format, header, chunksize):
    try:
        if chunksize is None:
            yield _read_csv(path, fmt, header)
            return
        with _read_csv(path, fmt, header, chunksize=chunksize) as reader:
            yield from reader
    except pd.errors.ParserError as exc:
        raise ValueError(f"{path}: cannot parse the CSV: {exc}") from exc
    except ValueError as exc:
        if "could not convert" in str(exc) or "Unable to parse" in str(exc):
            raise _diagnose_non_numeric(path, fmt, header) from exc
        raise


def _diagnose_non_numeric(path: Path, fmt: _Format, header) -> ValueError:
    """Find the first non-numeric value of a numeric column (slow path, only after a failure)."""
    names = _names_for(fmt, header)
    numeric = [n for n in names if not n.startswith("_")] + list(fmt.extra)
    if fmt.time_kind != "unix":
        numeric.remove("time")
    offset = 0
    reader = pd.read_csv(
        path,
        header=0,
        names=names,
        usecols=numeric,
        dtype=str,
        chunksize=200_000,
        encoding="utf-8-sig",
    )
    with reader:
        for chunk in reader:
            for name in numeric:
                col = chunk[name]
                bad = pd.to_numeric(col, errors="coerce").isna() & col.notna()
                if bad.any():
                    i = int(np.argmax(bad.to_numpy()))
                    return ValueError(
                        f"{path}: non-numeric value {col.iloc[i]!r} in column "
                        f"'{_original_column(fmt, header, name)}' at line {offset + i + 2} "
                        f"(data row {offset + i + 1})"
                    )
            offset += len(chunk)
    return ValueError(f"{path}: a numeric column holds a value that is not a number")


def _prepare(raw: pd.DataFrame, path: Path, fmt: _Format, header, offset: int) -> pd.DataFrame:
    """Times parsed, values checked. Rows with no value at all are kept (NaN) for now."""
    first_line = offset + 2
    times = _parse_times(raw["time"], fmt, path, first_line)
    cols = list(COLUMNS) + list(fmt.extra)
    vals = raw[cols].to_numpy(dtype="float64", copy=False)
    isna = np.isnan(vals)
    all_na = isna.all(axis=1)
    partial = isna.any(axis=1) & ~all_na
    if partial.any():
        i = int(np.argmax(partial))
        j = int(np.argmax(isna[i]))
        raise ValueError(
            f"{path}: line {first_line + i} ({_fmt_time(times[i])}): column "
            f"'{_original_column(fmt, header, cols[j])}' is empty while the other columns have "
            "values; cannot tell what it should be"
        )
    if np.isinf(vals).any():
        i, j = np.argwhere(np.isinf(vals))[0]
        raise ValueError(
            f"{path}: line {first_line + i}: column '{_original_column(fmt, header, cols[j])}' "
            f"is {vals[i, j]} (not a finite number)"
        )
    prices = vals[:, :4]
    with np.errstate(invalid="ignore"):
        nonpos = prices <= 0
    if nonpos.any():
        i, j = np.argwhere(nonpos)[0]
        raise ValueError(
            f"{path}: line {first_line + i} ({_fmt_time(times[i])}): non-positive price "
            f"{prices[i, j]:g} in column '{_original_column(fmt, header, cols[j])}'; "
            "prices must be > 0"
        )
    with np.errstate(invalid="ignore"):
        negvol = vals[:, 4] < 0
    if negvol.any():
        i = int(np.argmax(negvol))
        raise ValueError(
            f"{path}: line {first_line + i} ({_fmt_time(times[i])}): negative volume "
            f"{vals[i, 4]:g} in column '{_original_column(fmt, header, 'volume')}'"
        )
    out = pd.DataFrame(vals, index=times, columns=cols)
    out["_line"] = np.arange(first_line, first_line + len(out), dtype="int64")
    return out


def _process_sorted(
    f: pd.DataFrame, st: _Stats, step: float | None, path: Path, drop_repeats: bool
) -> pd.DataFrame:
    """Time-ordered rows -> rows with trades; duplicates, gaps etc. counted in ``st``.

    With ``drop_repeats`` a row whose values all equal the previous row's (the forward fill of an
    older Kaggle release) counts as a minute without trades, like a NaN row."""
    cols = [c for c in f.columns if c != "_line"]
    # exact duplicate rows are dropped; one time with two different rows is an error
    if f.index.has_duplicates:
        exact = f[cols].reset_index().duplicated().to_numpy()
        if exact.any():
            if st.first_duplicate is None:
                st.first_duplicate = f.index[exact][0]
            st.duplicates += int(exact.sum())
            f = f[~exact]
        if f.index.has_duplicates:
            t = f.index[f.index.duplicated()][0]
            _raise_conflict(path, t, f.loc[[t]], cols)
    if len(f) and st.last_time is not None and f.index[0] == st.last_time:
        a, b = st.last_row, f[cols].to_numpy()[0]
        if np.array_equal(a, b, equal_nan=True):
            st.duplicates += 1
            if st.first_duplicate is None:
                st.first_duplicate = f.index[0]
            f = f.iloc[1:]
        else:
            both = pd.DataFrame([a, b], index=[st.last_time, f.index[0]], columns=cols)
            _raise_conflict(path, f.index[0], both, cols)
    if not len(f):
        return f[cols]
    # gaps in the time stamps (rows absent from the file)
    ns = f.index.asi8
    if st.last_time is not None:
        ns = np.concatenate([[st.last_time.value], ns])
    if step and len(ns) > 1:
        d = np.diff(ns) / 1e9
        big = d > 1.5 * step
        if big.any():
            st.gaps += int(big.sum())
            st.missing += int(np.round(d[big] / step).sum() - big.sum())
            k = int(np.argmax(np.where(big, d, 0)))
            if not st.longest_gap or d[k] > st.longest_gap[0]:
                st.longest_gap = (
                    d[k],
                    pd.Timestamp(ns[k], tz="UTC"),
                    pd.Timestamp(ns[k + 1], tz="UTC"),
                )
    if st.first_time is None:
        st.first_time = f.index[0]
    st.last_time = f.index[-1]
    st.last_row = f[cols].to_numpy()[-1].copy()
    # rows without any value = periods without trades: left out (counted)
    allv = f[cols].to_numpy()
    no_trade = np.isnan(allv[:, 0])
    st.nan_rows += int(no_trade.sum())
    g = f[~no_trade]
    allv = allv[~no_trade]
    if len(allv):
        # rows repeating the previous row with trades, value for value
        repeat = np.zeros(len(allv), dtype=bool)
        repeat[1:] = (allv[1:] == allv[:-1]).all(axis=1)
        if st.last_valued is not None:
            repeat[0] = bool((allv[0] == st.last_valued).all())
        st.repeats += int(repeat.sum())
        st.last_valued = allv[-1].copy()
        if drop_repeats and repeat.any():
            g = g[~repeat]
    v = g[list(COLUMNS)].to_numpy()
    if len(v):
        st.zero_volume += int((v[:, 4] == 0).sum())
        o, h, lo, c = v[:, 0], v[:, 1], v[:, 2], v[:, 3]
        bad = (lo > np.minimum(o, c)) | (h < np.maximum(o, c)) | (lo > h)
        if bad.any():
            if st.ohlc_example is None:
                st.ohlc_example = g.index[bad][0]
            st.ohlc_bad += int(bad.sum())
        if "_adj" in g.columns:
            st.adj_differs += int((g["_adj"].to_numpy() != v[:, 3]).sum())
    return g[list(COLUMNS)]


def _raise_conflict(path, t, rows: pd.DataFrame, cols) -> None:
    shown = rows[[c for c in cols if not c.startswith("_")]].to_string(header=True)
    raise ValueError(
        f"{path}: the time {t} appears in two rows with DIFFERENT values; cannot tell which "
        f"one is right:\n{shown}"
    )


# --------------------------------------------------------------------------------------------
# reading one file: the plan, the streaming pass, the report
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    """What reading ``path`` means: its format and resolution, and what to do for ``freq``."""

    path: Path
    fmt: _Format
    header: tuple[str, ...]
    step: float | None  # most common step between rows, seconds
    freq: str | None
    drop_repeats: bool  # rows repeating the previous row are minutes without trades
    aggregate: bool  # rows become periods of freq
    upsample: bool  # freq is finer than the data: rows returned as they are

    @property
    def real_aggregation(self) -> bool:
        """True when several rows make one period (not just a file already at ``freq``)."""
        return self.aggregate and (self.step is None or _freq_seconds(self.freq) > 1.5 * self.step)


def _plan(path: Path, freq: str | None, repeats: str) -> _Plan:
    sniff = _sniff(path)
    step = sniff.step
    if repeats == "auto":
        repeats = "no_trade" if sniff.fmt.key == "kaggle_old" and step and step < _DAY else "keep"
    target = _freq_seconds(freq) if freq else None
    upsample = target is not None and step is not None and target < 0.9 * step
    return _Plan(
        path=path,
        fmt=sniff.fmt,
        header=sniff.header,
        step=step,
        freq=freq,
        drop_repeats=repeats == "no_trade",
        aggregate=target is not None and not upsample,
        upsample=upsample,
    )


def _first_out_of_order(f: pd.DataFrame, st: _Stats) -> int | None:
    """Position in chunk ``f`` of the first row earlier than the row before it, else None."""
    if not f.index.is_monotonic_increasing:
        return int(np.argmax(np.diff(f.index.asi8) < 0)) + 1
    if len(f) and st.last_time is not None and f.index[0] < st.last_time:
        return 0
    return None


def _rows_or_periods(plan: _Plan, g: pd.DataFrame) -> list[pd.DataFrame]:
    """The processed rows ``g`` of a chunk, aggregated to ``plan.freq`` if the plan says so."""
    if not len(g):
        return []
    return [_partial_ohlcv(g, plan.freq) if plan.aggregate else g]


def _stream(plan: _Plan, chunksize: int | None) -> tuple[list[pd.DataFrame] | None, _Stats]:
    """One pass in file order; returns ``(None, stats)`` at the first row out of time order."""
    st, parts, offset = _Stats(), [], 0
    for raw in _read_chunks(plan.path, plan.fmt, plan.header, chunksize):
        f = _prepare(raw, plan.path, plan.fmt, plan.header, offset)
        offset += len(raw)
        st.rows = offset
        bad = _first_out_of_order(f, st)
        if bad is not None:
            st.unsorted_example = f"line {int(f['_line'].iloc[bad])} ({f.index[bad]})"
            return None, st
        g = _process_sorted(f, st, plan.step, plan.path, plan.drop_repeats)
        parts += _rows_or_periods(plan, g)
    return parts, st


def _sorted_in_memory(
    plan: _Plan, chunksize: int | None, example: str
) -> tuple[list[pd.DataFrame], _Stats]:
    """Rows out of time order: read everything, sort (stable), then the same steps."""
    frames, offset = [], 0
    for raw in _read_chunks(plan.path, plan.fmt, plan.header, chunksize):
        frames.append(_prepare(raw, plan.path, plan.fmt, plan.header, offset))
        offset += len(raw)
    whole = pd.concat(frames).sort_index(kind="stable")
    st = _Stats(rows=offset, unsorted_example=example)
    g = _process_sorted(whole, st, plan.step, plan.path, plan.drop_repeats)
    return _rows_or_periods(plan, g), st


def _report_rows(plan: _Plan, st: _Stats) -> list[str]:
    """Report lines on the rows themselves: count, empty rows, duplicates, order, gaps."""
    step = plan.step
    rep = [
        _("read {rows} rows from {file} ({format}, {step} rows)").format(
            rows=f"{st.rows:,}", file=plan.path.name, format=_(plan.fmt.label),
            step=_describe_step(step),
        )
    ]  # fmt: skip
    if st.nan_rows:
        text = (
            _("{n} minutes without trades (all values empty/NaN) left out before aggregating")
            if step == 60
            else _("{n} rows without trades (all values empty/NaN) left out before aggregating")
        )
        rep.append(text.format(n=f"{st.nan_rows:,}"))
    if st.duplicates:
        rep.append(
            _("{n} exact duplicate rows removed (first at {first})").format(
                n=f"{st.duplicates:,}", first=st.first_duplicate
            )
        )
    if st.unsorted_example:
        rep.append(
            _(
                "rows were not in time order (first out-of-order row: {example}): "
                "sorted by time (stable sort; this needs the whole file in memory)"
            ).format(example=st.unsorted_example)
        )
    if step and st.gaps:
        span, a, b = st.longest_gap
        rep.append(
            _(
                "{gaps} gaps in the timestamps ({missing} missing {step} rows); "
                "longest from {start} to {end}"
            ).format(
                gaps=f"{st.gaps:,}",
                missing=f"{st.missing:,}",
                step=_describe_step(step),
                start=_fmt_time(a),
                end=_fmt_time(b),
            )  # fmt: skip
        )
    elif step:
        rep.append(
            _("no gaps: every {step} step from first to last row present").format(
                step=_describe_step(step)
            )
        )
    return rep


def _report_values(plan: _Plan, st: _Stats) -> list[str]:
    """Report lines on the values: repeated rows, Yahoo's Adj Close, OHLC order, volumes."""
    fmt, rep = plan.fmt, []
    if st.repeats and plan.drop_repeats:
        text = _(
            "{n} minutes repeat the previous row's {k} "
            "values exactly: an older Kaggle release forward-filled minutes without trades this "
            "way, so they are treated as minutes without trades, like the NaN rows of later "
            "releases, and left out. A real minute that repeats the previous one exactly is left "
            "out too, so volumes can be a little low; repeats='keep' keeps them all (then the "
            "copies count their volume again and a day can open at the previous day's close)"
        )
        if plan.step != 60:
            text = _(
                "{n} rows repeat the previous row's {k} "
                "values exactly: an older Kaggle release forward-filled minutes without trades "
                "this way, so they are treated as minutes without trades, like the NaN rows of "
                "later releases, and left out. A real minute that repeats the previous one "
                "exactly is left out too, so volumes can be a little low; repeats='keep' keeps "
                "them all (then the copies count their volume again and a day can open at the "
                "previous day's close)"
            )
        rep.append(text.format(n=f"{st.repeats:,}", k=len(COLUMNS) + len(fmt.extra)))
    elif st.repeats:
        rep.append(
            _("{n} rows repeat the previous row's values exactly: left as they are").format(
                n=f"{st.repeats:,}"
            )
        )
    if fmt.key == "yahoo":
        same = (
            _("prices: Close used, Adj Close ignored (it equals Close in every row)")
            if not st.adj_differs
            else _(
                "prices: Close used, Adj Close ignored (it differs from Close in {n} rows)"
            ).format(n=f"{st.adj_differs:,}")
        )
        rep.append(same)
    if st.ohlc_bad:
        rep.append(
            _(
                "{n} rows break low <= open, close <= high (first {example}): left as they are"
            ).format(n=f"{st.ohlc_bad:,}", example=st.ohlc_example)
        )
    if st.zero_volume:
        rep.append(_("{n} rows with zero volume (kept)").format(n=f"{st.zero_volume:,}"))
    rep.append(_("volume unit: {unit}").format(unit=_(fmt.volume_unit)))
    return rep


def _to_periods(
    plan: _Plan, parts: list[pd.DataFrame], st: _Stats
) -> tuple[pd.DataFrame, list[str]]:
    """Per-chunk aggregates merged into one bar per period, empty periods filled; report lines."""
    freq, step = plan.freq, plan.step
    agg = _combine(parts)
    rep = []
    if not plan.real_aggregation:
        rep.append(_("data already at freq={freq}: no aggregation needed").format(freq=repr(freq)))
    else:
        rep.append(
            _(
                "resampled from {step} rows to freq={freq} periods (UTC; "
                "open=first, high=max, low=min, close=last, volume=sum)"
            ).format(step=_describe_step(step), freq=repr(freq))
        )
        one_step = pd.Timedelta(seconds=step) if step else None
        if step and _same_period(st.first_time - one_step, st.first_time, freq):
            rep.append(
                _("the first period ({period}) is partial: data start at {start}").format(
                    period=_fmt_time(agg.index[0]), start=_fmt_time(st.first_time)
                )
            )
        if step and _same_period(st.last_time, st.last_time + one_step, freq):
            rep.append(
                _("the last period ({period}) is partial: data end at {end}").format(
                    period=_fmt_time(agg.index[-1]), end=_fmt_time(st.last_time)
                )
            )
    out, lines = _fill_empty(agg, freq, "fill")
    return out, rep + lines


def _as_rows(plan: _Plan, parts: list[pd.DataFrame]) -> tuple[pd.DataFrame, list[str]]:
    """The rows at the data's own resolution (``freq=None``, or a ``freq`` finer than the data)."""
    out = (pd.concat(parts) if len(parts) > 1 else parts[0]).copy()
    if plan.upsample:
        line = _(
            "freq={freq} is finer than the data ({step}): returned "
            "at the data's own resolution, NOT upsampled (that would invent prices)"
        ).format(freq=repr(plan.freq), step=_describe_step(plan.step))
    else:
        line = _("freq=None: returned at the data's own resolution")
    return out, [line]


def _load_file(
    path: Path, freq: str | None, chunksize: int | None, repeats: str = "auto"
) -> tuple[pd.DataFrame, list[str]]:
    """Read, check and (if ``freq``) aggregate one file; returns the frame and the report."""
    plan = _plan(path, freq, repeats)
    parts, st = _stream(plan, chunksize)
    if parts is None:
        parts, st = _sorted_in_memory(plan, chunksize, st.unsorted_example)
    if st.rows == 0:
        raise ValueError(f"{path}: the file has a header but no data rows")
    if not parts:
        raise ValueError(f"{path}: no row has any price (all {st.rows:,} rows are empty)")
    out, lines = _to_periods(plan, parts, st) if plan.aggregate else _as_rows(plan, parts)
    out = out.astype("float64")
    out.index = pd.DatetimeIndex(out.index, name="time", freq=None)
    out.columns = list(COLUMNS)
    return out, [*_report_rows(plan, st), *_report_values(plan, st), *lines]
