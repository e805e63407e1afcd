"""The CSV formats ``load_bitcoin`` recognises by their header, and parsing their times.

Also the small words of the reports (a resolution as "daily", a time as ``2012-01-01``) and
the resolution of a series: the most common step between its distinct times.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import N_, _

PRICE_COLUMNS = ("open", "high", "low", "close")
COLUMNS = (*PRICE_COLUMNS, "volume")
KAGGLE_DATASET = "mczielinski/bitcoin-historical-data"
KAGGLE_URL = "https://www.kaggle.com/datasets/mczielinski/bitcoin-historical-data"
DEFAULT_CHUNKSIZE = 1_000_000
#: The daily file shipped with the course (package data of ``course_lib``): real Bitstamp BTC/USD
#: daily OHLCV; its span, checksum, source, licence and known corrupt row are in data/README.md.
SHIPPED_DAILY = Path(__file__).resolve().parent.parent / "datasets" / "btcusd-bitstamp-daily.csv"
SHIPPED_LABEL = N_(
    "shipped with the course: course_lib/datasets/btcusd-bitstamp-daily.csv (real Bitstamp "
    "daily OHLCV 2011-08-18 -> 2025-07-08, CC0-1.0; see data/README.md)"
)

_DAY = 86_400
_HOW_TO_GET_DATA_TEXT = N_(
    "To use the full data: call course_lib.data.download_bitcoin() (needs internet and kagglehub), "
    "or download the CSV by hand from {url}, put it in the course's data/ folder "
    "(or any folder, and set the environment variable COURSE_DATA_DIR to that folder)."
)
#: How to get the full data, in English (error messages).
_HOW_TO_GET_DATA = _HOW_TO_GET_DATA_TEXT.format(url=KAGGLE_URL)


def _how_to_get_data() -> str:
    """How to get the full data, in the language in use (a line of the report)."""
    return _(_HOW_TO_GET_DATA_TEXT).format(url=KAGGLE_URL)


# --------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Format:
    key: str
    label: str  # words for the report (marked for translation: shown as ``_(label)``)
    header: tuple[str, ...]  # exact header, as in the real files
    names: tuple[str, ...]  # our name for each column (a leading "_" = not used)
    time_kind: str  # "unix" (seconds) or "date" (ISO text)
    volume_unit: str
    optional_last: str | None = None  # a last column that may be present or not
    extra: tuple[str, ...] = ()  # more numeric columns read, for checks only


_FORMATS = (
    _Format(
        key="kaggle_old",
        label=N_("Kaggle bitcoin-historical-data, old 8-column format"),
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
        volume_unit=N_("BTC (column Volume_(BTC))"),
        extra=("_vcur", "_wprice"),
    ),
    _Format(
        key="kaggle_new",
        label=N_("Kaggle bitcoin-historical-data, 6-column format"),
        header=("Timestamp", "Open", "High", "Low", "Close", "Volume"),
        names=("time", "open", "high", "low", "close", "volume"),
        time_kind="unix",
        volume_unit="BTC",
    ),
    _Format(
        key="yahoo",
        label=N_("Yahoo-style daily export"),
        header=("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"),
        names=("time", "open", "high", "low", "close", "_adj", "volume"),
        time_kind="date",
        volume_unit=N_("USD (Yahoo reports volume in quote currency)"),
        optional_last="Ticker",
        extra=("_adj",),
    ),
    _Format(
        key="backtesting",
        label=N_("monthly BTC-USD series shipped with the backtesting package"),
        header=("", "Open", "High", "Low", "Close", "Volume"),
        names=("time", "open", "high", "low", "close", "volume"),
        time_kind="date",
        volume_unit=N_("not documented by backtesting (the values look like BTC)"),
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
    """The resolution in words, in the language in use: "daily", "1-minute", "3-day" …"""
    if seconds is None or not np.isfinite(seconds):
        return _("unknown resolution")
    named = {
        60: N_("1-minute"),
        300: N_("5-minute"),
        900: N_("15-minute"),
        3600: N_("hourly"),
        _DAY: N_("daily"),
    }
    if round(seconds) in named:
        return _(named[round(seconds)])
    if 7 * _DAY * 0.99 <= seconds <= 7 * _DAY * 1.01:
        return _("weekly")
    if 28 * _DAY <= seconds <= 31 * _DAY:
        return _("monthly")
    if seconds % _DAY == 0:
        return _("{n}-day").format(n=int(seconds // _DAY))
    return _("{n}-second").format(n=f"{seconds:g}")


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
    """Resolution in seconds: the most common step between distinct times (smallest on a tie)."""
    steps = np.diff(np.unique(times.asi8)) // 1_000_000_000
    if not len(steps):
        return None
    values, counts = np.unique(steps, return_counts=True)
    return float(values[np.argmax(counts)])
