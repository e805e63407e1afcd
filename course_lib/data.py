"""Real Bitcoin prices for lesson 07: find, read, check, resample, split, scale and window them.

Where the data comes from (``load_bitcoin`` always says which rule picked it, in
``df.attrs["source"]``):

1. a ``path`` given by the caller (a CSV file, or a folder to choose a file from), else
2. the folder named by the environment variable ``COURSE_DATA_DIR``, else
3. the course's ``data/`` folder, looked for in the current directory and then in its parent
   (notebooks run from ``notebooks/``): the student's own CSV files, else
4. the file shipped with the course, ``SHIPPED_DAILY``: real Bitstamp daily OHLCV,
   2011-08-18 -> 2025-07-08, 5,074 rows (``course_lib/datasets/btcusd-bitstamp-daily.csv``,
   package data, so every install has it; CC0-1.0 as declared by its Kaggle dataset; its
   2012-01-01 row is corrupt, all values 55, flagged and left as it is), else
5. last resort, only if that file is missing from a broken install: the real monthly BTC-USD
   series (2012-2024) that the ``backtesting`` package ships as ``backtesting/test/BTCUSD.csv``
   (found without importing that package).

``download_bitcoin()`` is the explicit, opt-in way to fetch the full Kaggle dataset of the lecture;
nothing in this module ever touches the network on its own.

Recognised CSV formats (by their header line; column names are case-sensitive; a UTF-8 BOM and
CRLF line endings are fine):

========================  ==================================================================
Kaggle 1-minute, old      ``Timestamp,Open,High,Low,Close,Volume_(BTC),Volume_(Currency),``
                          ``Weighted_Price`` (Unix seconds; NaN rows = minutes without trades)
Kaggle, new               ``Timestamp,Open,High,Low,Close,Volume`` (Unix seconds, maybe ``.0``),
                          1-minute or daily (resolution read from the median timestamp step)
Yahoo-style daily         ``Date,Open,High,Low,Close,Adj Close,Volume[,Ticker]`` (Close is used)
backtesting.py monthly    ``,Open,High,Low,Close,Volume`` (dates of month ends)
========================  ==================================================================

Every loaded frame has a sorted, unique UTC ``DatetimeIndex`` named ``time`` and the float columns
``open, high, low, close, volume``. Whatever was done to the rows is listed in words in
``df.attrs["report"]``; nothing is repaired silently.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "COLUMNS",
    "KAGGLE_DATASET",
    "MinMaxScaler",
    "SHIPPED_DAILY",
    "StandardScaler",
    "chronological_split",
    "download_bitcoin",
    "find_price_outliers",
    "load_bitcoin",
    "log_returns",
    "make_windows",
    "repair_rows",
    "resample_ohlcv",
]

PRICE_COLUMNS = ("open", "high", "low", "close")
COLUMNS = (*PRICE_COLUMNS, "volume")
KAGGLE_DATASET = "mczielinski/bitcoin-historical-data"
KAGGLE_URL = "https://www.kaggle.com/datasets/mczielinski/bitcoin-historical-data"
DEFAULT_CHUNKSIZE = 1_000_000
#: The daily file shipped with the course (package data of ``course_lib``): real Bitstamp BTC/USD
#: daily OHLCV 2011-08-18 -> 2025-07-08, copied byte for byte (sha256 f81df307...16668238);
#: source, licence (CC0-1.0) and its corrupt 2012-01-01 row are described in data/README.md.
SHIPPED_DAILY = Path(__file__).resolve().parent / "datasets" / "btcusd-bitstamp-daily.csv"
SHIPPED_LABEL = (
    "shipped with the course: course_lib/datasets/btcusd-bitstamp-daily.csv (real Bitstamp "
    "daily OHLCV 2011-08-18 -> 2025-07-08, CC0-1.0; see data/README.md)"
)

_DAY = 86_400
_HOW_TO_GET_DATA = (
    "To use the full data: call course_lib.data.download_bitcoin() (needs internet and kagglehub), "
    f"or download the CSV by hand from {KAGGLE_URL}, put it in the course's data/ folder "
    "(or any folder, and set the environment variable COURSE_DATA_DIR to that folder)."
)


# --------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Format:
    key: str
    label: str  # words for the report
    header: tuple[str, ...]  # exact header, as in the real files
    names: tuple[str, ...]  # our name for each column (a leading "_" = not used)
    time_kind: str  # "unix" (seconds) or "date" (ISO text)
    volume_unit: str
    optional_last: str | None = None  # a last column that may be present or not
    extra: tuple[str, ...] = ()  # more numeric columns read, for checks only


_FORMATS = (
    _Format(
        key="kaggle_old",
        label="Kaggle bitcoin-historical-data, old 8-column format",
        header=(
            "Timestamp",
            "Open",
            "High",
            "Low",
            "Close",
            "Volume_(BTC)",
            "Volume_(Currency)",
            "Weighted_Price",
        ),
        names=("time", "open", "high", "low", "close", "volume", "_vcur", "_wprice"),
        time_kind="unix",
        volume_unit="BTC (column Volume_(BTC))",
        extra=("_vcur", "_wprice"),
    ),
    _Format(
        key="kaggle_new",
        label="Kaggle bitcoin-historical-data, 6-column format",
        header=("Timestamp", "Open", "High", "Low", "Close", "Volume"),
        names=("time", "open", "high", "low", "close", "volume"),
        time_kind="unix",
        volume_unit="BTC",
    ),
    _Format(
        key="yahoo",
        label="Yahoo-style daily export",
        header=("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"),
        names=("time", "open", "high", "low", "close", "_adj", "volume"),
        time_kind="date",
        volume_unit="USD (Yahoo reports volume in quote currency)",
        optional_last="Ticker",
        extra=("_adj",),
    ),
    _Format(
        key="backtesting",
        label="monthly BTC-USD series shipped with the backtesting package",
        header=("", "Open", "High", "Low", "Close", "Volume"),
        names=("time", "open", "high", "low", "close", "volume"),
        time_kind="date",
        volume_unit="not documented by backtesting (the values look like BTC)",
    ),
)


def _recognised_headers() -> str:
    lines = []
    for fmt in _FORMATS:
        head = ",".join(fmt.header) + (f"[,{fmt.optional_last}]" if fmt.optional_last else "")
        lines.append(f"  {fmt.label}: {head}")
    return "\n".join(lines)


def _read_header(path: Path) -> list[str]:
    """First line of ``path`` split on commas (UTF-8 BOM and CR/LF removed)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file. {_HOW_TO_GET_DATA}")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder, expected a CSV file")
    with open(path, "rb") as fh:
        first = fh.readline(1 << 16)
    text = first.decode("utf-8-sig", errors="replace").rstrip("\r\n")
    if not text.strip():
        raise ValueError(f"{path}: the file is empty (no header line, no data)")
    return [c.strip('"') for c in text.split(",")]


def _detect_format(path: Path) -> tuple[_Format, tuple[str, ...]]:
    """Return the format of ``path`` and the header columns it actually has."""
    header = tuple(_read_header(path))
    for fmt in _FORMATS:
        if header == fmt.header:
            return fmt, header
        if fmt.optional_last and header == (*fmt.header, fmt.optional_last):
            return fmt, header
    raise ValueError(
        f"{path}: unknown header {','.join(header)!r}. Recognised headers:\n{_recognised_headers()}"
    )


def _names_for(fmt: _Format, header: tuple[str, ...]) -> list[str]:
    names = list(fmt.names)
    if len(header) > len(fmt.header):
        names.append("_" + header[-1].lower())
    return names


def _original_column(fmt: _Format, header: tuple[str, ...], name: str) -> str:
    return header[_names_for(fmt, header).index(name)] or "(index)"


# --------------------------------------------------------------------------------------------
# small helpers for the words of the report
# --------------------------------------------------------------------------------------------
def _describe_step(seconds: float | None) -> str:
    if seconds is None or not np.isfinite(seconds):
        return "unknown resolution"
    named = {60: "1-minute", 300: "5-minute", 900: "15-minute", 3600: "hourly", _DAY: "daily"}
    if round(seconds) in named:
        return named[round(seconds)]
    if 7 * _DAY * 0.99 <= seconds <= 7 * _DAY * 1.01:
        return "weekly"
    if 28 * _DAY <= seconds <= 31 * _DAY:
        return "monthly"
    if seconds % _DAY == 0:
        return f"{int(seconds // _DAY)}-day"
    return f"{seconds:g}-second"


def _fmt_time(t: pd.Timestamp) -> str:
    if t.hour == t.minute == t.second == 0:
        return t.strftime("%Y-%m-%d")
    return t.strftime("%Y-%m-%d %H:%M UTC")


def _freq_seconds(freq: str) -> float:
    """Nominal length of one period of ``freq`` in seconds (a month is 28-31 days)."""
    try:
        idx = pd.date_range("2001-01-01", periods=3, freq=freq)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"unknown frequency {freq!r}: use a pandas alias such as 'min', 'h', 'D', 'W', "
            "'ME' (month end) or 'MS' (month start)"
        ) from exc
    return float((idx[2] - idx[1]).total_seconds())


def _to_utc_ns(index: pd.DatetimeIndex) -> pd.DatetimeIndex:
    if index.tz is None:
        index = index.tz_localize("UTC")
    else:
        index = index.tz_convert("UTC")
    return index.as_unit("ns")


def _parse_times(raw: pd.Series, fmt: _Format, path: Path, first_line: int) -> pd.DatetimeIndex:
    """Times of one chunk as a UTC DatetimeIndex; errors name the file and the line."""
    if fmt.time_kind == "unix":
        secs = pd.to_numeric(raw, errors="coerce").to_numpy(dtype="float64")
        bad = ~np.isfinite(secs)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"{path}: line {first_line + i}: Timestamp {raw.iloc[i]!r} is empty or not a "
                "number (expected Unix seconds)"
            )
        if (np.abs(secs) > 1e11).any():
            i = int(np.argmax(np.abs(secs) > 1e11))
            raise ValueError(
                f"{path}: line {first_line + i}: Timestamp {secs[i]:.0f} is not in Unix seconds "
                "(milliseconds?); the Kaggle files use seconds"
            )
        times = pd.to_datetime(secs, unit="s", utc=True)
    else:
        times = pd.to_datetime(raw, utc=True, format="ISO8601", errors="coerce")
        bad = np.asarray(pd.isna(times))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"{path}: line {first_line + i}: cannot read the date {raw.iloc[i]!r} "
                "(expected an ISO date such as 2014-09-17)"
            )
    return _to_utc_ns(pd.DatetimeIndex(times, name="time"))


# --------------------------------------------------------------------------------------------
# a quick look at a file: format, first and last time, resolution
# --------------------------------------------------------------------------------------------
@dataclass
class _Sniff:
    path: Path
    fmt: _Format
    header: tuple[str, ...]
    first: pd.Timestamp
    last: pd.Timestamp
    step: float | None  # median step between rows, seconds


def _read_csv(path: Path, fmt: _Format, header: tuple[str, ...], **kw):
    names = _names_for(fmt, header)
    usecols = [n for n in names if not n.startswith("_")] + list(fmt.extra)
    dtype = {n: "float64" for n in usecols if n != "time"}
    dtype["time"] = "float64" if fmt.time_kind == "unix" else str
    return pd.read_csv(
        path,
        header=0,
        names=names,
        usecols=usecols,
        dtype=dtype,
        encoding="utf-8-sig",
        **kw,
    )


def _typical_step(times: pd.DatetimeIndex) -> float | None:
    """Resolution in seconds: the most common step between distinct times (smallest on a tie).

    For real files this is the median step too; the mode stays right for tiny files with a gap.
    """
    steps = np.diff(np.unique(times.asi8)) // 1_000_000_000
    if not len(steps):
        return None
    values, counts = np.unique(steps, return_counts=True)
    return float(values[np.argmax(counts)])


def _sniff(path: Path, n_head: int = 1000) -> _Sniff:
    """Format, first/last time (first and last data rows) and median step of ``path``."""
    fmt, header = _detect_format(path)
    names = _names_for(fmt, header)
    try:
        head = pd.read_csv(
            path,
            header=0,
            names=names,
            usecols=["time"],
            dtype=str,
            nrows=n_head,
            encoding="utf-8-sig",
        )
    except pd.errors.ParserError as exc:
        raise ValueError(f"{path}: cannot parse the CSV: {exc}") from exc
    if head.empty:
        raise ValueError(f"{path}: the file has a header but no data rows")
    times = _parse_times(head["time"], fmt, path, first_line=2)
    step = _typical_step(times)
    last = _last_time(path, fmt) or times.max()
    return _Sniff(path, fmt, header, times.min(), max(last, times.max()), step)


def _last_time(path: Path, fmt: _Format) -> pd.Timestamp | None:
    """Time of the last data row, read from the end of the file (None if unreadable)."""
    size = path.stat().st_size
    with open(path, "rb") as fh:
        fh.seek(max(0, size - (1 << 16)))
        tail = fh.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(tail):
        line = line.strip()
        if not line:
            continue
        first = line.split(",")[0].strip('"')
        try:
            if fmt.time_kind == "unix":
                return pd.Timestamp(float(first), unit="s", tz="UTC")
            return _to_utc_ns(pd.DatetimeIndex([pd.Timestamp(first)]))[0]
        except (ValueError, TypeError):
            return None
    return None


# --------------------------------------------------------------------------------------------
# choosing a file in a folder
# --------------------------------------------------------------------------------------------
def _choose_file(folder: Path, freq: str | None) -> tuple[Path | None, str, list[str]]:
    """Pick one recognised CSV in ``folder``.

    Rule (deterministic): among the recognised CSV files whose resolution is fine enough for
    ``freq`` (all of them if none is), take the one whose data END most recently (compared by
    calendar day), then the longest span, then the finest resolution, then the file name.
    Returns the path, a short reason and report lines listing every candidate.
    """
    csvs = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    found: list[_Sniff] = []
    lines: list[str] = []
    for p in csvs:
        try:
            found.append(_sniff(p))
        except (ValueError, OSError) as exc:
            reason = str(exc).splitlines()[0].replace(str(p), p.name)
            lines.append(f"ignored {p.name}: {reason}")
    if not found:
        return None, "", lines
    target = _freq_seconds(freq) if freq else None
    fine = [s for s in found if target is None or s.step is None or not target < 0.9 * s.step]
    pool = fine or found

    def key(s: _Sniff):
        return (-s.last.floor("D").value, -(s.last - s.first).value, s.step or 0.0, s.path.name)

    pool = sorted(pool, key=key)
    chosen = pool[0]
    for s in found:
        mark = "CHOSEN" if s is chosen else "candidate"
        lines.append(
            f"{mark}: {s.path.name} ({s.fmt.label}, {_describe_step(s.step)}, "
            f"{_fmt_time(s.first)} -> {_fmt_time(s.last)})"
        )
    if len(found) == 1:
        why = "the only recognised CSV in the folder"
    else:
        why = (
            f"chosen among {len(found)} recognised CSV files by the rule: resolution fine enough "
            f"for freq={freq!r}, then most recent data, then longest span, then finest "
            "resolution, then file name"
        )
        if not fine:
            why += f" (no file is fine enough for freq={freq!r}, so all were considered)"
    return chosen.path, why, lines


def _course_data_dirs() -> list[Path]:
    cwd = Path.cwd()
    return [cwd / "data", cwd.parent / "data"]


def _backtesting_btcusd() -> Path | None:
    """``backtesting/test/BTCUSD.csv`` located with ``find_spec`` (the package is not imported)."""
    try:
        spec = importlib.util.find_spec("backtesting")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "test" / "BTCUSD.csv"
    return path if path.is_file() else None


def _is_shipped(p: Path) -> bool:
    try:
        return p.is_file() and p.resolve() == SHIPPED_DAILY
    except OSError:
        return False


def _resolve_source(path, freq) -> tuple[Path, str, list[str]]:
    """Apply the source order; return the file, the words for attrs['source'], report lines."""
    if path is not None:
        p = Path(path).expanduser()
        if _is_shipped(p):
            return p, f"{SHIPPED_LABEL}; file given by the caller", []
        if p.is_dir():
            chosen, why, lines = _choose_file(p, freq)
            if chosen is None:
                raise FileNotFoundError(
                    f"{p}: no recognised CSV file in this folder. Recognised headers:\n"
                    f"{_recognised_headers()}"
                )
            return chosen, f"path={p} -> {chosen.name} ({_fmt_of(chosen)}; {why})", lines
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file. {_HOW_TO_GET_DATA}")
        return p, f"path={p} ({_fmt_of(p)}; file given by the caller)", []

    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        d = Path(env).expanduser()
        if not d.is_dir():
            raise FileNotFoundError(f"COURSE_DATA_DIR={env}: no such folder")
        chosen, why, lines = _choose_file(d, freq)
        if chosen is None:
            raise FileNotFoundError(
                f"COURSE_DATA_DIR={env}: no recognised CSV file in this folder. "
                f"Recognised headers:\n{_recognised_headers()}"
            )
        return chosen, f"COURSE_DATA_DIR={d} -> {chosen.name} ({_fmt_of(chosen)}; {why})", lines

    notes = []
    for d in _course_data_dirs():
        if not d.is_dir():
            continue
        chosen, why, lines = _choose_file(d, freq)
        if chosen is not None:
            src = f"course data folder {d} -> {chosen.name} ({_fmt_of(chosen)}; {why})"
            return chosen, src, lines
        if lines:  # CSV files there, none recognised: say so loudly, do not fall through
            raise ValueError(
                f"{d}: the course data folder holds CSV files but none is recognised:\n"
                + "\n".join(lines)
                + f"\nRecognised headers:\n{_recognised_headers()}"
            )
        notes.append(f"course data folder {d} has no CSV file")

    if SHIPPED_DAILY.is_file():
        src = f"{SHIPPED_LABEL}; no path given, no COURSE_DATA_DIR, no CSV in ./data or ../data"
        return SHIPPED_DAILY, src, notes

    bt = _backtesting_btcusd()
    if bt is None:
        raise FileNotFoundError(
            "No Bitcoin data found: no path given, COURSE_DATA_DIR not set, no CSV in ./data or "
            f"../data, the file shipped with the course ({SHIPPED_DAILY.name} in "
            "course_lib/datasets/) is missing from this install (reinstall the course: "
            "pip install -e .), and no backtesting/test/BTCUSD.csv was found. "
            f"{_HOW_TO_GET_DATA}"
        )
    src = (
        f"last resort: real monthly BTC-USD 2012-2024 shipped by the backtesting package, {bt} "
        "(no path given, COURSE_DATA_DIR not set, no CSV in ./data or ../data, and the daily file "
        f"shipped with the course, {SHIPPED_DAILY.name}, is missing from this install)"
    )
    return bt, src, [*notes, _HOW_TO_GET_DATA]


def _fmt_of(path: Path) -> str:
    try:
        return _detect_format(path)[0].label
    except (ValueError, OSError):
        return "format not recognised"


# --------------------------------------------------------------------------------------------
# reading, checking, repairing (explicitly) and resampling
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
            return out, ["no empty periods (every period has at least one trade)"]
        return out, [f"{n_empty:,} empty periods (no trades) dropped, as asked (empty='drop')"]
    out = agg[list(COLUMNS)].reindex(full)
    miss = out["close"].isna()
    out["close"] = out["close"].ffill()
    for c in ("open", "high", "low"):
        out[c] = out[c].fillna(out["close"])
    out["volume"] = out["volume"].fillna(0.0)
    runs = miss.astype(int).groupby((~miss).cumsum()).sum()
    return out, [
        f"{n_empty:,} empty periods (no trades) filled with the previous close "
        f"(open = high = low = close, volume 0); longest run {int(runs.max()):,} periods"
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
        f"resampled {len(f):,} rows to {len(out):,} periods of freq={freq!r} (UTC; open=first, "
        "high=max, low=min, close=last, volume=sum)",
        *lines,
    ]
    return out


def _load_file(
    path: Path, freq: str | None, chunksize: int | None, repeats: str = "auto"
) -> tuple[pd.DataFrame, list]:
    sniff = _sniff(path)
    fmt, header, step = sniff.fmt, sniff.header, sniff.step
    if repeats == "auto":
        repeats = "no_trade" if fmt.key == "kaggle_old" and step and step < _DAY else "keep"
    drop_repeats = repeats == "no_trade"
    target = _freq_seconds(freq) if freq else None
    upsample = target is not None and step is not None and target < 0.9 * step
    aggregate = target is not None and not upsample
    real_aggregation = aggregate and (step is None or target > 1.5 * step)

    def run(chunks, st):
        parts, offset, order_ok = [], 0, True
        for raw in chunks:
            f = _prepare(raw, path, fmt, header, offset)
            offset += len(raw)
            st.rows = offset
            if not f.index.is_monotonic_increasing or (
                len(f) and st.last_time is not None and f.index[0] < st.last_time
            ):
                bad = (
                    int(np.argmax(np.diff(f.index.asi8) < 0)) + 1
                    if not f.index.is_monotonic_increasing
                    else 0
                )
                st.unsorted_example = f"line {int(f['_line'].iloc[bad])} ({f.index[bad]})"
                order_ok = False
                break
            g = _process_sorted(f, st, step, path, drop_repeats)
            if len(g):
                parts.append(_partial_ohlcv(g, freq) if aggregate else g)
        return parts, order_ok

    st = _Stats()
    parts, order_ok = run(_read_chunks(path, fmt, header, chunksize), st)
    if not order_ok:
        # rows out of time order: read everything, sort (stable), then the same steps
        example = st.unsorted_example
        frames = []
        offset = 0
        for raw in _read_chunks(path, fmt, header, chunksize):
            frames.append(_prepare(raw, path, fmt, header, offset))
            offset += len(raw)
        whole = pd.concat(frames).sort_index(kind="stable")
        st = _Stats(rows=offset, unsorted_example=example)
        g = _process_sorted(whole, st, step, path, drop_repeats)
        parts = [(_partial_ohlcv(g, freq) if aggregate else g)] if len(g) else []
    if st.rows == 0:
        raise ValueError(f"{path}: the file has a header but no data rows")
    if not parts:
        raise ValueError(f"{path}: no row has any price (all {st.rows:,} rows are empty)")

    rep = [f"read {st.rows:,} rows from {path.name} ({fmt.label}, {_describe_step(step)} rows)"]
    unit = "minutes" if step == 60 else "rows"
    if st.nan_rows:
        rep.append(
            f"{st.nan_rows:,} {unit} without trades (all values empty/NaN) left out before "
            "aggregating"
        )
    if st.duplicates:
        rep.append(
            f"{st.duplicates:,} exact duplicate rows removed (first at {st.first_duplicate})"
        )
    if st.unsorted_example:
        rep.append(
            f"rows were not in time order (first out-of-order row: {st.unsorted_example}): "
            "sorted by time (stable sort; this needs the whole file in memory)"
        )
    if step:
        if st.gaps:
            span, a, b = st.longest_gap
            rep.append(
                f"{st.gaps:,} gaps in the timestamps ({st.missing:,} missing {_describe_step(step)}"
                f" rows); longest from {_fmt_time(a)} to {_fmt_time(b)}"
            )
        else:
            rep.append(f"no gaps: every {_describe_step(step)} step from first to last row present")
    if st.repeats and drop_repeats:
        rep.append(
            f"{st.repeats:,} {unit} repeat the previous row's {len(COLUMNS) + len(fmt.extra)} "
            "values exactly: an older Kaggle release forward-filled minutes without trades this "
            "way, so they are treated as minutes without trades, like the NaN rows of later "
            "releases, and left out. A real minute that repeats the previous one exactly is left "
            "out too, so volumes can be a little low; repeats='keep' keeps them all (then the "
            "copies count their volume again and a day can open at the previous day's close)"
        )
    elif st.repeats:
        rep.append(
            f"{st.repeats:,} rows repeat the previous row's values exactly: left as they are"
        )
    if fmt.key == "yahoo":
        same = (
            "equals Close in every row"
            if not st.adj_differs
            else (f"differs from Close in {st.adj_differs:,} rows")
        )
        rep.append(f"prices: Close used, Adj Close ignored (it {same})")
    if st.ohlc_bad:
        rep.append(
            f"{st.ohlc_bad:,} rows break low <= open, close <= high (first {st.ohlc_example}): "
            "left as they are"
        )
    if st.zero_volume:
        rep.append(f"{st.zero_volume:,} rows with zero volume (kept)")
    rep.append(f"volume unit: {fmt.volume_unit}")

    if aggregate:
        agg = _combine(parts)
        if real_aggregation:
            rep.append(
                f"resampled from {_describe_step(step)} rows to freq={freq!r} periods (UTC; "
                "open=first, high=max, low=min, close=last, volume=sum)"
            )
            if step and _same_period(
                st.first_time - pd.Timedelta(seconds=step), st.first_time, freq
            ):
                rep.append(
                    f"the first period ({_fmt_time(agg.index[0])}) is partial: data start at "
                    f"{_fmt_time(st.first_time)}"
                )
            if step and _same_period(st.last_time, st.last_time + pd.Timedelta(seconds=step), freq):
                rep.append(
                    f"the last period ({_fmt_time(agg.index[-1])}) is partial: data end at "
                    f"{_fmt_time(st.last_time)}"
                )
        else:
            rep.append(f"data already at freq={freq!r}: no aggregation needed")
        out, lines = _fill_empty(agg, freq, "fill")
        rep.extend(lines)
    else:
        out = pd.concat(parts) if len(parts) > 1 else parts[0]
        out = out.copy()
        if upsample:
            rep.append(
                f"freq={freq!r} is finer than the data ({_describe_step(step)}): returned at the "
                "data's own resolution, NOT upsampled (that would invent prices)"
            )
        else:
            rep.append("freq=None: returned at the data's own resolution")
    out = out.astype("float64")
    out.index = pd.DatetimeIndex(out.index, name="time", freq=None)
    out.columns = list(COLUMNS)
    return out, rep


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
    the daily file shipped with the course, ``SHIPPED_DAILY`` (real Bitstamp daily bars
    2011-08-18 -> 2025-07-08) -> last resort, if that file is missing from a broken install: the
    real monthly series shipped by the ``backtesting`` package. An explicitly configured source
    (``path``, ``COURSE_DATA_DIR``) that holds no usable file is an error, not a fall-through.
    ``load_bitcoin(SHIPPED_DAILY)`` always reads the shipped file, whatever the environment
    (lesson 07 does this, so its outputs are the same on every machine).

    Choosing in a folder: only ``*.csv`` files with a recognised header count (README.md and
    others are ignored). Among them the rule is, in order:

    1. resolution fine enough for ``freq`` (a daily file cannot give hourly bars);
    2. the most recent data (latest last row, by calendar day) -- the up-to-date series;
    3. the longest span; 4. the finest resolution; 5. the file name.

    In the course's shared test folder (1-minute sample of 48 days in 2012, Yahoo daily
    2014-09-17 -> 2026-03-27, Bitstamp daily 2011-08-18 -> 2025-07-08) this picks the Yahoo daily
    file for ``freq="D"`` and the 1-minute sample for ``freq="h"``. Every candidate is listed in
    ``attrs["report"]``; pass ``path=<file>`` to take a particular one.

    Reading: in chunks of ``chunksize`` rows (only the needed columns, float64), each chunk is
    checked and aggregated to ``freq`` at once and the partial periods at chunk boundaries are
    merged by the OHLCV rules, so the full Kaggle 1-minute file (~7 million rows) fits in
    bounded memory. Rows out of time order force one in-memory sort (reported).

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
        What a row whose values ALL equal the previous row's means. The 2017 Kaggle release
        (old 8-column format, as in the course's 1-minute sample) forward-filled minutes without
        trades this way: 67,166 of its 67,824 rows are such copies, which would count their
        volume again and make a day open at the previous day's close. ``"no_trade"`` treats
        them as minutes without trades (like the NaN rows of later releases); ``"keep"`` keeps
        them; ``"auto"`` means ``"no_trade"`` for the old Kaggle format below daily resolution
        (all 7 value columns must repeat, including both volumes) and ``"keep"`` otherwise. The
        count is reported either way. On the sample, ``"no_trade"`` gives daily open, high, low,
        close equal to Bitstamp's own daily file on all 46 comparable days and volumes within
        5.5 % (never above: a real minute that repeats the previous one exactly is lost);
        ``"keep"`` matches on 6 days only and counts 100 times the true volume.

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
    if chunksize is not None and (not isinstance(chunksize, int) or chunksize < 1):
        raise ValueError(f"chunksize must be a positive int or None, got {chunksize!r}")
    if repeats not in ("auto", "no_trade", "keep"):
        raise ValueError(f"repeats must be 'auto', 'no_trade' or 'keep', got {repeats!r}")
    file, source, choice = _resolve_source(path, freq)
    df, report = _load_file(Path(file), freq, chunksize, repeats)
    report = [*choice, *report]
    report.append(_outlier_line(df))
    df.attrs = {
        "source": source,
        "report": [str(r) for r in report],
        "format": _detect_format(Path(file))[0].label,
    }
    return df


def _outlier_line(df: pd.DataFrame) -> str:
    if len(df) < 3:
        return "outlier check skipped (fewer than 3 rows)"
    out = find_price_outliers(df)
    if out.empty:
        return "outlier check (close vs rolling median, find_price_outliers defaults): none flagged"
    shown = ", ".join(
        f"{_fmt_time(t)} (close {r.close:g} vs median {r.rolling_median:g})"
        for t, r in out.head(5).iterrows()
    )
    more = f" and {len(out) - 5} more" if len(out) > 5 else ""
    return (
        f"outlier check (close vs rolling median, find_price_outliers defaults): {len(out)} rows "
        f"flagged and LEFT UNCHANGED: {shown}{more}; inspect them with find_price_outliers(df)"
    )


# --------------------------------------------------------------------------------------------
# explicit download (opt-in)
# --------------------------------------------------------------------------------------------
def download_bitcoin(dest: str | os.PathLike | None = None, freq: str | None = "D") -> pd.DataFrame:
    """Download the lecture's Kaggle dataset, resample it and cache it as a CSV. Opt-in only.

    Uses ``kagglehub.dataset_download("mczielinski/bitcoin-historical-data")`` (kagglehub keeps
    its own cache of the raw download), picks the recognised CSV in it as ``load_bitcoin`` would,
    resamples to ``freq`` and writes ``btcusd_kaggle_<freq>.csv`` in the Kaggle 6-column format
    (``Timestamp,Open,High,Low,Close,Volume``, Unix seconds of each period's label), which
    ``load_bitcoin`` then recognises.

    Parameters
    ----------
    dest : folder or ``.csv`` file, optional
        Default: the course's ``data/`` folder (``./data``, else ``../data``, else ``./data``
        is created).
    freq : str or None, default "D"

    Raises
    ------
    ConnectionError
        kagglehub could not reach Kaggle (offline?).
    RuntimeError
        kagglehub is missing or failed otherwise. Both messages say how to get the file by hand.
    """
    _check_freq_arg(freq)
    try:
        import kagglehub
    except ImportError as exc:
        raise RuntimeError(
            f"download_bitcoin needs the kagglehub package (pip install kagglehub). "
            f"{_HOW_TO_GET_DATA}"
        ) from exc
    try:
        got = Path(kagglehub.dataset_download(KAGGLE_DATASET))
    except Exception as exc:
        offline = isinstance(exc, OSError) or "connect" in type(exc).__name__.lower()
        kind = ConnectionError if offline else RuntimeError
        raise kind(
            f"Could not download the Kaggle dataset {KAGGLE_DATASET!r} with kagglehub "
            f"({type(exc).__name__}: {exc}). "
            + ("You seem to be offline. " if offline else "")
            + _HOW_TO_GET_DATA
        ) from exc
    if got.is_dir():
        file, why, _ = _choose_file(got, freq)
        if file is None:
            raise RuntimeError(
                f"kagglehub downloaded {got}, but it holds no recognised CSV. {_HOW_TO_GET_DATA}"
            )
    else:
        file = got
    df = load_bitcoin(file, freq=freq)

    if dest is None:
        dirs = [d for d in _course_data_dirs() if d.is_dir()]
        dest = dirs[0] if dirs else Path.cwd() / "data"
    dest = Path(dest)
    if dest.suffix.lower() != ".csv":
        dest = dest / f"btcusd_kaggle_{freq or 'native'}.csv"
    dest.parent.mkdir(parents=True, exist_ok=True)
    table = pd.DataFrame(
        {
            "Timestamp": df.index.asi8 // 1_000_000_000,
            "Open": df["open"].to_numpy(),
            "High": df["high"].to_numpy(),
            "Low": df["low"].to_numpy(),
            "Close": df["close"].to_numpy(),
            "Volume": df["volume"].to_numpy(),
        }
    )
    table.to_csv(dest, index=False)
    df.attrs["source"] = (
        f"downloaded with kagglehub: {KAGGLE_DATASET} -> {file.name}; cached as {dest}"
    )
    df.attrs["report"] = [*df.attrs["report"], f"cached as {dest} (Kaggle 6-column format)"]
    return df


# --------------------------------------------------------------------------------------------
# helpers of the lesson: outliers, returns, split, scaling, windows
# --------------------------------------------------------------------------------------------
def find_price_outliers(
    df: pd.DataFrame, window: int = 15, threshold: float = 3.0, column: str = "close"
) -> pd.DataFrame:
    """Rows whose price is far from the prices around them (rolling-median ratio test).

    With ``m_t`` the median of ``column`` over a centred window of ``window`` rows::

        ratio_t = p_t / m_t        flagged if ratio_t > threshold or ratio_t < 1 / threshold

    A median ignores one wild value, so a single corrupt row stands out (the Bitstamp daily file
    has ``55`` on 2012-01-01 where the price was about 5: ratio about 10). Nothing is changed:
    deciding what to do (drop, replace, keep) is left to the caller.

    Returns
    -------
    DataFrame of the flagged rows with columns ``column``, ``rolling_median`` and ``ratio``
    (empty if none).
    """
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
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
            what = f"set to the previous close {prev:g} (open = high = low = close), volume unknown"
        elif how == "source":
            if source is None:
                raise ValueError("repair_rows: how='source' needs source=<an independent record>")
            if t not in source.index:
                raise KeyError(f"repair_rows: {_fmt_time(t)} is not a row of the source")
            out.loc[t, list(COLUMNS)] = source.loc[t, list(COLUMNS)].to_numpy(dtype="float64")
            what = f"replaced from the independent record (close {out.loc[t, 'close']:g})"
        elif how == "drop":
            out = out.drop(index=t)
            what = "dropped"
        else:
            raise ValueError(f"how must be 'previous_close', 'source' or 'drop', got {how!r}")
        lines.append(f"{_fmt_time(t)}: row judged corrupt (close {old:g}) {what}")
    out.attrs["report"] = [*out.attrs.get("report", []), *lines]
    return out


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
    if isinstance(prices, pd.Series | pd.DataFrame):
        vals = prices.to_numpy(dtype="float64")
    else:
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
        a = np.asarray(x.to_numpy() if hasattr(x, "to_numpy") else x, dtype="float64")
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
    if not isinstance(window, int | np.integer) or window < 1:
        raise ValueError(f"window must be an int >= 1, got {window!r}")
    if not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ValueError(f"horizon must be an int >= 1, got {horizon!r}")
    columns = list(values.columns) if isinstance(values, pd.DataFrame) else None
    a = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values, dtype="float64")
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
