// gdlab playground: talks only to the JSON API (/docs); the whole state lives in the URL.
"use strict";
const $ = (id) => document.getElementById(id);
// every word comes from the message catalogue (GET /api/messages: gdlab/locale/<lang>/page.toml
// and the diagnoses' names), in the language of the URL's lang
let LANG = "en", MESSAGES = {}, LANGUAGES = {};
// every server constant (limits, colours, labels, optimizers, presets, bound formulas) comes
// from GET /api/meta; the constants below are choices of this page only
let META = null;
let COLORS = [], LABEL_COLORS = {}, BASIN_COLORS = {}, MAX_OPTS = 0, MAX_STARTS = 0, MAX_STEPS = 0;
const LR_RANGE = [-12, 3];   // the slider's log10 range; the number box beside it takes any value
const VIEWS = ["contour", "surface", "basins", "lrmap"];
const GRID_N = 100;          // points per side of the contour grid
const BASIN_N = 150;         // starts per side of the basin map
const LIVE_STARTS = 16;      // dragging re-runs live up to this many starts
const AUTO_RERUN = 64;       // a control change re-runs by itself up to this many runs
const SYMBOLS = ["circle", "square", "diamond", "triangle-up", "x", "triangle-down", "star", "cross"];
const MARKERS_UP_TO = 4000;  // points drawn with a marker each up to this many in all
const LOSS_CURVES = 40;      // more runs than this: the loss panel shows median and range
const MARGIN = { t: 12, r: 78, b: 44, l: 56 };  // fixed: the plot area does not move
function viewNote(inspecting) {  // what the view shows (page.note.<view>), and the point's dial
  return t(`page.note.${state.view}`) + (inspecting && state.view === "contour" ? " " + t("page.note.inspect") : "");
}

let catalog = Object.create(null);  // optimizer name → {rule, torch, hyper: [...]}; no prototype keys
let state = { f: "himmelblau", dom: null, starts: [], opts: [{ name: "gd", lr: 0.01, hyper: {} }],
  steps: 300, tol: null, noise: null, seed: null, schedule: "", view: "contour", field: false,
  mode: "add", ran: false, at: null, angle: 0, sel: [0, 0], step: null };
let functions = {};     // library name → /api/functions entry
let autoDom = null;     // the server's domain for the formula
let grid = null;        // /api/grid over the view (the domain widened to the map's shape)
let doc = null;         // the last /api/descend answer …
let docRequest = null;  // … and the request that made it
let point = null;       // the last /api/grad answer (inspected point)
let trace = null;       // the last /api/steps answer (the selected run, step by step)
const cache = {};       // basin and lr maps by request

// ---------- numbers and the URL ----------
function num(v) { const x = Number(v); return v !== "" && v !== null && v !== undefined && Number.isFinite(x) ? x : null; }
function pair(text) { const p = String(text).split(",").map((s) => num(s.trim())); return p.length === 2 && p.every((v) => v !== null) ? p : null; }
function points(text) { return String(text).split(";").map((s) => s.trim().replace(/^\(|\)$/g, "")).filter(Boolean).map(pair); }
function exact(v) { return String(v); }  // the shortest text that reads back as the same double
function readUrl() {
  const q = new URLSearchParams(location.search);
  if (q.get("f")) state.f = q.get("f").slice(0, META.limits.formula_length);
  const d = (q.get("dom") || "").split(",").map(num);
  if (d.length === 4 && d.every((v) => v !== null) && d[0] < d[1] && d[2] < d[3]) state.dom = [[d[0], d[1]], [d[2], d[3]]];
  if (q.get("starts")) state.starts = points(q.get("starts")).filter(Boolean).slice(0, MAX_STARTS);
  if (q.get("opts")) {
    const opts = q.get("opts").split(";").map(parseOpt).filter(Boolean).slice(0, MAX_OPTS);
    if (opts.length) state.opts = opts;
  } else if (q.get("opt") || q.get("lr")) {  // links of the first version: one optimizer
    const o = parseOpt(`${catalog[q.get("opt")] ? q.get("opt") : "gd"}:lr=${q.get("lr") || ""}`);
    if (o) state.opts = [o];
  }
  const steps = num(q.get("steps"));
  if (Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS) state.steps = steps;
  ["tol", "noise", "seed"].forEach((k) => { state[k] = num(q.get(k)); });
  state.schedule = (q.get("schedule") || "").slice(0, 200);
  if (VIEWS.includes(q.get("view"))) state.view = q.get("view");
  state.field = q.get("field") === "1";
  if (q.get("mode") === "inspect") state.mode = "inspect";
  state.ran = q.get("run") === "1";
  state.at = q.get("at") ? pair(q.get("at")) : null;
  const angle = num(q.get("angle"));
  if (angle !== null) state.angle = ((Math.round(angle) % 360) + 360) % 360;
  const sel = (q.get("sel") || "").split(".").map(num);
  if (sel.length === 2 && sel.every((v) => Number.isInteger(v) && v >= 0)) state.sel = sel;
  const step = num(q.get("k"));
  if (Number.isInteger(step) && step >= 0) state.step = step;
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
  if (state.dom) q.set("dom", state.dom.flat().map(exact).join(","));
  if (state.starts.length) q.set("starts", state.starts.map((p) => p.map(exact).join(",")).join(";"));
  q.set("opts", state.opts.map(optText).join(";"));
  q.set("steps", String(state.steps));
  ["tol", "noise", "seed"].forEach((k) => { if (state[k] !== null) q.set(k, exact(state[k])); });
  if (state.schedule) q.set("schedule", state.schedule);
  if (state.view !== "contour") q.set("view", state.view);
  if (state.field) q.set("field", "1");
  if (state.mode !== "add") q.set("mode", state.mode);
  if (state.at) { q.set("at", state.at.map(exact).join(",")); q.set("angle", String(state.angle)); }
  if (state.ran) q.set("run", "1");
  if (state.ran && (state.sel[0] || state.sel[1])) q.set("sel", state.sel.join("."));
  if (state.ran && state.step !== null) q.set("k", String(state.step));
  q.set("lang", LANG);
  history.replaceState(null, "", "?" + q.toString());
}

// ---------- words ----------
function t(key, fields = {}) {  // the template of key, its {fields} filled (a plural key: by n)
  let s = MESSAGES[key];
  if (s === undefined) return key;
  if (typeof s === "object") s = s[fields.n === 1 ? "one" : "other"];
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in fields ? String(fields[name]) : m));
}
function label(id) { return t(`label.${id}`); }  // a diagnosis's name
async function loadMessages(lang) {  // the catalogue of lang; index.html's words swapped
  const got = await api(`/api/messages?lang=${encodeURIComponent(lang)}`);
  // a script beyond the system's fonts (Hangul: NanumGothic, /fonts/hangul.css) is loaded
  // before the page writes text in it: plotly sizes its keys and titles as it draws them
  const sample = [...got.languages[got.lang]].filter((c) => c > "\u007f").join("");
  const family = getComputedStyle(document.body).fontFamily;
  if (sample) await Promise.all(["", "bold "].map((w) => document.fonts.load(`${w}16px ${family}`, sample))).catch(() => null);
  MESSAGES = got.messages; LANGUAGES = got.languages; LANG = got.lang;
  document.documentElement.lang = LANG;
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-attr]").forEach((el) => el.dataset.i18nAttr.split(/\s+/).forEach((pair) => {
    const [attr, key] = pair.split(":"); el.setAttribute(attr, t(key)); }));
  const menu = $("lang");  // each language by its own name
  menu.innerHTML = "";
  Object.entries(LANGUAGES).forEach(([code, name]) => {
    const o = document.createElement("option"); o.value = code; o.lang = code; o.textContent = name; menu.appendChild(o); });
  menu.value = LANG;
  playLabel();
}
function playLabel() { const k = playing ? "pause" : "play"; $("play").textContent = t(`page.player.${k}_text`); $("play").setAttribute("aria-label", t(`page.player.${k}`)); }

// ---------- small helpers ----------
function fmt(v) {  // 4 significant digits, trailing zeros of the mantissa dropped (never the exponent's)
  if (v === null || v === undefined) return "—";
  const [m, e] = (+v).toPrecision(4).split("e");
  return (m.includes(".") ? m.replace(/\.?0+$/, "") : m) + (e === undefined ? "" : "e" + e);
}
function vec(p) { return `(${p.map(fmt).join(", ")})`; }
function defaultOf(name, key) { const h = catalog[name].hyper.find((x) => x.name === key); return h ? h.default : null; }
async function api(path, body) {
  const r = await fetch(path, { method: body ? "POST" : "GET", headers: { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined });
  const data = await r.json().catch(() => ({ detail: t("page.bad_response") }));
  if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : t("page.invalid_request"));
  return data;
}
function showError(message, column) {
  $("formula-error").textContent = message ? t("page.error", { message }) : "";
  $("formula").classList.toggle("bad", !!message);
  const caret = $("formula-caret");  // a caret under the offending column (the box is monospace)
  caret.textContent = column ? " ".repeat(Math.min(column - 1, META.limits.formula_length)) + "^" : "";
  caret.style.marginLeft = `${$("formula").offsetLeft - caret.parentElement.offsetLeft + 3}px`;
}
// what the map cannot show, as one line (null: it can)
function mapProblem(check) {
  if (!check.ok) return check.error;
  if (check.variables.length !== 2 && !check.library)
    return t("page.needs_two", { count: check.variables.length ? `${check.variables.length} (${check.variables.join(", ")})` : t("term.none") });
  return null;
}
let typing = null;
function checkAsTyped() {  // live errors as the formula is typed; the map changes on Enter/blur
  clearTimeout(typing);
  typing = setTimeout(async () => {
    const text = $("formula").value.trim();
    if (!text) return;
    const check = await api("/api/parse", { formula: text }).catch((e) => ({ ok: false, error: e.message }));
    if ($("formula").value.trim() !== text) return;  // typed on meanwhile
    showError(mapProblem(check), check.ok ? null : check.column);
  }, 200);
}
function say(message, bad) { $("status").textContent = $("status").title = message || ""; $("status").classList.toggle("bad", !!bad); }
function setState(s) { $("map").dataset.state = s; }
function optSpec(o) { return { name: o.name, lr: o.lr, hyper: o.hyper }; }
function saveAs(name, href) {  // the browser's download of href under name
  const a = document.createElement("a");
  a.href = href; a.download = name; document.body.appendChild(a); a.click(); a.remove();
}
function download(name, type, text) {
  const href = URL.createObjectURL(new Blob([text], { type }));
  saveAs(name, href);
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}
function ink() { return getComputedStyle(document.body).color; }
function config(threeD) {  // no cloud button; on the 2-D maps no zoom either (the domain fields zoom)
  return threeD ? { displaylogo: false, responsive: true, showSendToCloud: false, showEditInChartStudio: false,
    modeBarButtonsToRemove: ["toImage"] } : { displaylogo: false, responsive: true, displayModeBar: false };
}
function look(layout) {  // the page's colours (light or dark) on a plot
  const c = ink(), lines = getComputedStyle(document.documentElement).getPropertyValue("--line").trim() || "#ddd";
  const axis = (a) => ({ gridcolor: lines, zerolinecolor: lines, ...(a || {}) });
  // the page's fonts (NanumGothic for Hangul alone: a machine may have no Korean font)
  const family = getComputedStyle(document.body).fontFamily;
  return { ...layout, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: c, family },
    xaxis: axis(layout.xaxis), yaxis: axis(layout.yaxis) };
}

// ---------- the controls ----------
function syncControls() {
  $("formula").value = state.f; $("steps").value = state.steps; $("field").checked = state.field;
  ["tol", "noise", "seed"].forEach((k) => { $(k).value = state[k] === null ? "" : exact(state[k]); });
  $("schedule").value = state.schedule;
  document.querySelectorAll("#views button").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.view === state.view)));
  document.querySelectorAll("input[name=mode]").forEach((r) => { r.checked = r.value === state.mode; });
  const d = domainNow();
  ["x0", "x1", "y0", "y1"].forEach((id, i) => { $(id).value = d ? exact(+d[i >> 1][i & 1].toPrecision(6)) : ""; });
  $("starts-text").value = state.starts.map((p) => p.map(exact).join(", ")).join("; ");
  $("point-text").value = state.at ? state.at.map(exact).join(", ") : "";
  $("dial-angle").value = state.angle;
  const about = functions[state.f];
  $("about").hidden = !about;
  $("about").textContent = about ? `${about.title}: ${about.description}` : "";
  $("view-note").textContent = viewNote(!!state.at);
  buildOptimizers();
}
function lrControl(o) {  // a log slider for feel and a number box for the exact value
  const lr = document.createElement("label"); lr.textContent = t("term.learning_rate") + " ";
  const wrap = document.createElement("span"); wrap.className = "lr";
  const slider = document.createElement("input");
  Object.assign(slider, { type: "range", min: LR_RANGE[0], max: LR_RANGE[1], step: 0.01, value: Math.log10(o.lr), className: "lr-slider" });
  slider.setAttribute("aria-label", t("page.lr_log_aria"));
  const box = document.createElement("input");
  Object.assign(box, { className: "lr-input lr-value", value: exact(o.lr), inputMode: "decimal", spellcheck: false });
  box.setAttribute("aria-label", t("term.learning_rate"));
  slider.addEventListener("input", () => { o.lr = +Math.pow(10, +slider.value).toPrecision(3); box.value = exact(o.lr); changed(); updateBounds(); });
  box.addEventListener("change", () => {
    const v = num(box.value);
    box.classList.toggle("bad", !(v > 0));
    if (!(v > 0)) { say(t("page.lr_positive"), true); return; }
    o.lr = v; slider.value = Math.log10(v); say(""); changed(); updateBounds();
  });
  wrap.appendChild(slider);
  const mark = document.createElement("span"); mark.className = "bound-mark"; mark.hidden = true;
  wrap.appendChild(mark);
  lr.appendChild(wrap); lr.appendChild(box);
  return lr;
}
function hyperControl(o, h) {
  const label = document.createElement("label"); label.textContent = h.name + " ";
  const input = document.createElement("input");
  input.dataset.hyper = h.name;
  if (typeof h.default === "boolean") {
    input.type = "checkbox"; input.checked = o.hyper[h.name] ?? h.default;
    input.addEventListener("change", () => { o.hyper[h.name] = input.checked; changed(); });
  } else {
    input.className = "hyper"; input.value = o.hyper[h.name] ?? h.default; input.inputMode = "decimal";
    input.addEventListener("change", () => {
      const v = num(input.value);
      if (v === null) { input.value = o.hyper[h.name] ?? h.default; return; }
      if (v === h.default) delete o.hyper[h.name]; else o.hyper[h.name] = v;
      changed();
    });
  }
  label.appendChild(input);
  return label;
}
function buildOptimizers() {
  const list = $("opt-list");
  list.innerHTML = "";
  state.opts.forEach((o, i) => {
    const box = document.createElement("div");
    box.className = "opt"; box.style.borderLeftColor = COLORS[i % COLORS.length]; box.dataset.index = String(i);
    const select = document.createElement("select");
    select.className = "opt-name"; select.setAttribute("aria-label", t("page.optimizer_aria", { index: i + 1 }));
    Object.keys(catalog).forEach((name) => { const op = document.createElement("option"); op.value = op.textContent = name; select.appendChild(op); });
    select.value = o.name;
    select.addEventListener("change", () => { state.opts[i] = { name: select.value, lr: defaultOf(select.value, "lr"), hyper: {} }; buildOptimizers(); changed(); });
    box.appendChild(select);
    box.appendChild(lrControl(o));
    const text = document.createElement("span"); text.className = "bound-text"; box.appendChild(text);
    catalog[o.name].hyper.filter((h) => h.name !== "lr").forEach((h) => box.appendChild(hyperControl(o, h)));
    if (state.opts.length > 1) {
      const rm = document.createElement("button"); rm.textContent = t("page.remove"); rm.className = "remove";
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
    mark.title = bound ? t("page.bound.title", { bound: fmt(bound), where: found.where }) : "";
    text.textContent = !bound ? "" : t("page.bound.text", { bound: fmt(bound), where: found.where }) + (o.lr > bound ? t("page.bound.above") : "");
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
    const reached = (x) => /minimum$/.test(x.diagnosis);
    const r = runs.reduce((a, b) => (b.optimizer_bound < a.optimizer_bound || (b.optimizer_bound === a.optimizer_bound
      && reached(b) && !reached(a)) ? b : a));
    const same = (p, q) => p && q && p.every((v, j) => Math.abs(v - q[j]) <= 1e-9 * (1 + Math.abs(v)));
    const place = r.diagnosis === "diverged" || r.diagnosis === "unbounded" ? "at_start"
      : reached(r) ? "at_minimum" : same(r.bound_at, r.final) ? "at_end" : "at_nearest";
    return { bound: r.optimizer_bound, where: t("page.bound.where", { place: t(`page.bound.${place}`), point: r.bound_at.map(fmt).join(", ") }) };
  }
  const before = startBounds[boundKey(o)];
  return before ? { bound: before.bound, where: t(`page.bound.${before.where}`) } : null;
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
    const where = got && got.at === "minimum" ? "nearest_start" : "at_starts";  // page.bound.<where>
    state.opts.forEach((o, i) => { startBounds[boundKey(o)] = got && got.bounds[i] ? { bound: got.bounds[i], where } : null; });
    updateBounds();
  }, 150);
}

// ---------- what a change does to the results ----------
function runCount() { return state.starts.length * state.opts.length; }
function isStale() { return !!doc && JSON.stringify(runRequest()) !== JSON.stringify(docRequest); }
let rerunTimer = null;
// after a control changes: results that no longer match are re-run at once when that is cheap,
// else marked stale (export still gives them, as they were made)
function changed(keepRuns) {
  writeUrl();
  if (keepRuns || !doc) return;
  const stale = isStale();
  $("results").classList.toggle("stale", stale); $("stale").hidden = !stale;
  if (stale && runCount() <= AUTO_RERUN && runCount() > 0) {
    clearTimeout(rerunTimer); rerunTimer = setTimeout(() => { if (isStale() && !dragging) run(); }, 300);
  }
}
function startsChanged() { state.starts = state.starts.slice(0, MAX_STARTS); $("starts-text").value = state.starts.map((p) => p.map(exact).join(", ")).join("; "); changed(); refreshStartBound(); }

// ---------- the view: the domain, widened to the map's shape ----------
function domainNow() { return state.dom || autoDom; }  // what was asked to be seen
function plotBox() {
  const el = $("mapbox");
  return { w: Math.max(40, el.clientWidth - MARGIN.l - MARGIN.r), h: Math.max(40, el.clientHeight - MARGIN.t - MARGIN.b) };
}
// the domain, grown to hold the starts and the inspected point, then widened along one axis
// so that one unit is as long across as up on this map (a right angle is drawn as one)
function wantedView(holding = true) {
  const d = domainNow().map((r) => r.slice());
  const pts = holding ? state.starts.concat(state.at ? [state.at] : []) : [];
  const span = d.map((r) => r[1] - r[0]);
  pts.forEach((p) => [0, 1].forEach((a) => {  // a point on the edge or beyond: a margin around it
    if (p[a] < d[a][0] + 0.03 * span[a]) d[a][0] = Math.min(d[a][0], p[a] - 0.08 * span[a]);
    if (p[a] > d[a][1] - 0.03 * span[a]) d[a][1] = Math.max(d[a][1], p[a] + 0.08 * span[a]);
  }));
  const { w, h } = plotBox(), s = Math.max((d[0][1] - d[0][0]) / w, (d[1][1] - d[1][0]) / h);
  return d.map((r, a) => { const c = (r[0] + r[1]) / 2, half = s * (a === 0 ? w : h) / 2; return [c - half, c + half]; });
}
function view() { return grid.domain; }
function inView(p) { const v = view(); return p[0] >= v[0][0] && p[0] <= v[0][1] && p[1] >= v[1][0] && p[1] <= v[1][1]; }
function shapeNow() { const { w, h } = plotBox(); return w / h; }
let gridShape = null;
let offMap = "";  // why the map does not hold every start (said with every status line)
function offMapNote() { return offMap ? t("page.view_note", { reason: offMap }) : ""; }
async function loadGrid() {  // the contour grid over the view as the map is now shaped
  const ask = (v) => api("/api/grid", { formula: state.f, n: GRID_N, domain: v, gradients: state.field });
  try { grid = await ask(wantedView()); offMap = ""; } catch (e) {
    // a start or point too far for one map: the domain alone, and the reason said
    grid = await ask(wantedView(false));
    offMap = e.message;
    say(offMapNote(), true);
  }
  grid.version = ++grids;
  gridShape = shapeNow();
}
let grids = 0;  // each grid fetched gets a number: the base layer is redrawn for a new one
// after starts or the point move outside the view, or the map changes shape: a new view
async function refit() {
  if (!grid) return false;
  const outside = state.starts.concat(state.at ? [state.at] : []).some((p) => !inView(p));
  if (!outside && Math.abs(shapeNow() / gridShape - 1) < 0.02) return false;
  try { await loadGrid(); } catch (e) { say(e.message, true); return false; }
  return true;
}

// ---------- loading a function ----------
async function loadMap() {
  setState("loading");
  const check = await api("/api/parse", { formula: state.f }).catch((e) => ({ ok: false, error: e.message }));
  const problem = mapProblem(check);
  if (problem) {
    $("about").hidden = true;
    grid = null; showError(problem, check.ok ? null : check.column); Plotly.purge("map"); clearBase(); clearRuns(); setState("error"); return;
  }
  try {
    if (!state.dom) autoDom = (await api("/api/grid", { formula: state.f, n: 2 })).domain;
    await loadGrid();
    showError("");
  } catch (e) { grid = null; showError(e.message); setState("error"); return; }
  syncControls();
  refreshStartBound();
  if (state.at) await inspect(state.at, false);
  await redraw();
}
function clearRuns() {
  runs++; tableGen++;  // a run (or a table) still on its way belongs to what was cleared
  doc = null; docRequest = null; trace = null; state.ran = false; state.step = null;
  $("runs").querySelector("tbody").innerHTML = ""; $("summary").innerHTML = "";
  $("results").classList.remove("stale"); $("stale").hidden = true; $("player").hidden = true;
  $("step-readout").textContent = "";
  Plotly.purge("loss");
  say("");
}

// ---------- the map's traces ----------
function shownZ() {  // the colour values: f, or log10(f − min) where the one rule (log_floor) says so
  const floor = grid.log_floor;
  if (floor === null || floor === undefined) return { z: grid.z, log: false };
  let lo = Infinity;
  grid.z.forEach((row) => row.forEach((v) => { if (v !== null && v < lo) lo = v; }));
  return { z: grid.z.map((row) => row.map((v) => v === null ? null : Math.log10(Math.max(v - lo, floor)))), log: true, lo, floor };
}
function colorbar(shown) {
  const bar = { thickness: 12, len: 1, x: 1.01, xanchor: "left", y: 0.5, outlinewidth: 0,
    title: { text: shown.log ? "f − min" : "f", side: "right" } };
  if (shown.log) {  // ticks at powers of ten of f − min
    const zs = shown.z.flat().filter((v) => v !== null), lo = Math.ceil(Math.min(...zs)), hi = Math.floor(Math.max(...zs));
    const every = Math.max(1, Math.ceil((hi - lo + 1) / 6)), ticks = [];
    for (let e = lo; e <= hi; e += every) ticks.push(e);
    Object.assign(bar, { tickvals: ticks, ticktext: ticks.map((e) => `10<sup>${e}</sup>`) });
  }
  return bar;
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
  // (page.note.contour says so)
  const cell = step * Math.min(grid.x[1] - grid.x[0], grid.y[1] - grid.y[0]);
  const norms = gx.map((a, k) => Math.hypot(a, gy[k])), big = Math.max(...norms, 1e-300);
  const len = norms.map((m) => m > 0 ? 0.85 * cell * (0.35 + 0.65 * Math.log1p(9 * m / big) / Math.log(10)) / m : 0);
  const a = arrows(xs, ys, gx.map((v, k) => v * len[k]), gy.map((v, k) => v * len[k]), 0.3);
  return { type: "scatter", mode: "lines", ...a, line: { color: "rgba(255,255,255,0.85)", width: 1.2 },
    hoverinfo: "skip", name: "−∇f" };
}
function startTrace() {
  return { type: "scatter", mode: "markers", x: state.starts.map((p) => p[0]), y: state.starts.map((p) => p[1]),
    marker: { color: "white", size: 10, line: { color: "black", width: 1.5 } }, name: "starts", hoverinfo: "x+y" };
}
function minimaTrace() {
  return { type: "scatter", mode: "markers", x: grid.minima.map((m) => m.location[0]), y: grid.minima.map((m) => m.location[1]),
    marker: { symbol: "star", size: 14, color: "white", line: { color: "black", width: 1 } }, name: t("term.known_minima"), hoverinfo: "x+y" };
}
// the runs as the player shows them: each optimizer's runs in one trace (gaps between runs),
// each run up to step k (null: to its end)
// Many points (over MARKERS_UP_TO) are drawn without markers and without the points that lie
// within 0.6 px of the last one kept: the line looks the same (nothing is drawn that the run
// did not visit) at a fraction of the cost.
function runsUpTo(k) {
  const out = [];
  if (!doc) return out;
  const v = view(), near = pointCount() > MARKERS_UP_TO ? 0.6 * (v[0][1] - v[0][0]) / plotBox().w : 0;
  doc.results.forEach((res) => {
    const xs = [], ys = [];
    res.runs.forEach((r) => {
      const n = k === null ? r.path.length : upto(r.recorded_steps, k);
      let kept = null;
      for (let j = 0; j < n; j++) {
        const p = r.path[j];
        if (p[0] === null || p[1] === null) continue;
        if (kept && j < n - 1 && Math.abs(p[0] - kept[0]) < near && Math.abs(p[1] - kept[1]) < near) continue;
        xs.push(p[0]); ys.push(p[1]); kept = p;
      }
      xs.push(null); ys.push(null);
    });
    out.push({ x: xs, y: ys });
  });
  return out;
}
function upto(steps, k) { let lo = 0, hi = steps.length; while (lo < hi) { const m = (lo + hi) >> 1; if (steps[m] <= k) lo = m + 1; else hi = m; } return Math.max(1, lo); }
function pointCount() { return doc ? doc.results.reduce((n, res) => n + res.runs.reduce((m, r) => m + r.path.length, 0), 0) : 0; }
function runTraces(k) {  // per optimizer: its runs' points (gaps between runs) and its style
  const marks = pointCount() <= MARKERS_UP_TO;
  return runsUpTo(k).map((xy, i) => ({ type: "scatter", mode: marks ? "lines+markers" : "lines", ...xy,
    // the first optimizers drawn wider: a path that another one covers still shows at its edges
    line: { color: COLORS[i % COLORS.length], width: 2 + Math.min(3, 1.2 * (doc.results.length - 1 - i)) }, connectgaps: false,
    marker: { size: plotBox().w < 400 ? 3 : 5, symbol: SYMBOLS[i % SYMBOLS.length], color: COLORS[i % COLORS.length] },  // small maps: small marks
    name: doc.results[i].optimizer.name, hoverinfo: "x+y" }));
}
// The paths are painted on a canvas between the two plotly layers: tens of thousands of points
// cost milliseconds there (as SVG they cost a tenth of a second per step of the player).
// #map.drawn keeps exactly what was painted, in data coordinates.
function toPx(x, y) {
  const [xo, xn, x0, x1] = geometry.x, [yo, yn, y0, y1] = geometry.y;
  return [xo + (x - x0) / (x1 - x0) * xn, yo + (y1 - y) / (y1 - y0) * yn];
}
// the marker symbols of SYMBOLS as filled shapes, in units of half the size
const PLUS = [[-1, -0.35], [-0.35, -0.35], [-0.35, -1], [0.35, -1], [0.35, -0.35], [1, -0.35], [1, 0.35], [0.35, 0.35],
  [0.35, 1], [-0.35, 1], [-0.35, 0.35], [-1, 0.35]];
const SHAPE_POINTS = { square: [[-1, -1], [1, -1], [1, 1], [-1, 1]], diamond: [[0, -1.3], [1.3, 0], [0, 1.3], [-1.3, 0]],
  "triangle-up": [[0, -1.2], [1, 1], [-1, 1]], "triangle-down": [[-1, -1], [1, -1], [0, 1.2]], cross: PLUS,
  x: PLUS.map(([a, b]) => [(a - b) * 0.8, (a + b) * 0.8]),
  star: Array.from({ length: 10 }, (_, k) => { const r = k % 2 ? 0.5 : 1.3, t = -Math.PI / 2 + k * Math.PI / 5; return [r * Math.cos(t), r * Math.sin(t)]; }) };
function mark(ctx, symbol, x, y, size) {
  const r = size / 2, pts = SHAPE_POINTS[symbol];
  ctx.beginPath();
  if (!pts) ctx.arc(x, y, r, 0, 2 * Math.PI);  // a circle
  else pts.forEach(([a, b], k) => (k ? ctx.lineTo(x + a * r, y + b * r) : ctx.moveTo(x + a * r, y + b * r)));
  ctx.closePath(); ctx.fill();  // (the path stays: a caller may outline it)
}
function canvasTraces(k) { return doc && geometry && state.view === "contour" ? runTraces(k).concat([nowTrace(k)], vectorTraces(k)) : []; }
function paintPaths(k) {  // the runs up to step k, where each is now, and the step's vectors
  const canvas = $("paths"), box = $("mapbox"), dpr = window.devicePixelRatio || 1;
  const w = box.clientWidth, h = box.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const traces = canvasTraces(k);
  $("map").drawn = traces.map((t) => ({ name: t.name, color: t.line ? t.line.color : null, x: t.x, y: t.y, meta: t.meta || null }));
  if (!traces.length) return;
  const [xo, xn] = geometry.x, [yo, yn] = geometry.y;
  ctx.save();
  ctx.beginPath(); ctx.rect(xo, yo, xn, yn); ctx.clip();  // the plot area only
  ctx.lineJoin = "round"; ctx.lineCap = "round";
  traces.forEach((t) => { if (t.mode.includes("lines")) strokeLines(ctx, t); if (t.mode.includes("markers")) fillMarks(ctx, t); });
  ctx.restore();
}
function strokeLines(ctx, t) {
  ctx.strokeStyle = t.line.color; ctx.lineWidth = t.line.width;
  const dash = { dot: [2, 4], dash: [7, 5] }[t.line.dash];
  ctx.setLineDash(dash || []);
  ctx.beginPath();
  if (dash) {  // segment by segment, each cut to the plot area (a dash pattern along a line
    // far longer than the map would cost the rasteriser dearly)
    for (let j = 0; j + 1 < t.x.length; j++) {
      if (t.x[j] === null || t.x[j + 1] === null) continue;
      const seg = clipped(toPx(t.x[j], t.y[j]), toPx(t.x[j + 1], t.y[j + 1]));
      if (seg) { ctx.moveTo(...seg[0]); ctx.lineTo(...seg[1]); }
    }
  } else {
    let open = false;
    for (let j = 0; j < t.x.length; j++) {
      if (t.x[j] === null) { open = false; continue; }
      const [px, py] = toPx(t.x[j], t.y[j]);
      if (open) ctx.lineTo(px, py); else { ctx.moveTo(px, py); open = true; }
    }
  }
  ctx.stroke();
  ctx.setLineDash([]);
}
function clipped(a, b) {  // the part of segment a–b inside the plot area (Liang–Barsky), or null
  const [xo, xn] = geometry.x, [yo, yn] = geometry.y, d = [b[0] - a[0], b[1] - a[1]];
  let t0 = 0, t1 = 1;
  for (const [p, q] of [[-d[0], a[0] - xo], [d[0], xo + xn - a[0]], [-d[1], a[1] - yo], [d[1], yo + yn - a[1]]]) {
    if (p === 0) { if (q < 0) return null; continue; }
    const r = q / p;
    if (p < 0) t0 = Math.max(t0, r); else t1 = Math.min(t1, r);
    if (t0 > t1) return null;
  }
  return [[a[0] + t0 * d[0], a[1] + t0 * d[1]], [a[0] + t1 * d[0], a[1] + t1 * d[1]]];
}
function fillMarks(ctx, t) {
  const m = t.marker, pick = (v, j) => (Array.isArray(v) ? v[j] : v);
  for (let j = 0; j < t.x.length; j++) {
    if (t.x[j] === null) continue;
    ctx.fillStyle = pick(m.color, j) || t.line.color;
    mark(ctx, pick(m.symbol, j), ...toPx(t.x[j], t.y[j]), m.size + 1);
    if (m.line) { ctx.strokeStyle = m.line.color; ctx.lineWidth = m.line.width; ctx.stroke(); }
  }
}
function nowTrace(k) {  // where every run is at step k
  const xs = [], ys = [], colors = [], symbols = [];
  doc.results.forEach((res, i) => res.runs.forEach((r) => {
    const p = r.path[upto(r.recorded_steps, k === null ? Infinity : k) - 1];
    if (p[0] === null || p[1] === null) return;
    xs.push(p[0]); ys.push(p[1]); colors.push(COLORS[i % COLORS.length]); symbols.push(SYMBOLS[i % SYMBOLS.length]);
  }));
  return { type: "scatter", mode: "markers", x: xs, y: ys, name: "now",
    marker: { size: 10, color: colors, symbol: symbols, line: { color: "white", width: 1.5 } }, hoverinfo: "skip" };
}
function inspectTraces() {
  if (!state.at || !point) return [];
  const v = view(), span = 0.12 * Math.min(v[0][1] - v[0][0], v[1][1] - v[1][0]);
  const g = point.gradient, gn = Math.hypot(g[0], g[1]);
  const th = state.angle * Math.PI / 180, u = [Math.cos(th), Math.sin(th)];
  const traces = [{ type: "scatter", mode: "markers", x: [state.at[0]], y: [state.at[1]], name: t("page.trace.inspected"),
    marker: { symbol: "x", size: 11, color: ink() } }];
  traces.push({ type: "scatter", mode: "lines", ...arrows([state.at[0]], [state.at[1]], [span * u[0]], [span * u[1]], 0.25),
    line: { color: ink(), width: 2, dash: "dot" }, name: t("page.trace.direction", { angle: state.angle }) });
  if (gn > 0) traces.push({ type: "scatter", mode: "lines", ...arrows([state.at[0]], [state.at[1]],
    [-span * g[0] / gn], [-span * g[1] / gn], 0.25), line: { color: "white", width: 3.5 }, name: t("page.trace.descent") });
  return traces;
}

// ---------- the step player's vectors ----------
// at step k of the selected run, drawn to the map's scale (magnified by a power of ten when
// too small to see, and the key says so): −lr·∇f (plain gradient descent's step from here),
// the update the optimizer took, and what the optimizer adds to −lr·∇f (momentum's carried
// velocity, Adam's per-coordinate rescaling)
function vectorParts(k) {
  if (!trace || k === null || k >= trace.updates.length) return null;
  const x = trace.path[k], g = trace.gradients[k], u = trace.updates[k], lr = trace.lrs[k];
  if ([...x, ...g, ...u, lr].some((v) => v === null)) return null;
  const gd = [-lr * g[0], -lr * g[1]], own = [u[0] - gd[0], u[1] - gd[1]];
  return { x, g, u, gd, own, lr, scale: runScale(), plain: Math.hypot(...own) <= 1e-12 * Math.max(Math.hypot(...u), 1e-300) };
}
// one magnification for the whole run (a power of ten, when its larger steps — the 90th
// percentile — are under 4% of the view), so arrow lengths compare from step to step
let scaleOf = null;
function runScale() {
  if (scaleOf && scaleOf.trace === trace && scaleOf.width === view()[0][1] - view()[0][0]) return scaleOf.scale;
  const sizes = trace.updates.map((u, k) => (u.concat(trace.gradients[k]).some((v) => v === null) || trace.lrs[k] === null ? 0
    : Math.max(Math.hypot(...u), trace.lrs[k] * Math.hypot(...trace.gradients[k])))).filter((m) => m > 0).sort((a, b) => a - b);
  const width = view()[0][1] - view()[0][0], typical = sizes.length ? sizes[Math.floor(0.9 * (sizes.length - 1))] : 0;
  const scale = typical > 0 && typical < 0.04 * width ? Math.min(1e12, Math.pow(10, Math.ceil(Math.log10(0.08 * width / typical)))) : 1;
  scaleOf = { trace, width, scale };
  return scale;
}
function ownName() { return t(docRequest && docRequest.noise ? "page.trace.own_noise" : "page.trace.own"); }
function vectorTraces(k) {
  const p = vectorParts(k);
  const times = p && p.scale !== 1 ? ` (×${fmt(p.scale)})` : "";
  const arrow = (from, d, color, width, dash, role, name) => ({ type: "scatter", mode: "lines",
    ...(p ? arrows([from[0]], [from[1]], [d[0] * p.scale], [d[1] * p.scale], 0.22) : { x: [], y: [] }),
    line: { color, width, dash }, name: name + times, meta: { role, scale: p ? p.scale : 1 }, hoverinfo: "skip" });
  const c = COLORS[state.sel[0] % COLORS.length];
  const tip = p ? [p.x[0] + p.gd[0] * p.scale, p.x[1] + p.gd[1] * p.scale] : [0, 0];
  return [arrow(p ? p.x : [0, 0], p ? p.gd : [0, 0], "white", 2.5, "dot", "gradient", t("page.trace.gd_step")),
    arrow(tip, p && !p.plain ? p.own : [0, 0], c, 2, "dash", "own", ownName()),
    arrow(p ? p.x : [0, 0], p ? p.u : [0, 0], c, 3.5, "solid", "update", t("page.trace.update"))];
}
function readout(k) {
  const p = vectorParts(k);
  if (!trace) return "";
  const last = trace.path.length - 1, at = Math.min(k === null ? last : k, last);
  const when = at < last || k === last ? t("page.readout.step", { k: at }) : t("page.readout.ended", { k: last });
  const parts = [t("page.readout.from", { optimizer: trace.optimizer.name, start: vec(trace.path[0]), when }),
    `x = ${vec(trace.path[at])}`, `f = ${fmt(trace.values[at])}`, `∇f = ${vec(trace.gradients[at])}`];
  if (p) {
    parts.push(`lr = ${fmt(p.lr)}`, `−lr·∇f = ${vec(p.gd)}`, t("page.readout.update", { value: vec(p.u) }));
    Object.values(trace.state).forEach((s) => parts.push(`${s.label} = ${vec(s.values[at])}`));
  }
  return parts;
}

// ---------- the map key (HTML: it wraps on any screen) ----------
const SHAPES = { circle: '<circle cx="7" cy="7" r="4"/>', square: '<rect x="3" y="3" width="8" height="8"/>',
  diamond: '<path d="M7 2 12 7 7 12 2 7Z"/>', "triangle-up": '<path d="M7 2 12 11 2 11Z"/>',
  "triangle-down": '<path d="M2 3 12 3 7 12Z"/>', star: '<path d="M7 1 8.8 5.2 13 5.5 9.8 8.3 10.8 12.6 7 10.3 3.2 12.6 4.2 8.3 1 5.5 5.2 5.2Z"/>',
  x: '<path d="M3 3 11 11M11 3 3 11" stroke-width="2"/>', cross: '<path d="M7 2V12M2 7H12" stroke-width="2"/>' };
function swatch(e) {
  const dash = { dot: "2 2", dash: "5 3" }[e.dash] || "";
  // a white line (drawn white on the map) gets a grey halo, so the key shows it on any paper
  const halo = e.line === "white" ? `<line x1="0" y1="7" x2="22" y2="7" stroke="#666" stroke-width="${(e.width || 2) + 2}"/>` : "";
  const line = e.line ? halo + `<line x1="0" y1="7" x2="22" y2="7" stroke="${e.line}" stroke-width="${e.width || 2}" stroke-dasharray="${dash}"/>` : "";
  const box = e.box ? `<rect x="4" y="1" width="14" height="12" fill="${e.box}"/>` : "";
  const mark = e.symbol ? `<g transform="translate(4 0)" fill="${e.fill || e.line || "white"}" stroke="${e.edge || e.line || "black"}">${SHAPES[e.symbol] || SHAPES.circle}</g>` : "";
  return `<svg width="22" height="14" aria-hidden="true">${box}${line}${mark}</svg>`;
}
function showKey(entries, title) {
  const key = $("map-key");
  key.innerHTML = "";
  if (title) { const b = document.createElement("strong"); b.textContent = title; key.appendChild(b); }
  entries.forEach((e) => {
    const span = document.createElement("span");
    span.innerHTML = swatch(e);
    span.appendChild(document.createTextNode(e.name));
    key.appendChild(span);
  });
}
function contourKey() {
  const out = [];
  if (state.field) out.push({ name: t("page.key.downhill"), line: "white", width: 1.5 });
  if (grid.minima.length) out.push({ name: t("term.known_minima"), symbol: "star", fill: "white", edge: "black" });
  if (state.starts.length) out.push({ name: t("page.key.starts"), symbol: "circle", fill: "white", edge: "black" });
  if (doc) doc.results.forEach((res, i) => out.push({ name: `${res.optimizer.name} (lr ${fmt(res.optimizer.lr)})`,
    line: COLORS[i % COLORS.length], symbol: SYMBOLS[i % SYMBOLS.length] }));
  if (state.at && point) out.push({ name: t("page.trace.inspected"), symbol: "x", line: ink() },
    { name: t("page.key.direction", { angle: state.angle }), line: ink(), width: 2, dash: "dot" }, { name: t("page.trace.descent"), line: "white", width: 3.5 });
  const p = vectorParts(state.step);
  if (p) {
    const times = p.scale !== 1 ? ` (×${fmt(p.scale)})` : "", c = COLORS[state.sel[0] % COLORS.length];
    out.push({ name: "−lr·∇f" + times, line: "white", dash: "dot", width: 2.5 }, { name: t("page.key.update") + times, line: c, width: 3.5 });
    if (!p.plain) out.push({ name: ownName() + times, line: c, dash: "dash" });
  }
  return out;
}

// ---------- drawing ----------
// one unit as long across as up (the view already has the map's shape; scaleanchor keeps it)
function axes(layout, overlay) {
  const v = view(), hide = overlay ? { showgrid: false, showticklabels: false, showline: false, ticks: "", title: { text: "" } } : {};
  return look({ ...layout, margin: { ...MARGIN, autoexpand: false }, showlegend: false, dragmode: false,
    xaxis: { title: { text: grid.variables[0] }, range: v[0].slice(), zeroline: false, ...hide },
    yaxis: { title: { text: grid.variables[1] }, range: v[1].slice(), scaleanchor: "x", scaleratio: 1, zeroline: false, ...hide } });
}
let roles = {};  // trace role → index on the map, for updates in place
async function drawContour() {
  const shown = shownZ(), k = state.step;
  const below = [{ type: "contour", x: grid.x, y: grid.y, z: shown.z, colorscale: "Viridis", ncontours: 30,
    hoverinfo: "skip", name: "f", colorbar: colorbar(shown), contours: { coloring: "fill" }, line: { width: 0.5 } }];
  if (state.field) below.push(fieldTrace());
  if (grid.minima.length) below.push(minimaTrace());
  const traces = [];
  const named = (role, list) => list.forEach((t) => { roles[role] = roles[role] || []; roles[role].push(traces.length); traces.push(t); });
  roles = {};
  named("starts", [startTrace()]);
  named("inspect", inspectTraces());
  named("cursor", [cursorTrace()]);
  const key = JSON.stringify([grid.version, state.field, shapeNow(), ink()]);
  if (baseKey !== key) { await Plotly.react("base", below, axes({}), config(false)); baseKey = key; }
  await Plotly.react("map", traces, axes({}, true), config(false));
  keepGeometry();
  paintPaths(k);
  showKey(contourKey());
}
let baseKey = null;  // what the base layer shows now (redrawn only when that changes)
function clearBase() { if (baseKey !== null) { Plotly.purge("base"); baseKey = null; } }
async function drawSurface() {
  const shown = shownZ();
  const z3 = (f) => shown.log ? Math.log10(Math.max(f - shown.lo, shown.floor)) : f;  // as shownZ maps z
  const traces = [{ type: "surface", x: grid.x, y: grid.y, z: shown.z, colorscale: "Viridis", opacity: 0.92, showscale: false, name: "f" }];
  const zs = shown.z.flat().filter((v) => v !== null), lift = 0.02 * (Math.max(...zs) - Math.min(...zs));
  if (doc) doc.results.forEach((res, i) => res.runs.forEach((r) => {
    const keep = r.path.map((p, k) => p.every((v) => v !== null) && r.values[k] !== null && inView(p));
    const path = r.path.filter((_, k) => keep[k]), vals = r.values.filter((_, k) => keep[k]);
    traces.push({ type: "scatter3d", mode: "lines+markers", x: path.map((p) => p[0]), y: path.map((p) => p[1]),
      z: vals.map((v) => z3(v) + lift), line: { color: COLORS[i % COLORS.length], width: 6 }, marker: { size: 2, color: COLORS[i % COLORS.length] },
      name: res.optimizer.name }); }));
  const entries = doc ? doc.results.map((res, i) => ({ name: `${res.optimizer.name} (lr ${fmt(res.optimizer.lr)})`, line: COLORS[i % COLORS.length] })) : [];
  if (state.at && point) {  // the tangent plane over a square a fifth of the view wide
    const v = view(), h = 0.2 * Math.min(v[0][1] - v[0][0], v[1][1] - v[1][0]);
    const xs = [state.at[0] - h, state.at[0], state.at[0] + h], ys = [state.at[1] - h, state.at[1], state.at[1] + h];
    const plane = ys.map((y) => xs.map((x) => point.value + point.gradient[0] * (x - state.at[0]) + point.gradient[1] * (y - state.at[1])));
    if (!shown.log) {
      traces.push({ type: "surface", x: xs, y: ys, z: plane, opacity: 0.75, showscale: false,
        colorscale: [[0, COLORS[1]], [1, COLORS[1]]], name: t("calculus.plane") });
      entries.push({ name: t("page.key.tangent_plane"), box: COLORS[1] });
    } else entries.push({ name: t("page.key.no_plane") });
    traces.push({ type: "scatter3d", mode: "markers", x: [state.at[0]], y: [state.at[1]], z: [z3(point.value)],
      marker: { size: 5, color: ink() }, name: t("page.trace.inspected") });
    entries.push({ name: t("page.trace.inspected"), symbol: "circle", fill: ink(), edge: ink() });
  }
  const v = view(), ratio = (v[1][1] - v[1][0]) / (v[0][1] - v[0][0]);
  await Plotly.react("map", traces, look({ margin: { t: 0, r: 0, b: 0, l: 0 }, showlegend: false,
    scene: { dragmode: "turntable", aspectmode: "manual", aspectratio: { x: 1, y: ratio, z: 0.7 },
      camera: { eye: { x: 0.9, y: -1.3, z: 1.9 } },
      xaxis: { title: { text: grid.variables[0] } }, yaxis: { title: { text: grid.variables[1] } },
      zaxis: { title: { text: shown.log ? "log₁₀(f − min)" : "f" } } } }), config(true));
  showKey(entries);
}
async function drawBasins() {
  const o = state.opts[0], v = view();
  const n0 = Math.max(10, Math.min(BASIN_N, Math.floor(Math.sqrt(META.limits.map_work / Math.max(1, state.steps)))));
  const body = { formula: state.f, domain: v, n: n0, optimizer: optSpec(o), max_steps: state.steps };
  const key = "b" + JSON.stringify(body);
  cache[key] = cache[key] || await api("/api/basins", body);
  const b = cache[key], n = b.labels.length, total = n * n;
  const minima = BASIN_COLORS.minima;
  const colors = [BASIN_COLORS.diverged, BASIN_COLORS.not_converged].concat(b.minima.map((_, i) => minima[i % minima.length]));
  const k = colors.length, scale = [];
  colors.forEach((c, i) => { scale.push([i / k, c], [(i + 1) / k, c]); });
  const xs = Array.from({ length: n }, (_, i) => v[0][0] + i * (v[0][1] - v[0][0]) / (n - 1));
  const ys = Array.from({ length: n }, (_, i) => v[1][0] + i * (v[1][1] - v[1][0]) / (n - 1));
  const pct = (c) => `${Math.round(100 * c / total)}%`;
  const traces = [{ type: "heatmap", x: xs, y: ys, z: b.labels.map((row) => row.map((l) => l + 2)), zmin: -0.5, zmax: k - 0.5,
    colorscale: scale, showscale: false, hovertemplate: "(%{x:.3g}, %{y:.3g})<extra></extra>", name: t("page.basins.name") }];
  traces.push({ type: "scatter", mode: "markers", x: b.minima.map((m) => m[0]), y: b.minima.map((m) => m[1]),
    marker: { symbol: "star", size: 14, color: "white", line: { color: "black", width: 1 } }, name: t("page.basins.minima") });
  traces.push(startTrace());
  await Plotly.react("map", traces, axes({}), config(false));
  const entries = b.minima.map((m, i) => ({ name: t(b.global_minima[i] ? "page.basins.ends_global" : "page.basins.ends",
    { point: vec(m), share: pct(b.counts.per_minimum[i]) }), box: colors[i + 2] }));
  entries.push({ name: t("page.basins.diverged", { share: pct(b.counts.diverged) }), box: colors[0] },
    { name: t("page.basins.not_converged", { share: pct(b.counts.not_converged) }), box: colors[1] },
    { name: t("page.basins.minima"), symbol: "star", fill: "white", edge: "black" });
  showKey(entries, t("page.basins.title", { optimizer: o.name, lr: fmt(o.lr), steps: body.max_steps, side: n }));
}
async function drawLrMap() {
  const o = state.opts[0], d = domainNow();
  const at = state.at ? state.at[1] : null;  // null: the server's line, off any line of symmetry
  const body = { formula: state.f, domain: d, optimizer: o.name, hyper: o.hyper, lrs: 30, starts: 40, max_steps: state.steps, at };
  const key = "l" + JSON.stringify(body);
  cache[key] = cache[key] || await api("/api/lrmap", body);
  const m = cache[key];
  const labels = META.labels, k = labels.length, scale = [];
  labels.forEach((l, i) => { scale.push([i / k, LABEL_COLORS[l]], [(i + 1) / k, LABEL_COLORS[l]]); });
  const traces = [{ type: "heatmap", x: m.positions, y: m.lrs, z: m.labels.map((row) => row.map((l) => labels.indexOf(l))),
    text: m.labels.map((row) => row.map(label)), zmin: -0.5, zmax: k - 0.5, colorscale: scale, showscale: false,
    hovertemplate: t("page.lrmap.hover", { start: "%{x:.3g}", lr: "%{y:.3g}", label: "%{text}" }) + "<extra></extra>",
    name: t("column.diagnosis") }];
  const c = ink(), drawn = (ys) => ys.some((y) => y !== null);
  const rule = META.stability_bounds[o.name] || "";  // the optimizer's own bound (none: adaptive)
  const names = { bound: t("page.lrmap.bound", { rule }), local: t("page.lrmap.local", { rule }), lr: t("page.lrmap.lr", { lr: fmt(o.lr) }) };
  traces.push({ type: "scatter", mode: "lines", x: m.positions, y: m.bounds, line: { color: c, width: 2 }, name: names.bound });
  traces.push({ type: "scatter", mode: "lines", x: m.positions, y: m.start_bounds, line: { color: c, width: 1, dash: "dash" }, name: names.local });
  traces.push({ type: "scatter", mode: "lines", x: [m.positions[0], m.positions[m.positions.length - 1]], y: [o.lr, o.lr],
    line: { color: c, width: 2, dash: "dot" }, name: names.lr });
  const other = grid.variables[1 - m.axis];
  await Plotly.react("map", traces, look({ margin: { ...MARGIN, autoexpand: false }, showlegend: false, dragmode: false,
    xaxis: { title: { text: t("page.lrmap.x_title", { axis: grid.variables[m.axis], other, fixed: fmt(m.fixed) }) } },
    yaxis: { title: { text: t("term.learning_rate") }, type: "log", exponentformat: "power", range: [Math.log10(m.lrs[0]), Math.log10(m.lrs[m.lrs.length - 1])] } }), config(false));
  const present = labels.filter((l) => m.labels.flat().includes(l));
  showKey(present.map((l) => ({ name: label(l), box: LABEL_COLORS[l] })).concat(  // the lines drawn, only
    drawn(m.bounds) ? [{ name: names.bound, line: c, width: 2 }] : [],
    drawn(m.start_bounds) ? [{ name: names.local, line: c, dash: "dash" }] : [],
    [{ name: names.lr, line: c, dash: "dot" }]),
  t("page.lrmap.title", { optimizer: o.name, steps: body.max_steps }));
}
let drawing = Promise.resolve();
function redraw() { drawing = drawing.then(redrawNow, redrawNow); return drawing; }  // one at a time, in order
async function redrawNow() {
  if (!grid) return;
  setState("drawing");
  try {
    if (state.view !== "contour") { clearBase(); paintPaths(null); }
    if (state.view === "surface") await drawSurface();
    else if (state.view === "basins") { say(t("page.computing_basins")); await drawBasins(); say(""); }
    else if (state.view === "lrmap") { say(t("page.computing_lrmap")); await drawLrMap(); say(""); }
    else await drawContour();
    drawLoss();
    keepGeometry();
    setState(doc ? "done" : "ready");
    $("map").dataset.paths = String(doc ? doc.results.reduce((n, r) => n + r.runs.length, 0) : 0);
  } catch (e) {  // nothing of the last view stays as if it were this one
    say(e.message, true); Plotly.purge("map"); clearBase(); paintPaths(null); showKey([]); setState("error");
  }
}

// ---------- the step player ----------
function lastStep() { return doc ? Math.max(...doc.results.flatMap((res) => res.runs.map((r) => r.recorded_steps[r.recorded_steps.length - 1]))) : 0; }
function setupPlayer() {
  const last = lastStep();
  $("player").hidden = $("step-readout").hidden = !doc || state.view !== "contour";
  $("scrub").max = String(last);
  if (state.step !== null && state.step > last) state.step = null;
  showStep();
}
function showStep() {
  const last = lastStep(), k = state.step === null ? last : state.step;
  $("scrub").value = String(k);
  $("step-text").textContent = t("page.player.at", { k, last });
  const parts = readout(state.step);
  $("step-readout").innerHTML = "";
  (parts || []).forEach((t) => { const s = document.createElement("span"); s.className = "nb"; s.textContent = t + "  "; $("step-readout").appendChild(s); $("step-readout").appendChild(document.createTextNode(" ")); });
}
// the paths, the "now" markers and the vectors of step k: the canvas repainted, nothing rebuilt
async function moveTo(k) {
  state.step = k === null || k >= lastStep() ? null : Math.max(0, k);
  showStep();
  if (state.view !== "contour" || !geometry) return;
  paintPaths(state.step);
  showKey(contourKey());
}
let playing = null;
function play() {
  if (playing) { stopPlaying(); return; }
  const last = lastStep();
  if (state.step === null) state.step = 0;
  const from = state.step, seconds = Math.min(6, Math.max(2, (last - from) / 15)), t0 = performance.now();
  playing = true; playLabel();
  const tick = async () => {
    if (!playing) return;
    const k = from + Math.floor((last - from) * (performance.now() - t0) / (1000 * seconds));
    if (k !== state.step) await moveTo(k);
    if (state.step === null) { stopPlaying(); writeUrl(); return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
function stopPlaying() { playing = null; playLabel(); writeUrl(); }
async function selectRun(i, b) {  // the run the player explains, step by step (POST /api/steps)
  if (!doc) return;
  state.sel = [i, b];
  document.querySelectorAll("#runs tbody tr").forEach((tr) => tr.classList.toggle("selected", tr.dataset.run === `${i}.${b}`));
  const req = docRequest, r = doc.results[i] && doc.results[i].runs[b];
  if (!r) { trace = null; return; }
  try {
    trace = await api("/api/steps", { ...req, starts: undefined, optimizers: undefined, start: req.starts[b], optimizer: req.optimizers[i] });
  } catch (e) { trace = null; say(e.message, true); }
  writeUrl();
}

// ---------- running ----------
function runRequest() {
  const r = { formula: state.f, starts: state.starts, optimizers: state.opts.map(optSpec), max_steps: state.steps, lang: LANG };
  if (state.tol !== null) r.tol = state.tol;
  if (state.noise !== null) r.noise = state.noise;
  if (state.seed !== null) r.seed = state.seed;
  if (state.schedule) r.schedule = state.schedule;
  return r;
}
let runs = 0;  // the latest run wins (a drag sends many)
async function run(quiet) {
  if (!grid) return;
  if (!state.starts.length) { say(t("page.click_to_start"), true); return; }
  const mine = ++runs, req = runRequest();
  if (!quiet) { setState("running"); say(t("page.running")); }
  let got;
  const sent = JSON.stringify(req);  // what was asked, as it was when asked
  try { got = await api("/api/descend", JSON.parse(sent)); } catch (e) {
    if (mine === runs) { say(e.message, true); setState("error"); } return;
  }
  if (mine !== runs) return;
  doc = got; docRequest = JSON.parse(JSON.stringify(req)); state.ran = true;
  $("results").classList.remove("stale"); $("stale").hidden = true;
  const [i, b] = state.sel;
  if (!(doc.results[i] && doc.results[i].runs[b])) state.sel = [0, 0];
  fillTable(); updateBounds();
  const ran = t("page.ran", { runs: t("page.runs", { n: doc.results.reduce((n, r) => n + r.runs.length, 0) }), seconds: fmt(doc.seconds) });
  say(offMap ? t("page.with_note", { status: ran, note: offMapNote() }) : ran, !!offMap);
  await selectRun(...state.sel);
  if (mine !== runs) return;
  if (state.step !== null && state.step > lastStep()) state.step = null;
  writeUrl();
  if (state.view === "contour" && geometry && baseKey !== null && $("map").dataset.state !== "error") {
    await drawing;  // the paths in place (the contour stays), then the loss curves
    if (mine !== runs) return;  // cleared or run again meanwhile: doc is another's
    await moveTo(state.step);
    await frame();
    if (mine !== runs) return;
    drawLoss(); setState("done");
    $("map").dataset.paths = String(doc.results.reduce((n, r) => n + r.runs.length, 0));
  } else await redraw();
  if (mine === runs) setupPlayer();
}
function frame() { return new Promise((r) => requestAnimationFrame(() => r())); }
const ROWS_PER_FRAME = 60;  // a long table is added a slice per frame (no long block)
let tableGen = 0;
async function fillTable() {
  const tbody = $("runs").querySelector("tbody"), mine = ++tableGen, rows = [];
  tbody.innerHTML = "";
  const heads = [...document.querySelectorAll("#runs thead th")].map((th) => th.textContent);  // the table's own heads
  doc.results.forEach((res, i) => res.runs.forEach((r, b) => rows.push(tableRow(res, i, r, b, heads))));
  fillSummary();
  for (let s = 0; s < rows.length; s += ROWS_PER_FRAME) {
    if (s) await frame();
    if (mine !== tableGen) return;
    const part = document.createDocumentFragment();
    rows.slice(s, s + ROWS_PER_FRAME).forEach((make) => part.appendChild(make()));
    tbody.appendChild(part);
  }
}
function tableRow(res, i, r, b, heads) {
  return () => {
    const tr = document.createElement("tr");
    tr.dataset.run = `${i}.${b}`;
    tr.classList.toggle("selected", state.sel[0] === i && state.sel[1] === b);
    const events = r.events.map((e) => " " + t("page.event.text", { kind: t(`page.event.${e.kind}`),
      point: e.at.map(fmt).join(", "), step: e.step, steps: e.steps })).join("");
    const cells = [`${res.optimizer.name} (lr ${fmt(res.optimizer.lr)})`, vec(r.start),
      r.final ? vec(r.final) : "—", fmt(r.value), String(r.steps), label(r.diagnosis),
      t("page.explain", { explanation: r.explanation, events, advice: r.advice })];
    tr.dataset.diagnosis = r.diagnosis;
    cells.forEach((text, j) => { const td = document.createElement("td"); td.textContent = text;
      td.dataset.label = heads[j];
      if (j === 0) td.style.borderLeft = `5px solid ${COLORS[i % COLORS.length]}`;
      if (j >= 1 && j <= 4) td.className = "nb";
      if (j === 5) td.className = r.diagnosis; tr.appendChild(td); });
    if (r.suggestion) {  // the server's suggestion uses only the options this page has (META.suggestion_options)
      const button = document.createElement("button");
      button.textContent = t("page.try", { options: Object.entries(r.suggestion).map(([k, v]) => `${k}=${v}`).join(", ") });
      button.addEventListener("click", (ev) => { ev.stopPropagation(); applySuggestion(i, b, r.suggestion); });
      tr.lastChild.appendChild(document.createElement("br")); tr.lastChild.appendChild(button);
    }
    tr.addEventListener("click", async () => { await selectRun(i, b); await moveTo(state.step); });
    return tr;
  };
}
function median(sorted) { const n = sorted.length; return n % 2 ? sorted[n >> 1] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2; }
function fillSummary() {  // per optimizer: how its runs ended, in one line
  const list = $("summary");
  list.innerHTML = "";
  doc.results.forEach((res, i) => {
    const counts = {};
    res.runs.forEach((r) => { counts[r.diagnosis] = (counts[r.diagnosis] || 0) + 1; });
    const steps = res.runs.map((r) => r.steps).sort((a, b) => a - b), best = Math.min(...res.runs.map((r) => r.value ?? Infinity));
    const li = document.createElement("li");
    li.style.color = COLORS[i % COLORS.length];
    const what = Object.entries(counts).map(([k, n]) => t("page.summary_count", { count: n, label: label(k) })).join(", ");
    li.textContent = t("page.summary", { optimizer: `${res.optimizer.name} (lr ${fmt(res.optimizer.lr)})`,
      runs: t("page.runs", { n: res.runs.length }), counts: what, steps: fmt(median(steps)), best: fmt(Number.isFinite(best) ? best : null) });
    list.appendChild(li);
  });
}
function applySuggestion(i, b, s) {  // put a run's suggestion into the controls and run again
  if (s.optimizer) state.opts[i] = { name: s.optimizer, lr: defaultOf(s.optimizer, "lr"), hyper: {} };
  const o = state.opts[i];
  if (s.lr !== undefined) o.lr = s.lr;
  // the optimizer's other hyper-parameters (momentum, eps, weight_decay, …): its catalog says which
  Object.entries(s).forEach(([k, v]) => { if (k !== "lr" && defaultOf(o.name, k) !== null) o.hyper[k] = v; });
  if (s.max_steps !== undefined) state.steps = Math.min(MAX_STEPS, s.max_steps);
  if (s.tol !== undefined) state.tol = s.tol;
  if (s.schedule !== undefined) state.schedule = s.schedule;
  if (s.start !== undefined) {  // that run's start moves; the others stay
    const p = s.start.split(",").map(Number);
    if (state.starts.some((q, j) => j !== b && q[0] === p[0] && q[1] === p[1])) state.starts.splice(b, 1);
    else state.starts[b] = p;
  }
  syncControls(); writeUrl(); refit().then(() => run());
}
function drawLoss() {  // one trace per optimizer (its runs split by gaps), thinned as the paths are
  if (!doc) { Plotly.purge("loss"); return; }
  let positive = true, lo = Infinity, hi = -Infinity;
  doc.results.forEach((res) => res.runs.forEach((r) => r.values.forEach((v) => {
    if (v === null) return;
    if (v <= 0) positive = false;
    lo = Math.min(lo, v); hi = Math.max(hi, v);
  })));
  const box = $("loss"), w = Math.max(50, box.clientWidth - 64), h = Math.max(50, box.clientHeight - 68);
  const height = (v) => positive ? Math.log10(v) : v;  // as the axis draws it
  const dx = 0.6 * Math.max(1, lastStep()) / w, dy = 0.6 * Math.max(1e-300, height(hi) - height(lo)) / h;
  const many = pointCount() > MARKERS_UP_TO;
  const total = doc.results.reduce((n, res) => n + res.runs.length, 0);
  const traces = total > LOSS_CURVES ? lossBands() : doc.results.map((res, i) => {
    const x = [], y = [];
    res.runs.forEach((r) => {
      let kx = null, ky = null;
      r.values.forEach((v, k) => {
        if (v === null) return;
        const s = r.recorded_steps[k], last = k === r.values.length - 1;
        if (many && kx !== null && !last && Math.abs(s - kx) < dx && Math.abs(height(v) - ky) < dy) return;
        x.push(s); y.push(v); kx = s; ky = height(v);
      });
      x.push(null); y.push(null);
    });
    return { type: "scatter", mode: "lines", x, y, line: { color: COLORS[i % COLORS.length], width: 1.5 }, name: res.optimizer.name };
  });
  const title = t(total > LOSS_CURVES ? "page.loss.bands" : "page.loss.title");
  Plotly.react("loss", traces, look({ margin: { t: 28, r: 8, b: 40, l: 56 }, showlegend: false, title: { text: title, font: { size: 12 } },
    xaxis: { title: { text: t("term.step") }, zeroline: false }, yaxis: { title: { text: "f", standoff: 6 }, type: positive ? "log" : "linear",
      exponentformat: "power", zeroline: false, automargin: true, ...logTicks(positive, lo, hi) } }), config(false));
}
// a log axis over one to three tenfolds labels 1, 2 and 5 of each: plotly's own labels every
// digit there, and in a small panel "10" ran into the "9" under it (read as 10⁹)
function logTicks(positive, lo, hi) {
  const decades = Math.log10(hi / lo);
  return positive && decades >= 1 && decades < 3 ? { dtick: "D2" } : {};
}

// many runs: per optimizer the median of f at each step and the band from the lowest to the
// highest (a run that stopped keeps its last value: it stays where it ended)
function lossBands() {
  const out = [];
  doc.results.forEach((res, i) => {
    const longest = res.runs.reduce((a, r) => (r.recorded_steps.length > a.recorded_steps.length ? r : a));
    const steps = longest.recorded_steps, lo = [], mid = [], hi = [], c = COLORS[i % COLORS.length];
    // every step recorded (the usual case): step s is at index s
    const at = res.runs.map((r) => (r.recorded_steps[r.recorded_steps.length - 1] === r.recorded_steps.length - 1
      ? (s) => Math.min(s, r.recorded_steps.length - 1) : (s) => upto(r.recorded_steps, s) - 1));
    const v = new Float64Array(res.runs.length);
    steps.forEach((s) => {
      let n = 0;
      res.runs.forEach((r, j) => { const x = r.values[at[j](s)]; if (x !== null) v[n++] = x; });
      const got = v.subarray(0, n).sort();  // numeric, in place
      lo.push(n ? got[0] : null); mid.push(n ? median(got) : null); hi.push(n ? got[n - 1] : null);
    });
    out.push({ type: "scatter", mode: "lines", x: steps, y: lo, line: { color: c, width: 0 }, hoverinfo: "skip", name: t("page.loss.lowest", { optimizer: res.optimizer.name }) },
      { type: "scatter", mode: "lines", x: steps, y: hi, line: { color: c, width: 0 }, fill: "tonexty", fillcolor: c + "33", hoverinfo: "skip", name: t("page.loss.highest", { optimizer: res.optimizer.name }) },
      { type: "scatter", mode: "lines", x: steps, y: mid, line: { color: c, width: 2 }, name: t("page.loss.median", { optimizer: res.optimizer.name }) });
  });
  return out;
}

// ---------- inspecting a point ----------
let inspecting = 0;
async function inspect(at, draw = true) {
  const th = state.angle * Math.PI / 180, mine = ++inspecting;
  let got;
  try {
    got = await api("/api/grad", { formula: state.f, point: at, direction: [Math.cos(th), Math.sin(th)] });
  } catch (e) { if (mine === inspecting) { point = null; say(e.message, true); } return; }
  if (mine !== inspecting) return;
  point = got; state.at = at; changed(true);
  $("point-text").value = at.map(exact).join(", ");
  showPoint();
  if (draw) { if (await refit()) await redraw(); else await redrawInspect(); }
}
function showPoint() {  // the inspected point's table, its dial and the note
  const at = state.at;
  $("inspect").hidden = false;
  $("inspect-point").textContent = vec(at);
  const lmax = Math.max(...point.hessian_eigenvalues);
  const rows = [["f", fmt(point.value)], ["∇f", vec(point.gradient)], ["‖∇f‖", fmt(point.gradient_norm)],
    [t("calculus.descent"), point.steepest_descent ? vec(point.steepest_descent) : t("page.inspect.critical_none")],
    [`D_u f, θ = ${state.angle}°`, fmt(point.directional_derivative)],
    [t("page.inspect.hessian"), point.hessian_eigenvalues.map(fmt).join(", ")], ["2/λmax", lmax > 0 ? fmt(2 / lmax) : "—"],
    [t("calculus.plane"), point.tangent_plane]];
  if (point.critical_point) rows.push([t("calculus.critical"), t(`calculus.kind.${point.critical_point}`)]);
  const table = $("inspect-table"); table.innerHTML = "";
  rows.forEach(([k, v]) => { const tr = table.insertRow(); tr.insertCell().textContent = k; tr.insertCell().textContent = v; });
  $("dial-value").textContent = `D_u f = ${fmt(point.directional_derivative)}`;
  $("view-note").textContent = viewNote(true);
  drawDial();
}
async function redrawInspect() {  // the inspected point's marks only, in place
  if (state.view !== "contour" || !roles.inspect || roles.inspect.length !== inspectTraces().length) { await redraw(); return; }
  const marks = inspectTraces();
  await Plotly.restyle("map", { x: marks.map((a) => a.x), y: marks.map((a) => a.y), name: marks.map((a) => a.name) }, roles.inspect);
  showKey(contourKey());
}
function dialValue(t) { const g = point.gradient; return g[0] * Math.cos(t * Math.PI / 180) + g[1] * Math.sin(t * Math.PI / 180); }
function drawDial() {  // |D_u f| = |∇f·u| around the circle: blue where f rises, red where it falls
  const thetas = Array.from({ length: 73 }, (_, k) => k * 5), d = thetas.map(dialValue), now = dialValue(state.angle);
  const traces = [
    { type: "scatterpolar", mode: "lines", theta: thetas, r: d.map((v) => v > 0 ? v : 0), line: { color: COLORS[0] }, name: t("term.uphill") },
    { type: "scatterpolar", mode: "lines", theta: thetas, r: d.map((v) => v < 0 ? -v : 0), line: { color: COLORS[1] }, name: t("page.dial.down") },
    { type: "scatterpolar", mode: "lines+markers", theta: [state.angle, state.angle], r: [0, Math.abs(now)],
      line: { color: ink(), width: 3 }, marker: { size: [0, 8] }, name: `θ = ${state.angle}°: ${fmt(now)}` }];
  Plotly.react("dial", traces, look({ margin: { t: 44, r: 30, b: 20, l: 30 }, title: { text: t("page.dial.title"), font: { size: 12 } },
    polar: { bgcolor: "rgba(0,0,0,0)", angularaxis: { rotation: 0, direction: "counterclockwise" }, radialaxis: { showticklabels: false } },
    legend: { orientation: "h", font: { size: 10 } } }), config(false));
}
let dialTimer = null;
function onDial() {  // the dial and the direction follow the slider while it moves
  state.angle = +$("dial-angle").value;
  if (!point) return;
  const now = dialValue(state.angle);
  $("dial-value").textContent = `D_u f = ${fmt(now)}`;
  Plotly.restyle("dial", { theta: [[state.angle, state.angle]], r: [[0, Math.abs(now)]], name: [`θ = ${state.angle}°: ${fmt(now)}`] }, [2]);
  redrawInspect();
  clearTimeout(dialTimer); dialTimer = setTimeout(() => { if (state.at) inspect(state.at, false).then(redrawInspect); }, 150);
}

// ---------- the map by hand: click, drag, keyboard ----------
// the map's axes as last drawn: a click lands on the map the user saw, even while the next
// drawing is under way (plotly rebuilds its layout during react)
let geometry = null;
function keepGeometry() {
  const full = $("map")._fullLayout;
  geometry = full && full.xaxis && full.yaxis && state.view !== "surface" ? {
    x: [full.xaxis._offset, full.xaxis._length, ...full.xaxis.range],
    y: [full.yaxis._offset, full.yaxis._length, ...full.yaxis.range] } : null;
}
function dataPoint(ev, inside = true) {
  if (!geometry) return null;
  const box = $("map").getBoundingClientRect(), [xo, xn, x0, x1] = geometry.x, [yo, yn, y0, y1] = geometry.y;
  const px = ev.clientX - box.left - xo, py = ev.clientY - box.top - yo;
  if (inside && (px < 0 || py < 0 || px > xn || py > yn)) return null;
  return [x0 + (px / xn) * (x1 - x0), y1 - (py / yn) * (y1 - y0)];  // (log axes: in log10 units)
}
function toPixels(p) {
  const [xo, xn, x0, x1] = geometry.x, [yo, yn, y0, y1] = geometry.y;
  return [xo + (p[0] - x0) / (x1 - x0) * xn, yo + (y1 - p[1]) / (y1 - y0) * yn];
}
// a clicked point to the precision of one pixel (0.01 on a map 10 wide), so (−3, 4) is reachable
function roundPx(p) {
  const unit = (geometry.x[3] - geometry.x[2]) / geometry.x[1], digits = Math.max(0, Math.ceil(-Math.log10(unit)));
  return p.map((v) => +v.toFixed(Math.min(digits, 12)));
}
let lastTap = null;
async function onMapClick(ev) {
  if (!grid || suppressClick) { suppressClick = false; return; }
  const p = dataPoint(ev);
  if (!p) return;
  const t = performance.now();  // a touch screen may deliver one tap as two clicks
  if (lastTap && t - lastTap.t < 450 && Math.hypot(ev.clientX - lastTap.x, ev.clientY - lastTap.y) < 12) return;
  lastTap = { t, x: ev.clientX, y: ev.clientY };
  await act(p);
}
async function act(p) {  // a click, a tap or Enter at data point p
  if (state.view === "lrmap") {  // the y axis is log10(lr): set the first optimizer's rate
    const lr = +Math.pow(10, p[1]).toPrecision(3);
    if (lr > 0) { state.opts[0].lr = lr; buildOptimizers(); changed(); await redraw(); }
    return;
  }
  if (state.view === "surface") return;
  if (state.mode === "inspect") { await inspect(roundPx(p)); return; }
  const q = toPixels(p);
  if (state.starts.some((s) => { const t = toPixels(s); return Math.hypot(t[0] - q[0], t[1] - q[1]) < 8; })) return;  // one there already
  if (state.starts.length >= MAX_STARTS) { say(t("page.max_starts", { n: MAX_STARTS }), true); return; }
  state.starts.push(roundPx(p)); startsChanged();
  if (!doc || isStale()) await redraw();
}
let dragging = null, suppressClick = false, liveBusy = false, livePending = false, dragAt = null;
function nearest(ev) {  // the start (or the inspected point) under the pointer, within 14 px
  if (!geometry || state.view !== "contour") return null;
  const box = $("map").getBoundingClientRect(), at = [ev.clientX - box.left, ev.clientY - box.top];
  const near = (p) => { const q = toPixels(p); return Math.hypot(q[0] - at[0], q[1] - at[1]) <= 14; };
  if (state.mode === "inspect") return state.at && near(state.at) ? { point: true } : null;
  for (let i = state.starts.length - 1; i >= 0; i--) if (near(state.starts[i])) return { start: i };
  return null;
}
function onPointerDown(ev) {
  const hit = nearest(ev);
  if (!hit) return;
  dragging = { ...hit, moved: false };
  $("map").setPointerCapture(ev.pointerId);
  ev.preventDefault(); ev.stopPropagation();
}
async function onPointerMove(ev) {
  if (!dragging) return;
  const p = dataPoint(ev, false);
  if (!p) return;
  dragging.moved = true;
  const q = roundPx(p);
  if (dragging.point) {  // the pointer's position is dragAt: a reply for an older one must not move it back
    dragAt = state.at = q; $("point-text").value = q.map(exact).join(", ");
    live(async () => { await inspect(dragAt, false); await redrawInspect(); });
    return;
  }
  state.starts[dragging.start] = q;
  await Plotly.restyle("map", { x: [state.starts.map((s) => s[0])], y: [state.starts.map((s) => s[1])] }, roles.starts);
  if (doc && state.starts.length <= LIVE_STARTS) live(() => run(true));
}
async function live(job) {  // while dragging: one request at a time, then one more for the latest position
  if (liveBusy) { livePending = true; return; }
  liveBusy = true;
  try { do { livePending = false; await job(); } while (livePending); } finally { liveBusy = false; }
}
async function liveDone() { while (liveBusy) await new Promise((r) => setTimeout(r, 30)); }
async function onPointerUp(ev) {
  if (!dragging) return;
  const moved = dragging.moved, wasPoint = dragging.point;
  dragging = null;
  $("map").releasePointerCapture(ev.pointerId);
  if (!moved) return;
  suppressClick = true; setTimeout(() => { suppressClick = false; }, 400);
  if (wasPoint) { await liveDone(); await inspect(dragAt); return; }
  startsChanged();
  if (doc && state.starts.length <= LIVE_STARTS) { await liveDone(); await run(true); }
  if (await refit()) await redraw();
}
let cursor = null;  // the keyboard's point on the map
function cursorTrace() {
  return { type: "scatter", mode: "markers", x: cursor ? [cursor[0]] : [], y: cursor ? [cursor[1]] : [], name: t("page.trace.cursor"),
    marker: { symbol: "cross-thin-open", size: 18, line: { color: ink(), width: 2 } }, hoverinfo: "skip" };
}
async function onMapKey(ev) {
  if (!grid || !geometry || state.view !== "contour") return;  // (the other views have no cursor)
  const v = [geometry.x.slice(2), geometry.y.slice(2)];
  if (!cursor) cursor = state.mode === "inspect" && state.at ? state.at.slice() : [(v[0][0] + v[0][1]) / 2, (v[1][0] + v[1][1]) / 2];
  const stepSize = (ev.shiftKey ? 0.1 : ev.altKey ? 0.002 : 0.02) * (v[0][1] - v[0][0]);
  const move = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1] }[ev.key];
  if (move) {
    ev.preventDefault();
    cursor = roundPx([cursor[0] + move[0] * stepSize, cursor[1] + move[1] * stepSize]).map((c, a) => Math.min(Math.max(c, v[a][0]), v[a][1]));
    if (roles.cursor) await Plotly.restyle("map", { x: [[cursor[0]]], y: [[cursor[1]]] }, roles.cursor);
    if (state.mode === "inspect" && state.view === "contour") await inspect(cursor, false).then(redrawInspect);
  } else if (ev.key === "Enter") { ev.preventDefault(); await act(cursor); }
  else if (ev.key === "r" || ev.key === "R") { ev.preventDefault(); await run(); }
  else if ((ev.key === "Delete" || ev.key === "Backspace") && state.starts.length) {
    ev.preventDefault(); state.starts.pop(); startsChanged(); await redraw();
  }
}
function addGrid() {
  const asked = +$("grid-n").value | 0, d = domainNow(), n = Math.max(2, Math.min(10, asked));
  if (n !== asked) { say(t("page.grid_range", { n }), true); $("grid-n").value = n; }
  if (!d) return;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    if (state.starts.length >= MAX_STARTS) break;
    state.starts.push([d[0][0] + (j + 0.5) * (d[0][1] - d[0][0]) / n, d[1][0] + (i + 0.5) * (d[1][1] - d[1][0]) / n].map((v) => +v.toPrecision(12)));
  }
  startsChanged(); refit().then(redraw);
}

// ---------- export ----------
async function exportCsv() {  // the CLI's CSV (gdlab descend --output run.csv): the run again, deterministic
  if (!doc) { say(t("page.nothing_to_export"), true); return; }
  const r = await fetch("/api/descend", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...docRequest, format: "csv" }) });
  if (!r.ok) { say((await r.json().catch(() => ({}))).detail || t("page.export_failed"), true); return; }
  download("gdlab-runs.csv", "text/csv", await r.text());
}

async function exportPng() {  // both layers of the map as one figure
  const top = $("map"), under = baseKey !== null ? $("base").data : [];
  const layout = baseKey !== null ? $("base").layout : top.layout;
  const paths = canvasTraces(state.step);
  const figure = { data: under.concat(paths, top.data), layout: { ...layout, paper_bgcolor: "white", font: { color: "#222" } } };
  saveAs(`gdlab-${state.view}.png`, await Plotly.toImage(figure, { format: "png", width: 1200, height: 900 }));
}

// ---------- presets ----------
async function applyPreset(name) {
  const p = META.presets.find((x) => x.name === name);
  if (!p) return;
  Object.assign(state, { f: p.formula, dom: null, starts: p.starts.map((s) => s.slice()), steps: p.steps, view: "contour",
    opts: p.optimizers.map((o) => ({ name: o.name, lr: o.lr, hyper: {} })), at: null, sel: [0, 0], step: null,
    tol: p.tol ?? null, noise: null, seed: null, schedule: "" });
  point = null; $("inspect").hidden = true; clearRuns(); syncControls(); writeUrl();
  await loadMap();
  await run();
}

// ---------- start ----------
function wireControls() {
  $("formula").addEventListener("change", () => {
    state.f = $("formula").value.trim(); state.starts = []; state.dom = null; state.at = null; point = null;
    $("inspect").hidden = true; $("preset").value = ""; clearRuns(); writeUrl(); loadMap();
  });
  $("formula").addEventListener("input", checkAsTyped);
  $("picker").addEventListener("change", () => { if ($("picker").value) { $("formula").value = $("picker").value;
    $("formula").dispatchEvent(new Event("change")); } });
  $("preset").addEventListener("change", () => { if ($("preset").value) applyPreset($("preset").value); });
  ["x0", "x1", "y0", "y1"].forEach((id) => $(id).addEventListener("change", () => {
    const v = ["x0", "x1", "y0", "y1"].map((k) => num($(k).value));
    if (v.some((x) => x === null) || !(v[0] < v[1]) || !(v[2] < v[3])) { say(t("page.domain_order"), true); return; }
    state.dom = [[v[0], v[1]], [v[2], v[3]]]; say(""); changed(true); loadMap();
  }));
  $("domain-auto").addEventListener("click", () => { state.dom = null; changed(true); loadMap(); });
  $("starts-text").addEventListener("change", async () => {
    const got = points($("starts-text").value);
    const bad = got.some((p) => p === null);
    $("starts-text").classList.toggle("bad", bad);
    if (bad) { say(t("page.starts_format"), true); return; }
    if (got.length > MAX_STARTS) { say(t("page.max_starts", { n: MAX_STARTS }), true); return; }
    say(""); state.starts = got;
    if (!got.length) clearRuns();  // no starts: no results
    startsChanged(); await refit(); await redraw();
  });
  $("point-text").addEventListener("change", async () => {
    const p = pair($("point-text").value.replace(/^\(|\)$/g, ""));
    $("point-text").classList.toggle("bad", !p);
    if (!p) { say(t("page.point_format"), true); return; }
    say(""); await inspect(p);
  });
  document.querySelectorAll("#views button").forEach((b) => b.addEventListener("click", () => {
    state.view = b.dataset.view; syncControls(); changed(true); redraw().then(setupPlayer); }));
  $("field").addEventListener("change", async () => {  // the grid's gradients are fetched only for the field
    state.field = $("field").checked; syncControls(); changed(true);
    if (state.field && grid && !grid.gx.length) await loadGrid();
    await redraw();
  });
  document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", () => { state.mode = r.value; changed(true); }));
  $("grid").addEventListener("click", addGrid);
  $("clear").addEventListener("click", () => { state.starts = []; clearRuns(); startsChanged(); redraw(); });
  $("add-opt").addEventListener("click", () => {
    if (state.opts.length >= MAX_OPTS) return;
    const name = ["gd", "momentum", "adam", "nesterov", "rmsprop", "adagrad", "amsgrad", "nadam"][state.opts.length % 8];
    state.opts.push({ name, lr: defaultOf(name, "lr"), hyper: {} }); buildOptimizers(); changed();
  });
  $("steps").addEventListener("change", () => { state.steps = Math.max(1, Math.min(MAX_STEPS, +$("steps").value | 0)); $("steps").value = state.steps; changed(); });
  ["tol", "noise", "seed"].forEach((k) => $(k).addEventListener("change", () => {
    const v = $(k).value.trim() === "" ? null : num($(k).value);
    $(k).classList.toggle("bad", $(k).value.trim() !== "" && v === null);
    if ($(k).value.trim() !== "" && v === null) { say(t("page.a_number", { name: k }), true); return; }
    state[k] = v; say(""); changed();
  }));
  $("schedule").addEventListener("change", () => { state.schedule = $("schedule").value.trim().slice(0, 200); changed(); });
  $("run").addEventListener("click", () => run());
  $("export-json").addEventListener("click", () => doc ? download("gdlab-runs.json", "application/json", JSON.stringify(doc, null, 1))
    : say(t("page.nothing_to_export"), true));
  $("lang").addEventListener("change", () => setLanguage($("lang").value));
  $("export-csv").addEventListener("click", exportCsv);
  $("export-png").addEventListener("click", exportPng);
  $("dial-angle").addEventListener("input", onDial);
  const map = $("map");
  map.addEventListener("click", onMapClick);
  map.addEventListener("pointerdown", onPointerDown, true);
  map.addEventListener("pointermove", onPointerMove);
  map.addEventListener("pointerup", onPointerUp);
  map.addEventListener("keydown", onMapKey);
  map.addEventListener("blur", () => { if (cursor && roles.cursor && state.view === "contour") { cursor = null; Plotly.restyle("map", { x: [[]], y: [[]] }, roles.cursor); } });
  $("play").addEventListener("click", play);
  $("first").addEventListener("click", () => { stopPlaying(); moveTo(0); });
  $("last").addEventListener("click", () => { stopPlaying(); moveTo(null); });
  $("back").addEventListener("click", () => { stopPlaying(); moveTo((state.step === null ? lastStep() : state.step) - 1); });
  $("forward").addEventListener("click", () => { stopPlaying(); moveTo(state.step === null ? null : state.step + 1); });
  $("scrub").addEventListener("input", () => { stopPlaying(); moveTo(+$("scrub").value); });
  $("scrub").addEventListener("change", writeUrl);
  let resizing = null;  // the map follows the window; a new shape gets a new view (equal scales)
  new ResizeObserver(() => { clearTimeout(resizing); resizing = setTimeout(async () => { if (grid && await refit()) await redraw(); keepGeometry(); }, 200); }).observe(map);
}
function fillPresets() {  // each preset by its title in the page's language (preset.<name>)
  const menu = $("preset");
  menu.querySelectorAll("option[value]:not([value=''])").forEach((o) => o.remove());
  META.presets.forEach((p) => {
    const o = document.createElement("option"); o.value = p.name;
    o.textContent = `preset.${p.name}` in MESSAGES ? t(`preset.${p.name}`) : p.title; menu.appendChild(o); });
}
// another language: the page's words swapped, and everything the server wrote (the runs'
// explanations and advice, the step player's state names) asked for again in it
async function loadFunctions() {  // the library, its titles and descriptions in LANG
  try {
    const fns = await api(`/api/functions?lang=${LANG}`);
    fns.forEach((f) => { functions[f.name] = f; });
    const picker = $("picker");
    picker.querySelectorAll("option[value]:not([value=''])").forEach((o) => o.remove());
    fns.filter((f) => f.nd || f.dim === 2).forEach((f) => {
      const o = document.createElement("option"); o.value = f.name; o.textContent = f.title ? `${f.name} — ${f.title}` : f.name; picker.appendChild(o);
    });
  } catch (e) { /* the picker stays empty */ }
}
async function setLanguage(lang) {
  try { await loadMessages(lang); } catch (e) { $("lang").value = LANG; say(e.message, true); return; }
  await loadFunctions();
  const chosen = $("preset").value;
  fillPresets(); $("preset").value = chosen;
  say(""); syncControls(); writeUrl();
  if (!grid) { await loadMap(); return; }  // its error, said again in this language
  if (point) showPoint();
  if (doc) await run();
  await redraw();
  setupPlayer();
}
async function init() {
  const asked = new URLSearchParams(location.search).get("lang") || "en";
  try {
    // an unknown language in the link: English, quietly
    await loadMessages(asked).catch(() => loadMessages("en"));
    META = await api("/api/meta");
    META.optimizers.forEach((o) => { catalog[o.name] = o; });
    COLORS = META.palette; LABEL_COLORS = META.label_colors; BASIN_COLORS = META.basin_colors;
    ({ max_optimizers: MAX_OPTS, max_starts: MAX_STARTS, max_steps: MAX_STEPS } = META.limits);
  } catch (e) { say("cannot reach the server: " + e.message, true); return; }  // (no catalogue: English)
  $("steps").max = String(MAX_STEPS);
  ["tol", "noise", "seed"].forEach((k) => { $(k).placeholder = String(META.defaults[k]); });
  $("formula").maxLength = META.limits.formula_length;
  fillPresets();
  await loadFunctions();
  readUrl(); syncControls();
  wireControls();
  const rerun = state.ran && state.starts.length > 0;
  writeUrl();
  await loadMap();
  if (rerun) await run();
}
init();
