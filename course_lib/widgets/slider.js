// The course's slider (course_lib/widgets/slider.py): a range input, its description and its
// readout. A move reaches the kernel as a custom message, with up to WINDOW messages in flight:
// ipywidgets' own sliders keep one in flight and send the last value of a drag only once the
// kernel has answered the one before, so the picture settled about 1.5 round trips after the
// hand stopped; here the last value leaves at once and the picture settles one round trip after.
// Values made while WINDOW messages are in flight are merged (the newest wins, the last is never
// dropped), so a drag never builds a queue.
const WINDOW = 2;
const STUCK_MS = 3000; // a message without an answer for this long no longer counts (kernel gone)

function formatter(fmt) {
  const m = /\.(\d+)f/.exec(fmt || "");
  const digits = m ? Number(m[1]) : 0;
  // d3-format, which ipywidgets' readouts use, writes a minus sign, not a hyphen
  return (v) => Number(v).toFixed(digits).replace("-", "\u2212");
}

function render({ model, el }) {
  const row = document.createElement("div");
  row.className = "widget-inline-hbox widget-slider widget-hslider course-slider";
  const label = document.createElement("label");
  label.className = "widget-label";
  label.style.width = "auto";
  label.style.paddingRight = "6px";
  const input = document.createElement("input");
  input.type = "range";
  input.setAttribute("role", "slider");
  input.style.width = "150px";
  const readout = document.createElement("div");
  readout.className = "widget-readout";
  readout.style.minWidth = "3.5em";
  // the label names the input (screen readers; a click on it focuses the slider)
  input.id = "course-slider-" + Math.random().toString(36).slice(2);
  label.htmlFor = input.id;
  row.append(label, input, readout);
  el.append(row);

  let format = formatter(model.get("readout_format"));
  const show = (v) => {
    readout.textContent = format(v);
    input.setAttribute("aria-valuetext", readout.textContent);
  };
  const fromModel = () => {
    input.min = model.get("min");
    input.max = model.get("max");
    input.step = model.get("step");
    input.value = model.get("value");
    input.disabled = model.get("disabled");
    label.textContent = model.get("description");
    format = formatter(model.get("readout_format"));
    show(model.get("value"));
  };
  fromModel();

  let inflight = 0;
  let pending = null;
  let sentAt = 0;
  const flush = () => {
    if (inflight > 0 && performance.now() - sentAt > STUCK_MS) inflight = 0;
    if (pending === null || inflight >= WINDOW) return;
    const value = pending;
    pending = null;
    inflight += 1;
    sentAt = performance.now();
    const status = (msg) => {
      if (msg.content.execution_state === "idle") {
        inflight = Math.max(0, inflight - 1);
        flush();
      }
    };
    model.send({ value }, { iopub: { status } });
  };
  const moved = () => {
    const value = Number(input.value);
    model.set("value", value); // the page's copy: other views of this slider, saved state
    show(value);
    pending = value;
    flush();
  };
  input.addEventListener("input", moved);
  // the arrow keys move the slider, not JupyterLab's cell selection (its shortcuts listen on
  // the document)
  input.addEventListener("keydown", (e) => e.stopPropagation());

  const events = "change:value change:min change:max change:step change:disabled " +
    "change:description change:readout_format";
  model.on(events, fromModel);
  return () => model.off(events, fromModel);
}

export default { render };
