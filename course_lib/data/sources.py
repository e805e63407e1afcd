"""Where ``load_bitcoin`` takes its data from: a quick look at each CSV, the choice in a folder
and the order of the sources (caller's path, ``COURSE_DATA_DIR``, ``./data`` and ``../data``,
the shipped daily file, the ``backtesting`` package's monthly series)."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..i18n import _
from .formats import (
    _HOW_TO_GET_DATA,
    SHIPPED_DAILY,
    SHIPPED_LABEL,
    _describe_step,
    _detect_format,
    _fmt_time,
    _Format,
    _freq_seconds,
    _how_to_get_data,
    _names_for,
    _parse_times,
    _recognised_headers,
    _to_utc_ns,
    _typical_step,
)


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
    step: float | None  # most common step between rows, seconds


def _sniff(path: Path, n_head: int = 1000) -> _Sniff:
    """Format, first/last time (first and last data rows) of ``path``, and the most common step
    between its first ``n_head`` rows."""
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
            lines.append(_("ignored {file}: {reason}").format(file=p.name, reason=reason))
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
        mark = _("CHOSEN") if s is chosen else _("candidate")
        label, step = _(s.fmt.label), _describe_step(s.step)
        lines.append(
            f"{mark}: {s.path.name} ({label}, {step}, {_fmt_time(s.first)} -> {_fmt_time(s.last)})"
        )
    if len(found) == 1:
        why = _("the only recognised CSV in the folder")
    else:
        why = _(
            "chosen among {n} recognised CSV files by the rule: resolution fine enough "
            "for freq={freq}, then most recent data, then longest span, then finest "
            "resolution, then file name"
        ).format(n=len(found), freq=repr(freq))
        if not fine:
            why += _(" (no file is fine enough for freq={freq}, so all were considered)").format(
                freq=repr(freq)
            )
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


def _from_folder(folder: Path, freq, *, named: str, source: str) -> tuple[Path, str, list[str]]:
    """The file chosen in a folder the caller configured (``named`` in the error if none)."""
    chosen, why, lines = _choose_file(folder, freq)
    if chosen is None:
        raise FileNotFoundError(
            f"{named}: no recognised CSV file in this folder. Recognised headers:\n"
            f"{_recognised_headers()}"
        )
    return (
        chosen,
        f"{source} -> {chosen.name} ({_fmt_of(chosen)}; {why})",
        lines,
    )


def _resolve_source(path, freq) -> tuple[Path, str, list[str]]:
    """Apply the source order; return the file, the words for attrs['source'], report lines."""
    if path is not None:
        p = Path(path).expanduser()
        if _is_shipped(p):
            return p, _("{shipped}; file given by the caller").format(shipped=_(SHIPPED_LABEL)), []
        if p.is_dir():
            return _from_folder(p, freq, named=str(p), source=f"path={p}")
        if not p.exists():
            raise FileNotFoundError(f"{p}: no such file. {_HOW_TO_GET_DATA}")
        return (
            p,
            _("path={path} ({format}; file given by the caller)").format(path=p, format=_fmt_of(p)),
            [],
        )

    env = os.environ.get("COURSE_DATA_DIR")
    if env:
        d = Path(env).expanduser()
        if not d.is_dir():
            raise FileNotFoundError(f"COURSE_DATA_DIR={env}: no such folder")
        return _from_folder(d, freq, named=f"COURSE_DATA_DIR={env}", source=f"COURSE_DATA_DIR={d}")

    notes = []
    for d in _course_data_dirs():
        if not d.is_dir():
            continue
        chosen, why, lines = _choose_file(d, freq)
        if chosen is not None:
            src = _("course data folder {folder} -> {file} ({format}; {why})").format(
                folder=d, file=chosen.name, format=_fmt_of(chosen), why=why
            )
            return chosen, src, lines
        if lines:  # CSV files there, none recognised: say so loudly, do not fall through
            raise ValueError(
                f"{d}: the course data folder holds CSV files but none is recognised:\n"
                + "\n".join(lines)
                + f"\nRecognised headers:\n{_recognised_headers()}"
            )
        notes.append(_("course data folder {folder} has no CSV file").format(folder=d))

    if SHIPPED_DAILY.is_file():
        src = _("{shipped}; no path given, no COURSE_DATA_DIR, no CSV in ./data or ../data").format(
            shipped=_(SHIPPED_LABEL)
        )
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
    src = _(
        "last resort: real monthly BTC-USD 2012-2024 shipped by the backtesting package, {file} "
        "(no path given, COURSE_DATA_DIR not set, no CSV in ./data or ../data, and the daily file "
        "shipped with the course, {shipped}, is missing from this install)"
    ).format(file=bt, shipped=SHIPPED_DAILY.name)
    return bt, src, [*notes, _how_to_get_data()]


def _fmt_of(path: Path) -> str:
    try:
        return _(_detect_format(path)[0].label)
    except (ValueError, OSError):
        return _("format not recognised")
