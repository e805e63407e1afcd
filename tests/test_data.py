"""Tests of course_lib.data: formats, bad input, explicit repairs, chunked reading, helpers.

Files are written to pytest's tmp_path. Tests marked by the ``real_data_dir`` fixture use the real
Bitcoin files in the folder named by COURSE_DATA_DIR (skipped without it, failed when
COURSE_REQUIRE_DATA=1). Nothing here touches the network.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course_lib import data as D
from course_lib.data import (
    MinMaxScaler,
    StandardScaler,
    chronological_split,
    download_bitcoin,
    find_price_outliers,
    load_bitcoin,
    log_returns,
    make_windows,
    repair_rows,
    resample_ohlcv,
)

OLD = "Timestamp,Open,High,Low,Close,Volume_(BTC),Volume_(Currency),Weighted_Price"
NEW = "Timestamp,Open,High,Low,Close,Volume"
YAHOO = "Date,Open,High,Low,Close,Adj Close,Volume"
T0 = 1325376000  # 2012-01-01 00:00 UTC


# --------------------------------------------------------------------------------------------
# fixtures and helpers
# --------------------------------------------------------------------------------------------
@pytest.fixture
def real_data_dir() -> Path:
    """The folder of real Bitcoin files (COURSE_DATA_DIR); skip without it, fail if required."""
    env = os.environ.get("COURSE_DATA_DIR")
    names = ("btc-usd-daily.csv", "bitstamp-btcusd-1min-sample.csv", "btcusd-bitstamp-daily.csv")
    if not env:
        reason = "COURSE_DATA_DIR not set: real Bitcoin files absent (see shared/data/README.md)"
    elif not all((Path(env) / n).is_file() for n in names):
        reason = f"COURSE_DATA_DIR={env} lacks the real Bitcoin files {', '.join(names)}"
    else:
        return Path(env)
    if os.environ.get("COURSE_REQUIRE_DATA") == "1":
        pytest.fail(reason + " (COURSE_REQUIRE_DATA=1 turns this skip into a failure)")
    pytest.skip(reason)


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    """No COURSE_DATA_DIR and a fresh empty working directory."""
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    work = tmp_path / "work" / "notebooks"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return work


def write(path: Path, header: str, rows, newline: str = "\n", bom: bool = False) -> Path:
    lines = [header, *(",".join(str(v) for v in r) for r in rows)]
    text = newline.join(lines) + newline
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return path


def minute_rows(n_minutes: int, seed: int = 0, nan_every: int = 0, t0: int = T0 - 300):
    """Rows of a 1-minute file in the old 8-column format (a random walk, for format tests)."""
    rng = np.random.default_rng(seed)
    price = 5.0 * np.exp(np.cumsum(rng.normal(0, 0.002, n_minutes)))
    rows = []
    for k in range(n_minutes):
        ts = t0 + 60 * k
        if nan_every and k % nan_every == 3:
            rows.append([ts, *["NaN"] * 7])
            continue
        o = round(price[k - 1] if k else price[0], 4)
        c = round(price[k], 4)
        h = round(max(o, c) * 1.001, 4)
        lo = round(min(o, c) * 0.999, 4)
        v = round(rng.uniform(0.1, 3), 6)
        rows.append([ts, o, h, lo, c, v, round(v * c, 6), c])
    return rows


def reference_ohlcv(rows, freq: str) -> pd.DataFrame:
    """Independent OHLCV of minute rows, the plain pandas way (whole file in memory).

    Empty periods get the rule data.py documents: the previous close for open/high/low/close and
    volume 0 (pandas leaves first/max/min/last NaN and gives sum 0 for an empty bin).
    """
    df = pd.DataFrame(rows, columns=OLD.split(",")).replace("NaN", np.nan)
    df = df.astype("float64").dropna()
    df.index = pd.to_datetime(df["Timestamp"], unit="s", utc=True)
    r = df.resample(freq).agg(
        {"Open": "first", "High": "max", "Low": "min", "Close": "last", "Volume_(BTC)": "sum"}
    )
    r.columns = list(D.COLUMNS)
    r["close"] = r["close"].ffill()
    for c in ("open", "high", "low"):
        r[c] = r[c].fillna(r["close"])
    r["volume"] = r["volume"].fillna(0.0)
    r.index = r.index.as_unit("ns")  # load_bitcoin gives ns on every pandas version
    return r


def report(df) -> str:
    return "\n".join(df.attrs["report"])


# --------------------------------------------------------------------------------------------
# formats
# --------------------------------------------------------------------------------------------
def check_frame(df):
    assert list(df.columns) == ["open", "high", "low", "close", "volume"]
    assert all(df.dtypes == "float64")
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.name == "time"
    assert str(df.index.tz) == "UTC"
    assert df.index.is_monotonic_increasing and df.index.is_unique
    assert isinstance(df.attrs["source"], str) and df.attrs["source"]
    assert all(isinstance(r, str) for r in df.attrs["report"])


def test_kaggle_old_one_minute_with_nan_minutes(tmp_path):
    rows = minute_rows(3 * 1440, nan_every=5)
    f = write(tmp_path / "old.csv", OLD, rows)
    df = load_bitcoin(f)
    check_frame(df)
    ref = reference_ohlcv(rows, "D")
    pd.testing.assert_frame_equal(df, ref, check_freq=False, check_names=False)
    n_nan = sum(r[1] == "NaN" for r in rows)
    assert f"{n_nan:,} minutes without trades" in report(df)
    assert "Kaggle" in df.attrs["source"] and "old 8-column" in df.attrs["format"]
    assert "resampled from 1-minute rows to freq='D'" in report(df)


def test_kaggle_new_one_minute_float_timestamps(tmp_path):
    rows = [[f"{T0 + 60 * k}.0", 5 + k, 6 + k, 4 + k, 5.5 + k, 1.0] for k in range(3)]
    df = load_bitcoin(write(tmp_path / "new.csv", NEW, rows), freq=None)
    check_frame(df)
    assert df.index[0] == pd.Timestamp("2012-01-01 00:00", tz="UTC")
    assert df.index[-1] == pd.Timestamp("2012-01-01 00:02", tz="UTC")
    assert df["close"].tolist() == [5.5, 6.5, 7.5]
    assert "1-minute rows" in report(df)


def test_kaggle_new_daily_crlf_and_bom(tmp_path):
    rows = [[T0 + 86400 * k, 10 + k, 12 + k, 9 + k, 11 + k, 100 + k] for k in range(4)]
    f = write(tmp_path / "daily.csv", NEW, rows, newline="\r\n", bom=True)
    df = load_bitcoin(f)
    check_frame(df)
    assert len(df) == 4 and df["volume"].tolist() == [100, 101, 102, 103]
    assert "daily rows" in report(df) and "no aggregation needed" in report(df)


@pytest.mark.parametrize("ticker", [False, True])
def test_yahoo_daily_uses_close_not_adj_close(tmp_path, ticker):
    header = YAHOO + (",Ticker" if ticker else "")
    rows = [
        ["2014-09-17", 465.8, 468.1, 452.4, 457.3, 450.0, 21056800],
        ["2014-09-18", 456.8, 456.8, 413.1, 424.4, 424.4, 34483200],
    ]
    if ticker:
        rows = [r + ["BTC-USD"] for r in rows]
    df = load_bitcoin(write(tmp_path / "y.csv", header, rows))
    check_frame(df)
    assert df["close"].tolist() == [457.3, 424.4]
    assert "Close used, Adj Close ignored" in report(df)
    assert "differs from Close in 1 rows" in report(df)
    assert "USD" in report(df)  # Yahoo volume is in quote currency


def test_backtesting_format_by_path(tmp_path):
    rows = [
        ["2012-01-31", 4.58, 7.38, 3.8, 5.55, 2012.25],
        ["2012-02-29", 5.55, 6.5, 3.8, 4.99, 1.0],
    ]
    df = load_bitcoin(write(tmp_path / "m.csv", ",Open,High,Low,Close,Volume", rows), freq="ME")
    check_frame(df)
    assert df.index[0] == pd.Timestamp("2012-01-31", tz="UTC") and len(df) == 2


# --------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------
def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        load_bitcoin(tmp_path / "nope.csv")


@pytest.mark.parametrize("content", [b"", b"\n\n", b"\xef\xbb\xbf\r\n"])
def test_empty_file(tmp_path, content):
    f = tmp_path / "empty.csv"
    f.write_bytes(content)
    with pytest.raises(ValueError, match=r"empty.csv.*empty"):
        load_bitcoin(f)


@pytest.mark.parametrize("header", [OLD, NEW, YAHOO])
def test_header_only(tmp_path, header):
    f = write(tmp_path / "h.csv", header, [])
    with pytest.raises(ValueError, match=r"h.csv.*header but no data rows"):
        load_bitcoin(f)


def test_unknown_header_lists_recognised_ones(tmp_path):
    f = write(tmp_path / "odd.csv", "time,price", [[1, 2]])
    with pytest.raises(ValueError) as err:
        load_bitcoin(f)
    msg = str(err.value)
    assert "odd.csv" in msg and "unknown header" in msg
    for h in (OLD, NEW, YAHOO):
        assert h in msg


def test_header_is_case_sensitive(tmp_path):
    f = write(tmp_path / "lower.csv", NEW.lower(), [[T0, 1, 1, 1, 1, 1]])
    with pytest.raises(ValueError, match="unknown header"):
        load_bitcoin(f)


def test_non_numeric_price_names_column_line_and_value(tmp_path):
    rows = [[T0 + 60 * k, 5, 6, 4, 5, 1] for k in range(5)]
    rows[3][3] = "abc"  # column Low, data row 4 = line 5
    f = write(tmp_path / "bad.csv", NEW, rows)
    for chunksize in (2, None):
        with pytest.raises(ValueError) as err:
            load_bitcoin(f, chunksize=chunksize)
        msg = str(err.value)
        assert "bad.csv" in msg and "'abc'" in msg and "'Low'" in msg and "line 5" in msg


def test_non_numeric_timestamp(tmp_path):
    rows = [[T0, 5, 6, 4, 5, 1], ["yesterday", 5, 6, 4, 5, 1]]
    with pytest.raises(ValueError, match=r"t.csv.*'yesterday'"):
        load_bitcoin(write(tmp_path / "t.csv", NEW, rows))


def test_bad_date_in_yahoo(tmp_path):
    rows = [["2014-09-17", 1, 2, 1, 2, 2, 5], ["17/09/2014x", 1, 2, 1, 2, 2, 5]]
    with pytest.raises(ValueError, match=r"y.csv.*line 3.*17/09/2014x"):
        load_bitcoin(write(tmp_path / "y.csv", YAHOO, rows))


def test_milliseconds_timestamps_rejected(tmp_path):
    rows = [[T0 * 1000, 5, 6, 4, 5, 1], [T0 * 1000 + 60000, 5, 6, 4, 5, 1]]
    with pytest.raises(ValueError, match="milliseconds"):
        load_bitcoin(write(tmp_path / "ms.csv", NEW, rows))


@pytest.mark.parametrize("value", [0, -3.5])
def test_non_positive_price(tmp_path, value):
    rows = [[T0 + 60 * k, 5, 6, 4, 5, 1] for k in range(4)]
    rows[2][4] = value  # Close
    with pytest.raises(ValueError) as err:
        load_bitcoin(write(tmp_path / "p.csv", NEW, rows), chunksize=3)
    msg = str(err.value)
    assert "p.csv" in msg and "non-positive price" in msg and "'Close'" in msg and "line 4" in msg


def test_negative_volume(tmp_path):
    rows = [[T0, 5, 6, 4, 5, -1]]
    with pytest.raises(ValueError, match=r"v.csv.*negative volume"):
        load_bitcoin(write(tmp_path / "v.csv", NEW, rows))


def test_partly_empty_row_is_an_error(tmp_path):
    rows = [[T0, 5, 6, 4, 5, 1], [T0 + 60, 5, "", 4, 5, 1]]
    with pytest.raises(ValueError, match=r"pe.csv.*'High' is empty"):
        load_bitcoin(write(tmp_path / "pe.csv", NEW, rows))


@pytest.mark.parametrize("chunksize", [None, 2, 3])
def test_same_time_different_values_names_the_time(tmp_path, chunksize):
    rows = [[T0, 5, 6, 4, 5, 1], [T0 + 60, 5, 6, 4, 5, 1], [T0 + 60, 5, 6, 4, 5.5, 1]]
    with pytest.raises(ValueError) as err:
        load_bitcoin(write(tmp_path / "c.csv", NEW, rows), chunksize=chunksize)
    msg = str(err.value)
    assert "c.csv" in msg and "2012-01-01 00:01:00" in msg and "DIFFERENT" in msg


def test_bad_arguments(tmp_path):
    f = write(tmp_path / "ok.csv", NEW, [[T0, 5, 6, 4, 5, 1]])
    with pytest.raises(ValueError, match="chunksize"):
        load_bitcoin(f, chunksize=0)
    with pytest.raises(ValueError, match="unknown frequency"):
        load_bitcoin(f, freq="fortnightly")
    with pytest.raises(ValueError, match="repeats"):
        load_bitcoin(f, repeats="maybe")


# --------------------------------------------------------------------------------------------
# explicit repairs, reported
# --------------------------------------------------------------------------------------------
def explicit_minutes(n: int) -> pd.DataFrame:
    """The first n of the rows [T0 + 60 k, 5 + k, 6 + k, 4 + k, 5 + k, 1], written out."""
    times = ["00:00", "00:01", "00:02", "00:03", "00:04", "00:05"][:n]
    idx = pd.DatetimeIndex([f"2012-01-01 {t}" for t in times], tz="UTC", name="time")
    close = [5.0, 6.0, 7.0, 8.0, 9.0, 10.0][:n]
    return pd.DataFrame(
        {"open": close, "high": [6.0, 7.0, 8.0, 9.0, 10.0, 11.0][:n],
         "low": [4.0, 5.0, 6.0, 7.0, 8.0, 9.0][:n], "close": close, "volume": [1.0] * n},
        index=idx.as_unit("ns"),
    )  # fmt: skip


@pytest.mark.parametrize("chunksize", [None, 2, 4])
def test_exact_duplicates_dropped_and_reported(tmp_path, chunksize):
    rows = [[T0 + 60 * k, 5 + k, 6 + k, 4 + k, 5 + k, 1] for k in range(5)]
    dup = [*rows[:2], rows[1], *rows[2:4], rows[3], rows[4]]  # 2 duplicates, one at a boundary
    df = load_bitcoin(write(tmp_path / "d.csv", NEW, dup), freq=None, chunksize=chunksize)
    pd.testing.assert_frame_equal(df, explicit_minutes(5), check_freq=False)
    assert "2 exact duplicate rows removed" in report(df)
    clean = load_bitcoin(write(tmp_path / "c.csv", NEW, rows), freq=None)
    assert "duplicate" not in report(clean)


@pytest.mark.parametrize("chunksize", [None, 2, 3])
def test_unsorted_rows_sorted_and_reported(tmp_path, chunksize):
    rows = [[T0 + 60 * k, 5 + k, 6 + k, 4 + k, 5 + k, 1] for k in range(6)]
    shuffled = [rows[i] for i in (0, 1, 4, 2, 3, 5)]
    df = load_bitcoin(write(tmp_path / "u.csv", NEW, shuffled), freq=None, chunksize=chunksize)
    pd.testing.assert_frame_equal(df, explicit_minutes(6), check_freq=False)
    assert "not in time order" in report(df) and "sorted by time" in report(df)


def test_unsorted_with_duplicates(tmp_path):
    rows = [[T0 + 60 * k, 5, 6, 4, 5 + k, 1] for k in range(4)]
    messy = [rows[2], rows[0], rows[2], rows[1], rows[3]]
    df = load_bitcoin(write(tmp_path / "m.csv", NEW, messy), freq=None, chunksize=2)
    assert df["close"].tolist() == [5, 6, 7, 8]
    assert "1 exact duplicate rows removed" in report(df) and "sorted" in report(df)


def test_gaps_and_empty_days_reported_and_filled(tmp_path):
    day = 86400
    rows = [
        [T0, 10, 11, 9, 10.5, 2],
        [T0 + day, 10.5, 12, 10, 11, 3],
        [T0 + 4 * day, 11, 11.5, 10.5, 11.2, 1],  # days 2 and 3 missing
    ]
    df = load_bitcoin(write(tmp_path / "g.csv", NEW, rows))
    assert len(df) == 5
    filled = df.loc["2012-01-03":"2012-01-04"]
    assert (filled[["open", "high", "low", "close"]] == 11.0).all().all()
    assert (filled["volume"] == 0).all()
    text = report(df)
    assert "1 gaps in the timestamps (2 missing daily rows)" in text
    assert "2 empty periods (no trades) filled with the previous close" in text


def test_forward_filled_minutes_of_the_old_release(tmp_path):
    # the 2017 Kaggle release repeats the previous row's 7 values in minutes without trades
    a = [T0, 5.0, 5.5, 4.9, 5.2, 2.0, 10.4, 5.2]
    rows = [a, [T0 + 60, *a[1:]], [T0 + 120, *a[1:]], [T0 + 180, 5.2, 5.3, 5.2, 5.3, 1.0, 5.3, 5.3]]
    f = write(tmp_path / "ff.csv", OLD, rows)
    df = load_bitcoin(f)
    assert df["volume"].tolist() == [3.0]  # 2 + 1, the copies are not counted again
    assert "2 minutes repeat the previous row's 7 values exactly" in report(df)
    kept = load_bitcoin(f, repeats="keep")
    assert kept["volume"].tolist() == [7.0]
    assert "2 rows repeat the previous row's values exactly: left as they are" in report(kept)


def test_yahoo_null_rows_are_rows_without_data(tmp_path):
    rows = [
        ["2014-09-17", 1, 2, 1, 2, 2, 5],
        ["2014-09-18", "null", "null", "null", "null", "null", "null"],
        ["2014-09-19", 2, 3, 2, 3, 3, 5],
    ]
    df = load_bitcoin(write(tmp_path / "y.csv", YAHOO, rows))
    assert df["close"].tolist() == [2, 2, 3] and df["volume"].tolist() == [5, 0, 5]
    assert "1 rows without trades" in report(df) and "1 empty periods" in report(df)


def test_all_rows_empty(tmp_path):
    rows = [[T0, *["NaN"] * 7], [T0 + 60, *["NaN"] * 7]]
    with pytest.raises(ValueError, match="no row has any price"):
        load_bitcoin(write(tmp_path / "n.csv", OLD, rows))


# --------------------------------------------------------------------------------------------
# chunked reading == reading in one piece
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("freq", ["D", "h", "6h", "W", None])
def test_chunked_equals_unchunked(tmp_path, freq):
    # 3.3 days of minutes with NaN minutes and a 40-minute hole: days and hours straddle chunks
    rows = minute_rows(4800, seed=3, nan_every=7)
    rows = rows[:2000] + rows[2040:]
    f = write(tmp_path / "m.csv", OLD, rows)
    whole = load_bitcoin(f, freq=freq, chunksize=None)
    assert len(whole) > 1
    for chunksize in (333, 997, 1440, 10**6):
        part = load_bitcoin(f, freq=freq, chunksize=chunksize)
        pd.testing.assert_frame_equal(part, whole)
        assert part.attrs["report"] == whole.attrs["report"]
    if freq is not None:
        pd.testing.assert_frame_equal(whole, reference_ohlcv(rows, freq), check_freq=False,
                                      check_names=False)  # fmt: skip
    if freq == "D":
        assert "1 gaps in the timestamps (40 missing 1-minute rows)" in report(whole)


@pytest.mark.parametrize("chunksize", [1, 2, 7])
def test_tiny_chunks_equal_unchunked(tmp_path, chunksize):
    rows = minute_rows(150, seed=4, nan_every=6)
    f = write(tmp_path / "m.csv", OLD, rows)
    for freq in ("15min", "h"):
        whole = load_bitcoin(f, freq=freq, chunksize=None)
        pd.testing.assert_frame_equal(load_bitcoin(f, freq=freq, chunksize=chunksize), whole)


def test_resample_of_native_and_loader_resample_match_pandas(tmp_path):
    rows = minute_rows(3000, seed=5, nan_every=11)
    rows = rows[:1000] + rows[1150:]  # 16:35-19:04 missing: 17:00 and 18:00 have no trades
    f = write(tmp_path / "m.csv", OLD, rows)
    ref = reference_ohlcv(rows, "h")
    empty = pd.DatetimeIndex(["2012-01-01 17:00", "2012-01-01 18:00"], tz="UTC")
    assert (ref.loc[empty, "volume"] == 0).all()  # the fill rule is exercised
    assert (ref.loc[empty, ["open", "high", "low"]].to_numpy() == ref.loc[empty[0], "close"]).all()
    native = load_bitcoin(f, freq=None)
    pd.testing.assert_frame_equal(resample_ohlcv(native, "h"), ref, check_freq=False,
                                  check_names=False)  # fmt: skip
    pd.testing.assert_frame_equal(load_bitcoin(f, freq="h", chunksize=123), ref,
                                  check_freq=False, check_names=False)  # fmt: skip


# --------------------------------------------------------------------------------------------
# resample_ohlcv
# --------------------------------------------------------------------------------------------
def small_minutes():
    t = pd.to_datetime(["2024-01-01 10:00", "2024-01-01 15:00", "2024-01-03 09:00"], utc=True)
    return pd.DataFrame(
        {"open": [1.0, 2, 4], "high": [3.0, 2, 5], "low": [1.0, 1, 4], "close": [2.0, 1.5, 4.5],
         "volume": [1.0, 1, 2]},
        index=t,
    )  # fmt: skip


def test_resample_ohlcv_rules_and_fill():
    r = resample_ohlcv(small_minutes(), "D")
    assert r.to_numpy().tolist() == [
        [1.0, 3.0, 1.0, 1.5, 2.0],
        [1.5, 1.5, 1.5, 1.5, 0.0],  # no trades on 2024-01-02: previous close, volume 0
        [4.0, 5.0, 4.0, 4.5, 2.0],
    ]
    assert r.index[1] == pd.Timestamp("2024-01-02", tz="UTC") and r.index.name == "time"
    assert any("1 empty periods" in line for line in r.attrs["report"])
    d = resample_ohlcv(small_minutes(), "D", empty="drop")
    assert len(d) == 2 and any("dropped" in line for line in d.attrs["report"])


def test_resample_ohlcv_naive_index_is_utc_and_labels():
    m = small_minutes()
    m.index = m.index.tz_localize(None)
    r = resample_ohlcv(m, "W")
    assert str(r.index.tz) == "UTC" and r.index[0] == pd.Timestamp("2024-01-07", tz="UTC")
    assert r.iloc[0].tolist() == [1.0, 5.0, 1.0, 4.5, 4.0]
    assert resample_ohlcv(m, "ME").index[0] == pd.Timestamp("2024-01-31", tz="UTC")


def test_resample_ohlcv_errors():
    m = small_minutes()
    with pytest.raises(ValueError, match="sorted and unique"):
        resample_ohlcv(m.iloc[::-1], "D")
    with pytest.raises(ValueError, match="upsampling"):
        resample_ohlcv(resample_ohlcv(m, "D"), "h")
    with pytest.raises(ValueError, match="missing columns"):
        resample_ohlcv(m.drop(columns="volume"), "D")
    with pytest.raises(ValueError, match="empty must be"):
        resample_ohlcv(m, "D", empty="zero")
    bad = m.copy()
    bad.iloc[1, 0] = np.nan
    with pytest.raises(ValueError, match="some NaN"):
        resample_ohlcv(bad, "D")


# --------------------------------------------------------------------------------------------
# where the data come from
# --------------------------------------------------------------------------------------------
def three_files(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    day = 86400
    # 1-minute, short and old
    write(folder / "a_minutes.csv", OLD, minute_rows(100))
    # daily, long span, ends earlier
    write(folder / "b_long.csv", NEW, [[T0 + day * k, 5, 6, 4, 5, 1] for k in range(400)])
    # daily, shorter span, ends latest
    write(
        folder / "c_recent.csv",
        YAHOO,
        [[str(pd.Timestamp(T0 + day * (100 + k), unit="s").date()), 5, 6, 4, 5, 5, 1]
         for k in range(350)],
    )  # fmt: skip
    (folder / "README.md").write_text("# not data\n")
    write(folder / "z_other.csv", "a,b", [[1, 2]])
    return folder


def test_folder_choice_rule(tmp_path):
    folder = three_files(tmp_path / "data")
    df = load_bitcoin(folder)
    assert "c_recent.csv" in df.attrs["source"] and "most recent" in df.attrs["source"]
    text = report(df)
    assert "CHOSEN: c_recent.csv" in text and "candidate: b_long.csv" in text
    assert "ignored z_other.csv" in text and "README" not in text
    # hourly bars need a file fine enough: the 1-minute one
    assert "a_minutes.csv" in load_bitcoin(folder, freq="h").attrs["source"]
    # same end day -> the longer span wins
    (folder / "c_recent.csv").unlink()
    assert "b_long.csv" in load_bitcoin(folder).attrs["source"]


def test_folder_without_recognised_csv(tmp_path):
    (tmp_path / "README.md").write_text("x")
    with pytest.raises(FileNotFoundError, match="no recognised CSV"):
        load_bitcoin(tmp_path)


def test_source_order(no_env, monkeypatch, tmp_path):
    work = no_env
    parent_data = work.parent / "data"
    write(parent_data / "p.csv", NEW, [[T0, 5, 6, 4, 5, 1]])
    df = load_bitcoin()
    assert df.attrs["source"].startswith("course data folder") and "p.csv" in df.attrs["source"]
    write(work / "data" / "here.csv", NEW, [[T0, 5, 6, 4, 5, 1]])
    assert "here.csv" in load_bitcoin().attrs["source"]  # ./data before ../data
    envdir = tmp_path / "env"
    write(envdir / "e.csv", NEW, [[T0, 5, 6, 4, 5, 1]])
    monkeypatch.setenv("COURSE_DATA_DIR", str(envdir))
    src = load_bitcoin().attrs["source"]
    assert src.startswith(f"COURSE_DATA_DIR={envdir}") and "e.csv" in src
    given = write(tmp_path / "g.csv", NEW, [[T0, 5, 6, 4, 5, 1]])
    assert load_bitcoin(given).attrs["source"].startswith(f"path={given}")


def test_env_folder_missing_or_useless(no_env, monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError, match="COURSE_DATA_DIR"):
        load_bitcoin()
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("COURSE_DATA_DIR", str(empty))
    with pytest.raises(FileNotFoundError, match="no recognised CSV"):
        load_bitcoin()


def test_course_data_folder_with_only_unknown_csv_is_an_error(no_env):
    write(no_env / "data" / "mine.csv", "when,price", [[1, 2]])
    with pytest.raises(ValueError, match=r"mine.csv.*unknown header"):
        load_bitcoin()


# the shipped file's fingerprint, from shared/data/README.md (git blob of the source commit)
SHIPPED_SHA256 = "f81df3075936db8c6262322d87b52da9174e4cf13740c9d540f0a5d816668238"
SHIPPED_GIT_BLOB = "1936a8d66a05666f6d701aef7c6eec0ffb5b8403"


def test_shipped_file_is_the_bitstamp_daily_file_byte_for_byte():
    import hashlib

    raw = D.SHIPPED_DAILY.read_bytes()
    assert D.SHIPPED_DAILY.parent.name == "datasets" and D.SHIPPED_DAILY.parent.parent.name == (
        "course_lib"
    )
    assert hashlib.sha256(raw).hexdigest() == SHIPPED_SHA256
    blob = hashlib.sha1(b"blob %d\0" % len(raw) + raw).hexdigest()  # what git hash-object says
    assert blob == SHIPPED_GIT_BLOB
    assert raw.startswith(b"Timestamp,Open,High,Low,Close,Volume\r\n")  # CRLF, as in the source


def test_shipped_file_is_package_data_of_a_built_wheel(tmp_path):
    # build a wheel from a copy of the project (pyproject + course_lib), look for the CSV in it
    import shutil
    import zipfile

    root = Path(__file__).resolve().parents[1]
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, src / name)
    shutil.copytree(root / "course_lib", src / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
         "-w", str(tmp_path / "dist"), "-q"],
        cwd=src, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("course_lib-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("course_lib/datasets/btcusd-bitstamp-daily.csv") == (
            D.SHIPPED_DAILY.read_bytes()
        )


def test_default_is_the_shipped_daily_file(no_env):
    (no_env / "data").mkdir()
    (no_env / "data" / "README.md").write_text("only the readme")
    df = load_bitcoin()
    check_frame(df)
    src = df.attrs["source"]
    assert src.startswith("shipped with the course: course_lib/datasets/btcusd-bitstamp-daily.csv")
    assert "no CSV in ./data" in src and "/" + str(no_env).strip("/") not in src
    assert "6-column" in df.attrs["format"]
    assert len(df) == 5074  # 2011-08-18 -> 2025-07-08, every day
    assert df.index[0] == pd.Timestamp("2011-08-18", tz="UTC")
    assert df.index[-1] == pd.Timestamp("2025-07-08", tz="UTC")
    text = report(df)
    assert "course data folder" in text and "no CSV file" in text
    assert "1 rows flagged and LEFT UNCHANGED: 2012-01-01" in text  # the known corrupt row


def test_own_csv_in_data_comes_before_the_shipped_file(no_env):
    write(no_env / "data" / "mine.csv", NEW, [[T0, 5, 6, 4, 5, 1], [T0 + 86400, 5, 6, 4, 6, 1]])
    df = load_bitcoin()
    assert df.attrs["source"].startswith("course data folder") and "mine.csv" in df.attrs["source"]
    assert len(df) == 2


def test_shipped_file_by_name_ignores_the_environment(no_env, monkeypatch, tmp_path):
    # lesson 07 loads load_bitcoin(SHIPPED_DAILY): neither COURSE_DATA_DIR nor data/ change it
    envdir = tmp_path / "env"
    write(envdir / "e.csv", NEW, [[T0, 5, 6, 4, 5, 1]])
    monkeypatch.setenv("COURSE_DATA_DIR", str(envdir))
    write(no_env / "data" / "mine.csv", NEW, [[T0, 5, 6, 4, 5, 1]])
    df = load_bitcoin(D.SHIPPED_DAILY)
    assert df.attrs["source"].startswith("shipped with the course")
    assert "file given by the caller" in df.attrs["source"] and len(df) == 5074


def test_last_resort_is_backtesting_monthly(no_env, monkeypatch, tmp_path):
    # only when the shipped file is missing (a broken install)
    monkeypatch.setattr(D.sources, "SHIPPED_DAILY", tmp_path / "absent.csv")
    if D.sources._backtesting_btcusd() is None:
        pytest.skip("the backtesting package (last-resort monthly series) is not installed")
    df = load_bitcoin()
    check_frame(df)
    src = df.attrs["source"]
    assert src.startswith("last resort") and "backtesting" in src and "missing" in src
    assert "monthly" in df.attrs["format"] and len(df) == 156  # monthly, not invented days
    assert "NOT upsampled" in report(df)
    assert "download_bitcoin()" in report(df)


def test_no_data_anywhere_says_what_to_do(no_env, monkeypatch, tmp_path):
    monkeypatch.setattr(D.sources, "SHIPPED_DAILY", tmp_path / "absent.csv")
    monkeypatch.setattr(D.sources, "_backtesting_btcusd", lambda: None)
    with pytest.raises(FileNotFoundError) as err:
        load_bitcoin()
    msg = str(err.value)
    assert "COURSE_DATA_DIR" in msg and "download_bitcoin()" in msg and "kaggle.com" in msg
    assert "absent.csv in course_lib/datasets/" in msg and "reinstall" in msg


def test_fresh_process_without_env_reads_the_shipped_file(tmp_path):
    code = (
        "import json, sys\n"
        "from course_lib.data import load_bitcoin\n"
        "df = load_bitcoin()\n"
        "print(json.dumps({'imported': 'backtesting' in sys.modules, 'n': len(df),"
        " 'source': df.attrs['source']}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "COURSE_DATA_DIR"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["imported"] is False
    assert got["n"] == 5074 and got["source"].startswith("shipped with the course")


def test_repair_rows_previous_close_source_and_drop():
    idx = pd.date_range("2012-01-01", periods=5, freq="D", tz="UTC", name="time")
    df = pd.DataFrame(
        {"open": [4.0, 4.2, 55, 5.0, 5.1], "high": [4.3, 4.6, 55, 5.0, 5.3],
         "low": [3.9, 4.1, 55, 4.9, 5.0], "close": [4.2, 4.5, 55, 5.0, 5.2],
         "volume": [10.0, 12.0, 55, 9.0, 8.0]},
        index=idx,
    )  # fmt: skip
    df.attrs = {"source": "test", "report": ["loaded"]}
    bad = find_price_outliers(df, window=5).index
    assert bad.tolist() == [idx[2]]
    fixed = repair_rows(df, bad)
    assert fixed.loc[idx[2], ["open", "high", "low", "close"]].tolist() == [4.5] * 4
    assert np.isnan(fixed.loc[idx[2], "volume"])
    assert df.loc[idx[2], "close"] == 55  # the input is not changed
    assert df.attrs["report"] == ["loaded"]
    assert fixed.attrs["report"][-1] == (
        "2012-01-03: row judged corrupt (close 55) set to the previous close 4.5 "
        "(open = high = low = close), volume unknown"
    )
    # the returns around the day: no move, then the whole move ln(5.0 / 4.5) the next day
    r = log_returns(fixed["close"])
    assert r.loc[idx[2]] == 0 and r.loc[idx[3]] == pytest.approx(np.log(5.0 / 4.5))
    other = df.copy()
    other.loc[idx[2]] = [4.5, 4.9, 4.4, 4.8, 11.0]
    from_src = repair_rows(df, "2012-01-03", how="source", source=other)
    assert from_src.loc[idx[2]].tolist() == [4.5, 4.9, 4.4, 4.8, 11.0]
    assert "replaced from the independent record (close 4.8)" in from_src.attrs["report"][-1]
    dropped = repair_rows(df, bad, how="drop")
    assert len(dropped) == 4 and idx[2] not in dropped.index
    with pytest.raises(KeyError, match="2012-02-01"):
        repair_rows(df, "2012-02-01")
    with pytest.raises(ValueError, match="first row"):
        repair_rows(df, idx[0])
    with pytest.raises(ValueError, match="how must be"):
        repair_rows(df, bad, how="guess")
    with pytest.raises(ValueError, match="needs source"):
        repair_rows(df, bad, how="source")


def test_attrs_are_plain_and_survive_pickling(tmp_path):
    df = load_bitcoin(write(tmp_path / "x.csv", NEW, [[T0, 5, 6, 4, 5, 1]]))
    for k, v in df.attrs.items():
        assert isinstance(k, str)
        assert isinstance(v, str) or (isinstance(v, list) and all(isinstance(s, str) for s in v))
    back = pickle.loads(pickle.dumps(df))
    assert back.attrs == df.attrs
    pd.testing.assert_frame_equal(back, df)


# --------------------------------------------------------------------------------------------
# explicit download, kagglehub faked (never the network)
# --------------------------------------------------------------------------------------------
def fake_kagglehub(monkeypatch, fn):
    mod = types.ModuleType("kagglehub")
    mod.dataset_download = fn
    monkeypatch.setitem(sys.modules, "kagglehub", mod)


def test_download_bitcoin_resamples_and_caches(monkeypatch, tmp_path):
    got = tmp_path / "kaggle_cache"
    got.mkdir()
    rows = [[f"{T0 - 120 + 60 * k}.0", 5 + k, 6 + k, 4 + k, 5.5 + k, 1.5] for k in range(6)]
    write(got / "btcusd_1-min_data.csv", NEW, rows)
    calls = []

    def dataset_download(handle, *args, **kw):
        calls.append(handle)
        return str(got)

    fake_kagglehub(monkeypatch, dataset_download)
    dest = tmp_path / "data"
    df = download_bitcoin(dest=dest, freq="D")
    assert calls == ["mczielinski/bitcoin-historical-data"]
    cache = dest / "btcusd_kaggle_D.csv"
    assert cache.is_file()
    assert "kagglehub" in df.attrs["source"] and str(cache) in df.attrs["source"]
    assert df["open"].tolist() == [5, 7] and df["close"].tolist() == [6.5, 10.5]
    assert df["volume"].tolist() == [3.0, 6.0]
    again = load_bitcoin(cache)  # the cache is in a recognised format
    pd.testing.assert_frame_equal(again, df, check_freq=False)


def test_download_bitcoin_default_dest_is_course_data(monkeypatch, no_env, tmp_path):
    got = tmp_path / "dl.csv"
    write(got, NEW, [[T0 + 86400 * k, 5, 6, 4, 5, 1] for k in range(3)])
    fake_kagglehub(monkeypatch, lambda handle, *a, **k: str(got))
    (no_env.parent / "data").mkdir()
    download_bitcoin()
    assert (no_env.parent / "data" / "btcusd_kaggle_D.csv").is_file()


@pytest.mark.parametrize(
    ("exc", "kind"),
    [(ConnectionError("no route to host"), ConnectionError), (ValueError("401"), RuntimeError)],
)
def test_download_bitcoin_failure_says_what_to_do(monkeypatch, tmp_path, exc, kind):
    def fail(handle, *a, **k):
        raise exc

    fake_kagglehub(monkeypatch, fail)
    with pytest.raises(kind) as err:
        download_bitcoin(dest=tmp_path)
    msg = str(err.value)
    assert "kaggle.com/datasets/mczielinski/bitcoin-historical-data" in msg
    assert "data/" in msg and "COURSE_DATA_DIR" in msg
    assert not list(tmp_path.iterdir())


def test_download_bitcoin_without_kagglehub(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "kagglehub", None)  # import kagglehub -> ImportError
    with pytest.raises(RuntimeError, match="kagglehub"):
        download_bitcoin(dest=tmp_path)


# --------------------------------------------------------------------------------------------
# outliers, returns, split, scaling, windows
# --------------------------------------------------------------------------------------------
def test_find_price_outliers_flags_a_lone_spike():
    idx = pd.date_range("2012-01-01", periods=30, freq="D", tz="UTC")
    close = pd.Series(5.0 + 0.01 * np.arange(30), index=idx)
    close.iloc[10] = 55.0
    close.iloc[20] = 1.0
    df = pd.DataFrame({c: close for c in D.COLUMNS})
    out = find_price_outliers(df)
    assert out.index.tolist() == [idx[10], idx[20]]
    assert out["ratio"].iloc[0] == pytest.approx(55.0 / np.median(close.iloc[3:18]))
    assert find_price_outliers(df.drop(out.index)).empty
    with pytest.raises(ValueError, match="threshold"):
        find_price_outliers(df, threshold=0.5)


def test_log_returns():
    p = pd.Series([100.0, 110.0, 99.0, 99.0], index=list("abcd"), name="close")
    r = log_returns(p)
    assert r.index.tolist() == ["b", "c", "d"] and r.name == "close"
    np.testing.assert_allclose(r, [np.log(1.1), np.log(0.9), 0.0])
    assert r.sum() == pytest.approx(np.log(99 / 100))  # returns add up
    np.testing.assert_allclose(log_returns(np.array([1.0, np.e])), [1.0])
    with pytest.raises(ValueError, match="> 0"):
        log_returns([1.0, 0.0])
    with pytest.raises(ValueError, match="at least 2"):
        log_returns([1.0])


def test_chronological_split():
    df = pd.DataFrame({"x": np.arange(100.0)}, index=pd.date_range("2020", periods=100))
    tr, va, te = chronological_split(df)
    assert (len(tr), len(va), len(te)) == (70, 15, 15)
    assert tr.index.max() < va.index.min() and va.index.max() < te.index.min()
    pd.testing.assert_frame_equal(pd.concat([tr, va, te]), df)
    a, b, c = chronological_split(np.arange(10), train=0.6, val=0.2)
    assert a.tolist() == [0, 1, 2, 3, 4, 5] and b.tolist() == [6, 7] and c.tolist() == [8, 9]
    _, v0, t0 = chronological_split(np.arange(10), train=0.8, val=0)
    assert len(v0) == 0 and len(t0) == 2
    for train, val in [(0, 0.1), (1.0, 0), (0.7, 0.3), (0.5, -0.1), (0.9, 0.2), (float("nan"), 0)]:
        with pytest.raises(ValueError):
            chronological_split(df, train=train, val=val)
    with pytest.raises(ValueError, match="too few"):
        chronological_split(np.arange(3))


def test_minmax_scaler_fits_on_train_only():
    train = np.array([[1.0, 10.0], [3.0, 30.0]])
    test = np.array([[2.0, 50.0]])
    s = MinMaxScaler().fit(train)
    np.testing.assert_allclose(s.transform(train), [[0, 0], [1, 1]])
    np.testing.assert_allclose(s.transform(test), [[0.5, 2.0]])  # beyond the train range
    np.testing.assert_allclose(s.inverse_transform(s.transform(test)), test)
    np.testing.assert_allclose(s.inverse_transform(np.array([0.5]), feature=1), [20.0])
    s2 = MinMaxScaler(feature_range=(-1, 1)).fit(train[:, 0])
    np.testing.assert_allclose(s2.transform(np.array([1.0, 2.0, 3.0])), [-1, 0, 1])
    with pytest.raises(ValueError, match="features"):
        s.transform(np.ones((2, 3)))


def test_standard_scaler_and_pandas_types():
    df = pd.DataFrame({"close": [1.0, 2.0, 3.0], "volume": [5.0, 5.0, 5.0]})
    s = StandardScaler()
    z = s.fit_transform(df)
    assert isinstance(z, pd.DataFrame) and list(z.columns) == ["close", "volume"]
    np.testing.assert_allclose(z["close"], [-np.sqrt(1.5), 0, np.sqrt(1.5)])
    np.testing.assert_allclose(z["volume"], 0.0)  # constant feature -> 0, no division by 0
    pd.testing.assert_frame_equal(s.inverse_transform(z), df)
    np.testing.assert_allclose(s.inverse_transform(np.array([1.0]), feature="close"), [2 + 0.8165],
                               atol=1e-4)  # fmt: skip
    with pytest.raises(KeyError):
        s.transform(np.array([1.0]), feature="open")


@pytest.mark.parametrize("cls", [MinMaxScaler, StandardScaler])
def test_scalers_refuse_use_before_fit(cls):
    with pytest.raises(RuntimeError, match="not fitted"):
        cls().transform(np.ones(3))
    with pytest.raises(RuntimeError, match="not fitted"):
        cls().inverse_transform(np.ones(3))
    with pytest.raises(ValueError, match="NaN"):
        cls().fit(np.array([1.0, np.nan]))


def test_make_windows_1d_rows_are_consecutive_values_with_the_next_as_target():
    X, y = make_windows([1, 2, 3, 4, 5, 6], window=3)
    assert X.shape == (3, 3, 1) and y.shape == (3,)
    assert X[:, :, 0].tolist() == [[1, 2, 3], [2, 3, 4], [3, 4, 5]] and y.tolist() == [4, 5, 6]
    X, y = make_windows(np.arange(10.0), window=4, horizon=3)
    assert X.shape == (4, 4, 1) and y.tolist() == [6, 7, 8, 9]
    assert all(y[i] == X[i, -1, 0] + 3 for i in range(len(y)))


def test_make_windows_2d():
    v = np.column_stack([np.arange(6.0), 10 * np.arange(6.0)])
    X, y = make_windows(v, window=2)
    assert X.shape == (4, 2, 2) and y.shape == (4, 2)
    assert X[1].tolist() == [[1, 10], [2, 20]] and y[1].tolist() == [3, 30]
    X[0, 0, 0] = 99  # a copy, not a view of the input
    assert v[0, 0] == 0
    df = pd.DataFrame(v, columns=["close", "volume"])
    _, yc = make_windows(df, window=2, target="close")
    assert yc.tolist() == [2, 3, 4, 5]
    _, y1 = make_windows(v, window=2, target=1)
    assert y1.tolist() == [20, 30, 40, 50]


def test_make_windows_errors():
    with pytest.raises(ValueError, match="window"):
        make_windows([1, 2, 3], window=0)
    with pytest.raises(ValueError, match="horizon"):
        make_windows([1, 2, 3], window=1, horizon=0)
    with pytest.raises(ValueError, match="too short"):
        make_windows([1, 2, 3], window=3)
    with pytest.raises(ValueError, match="1-D"):
        make_windows(np.ones((3, 2, 2)), window=1)


# --------------------------------------------------------------------------------------------
# the real files (COURSE_DATA_DIR)
# --------------------------------------------------------------------------------------------
def test_real_yahoo_daily(real_data_dir):
    df = load_bitcoin(real_data_dir / "btc-usd-daily.csv")
    check_frame(df)
    assert len(df) == 4210
    assert df.index[0] == pd.Timestamp("2014-09-17", tz="UTC")
    assert df.index[-1] == pd.Timestamp("2026-03-27", tz="UTC")
    drop = df["close"].loc["2020-03-12"] / df["close"].loc["2020-03-11"] - 1
    assert drop == pytest.approx(-0.372, abs=0.001)  # "Black Thursday"
    assert df["close"].loc["2017-12-16"] == pytest.approx(19497.40, abs=0.01)
    assert df["close"].idxmax() == pd.Timestamp("2025-10-06", tz="UTC")
    assert "no gaps" in report(df) and "Adj Close ignored (it equals Close in every row)" in (
        report(df)
    )
    assert find_price_outliers(df).empty


def test_real_folder_choice(real_data_dir, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_DATA_DIR", str(real_data_dir))
    df = load_bitcoin()
    assert df.attrs["source"].startswith(f"COURSE_DATA_DIR={real_data_dir} -> btc-usd-daily.csv")
    assert len(df) == 4210
    hourly = load_bitcoin(freq="h")
    assert "bitstamp-btcusd-1min-sample.csv" in hourly.attrs["source"]


def test_real_minute_sample_matches_bitstamp_daily(real_data_dir):
    minutes = load_bitcoin(real_data_dir / "bitstamp-btcusd-1min-sample.csv", freq="D")
    daily = load_bitcoin(real_data_dir / "btcusd-bitstamp-daily.csv", freq="D")
    check_frame(minutes)
    assert len(minutes) == 48
    text = report(minutes)
    assert "read 67,824 rows" in text
    assert "67,166 minutes repeat the previous row's 7 values exactly" in text
    assert "first period (2011-12-31) is partial" in text
    assert "last period (2012-02-16) is partial" in text
    both = minutes.join(daily, how="inner", suffixes=("", "_b"))
    assert len(both) == 48
    ohlc = ["open", "high", "low", "close"]
    same = (both[ohlc].to_numpy() == both[[c + "_b" for c in ohlc]].to_numpy()).all(axis=1)
    differ = both.index[~same].strftime("%Y-%m-%d").tolist()
    assert differ == ["2012-01-01", "2012-02-16"]  # the corrupt row and the partial last day
    # volumes: the forward-filled copies are not counted again; a real minute that repeats the
    # previous one exactly is lost too, so the volume is never above Bitstamp's and close to it
    full = both.iloc[:-1].drop(pd.Timestamp("2012-01-01", tz="UTC"))
    assert (full["volume"] <= full["volume_b"] * (1 + 1e-9)).all()
    assert np.isclose(full["volume"], full["volume_b"], rtol=1e-6).sum() == 29
    assert full["volume"].sum() == pytest.approx(full["volume_b"].sum(), rel=0.06)
    kept = load_bitcoin(real_data_dir / "bitstamp-btcusd-1min-sample.csv", repeats="keep")
    assert kept["volume"].sum() > 50 * full["volume_b"].sum()


def test_real_minute_sample_chunked_equals_unchunked(real_data_dir):
    f = real_data_dir / "bitstamp-btcusd-1min-sample.csv"
    for freq in ("D", "h"):
        whole = load_bitcoin(f, freq=freq, chunksize=None)
        part = load_bitcoin(f, freq=freq, chunksize=9_999)  # boundaries fall inside days
        pd.testing.assert_frame_equal(part, whole)


def test_real_bitstamp_daily_outlier_is_flagged_not_altered(real_data_dir):
    df = load_bitcoin(real_data_dir / "btcusd-bitstamp-daily.csv")
    check_frame(df)
    assert len(df) == 5074
    day = pd.Timestamp("2012-01-01", tz="UTC")
    assert df.loc[day, ["open", "high", "low", "close", "volume"]].tolist() == [55.0] * 5
    out = find_price_outliers(df)
    assert out.index.tolist() == [day]
    assert out.loc[day, "ratio"] > 5
    assert "1 rows flagged and LEFT UNCHANGED: 2012-01-01" in report(df)
    assert "33 rows with zero volume" in report(df)


def test_shipped_file_equals_the_shared_copy(real_data_dir):
    assert (
        D.SHIPPED_DAILY.read_bytes() == (real_data_dir / "btcusd-bitstamp-daily.csv").read_bytes()
    )
