"""Explorer latency in a real browser: key press on a slider → every view updated.

    python benchmarks/bench_widgets.py              every explorer, 15 presses each
    python benchmarks/bench_widgets.py --only LSTM GRU --presses 25
    python benchmarks/bench_widgets.py --kernel-only

JupyterLab runs on 127.0.0.1 with a token (tests/browser/lab.py), Debian's Chromium is driven
through Playwright. One notebook holds the bare baseline (a ``FloatSlider`` whose observer writes
an ``HTML`` widget) and every explorer. JupyterLab keeps its default windowing mode here (what a
student gets: off-screen cells are skipped by the browser), not the tests' ``none``, under which
every frame lays out and paints all eight explorers: that alone made each frame of this page
two to three times as long.

A press is a real ``ArrowRight``/``ArrowLeft`` keydown on the first slider of a target. The
slider is focused first and the page left to settle (focusing scrolls the notebook to the
target, and the frames of that scroll are not the press's); then the key goes to the focused
slider. Its latency runs from the keydown's time stamp to the last DOM change inside the target
outside that slider (a MutationObserver), once nothing has changed for ``QUIET`` ms. Presses
are interleaved (one per target per round), so that the load of a shared machine falls on every
target alike; the ratio to the baseline is the figure that travels between machines. Targets
(printed, never asserted): median < 40 ms, max < 80 ms, ≤ 2.5× the baseline.

``--breakdown`` also prints where a press's time goes (``PARTS``), from the messages on the
kernel's websocket as the page sees them and the dates the kernel stamps on its own: keydown →
the comm message sent → the kernel busy → its last ``update`` sent → that update received by
the page → the last DOM change. (It wraps the page's WebSocket, so its presses cost a little
more; the main figures come from runs without it.)

``--drag [N]`` also drags each explorer's first slider for 2 s, N times (3 if not given), and
reports the median time from the last mouse movement (the time stamp of the page's last
``pointermove``, not the moment Playwright got round to asking the page for the time) until
the views settled (target < 100 ms: events are coalesced, never queued). The baseline is
ipywidgets' own ``FloatSlider`` (a noUiSlider handle on a track); the explorers' sliders are
the course's (``course_lib/widgets/slider.py``: a range input, thumb and track in one element,
so their drag starts at the input's middle).

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
    // the page's last DOM change anywhere, and its last pointer movement (for --drag)
    window.__benchPage = {lastChange: 0, lastMove: 0};
    const all = {subtree: true, childList: true, characterData: true, attributes: true};
    new MutationObserver(() => { window.__benchPage.lastChange = performance.now(); })
        .observe(document.body, all);
    document.addEventListener('pointermove', e => {
        window.__benchPage.lastMove = e.timeStamp;
    }, true);
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

# Resolves once the page is still: two frames drawn and no DOM change anywhere for ``quiet`` ms,
# then two more frames; true if the focus is in the slider of ``.cls``.
SETTLE_JS = """
async ([cls, quiet]) => {
    const frame = () => new Promise(r => requestAnimationFrame(() => r()));
    await frame(); await frame();
    while (performance.now() - window.__benchPage.lastChange < quiet) {
        await new Promise(r => setTimeout(r, 20));
    }
    await frame(); await frame();
    const el = document.activeElement;
    return !!el && el.getAttribute('role') === 'slider' && !!el.closest('.' + cls);
}
"""

WAIT_JS = """
([cls, count, quiet]) => {
    const s = window.__bench[cls];
    return s.count > count && performance.now() - s.last > quiet;
}
"""

# --breakdown: every message on the kernel's websocket, with the page's time of sending or
# receiving, its header's date (the sender's clock), msg_type, execution_state and comm method.
# JupyterLab 4 speaks the binary v1 protocol when the server offers it, else JSON text.
WS_HOOK_JS = """
(() => {
    window.__benchWs = [];
    const dec = new TextDecoder();
    const parse = data => {
        if (typeof data === 'string') {
            const m = JSON.parse(data);
            return [m.header, m.content];
        }
        const buf = data instanceof ArrayBuffer ? data : data.buffer;
        const view = new DataView(buf);
        const n = Number(view.getBigUint64(0, true));
        const off = k => Number(view.getBigUint64(8 * (k + 1), true));
        const part = k => JSON.parse(dec.decode(new Uint8Array(buf, off(k), off(k + 1) - off(k))));
        return [part(1), part(4)];  // channel, header, parent_header, metadata, content, ...
    };
    const note = (dir, data) => {
        const t = performance.now();
        try {
            const [header, content] = parse(data);
            const d = (content && content.data) || {};
            window.__benchWs.push({dir, t, date: header.date, type: header.msg_type,
                state: (content && content.execution_state) || '', method: d.method || ''});
        } catch (err) { window.__benchWs.push({dir, t, type: '?', state: '', method: ''}); }
    };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
        if (this.url.includes('/channels')) note('out', data);
        return send.call(this, data);
    };
    const Native = window.WebSocket;
    window.WebSocket = function (...args) {
        const ws = new Native(...args);
        if (String(args[0]).includes('/channels')) {
            ws.addEventListener('message', ev => note('in', ev.data));
        }
        return ws;
    };
    window.WebSocket.prototype = Native.prototype;
    for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) window.WebSocket[k] = Native[k];
})();
"""

#: windowing mode of JupyterLab 4's notebook by default (the tests turn it to "none")
DEFAULT_WINDOWING = "contentVisibility"
SETTLE_QUIET = 150  # ms without any DOM change in the page before a key press


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


def _iso_ms(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() * 1000


#: the parts of a press (--breakdown); "sent → kernel" and "kernel → page" compare the page's
#: clock with the kernel's (one machine, one wall clock)
PARTS = {
    "key → sent": "keydown → the comm message leaves the page",
    "sent → kernel": "→ the kernel says busy (the server's relay and the kernel's wake-up)",
    "kernel": "the kernel's busy → its last update sent (the observer, the views' maths)",
    "kernel → page": "→ that update reaches the page's websocket handler",
    "page → DOM": "→ the last DOM change (ipywidgets' views)",
}


def breakdown_of(messages: list[dict], t0: float, last: float, origin: float):
    """Where one press's ms went, from the websocket messages seen after its keydown at ``t0``
    and its last DOM change at ``last`` (page times; ``origin`` is the page's time 0 on the
    wall clock)."""
    sent = [m for m in messages if m["dir"] == "out" and m["type"] == "comm_msg"]
    got = [m for m in messages if m["dir"] == "in"]
    updates = [m for m in got if m["type"] == "comm_msg" and m["method"] == "update"]
    busy = [m for m in got if m["state"] == "busy"]
    if not (sent and updates and busy):
        return None
    busy_at, update_at = _iso_ms(busy[0]["date"]), _iso_ms(updates[-1]["date"])
    return dict(
        zip(
            PARTS,
            (
                sent[0]["t"] - t0,
                busy_at - (origin + sent[0]["t"]),
                update_at - busy_at,
                origin + updates[-1]["t"] - update_at,
                last - updates[-1]["t"],
            ),
            strict=True,
        )
    )


def focus_and_settle(page, cls: str) -> None:
    """Focus the first slider of ``.cls`` (JupyterLab scrolls it into view) and wait until the
    page is still, so that the frames of the scroll are not counted in the next press."""
    handle = page.locator(f".{cls} .widget-slider [role=slider]").first
    for _ in range(3):
        handle.focus()
        if page.evaluate(SETTLE_JS, [cls, SETTLE_QUIET]):
            return
    raise RuntimeError(f"the slider of .{cls} does not keep the focus")


def press_once(page, cls: str, key: str, breakdown: bool = False):
    """One key press on the focused first slider of ``.cls``: ms from the keydown to the last
    DOM change (None if nothing changed), and with ``breakdown`` where the ms went."""
    focus_and_settle(page, cls)
    if breakdown:
        page.evaluate("() => { window.__benchWs.length = 0; }")
    count = page.evaluate(f"() => window.__bench[{cls!r}].count")
    page.keyboard.press(key)
    try:
        page.wait_for_function(WAIT_JS, arg=[cls, count, QUIET], polling=50, timeout=10_000)
    except Exception:  # noqa: BLE001 - a press that changed nothing is reported, not fatal
        return None, None
    state = page.evaluate(f"() => window.__bench[{cls!r}]")
    parts = None
    if breakdown:
        messages, origin = page.evaluate("() => [window.__benchWs, performance.timeOrigin]")
        parts = breakdown_of(messages, state["t0"], state["last"], origin)
    return state["last"] - state["t0"], parts


def drag_settle(page, cls: str, seconds: float = 2.0) -> float | None:
    """Drag the first slider of ``.cls`` back and forth for ``seconds``; ms from the last
    pointer movement the page saw to the last DOM change."""
    focus_and_settle(page, cls)
    handle = page.locator(f".{cls} .widget-slider [role=slider]").first
    # ipywidgets' slider (the baseline) draws a noUiSlider track and handle; the course's
    # sliders are a range input, track and thumb in one element (the drag starts at its middle)
    track = page.locator(
        f".{cls} .widget-slider .noUi-target, .{cls} .widget-slider input[type=range]"
    ).first
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
    page.mouse.up()
    count = page.evaluate(f"() => window.__bench[{cls!r}].count")
    try:
        page.wait_for_function(WAIT_JS, arg=[cls, count - 1, 1000], polling=50, timeout=30_000)
    except Exception:  # noqa: BLE001
        return None
    return page.evaluate(f"() => window.__bench[{cls!r}].last - window.__benchPage.lastMove")


def load_average() -> float:
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")


def browser_times(names, presses: int, drag: int, breakdown: bool, windowing: str):
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bench-widgets-") as tmp:
        tmp = Path(tmp)
        root, home = tmp / "root", tmp / "home"
        root.mkdir()
        home.mkdir()
        write_notebook(root / "bench.ipynb", names)
        lab = start_lab(root, home, tmp / "lab.log")
        # start_lab sets the tests' windowing mode; the page reads its settings when it opens
        tracker = "notebook-extension/tracker.jupyterlab-settings"
        settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / tracker
        settings.write_text(json.dumps({"windowingMode": windowing}))
        old_home = os.environ.get("HOME")
        os.environ["HOME"] = str(home)
        loads = [load_average()]
        try:
            with sync_playwright() as pw:
                browser = launch_chromium(pw)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                if breakdown:
                    page.add_init_script(WS_HOOK_JS)
                page.set_default_timeout(120_000)
                sys.path.insert(0, str(ROOT / "tests" / "browser"))
                from tests.browser.helpers import open_and_run_all

                open_and_run_all(page, lab, "bench.ipynb", timeout=300_000)
                targets = ["baseline", *names]
                classes = [css_class(t) for t in targets]
                page.evaluate(INSTALL_JS, classes)
                times = {t: [] for t in targets}
                parts = {t: [] for t in targets}
                failures = {t: 0 for t in targets}
                for warm in range(2):  # not counted: first key handling, lazy code paths
                    for cls in classes:
                        press_once(page, cls, "ArrowRight" if warm == 0 else "ArrowLeft")
                for k in range(presses):
                    key = "ArrowRight" if k % 2 == 0 else "ArrowLeft"
                    for t, cls in zip(targets, classes, strict=True):
                        ms, where = press_once(page, cls, key, breakdown)
                        if ms is None:
                            failures[t] += 1
                        else:
                            times[t].append(ms)
                        if where:
                            parts[t].append(where)
                    loads.append(load_average())
                    print(f"  round {k + 1}/{presses}", end="\r", file=sys.stderr, flush=True)
                print(file=sys.stderr)
                settle = {}
                for _ in range(drag):  # rounds of one drag per target
                    for t, cls in zip(targets, classes, strict=True):
                        ms = drag_settle(page, cls)
                        if ms is not None:
                            settle.setdefault(t, []).append(max(ms, 0.0))
                    loads.append(load_average())
                browser.close()
        finally:
            if old_home is not None:
                os.environ["HOME"] = old_home
            stop_lab(lab)
    return times, failures, settle, parts, loads


def print_breakdown(targets, parts) -> dict:
    """Median of each part of a press, per target."""
    out = {}
    print("where a press's time goes (median ms):")
    for key, meaning in PARTS.items():
        print(f"  {key:<14} {meaning}")
    print(f"  {'':<26}" + "".join(f"{k:>15}" for k in PARTS))
    for t in targets:
        if not parts[t]:
            continue
        out[t] = {k: statistics.median(p[k] for p in parts[t]) for k in PARTS}
        print(f"  {t:<26}" + "".join(f"{out[t][k]:>15.1f}" for k in PARTS))
    return out


def settle_text(values) -> str:
    """Median settling ms of a target's drags (0: the views had settled before the last
    pointer movement), '-' when no drag changed anything."""
    return f"{statistics.median(values):.0f}" if values else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", nargs="*", help="explorers whose names start with these")
    parser.add_argument("--presses", type=int, default=15)
    parser.add_argument("--kernel-only", action="store_true")
    parser.add_argument(
        "--drag",
        type=int,
        nargs="?",
        const=3,
        default=0,
        help="also measure settling after a drag (median of DRAG drags per target, 3 if not given)",
    )
    parser.add_argument("--breakdown", action="store_true", help="also print where the ms go")
    parser.add_argument(
        "--windowing",
        default=DEFAULT_WINDOWING,
        help=f"JupyterLab's notebook windowing mode (default: its own, {DEFAULT_WINDOWING})",
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    names = [n for n in EXPLORERS if not args.only or any(n.startswith(p) for p in args.only)]
    load = load_average()
    print(f"machine: {os.cpu_count()} CPU(s), load average {load:.1f} at start")
    kernel = kernel_times(names)
    report = {"kernel_ms": kernel, "load_at_start": load, "windowing": args.windowing}
    if args.kernel_only:
        for n in names:
            print(f"{n:<28} set(): {kernel[n]:7.1f} ms")
    else:
        reason = missing_browser_reason()
        if reason:
            print(f"cannot measure in a browser: {reason}")
            return 1
        times, failures, settle, parts, loads = browser_times(
            names, args.presses, args.drag, args.breakdown, args.windowing
        )
        base = statistics.median(times["baseline"]) if times["baseline"] else float("nan")
        head = f"{'explorer':<28}{'median ms':>10}{'max ms':>8}{'× bare':>8}{'set() ms':>10}"
        print(head + ("  drag settle ms" if args.drag else ""))
        line = f"{'bare FloatSlider → HTML':<28}{base:>10.1f}{max(times['baseline']):>8.1f}"
        if args.drag:
            line += " " * 18 + f"{settle_text(settle.get('baseline')):>16}"
        print(line)
        rows = {}
        for n in names:
            ts = times[n]
            med, top = statistics.median(ts), max(ts)
            ratio = med / base
            ok = med < TARGET_MEDIAN and top < TARGET_MAX and ratio <= TARGET_RATIO
            line = f"{n:<28}{med:>10.1f}{top:>8.1f}{ratio:>8.1f}{kernel[n]:>10.1f}"
            if args.drag:
                line += f"{settle_text(settle.get(n)):>16}"
            if failures[n]:
                line += f"  ({failures[n]} presses changed nothing)"
            print(line + ("" if ok else "  above target"))
            rows[n] = {"median": med, "max": top, "ratio": ratio, "settle": settle.get(n)}
        print(
            f"targets: median < {TARGET_MEDIAN:.0f} ms, max < {TARGET_MAX:.0f} ms, "
            f"≤ {TARGET_RATIO}× bare; load average {loads[0]:.1f} at start, "
            f"{min(loads):.1f}–{max(loads):.1f} during, {loads[-1]:.1f} at end "
            f"(windowing mode {args.windowing})"
        )
        report.update(
            baseline=base,
            baseline_max=max(times["baseline"]),
            baseline_settle=settle.get("baseline"),
            explorers=rows,
            loads=loads,
        )
        if args.breakdown:
            report["breakdown"] = print_breakdown(["baseline", *names], parts)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
