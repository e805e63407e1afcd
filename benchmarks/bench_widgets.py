"""Explorer latency in a real browser: key press on a slider → every view updated.

    python benchmarks/bench_widgets.py              every explorer, 15 presses each
    python benchmarks/bench_widgets.py --only LSTM GRU --presses 25
    python benchmarks/bench_widgets.py --kernel-only

JupyterLab runs on 127.0.0.1 with a token (tests/browser/lab.py), Debian's Chromium is driven
through Playwright. One notebook holds the bare baseline (a ``FloatSlider`` whose observer writes
an ``HTML`` widget) and every explorer. A press is a real ``ArrowRight``/``ArrowLeft`` keydown on
the first slider of a target; its latency runs from the event's time stamp to the last DOM
change inside the target outside that slider (a MutationObserver), once nothing has changed for
``QUIET`` ms. Presses are interleaved (one per target per round), so that the load of a shared
machine falls on every target alike; the ratio to the baseline is the figure that travels
between machines. Targets (printed, never asserted): median < 40 ms, max < 80 ms, ≤ 2.5× the
baseline.

``--drag`` also drags each explorer's first slider for 2 s and reports how long after the last
mouse movement the views settled (target < 100 ms: events are coalesced, never queued).

It also prints the kernel-side time of one ``set()`` of that slider (median over 15 calls in this
process: the explorer's maths and the drawing of its views, without the browser).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.lab import launch_chromium, missing_browser_reason, start_lab, stop_lab  # noqa: E402

QUIET = 300  # ms without a DOM change that ends a press
TARGET_MEDIAN, TARGET_MAX, TARGET_RATIO, TARGET_SETTLE = 40.0, 80.0, 2.5, 100.0

#: name → (module, constructor call, the first slider's name and two values to alternate)
EXPLORERS = {
    "PerceptronTrainer": ("perceptron", "PerceptronTrainer()", "lr", (0.11, 0.1)),
    "ActivationExplorer": ("mlp", "ActivationExplorer()", "x", (0.1, 0.0)),
    "HiddenUnitsExplorer": ("mlp", "HiddenUnitsExplorer()", "w1", (20.5, 20.0)),
    "UnrolledRNNExplorer": ("rnn", "UnrolledRNNExplorer()", "wx", (1.05, 1.0)),
    "VanishingGradientExplorer": ("gradients", "VanishingGradientExplorer()", "w", (0.95, 0.9)),
    "ClippingExplorer": ("gradients", "ClippingExplorer()", "gx", (3.1, 3.0)),
    "LSTMGateExplorer": ("lstm", "LSTMGateExplorer()", "x", (1.1, 1.0)),
    "GRUGateExplorer": ("gru", "GRUGateExplorer()", "x", (1.1, 1.0)),
}

BASELINE_CELL = """\
import ipywidgets as W
_s = W.FloatSlider(value=0.0, min=-100.0, max=100.0, step=0.1, description="bare")
_o = W.HTML("0.000")
_s.observe(lambda ch: setattr(_o, "value", f"{ch['new']:.3f}"), names="value")
_box = W.VBox([_s, _o])
_box.add_class("bench-baseline")
_box"""

INSTALL_JS = """
classes => {
    window.__bench = {};
    for (const cls of classes) {
        const root = document.querySelector('.' + cls);
        if (!root) throw new Error('no element .' + cls);
        const slider = root.querySelector('.widget-slider');
        const handle = slider.querySelector('[role=slider]');
        const state = {t0: 0, last: 0, count: 0};
        handle.addEventListener('keydown', e => { state.t0 = e.timeStamp; }, true);
        new MutationObserver(muts => {
            const now = performance.now();
            if (muts.some(m => !slider.contains(m.target))) { state.last = now; state.count++; }
        }).observe(root, {subtree: true, childList: true, characterData: true, attributes: true});
        window.__bench[cls] = state;
    }
}
"""

WAIT_JS = """
([cls, count, quiet]) => {
    const s = window.__bench[cls];
    return s.count > count && performance.now() - s.last > quiet;
}
"""


def kernel_times(names, repeats: int = 15) -> dict[str, float]:
    """Median ms of one ``set()`` of each explorer's first slider, in this process."""
    import importlib

    out = {}
    for name in names:
        module, call, control, (a, b) = EXPLORERS[name]
        mod = importlib.import_module(f"course_lib.widgets.{module}")
        ex = eval(call, vars(mod))  # noqa: S307 - our own constructor calls
        for value in (a, b):  # warm-up
            ex.set(**{control: value})
        times = []
        for k in range(repeats):
            start = time.perf_counter()
            ex.set(**{control: a if k % 2 == 0 else b})
            times.append(1000 * (time.perf_counter() - start))
        out[name] = statistics.median(times)
    return out


def css_class(name: str) -> str:
    return f"bench-{name}"


def write_notebook(path: Path, names) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    cells = [BASELINE_CELL]
    for k, name in enumerate(names):
        module, call, _, _ = EXPLORERS[name]
        cells.append(
            f"from course_lib.widgets.{module} import {name}\n"
            f"_e{k} = {call}\n_e{k}.widget.add_class({css_class(name)!r})\n_e{k}"
        )
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nbformat.write(nb, path)


def press_once(page, cls: str, key: str) -> float | None:
    """One key press on the first slider of ``.cls``; ms to the last DOM change, or None."""
    count = page.evaluate(f"() => window.__bench[{cls!r}].count")
    handle = page.locator(f".{cls} .widget-slider [role=slider]").first
    handle.press(key)
    try:
        page.wait_for_function(WAIT_JS, arg=[cls, count, QUIET], polling=50, timeout=10_000)
    except Exception:  # noqa: BLE001 - a press that changed nothing is reported, not fatal
        return None
    state = page.evaluate(f"() => window.__bench[{cls!r}]")
    return state["last"] - state["t0"]


def drag_settle(page, cls: str, seconds: float = 2.0) -> float | None:
    """Drag the first slider of ``.cls`` back and forth for ``seconds``; ms from the last
    mouse movement to the last DOM change."""
    handle = page.locator(f".{cls} .widget-slider [role=slider]").first
    track = page.locator(f".{cls} .widget-slider .noUi-target").first
    handle.scroll_into_view_if_needed()
    box, hbox = track.bounding_box(), handle.bounding_box()
    y = hbox["y"] + hbox["height"] / 2
    x = hbox["x"] + hbox["width"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    start = time.perf_counter()
    k = 0
    while time.perf_counter() - start < seconds:
        k += 1
        frac = 0.5 + 0.4 * ((k % 40) / 20 - 1 if (k // 40) % 2 == 0 else 1 - (k % 40) / 20)
        page.mouse.move(box["x"] + frac * box["width"], y)
        page.wait_for_timeout(16)
    last_move = page.evaluate("() => performance.now()")
    page.mouse.up()
    count = page.evaluate(f"() => window.__bench[{cls!r}].count")
    try:
        page.wait_for_function(WAIT_JS, arg=[cls, count - 1, 1000], polling=50, timeout=30_000)
    except Exception:  # noqa: BLE001
        return None
    return page.evaluate(f"() => window.__bench[{cls!r}].last") - last_move


def browser_times(names, presses: int, drag: bool):
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-widgets-") as tmp:
        tmp = Path(tmp)
        root, home = tmp / "root", tmp / "home"
        root.mkdir()
        home.mkdir()
        write_notebook(root / "bench.ipynb", names)
        lab = start_lab(root, home, tmp / "lab.log")
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = str(home)
        try:
            with sync_playwright() as pw:
                browser = launch_chromium(pw)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                sys.path.insert(0, str(ROOT / "tests" / "browser"))
                from tests.browser.helpers import open_and_run_all

                open_and_run_all(page, lab, "bench.ipynb", timeout=300_000)
                targets = ["baseline", *names]
                classes = [css_class(t) for t in targets]
                page.evaluate(INSTALL_JS, classes)
                times = {t: [] for t in targets}
                failures = {t: 0 for t in targets}
                for warm in range(2):  # not counted: first key handling, lazy code paths
                    for cls in classes:
                        press_once(page, cls, "ArrowRight" if warm == 0 else "ArrowLeft")
                for k in range(presses):
                    key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                    for t, cls in zip(targets, classes, strict=True):
                        ms = press_once(page, cls, key)
                        if ms is None:
                            failures[t] += 1
                        else:
                            times[t].append(ms)
                    print(f"  round {k + 1}/{presses}", end="\r", file=sys.stderr, flush=True)
                print(file=sys.stderr)
                settle = {}
                if drag:
                    for t, cls in zip(targets, classes, strict=True):
                        settle[t] = drag_settle(page, cls)
                browser.close()
        finally:
            if old_home is not None:
                os.environ["HOME"] = old_home
            stop_lab(lab)
    return times, failures, settle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="explorers whose names start with these")
    parser.add_argument("--presses", type=int, default=15)
    parser.add_argument("--kernel-only", action="store_true")
    parser.add_argument("--drag", action="store_true", help="also measure settling after a drag")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    names = [n for n in EXPLORERS if not args.only or any(n.startswith(p) for p in args.only)]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {os.cpu_count()} CPU(s), load average {load:.1f} at start")
    kernel = kernel_times(names)
    report = {"kernel_ms": kernel, "load_at_start": load}
    if args.kernel_only:
        for n in names:
            print(f"{n:<28} set(): {kernel[n]:7.1f} ms")
    else:
        reason = missing_browser_reason()
        if reason:
            print(f"cannot measure in a browser: {reason}")
            return 1
        times, failures, settle = browser_times(names, args.presses, args.drag)
        base = statistics.median(times["baseline"]) if times["baseline"] else float("nan")
        head = f"{'explorer':<28}{'median ms':>10}{'max ms':>8}{'× bare':>8}{'set() ms':>10}"
        print(head + ("  drag settle ms" if args.drag else ""))
        print(f"{'bare FloatSlider → HTML':<28}{base:>10.1f}{max(times['baseline']):>8.1f}")
        rows = {}
        for n in names:
            ts = times[n]
            med, top = statistics.median(ts), max(ts)
            ratio = med / base
            ok = med < TARGET_MEDIAN and top < TARGET_MAX and ratio <= TARGET_RATIO
            line = f"{n:<28}{med:>10.1f}{top:>8.1f}{ratio:>8.1f}{kernel[n]:>10.1f}"
            if args.drag:
                s = settle.get(n)
                # ≤ 0: the views had settled before the last mouse movement was sent
                line += f"{'-' if s is None else f'{max(s, 0.0):.0f}':>16}"
            if failures[n]:
                line += f"  ({failures[n]} presses changed nothing)"
            print(line + ("" if ok else "  above target"))
            rows[n] = {"median": med, "max": top, "ratio": ratio, "settle": settle.get(n)}
        load_end = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"targets: median < {TARGET_MEDIAN:.0f} ms, max < {TARGET_MAX:.0f} ms, "
            f"≤ {TARGET_RATIO}× bare; load average {load:.1f} → {load_end:.1f}"
        )
        report.update(baseline=base, explorers=rows, load_at_end=load_end)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
