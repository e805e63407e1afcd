"""The explicit, opt-in download of the lecture's Kaggle dataset (never attempted implicitly)."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .formats import _HOW_TO_GET_DATA, KAGGLE_DATASET
from .loader import load_bitcoin
from .resample import _check_freq_arg
from .sources import _choose_file, _course_data_dirs


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
