"""Time and peak memory of ``load_bitcoin`` on a file as big as the full Kaggle 1-minute file.

The file is SYNTHETIC (a random walk written in the old 8-column Kaggle format, with a share of
NaN rows for minutes without trades). It exists only to measure speed and memory; its numbers
are not Bitcoin prices and are never shown as such. It is written to the system temp folder
and deleted afterwards.

    python benchmarks/bench_data.py                 # ~7.2 million rows, about 2011-12-31 -> 2025
    python benchmarks/bench_data.py --rows 500000   # smaller, quicker

The load runs in a fresh subprocess so that its peak resident memory (``ru_maxrss``) can be
compared with the same process right after ``import course_lib.data``. Figures are printed, not
asserted (they depend on the machine).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = "Timestamp,Open,High,Low,Close,Volume_(BTC),Volume_(Currency),Weighted_Price"
START = 1325289600  # 2011-12-31 00:00 UTC

CHILD = r"""
import json, resource, sys, time, tracemalloc
from pathlib import Path
from course_lib.data import load_bitcoin

def status(key):  # Linux: VmHWM = peak resident memory of this process image, VmRSS = now
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])  # KiB
    except OSError:
        pass
    return None

rss_import = status("VmRSS")
try:  # reset the peak to the current RSS so the peak below belongs to the load (Linux >= 4.0)
    Path("/proc/self/clear_refs").write_text("5")
    reset = True
except OSError:
    reset = False
use_tm = sys.argv[4] == "1"
if use_tm:
    tracemalloc.start()
t0, c0 = time.perf_counter(), time.process_time()
df = load_bitcoin(path=sys.argv[1], freq=sys.argv[2], chunksize=int(sys.argv[3]))
t1, c1 = time.perf_counter(), time.process_time()
tm_peak = tracemalloc.get_traced_memory()[1] if use_tm else None
print(json.dumps({"wall_s": t1 - t0, "cpu_s": c1 - c0, "rss_import_kib": rss_import,
                  "hwm_kib": status("VmHWM"), "hwm_reset": reset, "tm_peak_b": tm_peak,
                  "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "rows_out": len(df), "report": df.attrs["report"]}))
"""


def write_synthetic(path: Path, rows: int, nan_share: float, seed: int = 0) -> float:
    """Write ``rows`` synthetic 1-minute rows in blocks; return the seconds it took."""
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    block = 1_000_000
    log_p = np.log(5.0)
    with open(path, "w", newline="\n") as fh:
        fh.write(HEADER + "\n")
        for start in range(0, rows, block):
            n = min(block, rows - start)
            steps = rng.normal(0.0, 0.0008, n) + 9e-7  # drifts up over the years
            lp = log_p + np.cumsum(steps)
            log_p = lp[-1]
            close = np.exp(lp)
            open_ = np.concatenate([[close[0]], close[:-1]])
            spread = np.abs(rng.normal(0.0, 0.0005, n))
            high = np.maximum(open_, close) * (1 + spread)
            low = np.minimum(open_, close) * (1 - spread)
            vol = rng.gamma(0.6, 2.0, n)
            frame = pd.DataFrame(
                {
                    "Timestamp": START + 60 * np.arange(start, start + n, dtype=np.int64),
                    "Open": open_.round(2),
                    "High": high.round(2),
                    "Low": low.round(2),
                    "Close": close.round(2),
                    "Volume_(BTC)": vol.round(8),
                    "Volume_(Currency)": (vol * close).round(8),
                    "Weighted_Price": close.round(2),
                }
            )
            empty = rng.random(n) < nan_share
            frame.loc[empty, frame.columns[1:]] = np.nan
            frame.to_csv(fh, header=False, index=False, na_rep="NaN", lineterminator="\n")
    return time.perf_counter() - t0


def measure(path: Path, args, tracemalloc_too: bool) -> dict:
    """Run one load_bitcoin call in a fresh Python process and return its figures."""
    cmd = [sys.executable, "-c", CHILD, str(path), args.freq, str(args.chunksize)]
    out = subprocess.run([*cmd, "1" if tracemalloc_too else "0"], capture_output=True, text=True)
    if out.returncode != 0:
        print(out.stderr)
        raise SystemExit("the measured load_bitcoin call failed")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=7_200_000, help="rows of the synthetic file")
    ap.add_argument("--nan-share", type=float, default=0.15, help="share of NaN (no-trade) rows")
    ap.add_argument("--freq", default="D", help="freq passed to load_bitcoin (default D)")
    ap.add_argument("--chunksize", type=int, default=1_000_000)
    ap.add_argument(
        "--tracemalloc", action="store_true", help="also measure a second load with tracemalloc"
    )
    args = ap.parse_args(argv)

    print("SYNTHETIC benchmark file (random walk in the Kaggle 1-minute format, for measuring")
    print("only: these numbers are not Bitcoin prices)")
    tmp = Path(tempfile.mkdtemp(prefix="bench_data_"))
    try:
        path = tmp / "synthetic_kaggle_1min_old_format.csv"
        gen = write_synthetic(path, args.rows, args.nan_share)
        end = pd.Timestamp(START + 60 * (args.rows - 1), unit="s")
        size_mb = path.stat().st_size / 1e6
        print(f"  rows {args.rows:,}, {size_mb:,.0f} MB, 2011-12-31 -> {end:%Y-%m-%d %H:%M} UTC,")
        print(f"  about {args.nan_share:.0%} NaN rows; written in {gen:.1f} s to {path}")

        res = measure(path, args, tracemalloc_too=False)
        tm = measure(path, args, tracemalloc_too=True) if args.tracemalloc else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    mib = 1024.0
    print(f"load_bitcoin(path=<synthetic file>, freq={args.freq!r}, chunksize={args.chunksize:,})")
    print(f"  wall time            {res['wall_s']:8.1f} s")
    print(f"  CPU time             {res['cpu_s']:8.1f} s")
    if res["hwm_kib"] is not None and res["hwm_reset"]:
        print(f"  RSS after imports    {res['rss_import_kib'] / mib:8.0f} MiB")
        print(f"  peak RSS during load {res['hwm_kib'] / mib:8.0f} MiB (whole process, VmHWM)")
        print(f"  peak increase        {(res['hwm_kib'] - res['rss_import_kib']) / mib:8.0f} MiB")
    else:
        print(f"  peak RSS (ru_maxrss) {res['maxrss_kib'] / mib:8.0f} MiB (whole process)")
    if tm is not None:
        print(
            f"  tracemalloc peak     {tm['tm_peak_b'] / 2**20:8.0f} MiB (allocations traced during"
        )
        print(f"                       the load; that run took {tm['wall_s']:.1f} s)")
    print(f"  rows returned        {res['rows_out']:8,}")
    print("  report of the synthetic load:")
    for line in res["report"]:
        print(f"    - {line}")
    print(f"temporary folder removed: {not tmp.exists()}")


if __name__ == "__main__":
    main()
