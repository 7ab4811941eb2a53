// gdlab playground: talks only to the JSON API (/docs); the whole state lives in the URL.
"use strict";
const $ = (id) => document.getElementById(id);
// every server constant (limits, colours, labels, optimizers, bound formulas) comes from GET /api/meta
let META = null;
let COLORS = [], LABEL_COLORS = {}, BASIN_COLORS = {}, MAX_OPTS = 0, MAX_STARTS = 0, MAX_STEPS = 0;
const LR_RANGE = [-6, 1];  // the slider's log10 range (a choice of this page)
const VIEWS = ["contour", "surface", "basins", "lrmap"];

let catalog = Object.create(null);  // optimizer name → {rule, torch, hyper: [...]}; no prototype keys
let state = { f: "himmelblau", dom: null, starts: [], opts: [{ name: "gd", lr: 0.01, hyper: {} }], steps: 300,
  view: "contour", field: false, mode: "add", ran: false, at: null, angle: 0 };
let grid = null;        // /api/grid of the current function and domain
let doc = null;         // the last /api/descend answer
let point = null;       // the last /api/grad answer (inspected point)
const cache = {};       // basin and lr maps by request

// ---------- the URL ----------
function num(v) { const x = Number(v); return v !== "" && v !== null && Number.isFinite(x) ? x : null; }
function pair(text) { const p = String(text).split(",").map(num); return p.length === 2 && p.every((v) => v !== null) ? p : null; }
function readUrl() {
  const q = new URLSearchParams(location.search);
  if (q.get("f")) state.f = q.get("f").slice(0, META.limits.formula_length);
  const d = (q.get("dom") || "").split(",").map(num);
  if (d.length === 4 && d.every((v) => v !== null) && d[0] < d[1] && d[2] < d[3]) state.dom = [[d[0], d[1]], [d[2], d[3]]];
  if (q.get("starts")) state.starts = q.get("starts").split(";").map(pair).filter(Boolean).slice(0, MAX_STARTS);
  if (q.get("opts")) {
    const opts = q.get("opts").split(";").map(parseOpt).filter(Boolean).slice(0, MAX_OPTS);
    if (opts.length) state.opts = opts;
  } else if (q.get("opt") || q.get("lr")) {  // links of the first version: one optimizer
    const o = parseOpt(`${catalog[q.get("opt")] ? q.get("opt") : "gd"}:lr=${q.get("lr") || ""}`);
    if (o) state.opts = [o];
  }
  const steps = num(q.get("steps"));
  if (Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS) state.steps = steps;
  if (VIEWS.includes(q.get("view"))) state.view = q.get("view");
  state.field = q.get("field") === "1";
  state.ran = q.get("run") === "1";
  state.at = q.get("at") ? pair(q.get("at")) : null;
  const angle = num(q.get("angle"));
  if (angle !== null) state.angle = ((Math.round(angle) % 360) + 360) % 360;
}
function parseOpt(text) {  // "adam:lr=0.1,beta1=0.8"
  const [name, rest] = text.split(":");
  if (!catalog[name]) return null;
  const opt = { name, lr: defaultOf(name, "lr"), hyper: {} };
  (rest || "").split(",").filter(Boolean).forEach((kv) => {
    const [k, v] = kv.split("=");
    const spec = catalog[name].hyper.find((h) => h.name === k);
    if (!spec) return;
    if (typeof spec.default === "boolean") opt.hyper[k] = v === "1" || v === "true";
    else if (num(v) !== null) {  // out-of-range values reach the server, which says why
      if (k !== "lr") opt.hyper[k] = num(v);
      else if (num(v) > 0) opt.lr = num(v);
    }
  });
  return opt;
}
function optText(o) {
  const parts = [`lr=${o.lr}`].concat(Object.entries(o.hyper).map(([k, v]) => `${k}=${typeof v === "boolean" ? (v ? 1 : 0) : v}`));
  return `${o.name}:${parts.join(",")}`;
}
function writeUrl() {
  const q = new URLSearchParams({ f: state.f });
  if (state.dom) q.set("dom", state.dom.flat().map((v) => +v.toPrecision(6)).join(","));
  if (state.starts.length) q.set("starts", state.starts.map((p) => p.map((v) => +v.toFixed(4)).join(",")).join(";"));
  q.set("opts", state.opts.map(optText).join(";"));
  q.set("steps", String(state.steps));
  if (state.view !== "contour") q.set("view", state.view);
  if (state.field) q.set("field", "1");
  if (state.at) { q.set("at", state.at.map((v) => +v.toFixed(4)).join(",")); q.set("angle", String(state.angle)); }
  if (state.ran) q.set("run", "1");
  history.replaceState(null, "", "?" + q.toString());
}
function changed(keepRuns) { if (!keepRuns) { state.ran = false; doc = null; } writeUrl(); }
function startsChanged() { changed(); refreshStartBound(); }

// ---------- small helpers ----------
function fmt(v) { return v === null || v === undefined ? "—" : (+v).toPrecision(4).replace(/\.?0+(e|$)/, "$1"); }
function defaultOf(name, key) { const h = catalog[name].hyper.find((x) => x.name === key); return h ? h.default : null; }
async function api(path, body) {
  const r = await fetch(path, { method: body ? "POST" : "GET", headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({ detail: "bad response" }));
  if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : "invalid request");
  return data;
}
function showError(message, column) {
  $("formula-error").textContent = message ? "error: " + message : "";
  $("formula").classList.toggle("bad", !!message);
  // a caret under the offending column (the box is monospace)
  const caret = $("formula-caret");
  caret.textContent = column ? " ".repeat(Math.min(column - 1, META.limits.formula_length)) + "^" : "";
  caret.style.marginLeft = `${$("formula").offsetLeft - caret.parentElement.offsetLeft + 3}px`;
  caret.scrollLeft = 0;
}
let typing = null;
function checkAsTyped() {  // live errors as the formula is typed; the map changes on Enter/blur
  clearTimeout(typing);
  typing = setTimeout(async () => {
    const text = $("formula").value.trim();
    if (!text) return;
    const check = await api("/api/parse", { formula: text }).catch((e) => ({ ok: false, error: e.message }));
    if ($("formula").value.trim() !== text) return;  // typed on meanwhile
    showError(check.ok ? "" : check.error, check.ok ? null : check.column);
  }, 200);
}
function say(message, bad) { $("status").textContent = message || ""; $("status").classList.toggle("bad", !!bad); }
function setState(s) { $("map").dataset.state = s; }
function domainNow() { return state.dom || (grid && grid.domain); }
function optSpec(o) { return { name: o.name, lr: o.lr, hyper: o.hyper }; }
function download(name, type, text) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---------- the controls ----------
function syncControls() {
  $("formula").value = state.f; $("steps").value = state.steps; $("field").checked = state.field;
  document.querySelectorAll("#views button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.view === state.view)));
  document.querySelectorAll("input[name=mode]").forEach((r) => { r.checked = r.value === state.mode; });
  const d = domainNow();
  ["x0", "x1", "y0", "y1"].forEach((id, i) => { $(id).value = d ? +d[i >> 1][i & 1].toPrecision(6) : ""; });
  $("dial-angle").value = state.angle;
  buildOptimizers();
}
function buildOptimizers() {
  const list = $("opt-list");
  list.innerHTML = "";
  state.opts.forEach((o, i) => {
    const box = document.createElement("div");
    box.className = "opt"; box.style.borderLeftColor = COLORS[i % COLORS.length]; box.dataset.index = String(i);
    const select = document.createElement("select");
    select.className = "opt-name"; select.setAttribute("aria-label", `optimizer ${i + 1}`);
    Object.keys(catalog).forEach((name) => { const op = document.createElement("option"); op.value = op.textContent = name; select.appendChild(op); });
    select.value = o.name;
    select.addEventListener("change", () => { state.opts[i] = { name: select.value, lr: defaultOf(select.value, "lr"), hyper: {} }; buildOptimizers(); changed(); });
    box.appendChild(select);
    const lr = document.createElement("label"); lr.textContent = "learning rate ";
    const wrap = document.createElement("span"); wrap.className = "lr";
    const slider = document.createElement("input");
    Object.assign(slider, { type: "range", min: LR_RANGE[0], max: LR_RANGE[1], step: 0.05, value: Math.log10(o.lr), className: "lr-slider" });
    const out = document.createElement("output"); out.className = "lr-value"; out.textContent = fmt(o.lr);
    slider.addEventListener("input", () => { o.lr = +Math.pow(10, +slider.value).toPrecision(3); out.textContent = fmt(o.lr); changed(); updateBounds(); });
    wrap.appendChild(slider);
    const mark = document.createElement("span"); mark.className = "bound-mark"; mark.hidden = true;
    wrap.appendChild(mark);
    const text = document.createElement("span"); text.className = "bound-text";
    lr.appendChild(wrap); lr.appendChild(out); box.appendChild(lr); box.appendChild(text);
    catalog[o.name].hyper.filter((h) => h.name !== "lr").forEach((h) => {
      const label = document.createElement("label"); label.textContent = h.name + " ";
      const input = document.createElement("input");
      input.dataset.hyper = h.name;
      if (typeof h.default === "boolean") {
        input.type = "checkbox"; input.checked = o.hyper[h.name] ?? h.default;
        input.addEventListener("change", () => { o.hyper[h.name] = input.checked; changed(); });
      } else {
        input.className = "hyper"; input.value = o.hyper[h.name] ?? h.default;
        input.addEventListener("change", () => {
          const v = num(input.value);
          if (v === null) { input.value = o.hyper[h.name] ?? h.default; return; }
          if (v === h.default) delete o.hyper[h.name]; else o.hyper[h.name] = v;
          changed();
        });
      }
      label.appendChild(input); box.appendChild(label);
    });
    if (state.opts.length > 1) {
      const rm = document.createElement("button"); rm.textContent = "remove"; rm.className = "remove";
      rm.addEventListener("click", () => { state.opts.splice(i, 1); buildOptimizers(); changed(); redraw(); });
      box.appendChild(rm);
    }
    const rule = document.createElement("div"); rule.className = "rule";
    rule.textContent = `${o.name}: ${catalog[o.name].rule}` + (catalog[o.name].torch ? `   (torch.optim.${catalog[o.name].torch})` : "");
    box.appendChild(rule);
    list.appendChild(box);
  });
  $("add-opt").disabled = state.opts.length >= MAX_OPTS;
  updateBounds();
}
function updateBounds() {  // the stability bound on each slider: a mark and a line of text
  if (!doc && state.starts.length && state.opts.some((o) => !(boundKey(o) in startBounds))) refreshStartBound();
  document.querySelectorAll("#opt-list .opt").forEach((box) => {
    const i = +box.dataset.index, o = state.opts[i], found = boundOf(i), bound = found && found.bound;
    const mark = box.querySelector(".bound-mark"), text = box.querySelector(".bound-text");
    const frac = bound ? (Math.log10(bound) - LR_RANGE[0]) / (LR_RANGE[1] - LR_RANGE[0]) : -1;
    mark.hidden = !(frac >= 0 && frac <= 1);
    mark.style.left = `calc(${(frac * 100).toFixed(2)}% - 1px)`;
    mark.title = bound ? `stability bound ${fmt(bound)} ${found.where}` : "";
    text.textContent = !bound ? "" : `stability bound ≈ ${fmt(bound)} ${found.where}` + (o.lr > bound ? " (lr above it)" : "");
  });
}
let startBounds = {};  // optimizer (name and hyper-parameters) → {bound, where} before any run
function boundKey(o) { return o.name + JSON.stringify(o.hyper); }
function boundOf(i) {
  // the largest stable learning rate on the quadratic model, as the server computes it
  // (META.stability_bounds names the formulas), and where it was taken: after a run the
  // smallest bound of optimizer i's runs, at the minimum that run reached (bound_at); before
  // a run at the known minima nearest the starts, or — for a typed formula — at the starts, a
  // local bound; null for the adaptive methods, which have none
  const o = state.opts[i];
  if (doc && doc.results[i] && doc.results[i].optimizer.name === o.name) {
    const runs = doc.results[i].runs.filter((r) => r.optimizer_bound);
    if (!runs.length) return null;
    const r = runs.reduce((a, b) => (b.optimizer_bound < a.optimizer_bound ? b : a));
    const place = r.diagnosis === "diverged" || r.diagnosis === "unbounded" ? "at the start" : "at the minimum reached";
    return { bound: r.optimizer_bound, where: `${place} (${r.bound_at.map(fmt).join(", ")})` };
  }
  return startBounds[boundKey(o)] ?? null;
}
let boundTimer = null;
function refreshStartBound() {  // each optimizer's bound at (up to 8 of) the starts: POST /api/bounds
  clearTimeout(boundTimer);
  boundTimer = setTimeout(async () => {
    const starts = state.starts.slice(0, 8), f = state.f, opts = state.opts.map(optSpec);
    if (!starts.length) { startBounds = {}; updateBounds(); return; }
    const got = await api("/api/bounds", { formula: f, starts, optimizers: opts }).catch(() => null);
    if (f !== state.f) return;
    startBounds = {};
    const where = got && got.at === "minimum" ? "at the minimum nearest the start" : "at the starts (a local bound)";
    state.opts.forEach((o, i) => { startBounds[boundKey(o)] = got && got.bounds[i] ? { bound: got.bounds[i], where } : null; });
    updateBounds();
  }, 150);
}

// ---------- the map ----------
function logScaled(z) {
  const flat = z.flat().filter((v) => v !== null).sort((a, b) => a - b);
  if (!flat.length) return { z, log: false, lo: 0 };
  const lo = flat[0], hi = flat[flat.length - 1], mid = flat[Math.floor(flat.length / 2)];
  if (!(hi - lo > 1e3 * (mid - lo + 1e-12))) return { z, log: false, lo };
  return { z: z.map((row) => row.map((v) => v === null ? null : Math.log10(v - lo + 1e-3))), log: true, lo };
}
function arrows(x0, y0, dx, dy, head) {  // segments and V heads, for one scatter trace
  const xs = [], ys = [];
  for (let k = 0; k < x0.length; k++) {
    const x1 = x0[k] + dx[k], y1 = y0[k] + dy[k];
    const ang = Math.atan2(dy[k], dx[k]), h = head * Math.hypot(dx[k], dy[k]);
    xs.push(x0[k], x1, null, x1 - h * Math.cos(ang - 0.45), x1, x1 - h * Math.cos(ang + 0.45), null);
    ys.push(y0[k], y1, null, y1 - h * Math.sin(ang - 0.45), y1, y1 - h * Math.sin(ang + 0.45), null);
  }
  return { x: xs, y: ys };
}
function fieldTrace() {
  const n = grid.x.length, step = Math.max(1, Math.round(n / 18));
  const xs = [], ys = [], gx = [], gy = [];
  for (let i = Math.floor(step / 2); i < n; i += step) for (let j = Math.floor(step / 2); j < n; j += step) {
    const a = grid.gx[i][j], b = grid.gy[i][j];
    if (a === null || b === null) continue;
    xs.push(grid.x[j]); ys.push(grid.y[i]); gx.push(-a); gy.push(-b);
  }
  // arrows point along −∇f; lengths grow with ‖∇f‖ but are squashed (log) so all stay visible
  const cell = step * Math.min(grid.x[1] - grid.x[0], grid.y[1] - grid.y[0]);
  const norms = gx.map((a, k) => Math.hypot(a, gy[k])), big = Math.max(...norms, 1e-300);
  const len = norms.map((m) => m > 0 ? 0.85 * cell * (0.35 + 0.65 * Math.log1p(9 * m / big) / Math.log(10)) / m : 0);
  const a = arrows(xs, ys, gx.map((v, k) => v * len[k]), gy.map((v, k) => v * len[k]), 0.3);
  return { type: "scatter", mode: "lines", ...a, line: { color: "rgba(255,255,255,0.85)", width: 1.2 },
    hoverinfo: "skip", name: "−∇f", showlegend: true };
}
function startTrace() {
  return { type: "scatter", mode: "markers", x: state.starts.map((p) => p[0]), y: state.starts.map((p) => p[1]),
    marker: { color: "white", size: 9, line: { color: "black", width: 1 } }, name: "starts", hoverinfo: "x+y" };
}
function minimaTrace() {
  return { type: "scatter", mode: "markers", x: grid.minima.map((m) => m.location[0]), y: grid.minima.map((m) => m.location[1]),
    marker: { symbol: "star", size: 14, color: "white", line: { color: "black", width: 1 } }, name: "known minima" };
}
function runTraces() {  // one trace per run, coloured by optimizer
  const out = [];
  if (!doc) return out;
  doc.results.forEach((res, i) => res.runs.forEach((r, b) => {
    const path = r.path.filter((p) => p.every((v) => v !== null));
    out.push({ type: "scatter", mode: "lines+markers", x: path.map((p) => p[0]), y: path.map((p) => p[1]),
      line: { color: COLORS[i % COLORS.length], width: 2 }, marker: { size: 3 },
      name: `${res.optimizer.name} #${b + 1}: ${r.diagnosis}`, legendgroup: String(i), showlegend: b === 0 });
  }));
  return out;
}
function inspectTraces() {
  if (!state.at || !point) return [];
  const d = domainNow(), span = 0.12 * Math.min(d[0][1] - d[0][0], d[1][1] - d[1][0]);
  const g = point.gradient, gn = Math.hypot(g[0], g[1]);
  const th = state.angle * Math.PI / 180, u = [Math.cos(th), Math.sin(th)];
  const traces = [{ type: "scatter", mode: "markers", x: [state.at[0]], y: [state.at[1]], name: "inspected point",
    marker: { symbol: "x", size: 11, color: "black" } }];
  traces.push({ type: "scatter", mode: "lines", ...arrows([state.at[0]], [state.at[1]], [span * u[0]], [span * u[1]], 0.25),
    line: { color: "black", width: 2.5 }, name: `direction θ = ${state.angle}°` });
  if (gn > 0) traces.push({ type: "scatter", mode: "lines", ...arrows([state.at[0]], [state.at[1]],
    [-span * g[0] / gn], [-span * g[1] / gn], 0.25), line: { color: COLORS[1], width: 2.5 }, name: "steepest descent −∇f" });
  return traces;
}
// one unit as long across as up, so a right angle is drawn as one (∇f ⟂ level curves): the
// view holds the domain and widens the other axis to keep the scale
function axes(layout) {
  const d = domainNow();
  return { ...layout, xaxis: { title: { text: grid.variables[0] }, range: d[0] },
    yaxis: { title: { text: grid.variables[1] }, range: d[1], scaleanchor: "x", scaleratio: 1 } };
}
// fixed margins (the legend lives in the bottom one): the plot area does not move when a
// legend entry appears, so a click lands where the map was drawn
const BASE = { margin: { t: 24, r: 10, b: 96, l: 50, autoexpand: false },
  legend: { orientation: "h", y: -0.14, yanchor: "top" }, dragmode: false };

async function drawContour(pathsOn) {
  const shown = logScaled(grid.z);
  const traces = [{ type: "contour", x: grid.x, y: grid.y, z: shown.z, colorscale: "Viridis", ncontours: 30, hoverinfo: "skip",
    name: "f", colorbar: { title: { text: shown.log ? "log₁₀(f − min)" : "f" }, thickness: 12 } }];
  if (state.field) traces.push(fieldTrace());
  if (grid.minima.length) traces.push(minimaTrace());
  traces.push(startTrace());
  const runs = runTraces();
  await Plotly.react("map", traces.concat(pathsOn ? runs : [], inspectTraces()), axes({ ...BASE, title: { text: "" } }), { displaylogo: false });
  return { runs };
}
async function drawSurface() {
  const shown = logScaled(grid.z);
  const z3 = (f) => shown.log ? Math.log10(Math.max(f - shown.lo, 0) + 1e-3) : f;  // as logScaled maps z
  const traces = [{ type: "surface", x: grid.x, y: grid.y, z: shown.z, colorscale: "Viridis", opacity: 0.92, showscale: false, name: "f" }];
  const zs = shown.z.flat().filter((v) => v !== null), lift = 0.01 * (Math.max(...zs) - Math.min(...zs));
  if (doc) doc.results.forEach((res, i) => res.runs.forEach((r, b) => {
    const keep = r.path.map((p, k) => p.every((v) => v !== null) && r.values[k] !== null);
    const path = r.path.filter((_, k) => keep[k]), vals = r.values.filter((_, k) => keep[k]);
    traces.push({ type: "scatter3d", mode: "lines", x: path.map((p) => p[0]), y: path.map((p) => p[1]),
      z: vals.map((v) => z3(v) + lift), line: { color: COLORS[i % COLORS.length], width: 6 }, name: res.optimizer.name,
      legendgroup: String(i), showlegend: b === 0 }); }));
  if (state.at && point) {  // the tangent plane over a small square around the point
    const d = domainNow(), h = 0.08 * Math.min(d[0][1] - d[0][0], d[1][1] - d[1][0]);
    const xs = [state.at[0] - h, state.at[0] + h], ys = [state.at[1] - h, state.at[1] + h];
    const plane = ys.map((y) => xs.map((x) => point.value + point.gradient[0] * (x - state.at[0]) + point.gradient[1] * (y - state.at[1])));
    if (!shown.log) traces.push({ type: "surface", x: xs, y: ys, z: plane, opacity: 0.7, showscale: false,
      colorscale: [[0, COLORS[1]], [1, COLORS[1]]], name: "tangent plane" });
    traces.push({ type: "scatter3d", mode: "markers", x: [state.at[0]], y: [state.at[1]], z: [z3(point.value)],
      marker: { size: 5, color: "black" }, name: "inspected point" });
  }
  await Plotly.react("map", traces, { ...BASE, scene: { xaxis: { title: { text: grid.variables[0] } }, yaxis: { title: { text: grid.variables[1] } },
    zaxis: { title: { text: shown.log ? "log₁₀(f − min)" : "f" } } } }, { displaylogo: false });
}
async function drawBasins() {
  const o = state.opts[0], d = domainNow();
  const body = { formula: state.f, domain: d, n: 60, optimizer: optSpec(o), max_steps: Math.min(Math.max(state.steps, 1000), 3000) };
  const key = "b" + JSON.stringify(body);
  cache[key] = cache[key] || await api("/api/basins", body);
  const b = cache[key];
  const minima = BASIN_COLORS.minima;
  const colors = [BASIN_COLORS.diverged, BASIN_COLORS.not_converged].concat(b.minima.map((_, i) => minima[i % minima.length]));
  const k = colors.length, scale = [];
  colors.forEach((c, i) => { scale.push([i / k, c], [(i + 1) / k, c]); });
  const xs = Array.from({ length: 60 }, (_, i) => d[0][0] + i * (d[0][1] - d[0][0]) / 59);
  const ys = Array.from({ length: 60 }, (_, i) => d[1][0] + i * (d[1][1] - d[1][0]) / 59);
  const traces = [{ type: "heatmap", x: xs, y: ys, z: b.labels.map((row) => row.map((v) => v + 2)), zmin: -0.5, zmax: k - 0.5,
    colorscale: scale, showscale: false, hovertemplate: "(%{x:.3g}, %{y:.3g})<extra></extra>", name: "basins" }];
  traces.push({ type: "scatter", mode: "markers", x: b.minima.map((m) => m[0]), y: b.minima.map((m) => m[1]),
    marker: { symbol: "star", size: 14, color: "white", line: { color: "black", width: 1 } }, name: "minima" });
  traces.push(startTrace());
  const c = b.counts, total = 3600;
  const title = `basins of ${o.name} (lr ${fmt(o.lr)}): ` + b.minima.map((m, i) => `→(${fmt(m[0])}, ${fmt(m[1])}) ${Math.round(100 * c.per_minimum[i] / total)}%`).join(", ")
    + `; diverged ${Math.round(100 * c.diverged / total)}%, not converged ${Math.round(100 * c.not_converged / total)}%`;
  await Plotly.react("map", traces, axes({ ...BASE, title: { text: title, font: { size: 12 } } }), { displaylogo: false });
}
async function drawLrMap() {
  const o = state.opts[0], d = domainNow();
  const at = state.at ? state.at[1] : d[1][0] + 0.37 * (d[1][1] - d[1][0]);  // off a line of symmetry
  const body = { formula: state.f, domain: d, optimizer: o.name, lrs: 30, starts: 40, max_steps: Math.min(state.steps, 1000), at };
  const key = "l" + JSON.stringify(body);
  cache[key] = cache[key] || await api("/api/lrmap", body);
  const m = cache[key];
  const labels = META.labels, k = labels.length, scale = [];
  labels.forEach((l, i) => { scale.push([i / k, LABEL_COLORS[l]], [(i + 1) / k, LABEL_COLORS[l]]); });
  const traces = [{ type: "heatmap", x: m.positions, y: m.lrs, z: m.labels.map((row) => row.map((l) => labels.indexOf(l))),
    text: m.labels, zmin: -0.5, zmax: k - 0.5, colorscale: scale, showscale: false,
    hovertemplate: "start %{x:.3g}, lr %{y:.3g}: %{text}<extra></extra>", name: "diagnosis" }];
  traces.push({ type: "scatter", mode: "lines", x: m.positions, y: m.bounds, line: { color: "black", width: 2 }, name: "stability bound 2/λmax at the minimum reached" });
  traces.push({ type: "scatter", mode: "lines", x: m.positions, y: m.start_bounds, line: { color: "black", width: 1, dash: "dash" }, name: "local bound 2/λmax at the start" });
  traces.push({ type: "scatter", mode: "lines", x: [m.positions[0], m.positions[m.positions.length - 1]], y: [o.lr, o.lr],
    line: { color: "#222", width: 2, dash: "dot" }, name: `lr ${fmt(o.lr)} (click to set)` });
  const present = labels.filter((l) => m.labels.flat().includes(l));
  present.forEach((l) => traces.push({ type: "scatter", mode: "markers", x: [null], y: [null], marker: { color: LABEL_COLORS[l], size: 10, symbol: "square" }, name: l }));
  const other = grid.variables[1 - m.axis];
  await Plotly.react("map", traces, { ...BASE, title: { text: `what ${o.name} does, by learning rate and start (${body.max_steps} steps)`, font: { size: 12 } },
    xaxis: { title: { text: `start ${grid.variables[m.axis]} (with ${other} = ${fmt(m.fixed)})` } },
    yaxis: { title: { text: "learning rate" }, type: "log", range: [Math.log10(m.lrs[0]), Math.log10(m.lrs[m.lrs.length - 1])] } }, { displaylogo: false });
}
async function redraw() {
  if (!grid) return;
  setState("drawing");
  try {
    if (state.view === "surface") await drawSurface();
    else if (state.view === "basins") { say("computing the basin map…"); await drawBasins(); say(""); }
    else if (state.view === "lrmap") { say("computing the learning-rate map…"); await drawLrMap(); say(""); }
    else await drawContour(true);
    drawLoss();
    keepGeometry();
    setState(doc ? "done" : "ready");
    $("map").dataset.paths = String(doc ? doc.results.reduce((n, r) => n + r.runs.length, 0) : 0);
  } catch (e) { say(e.message, true); setState("error"); }
}

// ---------- loading a function ----------
async function loadMap() {
  setState("loading");
  const check = await api("/api/parse", { formula: state.f }).catch((e) => ({ ok: false, error: e.message }));
  if (!check.ok) {
    grid = null; showError(check.error, check.column); Plotly.purge("map"); clearRuns(); setState("error"); return;
  }
  if (check.variables.length !== 2 && !check.library) {
    grid = null; showError(`the map needs 2 variables; this formula has ${check.variables.length}`); setState("error"); return;
  }
  try {
    grid = await api("/api/grid", { formula: state.f, n: 90, domain: state.dom });
    showError("");
  } catch (e) { grid = null; showError(e.message); setState("error"); return; }
  syncControls();
  refreshStartBound();
  if (state.at) await inspect(state.at, false);
  await redraw();
}
function clearRuns() { $("runs").querySelector("tbody").innerHTML = ""; Plotly.purge("loss"); }

// ---------- running ----------
function runRequest() { return { formula: state.f, starts: state.starts, optimizers: state.opts.map(optSpec), max_steps: state.steps }; }
async function run() {
  if (!grid) return;
  if (!state.starts.length) { say("click the map to add a starting point", true); return; }
  setState("running"); say("running…");
  try {
    doc = await api("/api/descend", runRequest());
  } catch (e) { doc = null; say(e.message, true); setState("error"); return; }
  state.ran = true; writeUrl();
  fillTable(); updateBounds(); say(`${doc.results.reduce((n, r) => n + r.runs.length, 0)} runs in ${fmt(doc.seconds)} s`);
  if (state.view === "contour") await animate(); else await redraw();
}
async function animate() {  // the paths grow from their starts over about a second
  const { runs } = await drawContour(false);
  const base = $("map").data.length;
  await Plotly.addTraces("map", runs.map((t) => ({ ...t, x: t.x.slice(0, 1), y: t.y.slice(0, 1) })));
  const idx = runs.map((_, k) => base + k), frames = 30;
  for (let f = 1; f <= frames; f++) {
    await new Promise((r) => requestAnimationFrame(r));
    const xs = runs.map((t) => t.x.slice(0, Math.max(1, Math.ceil(t.x.length * f / frames))));
    const ys = runs.map((t) => t.y.slice(0, Math.max(1, Math.ceil(t.y.length * f / frames))));
    if (idx.length) await Plotly.restyle("map", { x: xs, y: ys }, idx);
  }
  await redraw();
}
function fillTable() {
  const tbody = $("runs").querySelector("tbody");
  tbody.innerHTML = "";
  doc.results.forEach((res, i) => res.runs.forEach((r) => {
    const tr = document.createElement("tr");
    const events = r.events.map((e) => ` Along the way: ${e.kind.replace("_", " ")} (${e.at.map(fmt).join(", ")}) `
      + `at step ${e.step}, for about ${e.steps} steps.`).join("");
    const cells = [`${res.optimizer.name} (lr ${fmt(res.optimizer.lr)})`, `(${r.start.map(fmt).join(", ")})`,
      r.final ? `(${r.final.map(fmt).join(", ")})` : "—", fmt(r.value), String(r.steps), r.diagnosis,
      `${r.explanation}${events} Advice: ${r.advice}`];
    cells.forEach((text, j) => { const td = document.createElement("td"); td.textContent = text;
      if (j === 0) td.style.borderLeft = `5px solid ${COLORS[i % COLORS.length]}`;
      if (j === 5) td.className = r.diagnosis; tr.appendChild(td); });
    if (r.suggestion) {  // the server's suggestion uses only the options this page has (META.suggestion_options)
      const button = document.createElement("button");
      button.textContent = "try: " + Object.entries(r.suggestion).map(([k, v]) => `${k}=${v}`).join(", ");
      button.addEventListener("click", () => applySuggestion(i, r.suggestion));
      tr.lastChild.appendChild(document.createElement("br")); tr.lastChild.appendChild(button);
    }
    tbody.appendChild(tr);
  }));
}
function applySuggestion(i, s) {  // put a run's suggestion into the controls and run again
  if (s.optimizer) state.opts[i] = { name: s.optimizer, lr: defaultOf(s.optimizer, "lr"), hyper: {} };
  const o = state.opts[i];
  if (s.lr !== undefined) o.lr = s.lr;
  ["momentum", "eps"].forEach((k) => { if (s[k] !== undefined) o.hyper[k] = s[k]; });
  if (s.max_steps !== undefined) { state.steps = Math.min(MAX_STEPS, s.max_steps); $("steps").value = state.steps; }
  if (s.start !== undefined) state.starts = [s.start.split(",").map(Number)];
  buildOptimizers(); changed(); run();
}
function drawLoss() {
  if (!doc) { Plotly.purge("loss"); return; }
  const traces = [];
  let positive = true;
  doc.results.forEach((res, i) => res.runs.forEach((r, b) => {
    const ok = r.values.map((v) => v !== null);
    const y = r.values.filter((_, k) => ok[k]);
    if (y.some((v) => v <= 0)) positive = false;
    traces.push({ type: "scatter", mode: "lines", x: r.recorded_steps.filter((_, k) => ok[k]), y,
      line: { color: COLORS[i % COLORS.length], width: 1.5 }, name: `${res.optimizer.name} #${b + 1}`, showlegend: false });
  }));
  Plotly.react("loss", traces, { margin: { t: 28, r: 8, b: 40, l: 50 }, title: { text: "loss curves f(x_t)", font: { size: 12 } },
    xaxis: { title: { text: "step" } }, yaxis: { title: { text: "f" }, type: positive ? "log" : "linear", exponentformat: "power" } }, { displaylogo: false });
}

// ---------- inspecting a point ----------
async function inspect(at, draw = true) {
  const th = state.angle * Math.PI / 180;
  try {
    point = await api("/api/grad", { formula: state.f, point: at, direction: [Math.cos(th), Math.sin(th)] });
  } catch (e) { point = null; say(e.message, true); return; }
  state.at = at; changed(true);
  $("inspect").hidden = false;
  $("inspect-point").textContent = `(${at.map(fmt).join(", ")})`;
  const rows = [["f", fmt(point.value)], ["∇f", `(${point.gradient.map(fmt).join(", ")})`], ["‖∇f‖", fmt(point.gradient_norm)],
    ["steepest descent", point.steepest_descent ? `(${point.steepest_descent.map(fmt).join(", ")})` : "— (critical point)"],
    [`D_u f, θ = ${state.angle}°`, fmt(point.directional_derivative)],
    ["Hessian λ", point.hessian_eigenvalues.map(fmt).join(", ")], ["2/λmax", (() => { const l = Math.max(...point.hessian_eigenvalues); return l > 0 ? fmt(2 / l) : "—"; })()],
    ["tangent plane", point.tangent_plane]];
  if (point.critical_point) rows.push(["critical point", point.critical_point]);
  const table = $("inspect-table"); table.innerHTML = "";
  rows.forEach(([k, v]) => { const tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = v; });
  $("dial-value").textContent = `D_u f = ${fmt(point.directional_derivative)}`;
  drawDial();
  if (draw) await redraw();
}
function drawDial() {  // |D_u f| = |∇f·u| around the circle: blue where f rises, red where it falls
  const g = point.gradient, thetas = Array.from({ length: 73 }, (_, k) => k * 5);
  const d = thetas.map((t) => g[0] * Math.cos(t * Math.PI / 180) + g[1] * Math.sin(t * Math.PI / 180));
  const now = g[0] * Math.cos(state.angle * Math.PI / 180) + g[1] * Math.sin(state.angle * Math.PI / 180);
  const traces = [
    { type: "scatterpolar", mode: "lines", theta: thetas, r: d.map((v) => v > 0 ? v : 0), line: { color: COLORS[0] }, name: "D_u f > 0 (uphill)" },
    { type: "scatterpolar", mode: "lines", theta: thetas, r: d.map((v) => v < 0 ? -v : 0), line: { color: COLORS[1] }, name: "D_u f < 0 (downhill)" },
    { type: "scatterpolar", mode: "lines+markers", theta: [state.angle, state.angle], r: [0, Math.abs(now)],
      line: { color: "black", width: 3 }, marker: { size: [0, 8] }, name: `θ = ${state.angle}°: ${fmt(now)}` }];
  Plotly.react("dial", traces, { margin: { t: 30, r: 30, b: 20, l: 30 }, title: { text: "directional derivative dial |D_u f|", font: { size: 12 } },
    polar: { angularaxis: { rotation: 0, direction: "counterclockwise" }, radialaxis: { showticklabels: false } }, legend: { orientation: "h", font: { size: 10 } } }, { displaylogo: false });
}

// ---------- clicks on the map ----------
// the map's axes as last drawn: a click lands on the map the user saw, even while the next
// drawing is under way (plotly rebuilds its layout during react)
let geometry = null;
function keepGeometry() {
  const full = $("map")._fullLayout;
  geometry = full && full.xaxis && full.yaxis && state.view !== "surface" ? {
    x: [full.xaxis._offset, full.xaxis._length, ...full.xaxis.range],
    y: [full.yaxis._offset, full.yaxis._length, ...full.yaxis.range] } : null;
}
function dataPoint(ev) {
  if (!geometry) return null;
  const box = $("map").getBoundingClientRect(), [xo, xn, x0, x1] = geometry.x, [yo, yn, y0, y1] = geometry.y;
  const px = ev.clientX - box.left - xo, py = ev.clientY - box.top - yo;
  if (px < 0 || py < 0 || px > xn || py > yn) return null;
  return [x0 + (px / xn) * (x1 - x0), y1 - (py / yn) * (y1 - y0)];  // (log axes: in log10 units)
}
// coordinates as the URL writes them, so a shared link reruns exactly what its sender saw
function round4(p) { return p.map((v) => +v.toFixed(4)); }
async function onMapClick(ev) {
  if (!grid) return;
  const p = dataPoint(ev);
  if (!p) return;
  if (state.view === "lrmap") {  // the y axis is log10(lr): set the first optimizer's rate
    const lr = +Math.pow(10, p[1]).toPrecision(3);
    if (lr > 0) { state.opts[0].lr = lr; buildOptimizers(); changed(); await redraw(); }
    return;
  }
  if (state.mode === "inspect") { await inspect(round4(p)); return; }
  if (state.starts.length >= MAX_STARTS) { say(`at most ${MAX_STARTS} starts`, true); return; }
  state.starts.push(round4(p)); startsChanged(); await redraw();
}
function addGrid() {
  const d = domainNow(), n = Math.max(2, Math.min(10, +$("grid-n").value | 0));
  if (!d) return;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (state.starts.length >= MAX_STARTS) break;
    state.starts.push(round4([d[0][0] + (j + 0.5) * (d[0][1] - d[0][0]) / n, d[1][0] + (i + 0.5) * (d[1][1] - d[1][0]) / n]));
  }
  startsChanged(); redraw();
}

// ---------- export ----------
async function exportCsv() {  // the CLI's CSV (gdlab descend --output run.csv): the run again, deterministic
  if (!doc) { say("run first: there is nothing to export", true); return; }
  const r = await fetch("/api/descend", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...runRequest(), format: "csv" }) });
  if (!r.ok) { say((await r.json().catch(() => ({}))).detail || "export failed", true); return; }
  download("gdlab-runs.csv", "text/csv", await r.text());
}

// ---------- start ----------
async function init() {
  try {
    META = await api("/api/meta");
    META.optimizers.forEach((o) => { catalog[o.name] = o; });
    COLORS = META.palette; LABEL_COLORS = META.label_colors; BASIN_COLORS = META.basin_colors;
    ({ max_optimizers: MAX_OPTS, max_starts: MAX_STARTS, max_steps: MAX_STEPS } = META.limits);
  } catch (e) { say("cannot reach the server: " + e.message, true); return; }
  readUrl(); syncControls();
  try {
    const fns = await api("/api/functions");
    fns.filter((f) => f.nd || f.dim === 2).forEach((f) => {
      const o = document.createElement("option"); o.value = o.textContent = f.name; $("picker").appendChild(o);
    });
  } catch (e) { /* the picker stays empty */ }
  $("formula").addEventListener("change", () => {
    state.f = $("formula").value.trim(); state.starts = []; state.dom = null; state.at = null; point = null;
    $("inspect").hidden = true; changed(); clearRuns(); loadMap();
  });
  $("formula").addEventListener("input", checkAsTyped);
  $("picker").addEventListener("change", () => { if ($("picker").value) { $("formula").value = $("picker").value;
    $("formula").dispatchEvent(new Event("change")); } });
  ["x0", "x1", "y0", "y1"].forEach((id) => $(id).addEventListener("change", () => {
    const v = ["x0", "x1", "y0", "y1"].map((k) => num($(k).value));
    if (v.some((x) => x === null) || !(v[0] < v[1]) || !(v[2] < v[3])) { say("the domain needs x0 < x1 and y0 < y1", true); return; }
    state.dom = [[v[0], v[1]], [v[2], v[3]]]; say(""); changed(true); loadMap();
  }));
  $("domain-auto").addEventListener("click", () => { state.dom = null; changed(true); loadMap(); });
  document.querySelectorAll("#views button").forEach((b) => b.addEventListener("click", () => {
    state.view = b.dataset.view; syncControls(); changed(true); redraw(); }));
  $("field").addEventListener("change", () => { state.field = $("field").checked; changed(true); redraw(); });
  document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", () => { state.mode = r.value; }));
  $("grid").addEventListener("click", addGrid);
  $("clear").addEventListener("click", () => { state.starts = []; startsChanged(); clearRuns(); redraw(); });
  $("add-opt").addEventListener("click", () => {
    if (state.opts.length >= MAX_OPTS) return;
    const name = ["gd", "momentum", "adam", "nesterov", "rmsprop", "adagrad", "amsgrad", "nadam"][state.opts.length % 8];
    state.opts.push({ name, lr: defaultOf(name, "lr"), hyper: {} }); buildOptimizers(); changed();
  });
  $("steps").addEventListener("change", () => { state.steps = Math.max(1, Math.min(MAX_STEPS, +$("steps").value | 0)); $("steps").value = state.steps; changed(); });
  $("run").addEventListener("click", run);
  $("export-json").addEventListener("click", () => doc ? download("gdlab-runs.json", "application/json", JSON.stringify(doc, null, 1))
    : say("run first: there is nothing to export", true));
  $("export-csv").addEventListener("click", exportCsv);
  $("export-png").addEventListener("click", () => Plotly.downloadImage("map", { format: "png", filename: `gdlab-${state.view}`, width: 1200, height: 800 }));
  $("dial-angle").addEventListener("change", () => { state.angle = +$("dial-angle").value; if (state.at) inspect(state.at); });
  $("map").addEventListener("click", onMapClick);
  const rerun = state.ran && state.starts.length > 0;
  writeUrl();
  await loadMap();
  if (rerun) await run();
}
init();
