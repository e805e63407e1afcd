"""Real Bitcoin prices for lesson 07: find, read, check, repair and resample them.

Where the data comes from (``load_bitcoin`` always says which rule picked it, in
``df.attrs["source"]``):

1. a ``path`` given by the caller (a CSV file, or a folder to choose a file from), else
2. the folder named by the environment variable ``COURSE_DATA_DIR``, else
3. the course's ``data/`` folder, looked for in the current directory and then in its parent
   (notebooks run from ``notebooks/``): the student's own CSV files, else
4. the file shipped with the course, ``SHIPPED_DAILY``: real Bitstamp daily OHLCV
   (``course_lib/datasets/btcusd-bitstamp-daily.csv``, package data, so every install has it;
   data/README.md gives its span, licence and its one corrupt row, which is flagged and left as
   it is), else
5. last resort, only if that file is missing from a broken install: the real monthly BTC-USD
   series that the ``backtesting`` package ships as ``backtesting/test/BTCUSD.csv``
   (found without importing that package).

``download_bitcoin()`` is the explicit, opt-in way to fetch the full Kaggle dataset of the lecture;
nothing in this module ever touches the network on its own.

Recognised CSV formats (by their header line; column names are case-sensitive; a UTF-8 BOM and
CRLF line endings are fine):

========================  ==================================================================
Kaggle 1-minute, old      ``Timestamp,Open,High,Low,Close,Volume_(BTC),Volume_(Currency),``
                          ``Weighted_Price`` (Unix seconds; NaN rows = minutes without trades)
Kaggle, new               ``Timestamp,Open,High,Low,Close,Volume`` (Unix seconds, maybe ``.0``),
                          1-minute or daily (resolution: the most common timestamp step)
Yahoo-style daily         ``Date,Open,High,Low,Close,Adj Close,Volume[,Ticker]`` (Close is used)
backtesting.py monthly    ``,Open,High,Low,Close,Volume`` (dates of month ends)
========================  ==================================================================

Every loaded frame has a sorted, unique UTC ``DatetimeIndex`` named ``time`` and the float columns
``open, high, low, close, volume``. Whatever was done to the rows is listed in words in
``df.attrs["report"]``; nothing is repaired silently.

One module per concept: ``formats`` (headers and parsing), ``sources`` (probing files, choosing
the source), ``reading`` (streaming reads and the report), ``resample`` (OHLCV bars), ``repairs``
(outliers, rows judged corrupt), ``download`` (the Kaggle dataset), ``loader``
(``load_bitcoin``). The generic preprocessing (log returns, chronological split, scalers,
windows) lives in ``course_lib.preprocessing`` and is re-exported here.
"""

from __future__ import annotations

from ..preprocessing import (
    MinMaxScaler,
    StandardScaler,
    chronological_split,
    log_returns,
    make_windows,
)
from .download import download_bitcoin
from .formats import COLUMNS, KAGGLE_DATASET, PRICE_COLUMNS, SHIPPED_DAILY
from .loader import load_bitcoin
from .repairs import find_price_outliers, repair_rows
from .resample import resample_ohlcv

__all__ = [
    "COLUMNS",
    "KAGGLE_DATASET",
    "MinMaxScaler",
    "PRICE_COLUMNS",
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
