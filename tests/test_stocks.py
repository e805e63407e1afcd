"""course_lib.stocks: finding, reading and preparing backtesting's real GOOG prices.

References are computed here independently: the CSV is read line by line with the csv module,
the split sizes, scaling and windows are written out by hand.
"""

from __future__ import annotations

import csv
import importlib.machinery
import subprocess
import sys

import numpy as np
import pytest

from course_lib import stocks
from course_lib.stocks import GOOG_HEADER, goog_path, load_goog, stock_windows


def _raw_rows():
    with open(goog_path(), newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == GOOG_HEADER
    return rows[1:]


@pytest.fixture(scope="module")
def goog():
    return load_goog()


def test_goog_is_found_without_importing_backtesting():
    code = (
        "import sys\n"
        "from course_lib.stocks import goog_path, load_goog\n"
        "p = goog_path(); df = load_goog()\n"
        "print(p.name, p.parent.name, p.parent.parent.name, len(df), 'backtesting' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["GOOG.csv", "test", "backtesting", "2148", "False"]


def test_load_goog_matches_the_raw_file(goog):
    rows = _raw_rows()
    assert len(goog) == len(rows) == 2148
    assert list(goog.columns) == ["open", "high", "low", "close", "volume"]
    for i in (0, 1, 1000, len(rows) - 1):
        date, *values = rows[i]
        assert f"{goog.index[i]:%Y-%m-%d}" == date
        assert goog.iloc[i].tolist() == [float(v) for v in values]
    assert f"{goog.index[0]:%Y-%m-%d}" == "2004-08-19" and goog["open"].iloc[0] == 100.0
    assert f"{goog.index[-1]:%Y-%m-%d}" == "2013-03-01" and goog["open"].iloc[-1] == 797.8
    assert goog.index.is_monotonic_increasing and goog.index.is_unique
    assert "backtesting" in goog.attrs["source"]


def _fake_spec(origin):
    return importlib.machinery.ModuleSpec("backtesting", None, origin=str(origin))


def test_missing_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(stocks.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(FileNotFoundError, match="backtesting package is not installed"):
        goog_path()
    with pytest.raises(FileNotFoundError, match="requirements.txt"):
        load_goog()


def test_package_without_the_file_is_a_clear_error(monkeypatch, tmp_path):
    (tmp_path / "backtesting").mkdir()
    init = tmp_path / "backtesting" / "__init__.py"
    init.write_text("")
    monkeypatch.setattr(stocks.importlib.util, "find_spec", lambda name: _fake_spec(init))
    with pytest.raises(FileNotFoundError, match="does not ship GOOG.csv"):
        goog_path()


GOOD = ",Open,High,Low,Close,Volume\n2004-08-19,100,104.06,95.96,100.34,22351900\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("Date,Open,High,Low,Close,Volume\n2004-08-19,1,2,1,1,5\n", "unexpected header"),
        (",Open,High,Low,Close,Volume\n", "no rows"),
        (GOOD + "2004-13-01,1,2,1,1,5\n", r"line 3: '2004-13-01' is not a date"),
        (GOOD + "2004-08-20,1,x,1,1,5\n", r"line 3: high is 'x', not a finite number"),
        (GOOD + "2004-08-20,1,2,1,1,\n", r"line 3: volume is '', not a finite number"),
        (GOOD + "2004-08-20,0,2,0,1,5\n", r"line 3 \(2004-08-20\): a price that is not positive"),
        (GOOD + "2004-08-20,3,2,1,1,5\n", r"line 3 \(2004-08-20\): open or close outside"),
        (GOOD + "2004-08-19,1,2,1,1,5\n", r"line 3: the date 2004-08-19 repeats"),
        (GOOD + "2004-08-18,1,2,1,1,5\n", r"line 3: the date 2004-08-18 comes before"),
    ],
)
def test_bad_files_name_the_file_line_and_problem(tmp_path, text, message):
    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(ValueError, match=message) as info:
        load_goog(p)
    assert "bad.csv" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv: no such file"):
        load_goog(tmp_path / "nope.csv")


def test_stock_windows_by_hand(goog):
    data = stock_windows(goog, window=60, column="open")
    opens = np.array([float(r[1]) for r in _raw_rows()])
    n_tr, n_va = int(2148 * 0.7), int(2148 * 0.15)  # 1503, 322
    tr, va, te = opens[:n_tr], opens[n_tr : n_tr + n_va], opens[n_tr + n_va :]
    assert (len(tr), len(va), len(te)) == (1503, 322, 323)
    lo, hi = tr.min(), tr.max()
    z = (opens - lo) / (hi - lo)  # MinMax fitted on the training part only

    assert data.X_train.shape == (1503 - 60, 60, 1) and data.X_val.shape == (322, 60, 1)
    assert data.X_test.shape == (323, 60, 1)
    # the first training window and its target
    np.testing.assert_allclose(data.X_train[0, :, 0], z[:60])
    assert data.y_train[0] == pytest.approx(z[60])
    # test row k: the 60 days before test day k, target test day k
    for k in (0, 1, 59, 60, 322):
        t = n_tr + n_va + k
        np.testing.assert_allclose(data.X_test[k, :, 0], z[t - 60 : t])
        assert data.y_test[k] == pytest.approx(z[t])
    t = n_tr + 5
    np.testing.assert_allclose(data.X_val[5, :, 0], z[t - 60 : t])
    np.testing.assert_array_equal(data.val_usd, va)
    np.testing.assert_array_equal(data.test_usd, te)
    np.testing.assert_allclose(data.to_usd(data.y_test[:, None]), te)
    # persistence: the previous trading day's open
    np.testing.assert_array_equal(data.test_persistence_usd, opens[n_tr + n_va - 1 : -1])
    np.testing.assert_array_equal(data.val_persistence_usd, opens[n_tr - 1 : n_tr + n_va - 1])
    assert data.test_dates[0] == goog.index[n_tr + n_va] and data.val_dates[-1] < data.test_dates[0]


def test_stock_windows_errors(goog):
    with pytest.raises(KeyError, match="no column 'adj'"):
        stock_windows(goog, column="adj")
    with pytest.raises(ValueError, match=r"window must be an int in \[1, 321\]"):
        stock_windows(goog, window=322)
    with pytest.raises(ValueError, match="window must be an int"):
        stock_windows(goog, window=2.5)
