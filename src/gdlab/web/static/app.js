// gdlab playground: talks only to the JSON API; the whole state lives in the URL.
"use strict";
const $ = (id) => document.getElementById(id);
const RULES = {
  gd: "x ← x − lr·g", momentum: "b ← μb + g; x ← x − lr·b", nesterov: "b ← μb + g; x ← x − lr·(g + μb)",
  adagrad: "s ← s + g²; x ← x − lr·g/(√s + ε)", rmsprop: "v ← αv + (1−α)g²; x ← x − lr·g/(√v + ε)",
  adam: "m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; x ← x − lr·m̂/(√v̂ + ε)", adamw: "x ← x(1 − lr·wd), then Adam",
  amsgrad: "Adam with v̂ ← max(v̂, v)", nadam: "Adam with Nesterov momentum", adadelta: "δ = √(u+ε)/√(v+ε)·g; x ← x − lr·δ",
  backtracking: "x ← x − lr·βᵏ·g (Armijo)", newton: "x ← x − lr·(H + λI)⁻¹g",
};
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
let state = { f: "himmelblau", opt: "gd", lr: 0.01, steps: 300, starts: [], ran: false };
let grid = null;

function readUrl() {
  const q = new URLSearchParams(location.search);
  if (q.get("f")) state.f = q.get("f");
  if (q.get("opt") && RULES[q.get("opt")]) state.opt = q.get("opt");
  if (q.get("lr") && isFinite(+q.get("lr")) && +q.get("lr") > 0) state.lr = +q.get("lr");
  if (q.get("steps") && Number.isInteger(+q.get("steps"))) state.steps = +q.get("steps");
  state.ran = q.get("run") === "1";
  if (q.get("starts")) {
    state.starts = q.get("starts").split(";").map((p) => p.split(",").map(Number))
      .filter((p) => p.length === 2 && p.every(isFinite)).slice(0, 50);
  }
}
function changed() { state.ran = false; writeUrl(); }
function writeUrl() {
  const q = new URLSearchParams({ f: state.f, opt: state.opt, lr: String(state.lr), steps: String(state.steps) });
  if (state.starts.length) q.set("starts", state.starts.map((p) => p.map((v) => +v.toFixed(4)).join(",")).join(";"));
  if (state.ran) q.set("run", "1");
  history.replaceState(null, "", "?" + q.toString());
}
function syncControls() {
  $("formula").value = state.f; $("optimizer").value = state.opt; $("steps").value = state.steps;
  $("lr-slider").value = Math.log10(state.lr); $("lr-value").textContent = fmt(state.lr);
  $("rule").textContent = state.opt + ": " + RULES[state.opt];
}
function fmt(v) { return v === null || v === undefined ? "—" : (+v).toPrecision(4).replace(/\.?0+(e|$)/, "$1"); }
async function api(path, body) {
  const r = await fetch(path, { method: body ? "POST" : "GET", headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({ detail: "bad response" }));
  if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : "invalid request");
  return data;
}
function showError(message) {
  $("formula-error").textContent = message ? "error: " + message : "";
  $("formula").classList.toggle("bad", !!message);
}
async function loadMap() {
  $("map").dataset.state = "loading";
  const check = await api("/api/parse", { formula: state.f }).catch((e) => ({ ok: false, error: e.message }));
  if (!check.ok) {
    grid = null; showError(check.error); Plotly.purge("map"); $("runs").querySelector("tbody").innerHTML = "";
    $("map").dataset.state = "error"; return;
  }
  if (check.variables.length !== 2 && !check.library) {
    grid = null; showError(`the map needs 2 variables; this formula has ${check.variables.length}`);
    $("map").dataset.state = "error"; return;
  }
  try {
    grid = await api("/api/grid", { formula: state.f, n: 80 });
    showError("");
  } catch (e) { grid = null; showError(e.message); $("map").dataset.state = "error"; return; }
  await draw([]);
}
async function draw(runs) {
  const z = grid.z;
  const flat = z.flat().filter((v) => v !== null);
  const lo = Math.min(...flat), hi = Math.max(...flat);
  const logScale = hi - lo > 1e3 * (flat.sort((a, b) => a - b)[Math.floor(flat.length / 2)] - lo + 1e-12);
  const shown = logScale ? z.map((row) => row.map((v) => v === null ? null : Math.log10(v - lo + 1e-3))) : z;
  const traces = [{ type: "contour", x: grid.x, y: grid.y, z: shown, colorscale: "Viridis", showscale: false,
    ncontours: 30, hoverinfo: "skip", name: "f" }];
  traces.push({ type: "scatter", mode: "markers", x: state.starts.map((p) => p[0]), y: state.starts.map((p) => p[1]),
    marker: { color: "white", size: 10, line: { color: "black", width: 1 } }, name: "starts" });
  runs.forEach((r, i) => traces.push({ type: "scatter", mode: "lines+markers", x: r.path.map((p) => p[0]),
    y: r.path.map((p) => p[1]), line: { color: COLORS[i % COLORS.length] }, marker: { size: 3 },
    name: `run ${i + 1}: ${r.diagnosis}` }));
  if (grid.minima.length) traces.push({ type: "scatter", mode: "markers", x: grid.minima.map((m) => m.location[0]),
    y: grid.minima.map((m) => m.location[1]), marker: { symbol: "star", size: 14, color: "white",
    line: { color: "black", width: 1 } }, name: "known minima" });
  const layout = { margin: { t: 20, r: 10, b: 40, l: 50 }, xaxis: { title: grid.variables[0], range: grid.domain[0] },
    yaxis: { title: grid.variables[1], range: grid.domain[1] }, legend: { orientation: "h" }, dragmode: false };
  await Plotly.react("map", traces, layout, { displaylogo: false });
  $("map").dataset.state = "ready";
  $("map").dataset.paths = String(runs.length);
}
function addStart(ev) {
  if (!grid) return;
  const div = $("map"), full = div._fullLayout;
  if (!full) return;
  const box = div.getBoundingClientRect();
  const xa = full.xaxis, ya = full.yaxis;
  const px = ev.clientX - box.left - xa._offset, py = ev.clientY - box.top - ya._offset;
  if (px < 0 || py < 0 || px > xa._length || py > ya._length) return;
  state.starts.push([xa.p2l(px), ya.p2l(py)]);
  changed(); draw([]);
}
async function run() {
  if (!grid) return;
  if (!state.starts.length) { showError("click the map to add a starting point"); return; }
  $("map").dataset.state = "running";
  try {
    const doc = await api("/api/descend", { formula: state.f, starts: state.starts,
      optimizers: [{ name: state.opt, lr: state.lr }], steps: state.steps });
    const runs = doc.results[0].runs;
    const tbody = $("runs").querySelector("tbody");
    tbody.innerHTML = "";
    runs.forEach((r) => {
      const tr = document.createElement("tr");
      const cells = [`(${r.start.map(fmt).join(", ")})`, r.final ? `(${r.final.map(fmt).join(", ")})` : "—",
        fmt(r.value), String(r.steps), r.diagnosis, `${r.explanation} Advice: ${r.advice}`];
      cells.forEach((text, j) => { const td = document.createElement("td"); td.textContent = text;
        if (j === 4) td.className = r.diagnosis; tr.appendChild(td); });
      tbody.appendChild(tr);
    });
    const bound = runs.map((r) => r.stability_bound).find((b) => b);
    $("bound").textContent = bound ? `stability bound 2/λmax ≈ ${fmt(bound)}` : "";
    showError("");
    await draw(runs.map((r) => ({ ...r, path: r.path.filter((p) => p.every((v) => v !== null)) })));
    state.ran = true; writeUrl();
    $("map").dataset.state = "done";
  } catch (e) { showError(e.message); $("map").dataset.state = "error"; }
}
async function init() {
  readUrl(); syncControls();
  try {
    const fns = await api("/api/functions");
    fns.filter((f) => f.nd || f.dim === 2).forEach((f) => {
      const o = document.createElement("option"); o.value = f.name; o.textContent = f.name; $("picker").appendChild(o);
    });
  } catch (e) { /* the picker stays empty */ }
  $("formula").addEventListener("change", () => { state.f = $("formula").value.trim(); state.starts = []; changed(); loadMap(); });
  $("picker").addEventListener("change", () => { if ($("picker").value) { $("formula").value = $("picker").value;
    $("formula").dispatchEvent(new Event("change")); } });
  $("optimizer").addEventListener("change", () => { state.opt = $("optimizer").value; syncControls(); changed(); });
  $("lr-slider").addEventListener("input", () => { state.lr = +Math.pow(10, +$("lr-slider").value).toPrecision(3);
    $("lr-value").textContent = fmt(state.lr); changed(); });
  $("steps").addEventListener("change", () => { state.steps = Math.max(1, Math.min(20000, +$("steps").value | 0)); changed(); });
  $("run").addEventListener("click", run);
  $("clear").addEventListener("click", () => { state.starts = []; changed(); draw([]); });
  $("map").addEventListener("click", addStart);
  const rerun = state.ran && state.starts.length > 0;
  writeUrl();
  await loadMap();
  if (rerun) await run();
}
init();
