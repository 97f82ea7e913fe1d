/* The dashboard page: sign-in, the cluster map, audits and plans, a plan's forecast and its
   live run. Talks only to this service: the v1 API and /dashboard/api/. */
"use strict";

const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];
const TOKEN_KEY = "watcher-dashboard-token";
const AUTH = document.body.dataset.auth;
const HEADER = document.body.dataset.tokenHeader;
const AUDIT_STATES = ["PENDING", "ONGOING", "SUCCEEDED", "FAILED", "CANCELLED", "SUSPENDED"];
const PLAN_STATES = ["RECOMMENDED", "PENDING", "ONGOING", "SUCCEEDED", "FAILED", "CANCELLING", "CANCELLED", "SUPERSEDED"];

const ui = { maps: new Map(), plan: null, live: null, nodes: {}, rows: {} };

/* ---------- talking to the service ---------- */

function headers(extra = {}) {
  const h = { "OpenStack-API-Version": "infra-optim 1.7", ...extra };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) h[HEADER] = token;
  return h;
}

async function call(path, options = {}) {
  const resp = await fetch(path, { ...options, headers: headers(options.headers) });
  if (resp.status === 401 && AUTH !== "none") { signOut("Your token was refused; sign in again."); throw new Error("401"); }
  const text = await resp.text();
  const body = text ? JSON.parse(text) : null;
  if (!resp.ok) throw new Error(faultOf(body) || `${resp.status} ${resp.statusText}`);
  return body;
}

function faultOf(body) {
  try { return JSON.parse(body.error_message).faultstring; } catch (e) { return body && body.error_message; }
}

function say(text) {
  const m = $("#message");
  m.textContent = text || ""; m.hidden = !text;
}

/* ---------- sign in ---------- */

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  if (ui.live) ui.live.stop();
  $("#app").hidden = true; $("#login").hidden = false; $("#logout").hidden = true;
  $("#login-error").textContent = reason || "";
}

async function signIn(event) {
  event.preventDefault();
  const token = $("#token").value.trim();
  const resp = await fetch("/v1/goals?limit=1", { headers: { [HEADER]: token } });
  if (!resp.ok) { $("#login-error").textContent = resp.status === 401 ? "This token is not valid." : `The service answered ${resp.status}.`; return; }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#token").value = "";
  start();
}

/* ---------- views ---------- */

function show(view) {
  $$("#tabs button").forEach((b) => b.classList.toggle("active", b.dataset.view === view));
  $$("main .view").forEach((s) => { s.hidden = s.id !== `view-${view}`; });
  say("");
  if (view === "cluster") loadCluster();
  if (view === "audits") loadAudits();
  if (view === "plans") loadPlans();
  if (view !== "plan" && ui.live) { ui.live.stop(); ui.live = null; }
}

/* ---------- heat maps ---------- */

function mapControls(section) {
  const box = $("[data-map-controls]", section);
  if (!ui.maps.has(section.id)) {
    const state = { zoom: 1, metric: "memory", group: "zone", canvases: [] };
    ui.maps.set(section.id, state);
    Heatmap.legend($(".legend", box));
    $(".metric", box).addEventListener("change", (e) => { state.metric = e.target.value; redraw(section); });
    $(".group", box).addEventListener("change", (e) => { state.group = e.target.value; redraw(section); });
    $(".zoom-in", box).addEventListener("click", () => zoom(section, 1.4));
    $(".zoom-out", box).addEventListener("click", () => zoom(section, 1 / 1.4));
    $$(".map-wrap", section).forEach((w) => w.addEventListener("wheel", (e) => {
      if (!e.ctrlKey) return;
      e.preventDefault(); zoom(section, e.deltaY < 0 ? 1.2 : 1 / 1.2);
    }, { passive: false }));
  }
  return ui.maps.get(section.id);
}

function zoom(section, factor) {
  const state = mapControls(section);
  state.zoom = Math.min(8, Math.max(0.3, state.zoom * factor));
  redraw(section);
}

function setMaps(section, pairs) {
  const state = mapControls(section);
  state.canvases = pairs;
  redraw(section);
}

function redraw(section) {
  const state = mapControls(section);
  for (const entry of state.canvases) {
    const width = entry.canvas.parentElement.clientWidth - 2;
    entry.layout = Heatmap.draw(entry.canvas, entry.hosts, { zoom: state.zoom, metric: state.metric, group: state.group, width });
    if (!entry.hooked) {
      entry.hooked = true;
      entry.canvas.addEventListener("mousemove", (e) => tooltip(e, entry));
      entry.canvas.addEventListener("mouseleave", () => { $("#tooltip").hidden = true; });
    }
  }
}

function tooltip(event, entry) {
  const r = entry.canvas.getBoundingClientRect();
  const host = Heatmap.hostAt(entry.layout, event.clientX - r.left, event.clientY - r.top);
  const tip = $("#tooltip");
  if (!host) { tip.hidden = true; return; }
  tip.textContent = Heatmap.describe(host);
  tip.style.left = event.clientX + 14 + "px"; tip.style.top = event.clientY + 14 + "px";
  tip.hidden = false;
}

function summary(hosts) {
  const disabled = hosts.filter((h) => h.status !== "enabled").length;
  const down = hosts.filter((h) => h.state !== "up").length;
  const empty = hosts.filter((h) => h.instances === 0).length;
  const sum = (k) => hosts.reduce((s, h) => s + h[k], 0);
  const pct = (u, c) => (c ? Math.round((100 * sum(u)) / sum(c)) : 0);
  return `${hosts.length} hosts · ${sum("instances")} instances · CPU ${pct("vcpus_used", "vcpus_capacity")}% · ` +
    `memory ${pct("memory_used", "memory_capacity")}% · disk ${pct("disk_used", "disk_capacity")}% · ` +
    `${empty} empty · ${disabled} disabled · ${down} down`;
}

async function loadCluster() {
  $("#cluster-summary").textContent = "loading…";
  try {
    const body = await call("/dashboard/api/cluster");
    const hosts = Heatmap.fromTable(body.hosts);
    $("#cluster-summary").textContent = summary(hosts);
    setMaps($("#view-cluster"), [{ canvas: $("#cluster-map"), hosts }]);
  } catch (e) { $("#cluster-summary").textContent = ""; say(`The cluster could not be read: ${e.message}`); }
}

/* ---------- lists ---------- */

function fillFilter(select, values, current) {
  const keep = current ?? select.value;
  const known = [...new Set(values)].filter(Boolean);
  if (values !== AUDIT_STATES && values !== PLAN_STATES) known.sort();
  select.replaceChildren(new Option("any", ""), ...known.map((v) => new Option(v, v)));
  select.value = [...select.options].some((o) => o.value === keep) ? keep : "";
}

function when(text) { return text ? text.replace("T", " ").slice(0, 19) : ""; }

function cell(text, cls) {
  const td = document.createElement("td");
  if (cls) { const s = document.createElement("span"); s.className = cls; s.textContent = text; td.append(s); }
  else td.textContent = text ?? "";
  return td;
}

let listData = { audits: [], plans: [] };

async function fetchLists() {
  const [audits, plans] = await Promise.all([
    call("/v1/audits/detail?limit=1000&sort_key=created_at&sort_dir=desc"),
    call("/v1/action_plans/detail?limit=1000&sort_key=created_at&sort_dir=desc"),
  ]);
  listData = { audits: audits.audits, plans: plans.action_plans };
}

async function loadAudits() {
  try {
    await Promise.all([fetchLists(), loadGoals()]);
  } catch (e) { say(`Audits could not be listed: ${e.message}`); return; }
  const a = listData.audits;
  fillFilter($("#audits-state"), AUDIT_STATES);
  fillFilter($("#audits-goal"), a.map((x) => x.goal_name));
  fillFilter($("#audits-strategy"), a.map((x) => x.strategy_name));
  renderAudits();
}

function renderAudits() {
  const [state, goal, strategy] = ["#audits-state", "#audits-goal", "#audits-strategy"].map((s) => $(s).value);
  const planOf = new Map(listData.plans.map((p) => [p.audit_uuid, p]));
  const rows = listData.audits.filter((x) => (!state || x.state === state) && (!goal || x.goal_name === goal) && (!strategy || x.strategy_name === strategy));
  $("#audits-table tbody").replaceChildren(...rows.map((x) => {
    const tr = document.createElement("tr");
    const plan = planOf.get(x.uuid);
    tr.append(cell(when(x.created_at)), cell(x.name), cell(x.audit_type), cell(x.goal_name), cell(x.strategy_name), cell(x.state, `state ${x.state}`),
      cell(plan ? plan.state : "—", plan ? `state ${plan.state}` : null));
    tr.dataset.uuid = x.uuid;
    if (plan) { tr.classList.add("link"); tr.addEventListener("click", () => openPlan(plan.uuid)); }
    return tr;
  }));
}

async function loadPlans() {
  try { await fetchLists(); } catch (e) { say(`Plans could not be listed: ${e.message}`); return; }
  const p = listData.plans;
  fillFilter($("#plans-state"), PLAN_STATES);
  fillFilter($("#plans-strategy"), p.map((x) => x.strategy_name));
  renderPlans();
}

function efficacyText(plan) {
  return (plan.efficacy_indicators || []).map((i) => `${i.description || i.name}: ${fmtNumber(i.value)}${i.unit ? " " + i.unit : ""}`).join(" · ");
}

function renderPlans() {
  const [state, strategy] = ["#plans-state", "#plans-strategy"].map((s) => $(s).value);
  const rows = listData.plans.filter((x) => (!state || x.state === state) && (!strategy || x.strategy_name === strategy));
  $("#plans-table tbody").replaceChildren(...rows.map((x) => {
    const tr = document.createElement("tr");
    tr.className = "link"; tr.dataset.uuid = x.uuid;
    tr.append(cell(when(x.created_at)), cell(x.uuid.slice(0, 8)), cell(x.audit_uuid.slice(0, 8)), cell(x.strategy_name), cell(x.state, `state ${x.state}`), cell(efficacyText(x)));
    tr.addEventListener("click", () => openPlan(x.uuid));
    return tr;
  }));
}

/* ---------- running an audit ---------- */

let goalsLoaded = false, strategies = [];

async function loadGoals() {
  if (goalsLoaded) return;
  const [goals, strats] = await Promise.all([call("/v1/goals?limit=1000"), call("/v1/strategies?limit=1000")]);
  strategies = strats.strategies;
  $("#audit-goal").replaceChildren(...goals.goals.map((g) => new Option(g.display_name || g.name, g.name)));
  const preferred = goals.goals.find((g) => g.name === "server_consolidation");
  if (preferred) $("#audit-goal").value = preferred.name;
  fillStrategies();
  goalsLoaded = true;
}

function fillStrategies() {
  const goal = $("#audit-goal").value;
  const list = strategies.filter((s) => s.goal_name === goal);
  $("#audit-strategy").replaceChildren(new Option("chosen by the goal", ""), ...list.map((s) => new Option(s.display_name || s.name, s.name)));
}

async function runAudit(event) {
  event.preventDefault();
  const body = { audit_type: "ONESHOT", goal: $("#audit-goal").value };
  if ($("#audit-strategy").value) body.strategy = $("#audit-strategy").value;
  const status = $("#audit-status");
  try {
    const audit = await call("/v1/audits", { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" } });
    status.textContent = `Audit ${audit.uuid.slice(0, 8)} is ${audit.state}…`;
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      const now = await call(`/v1/audits/${audit.uuid}`);
      status.textContent = `Audit ${audit.uuid.slice(0, 8)} is ${now.state}…`;
      if (["SUCCEEDED", "FAILED", "CANCELLED"].includes(now.state)) {
        if (now.state !== "SUCCEEDED") { status.textContent = `Audit ${audit.uuid.slice(0, 8)} ended ${now.state}.`; loadAudits(); return; }
        break;
      }
    }
    const plans = await call(`/v1/action_plans?audit_uuid=${audit.uuid}`);
    status.textContent = plans.action_plans.length ? "" : "The audit found nothing to do.";
    if (plans.action_plans.length) openPlan(plans.action_plans[0].uuid); else loadAudits();
  } catch (e) { status.textContent = `The audit could not run: ${e.message}`; }
}

/* ---------- one plan ---------- */

function fmtSeconds(s) {
  s = Math.max(0, Math.round(s));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60), r = s % 60;
  if (m < 60) return `${m} min ${r} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function fmtNumber(v) { return v === null || v === undefined ? "—" : (Math.round(v * 100) / 100).toString(); }

function fmtMb(mb) { return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${Math.round(mb)} MB`; }

function short(v) { return v && v.length > 20 ? v.slice(0, 8) : v || ""; }

function actionLabel(a) {
  const p = a.input_parameters || {};
  if (a.action_type === "migrate") return [`${p.migration_type || "live"} migrate ${short(p.resource_name || p.resource_id)}`, `${p.source_node} → ${p.destination_node || "scheduler"}`];
  if (a.action_type === "change_nova_service_state") return [`${p.state === "enabled" ? "enable" : "disable"} compute`, p.resource_name || p.resource_id];
  if (a.action_type === "change_node_power_state") return [`power ${p.state}`, p.resource_name || short(p.resource_id)];
  if (a.action_type === "sleep") return ["sleep", `${p.duration} s`];
  return [a.action_type, short(p.resource_name || p.resource_id || "")];
}

async function openPlan(uuid) {
  $("#plan-tab").hidden = false;
  show("plan");
  if (ui.live) { ui.live.stop(); ui.live = null; }
  $("#plan-uuid").textContent = uuid;
  $("#plan-note").textContent = "Computing the forecast…";
  ui.plan = null;
  let plan, forecast;
  try {
    [plan, forecast] = await Promise.all([call(`/v1/action_plans/${uuid}`), call(`/dashboard/api/action_plans/${uuid}/forecast`)]);
  } catch (e) { say(`The plan could not be read: ${e.message}`); return; }
  ui.plan = { uuid, plan, forecast, states: Object.fromEntries(forecast.actions.map((a) => [a.uuid, a.state])) };
  $("#plan-efficacy").replaceChildren(...(plan.efficacy_indicators || []).map((i) => {
    const tr = document.createElement("tr");
    tr.append(cell(i.description || i.name), cell(`${fmtNumber(i.value)}${i.unit ? " " + i.unit : ""}`));
    return tr;
  }));
  const facts = [
    ["Actions", forecast.actions.length],
    ["Estimated duration", fmtSeconds(forecast.eta)],
    ["Critical path", fmtSeconds(forecast.critical_path)],
    ["Actions at once", forecast.slots],
    ["Migration bandwidth", `${forecast.bandwidth_mb} MB/s`],
  ];
  $("#plan-time").replaceChildren(...facts.flatMap(([k, v]) => [Object.assign(document.createElement("dt"), { textContent: k }), Object.assign(document.createElement("dd"), { textContent: v })]));
  const notes = [];
  if (forecast.moved) notes.push(`${forecast.moved} migrations shown on the predicted map.`);
  if (forecast.unplaced.length) notes.push(`${forecast.unplaced.length} instances go where Nova's scheduler decides (not shown).`);
  if (forecast.unknown.length) notes.push(`${forecast.unknown.length} instances or hosts are no longer in the cluster.`);
  $("#plan-note").textContent = notes.join(" ");
  const now = Heatmap.fromTable(forecast.hosts_now), after = Heatmap.fromTable(forecast.hosts_after);
  $("#plan-summary-now").textContent = summary(now);
  $("#plan-summary-after").textContent = summary(after);
  setMaps($("#view-plan"), [{ canvas: $("#plan-map-now"), hosts: now }, { canvas: $("#plan-map-after"), hosts: after }]);
  ui.nodes = Dag.draw($("#plan-dag"), forecast.actions, actionLabel);
  ui.rows = {};
  $("#plan-actions tbody").replaceChildren(...forecast.actions.map((a, i) => {
    const tr = document.createElement("tr");
    const [top, bottom] = actionLabel(a);
    tr.dataset.uuid = a.uuid;
    tr.append(cell(i + 1), cell(top), cell(bottom), cell(a.moves ? `${fmtMb(a.moves_mb)} of ${a.moves}` : "—"),
      cell(fmtSeconds(a.seconds)), cell(`+${fmtSeconds(a.start)}`), cell(a.state, `state ${a.state}`));
    ui.rows[a.uuid] = tr;
    return tr;
  }));
  setPlanState(plan.state);
  setProgress(forecast.progress);
  if (["PENDING", "ONGOING", "CANCELLING"].includes(plan.state)) follow();
}

function setPlanState(state) {
  const badge = $("#plan-state");
  badge.textContent = state; badge.className = `state ${state}`;
  $("#plan-start").disabled = state !== "RECOMMENDED";
  $("#plan-cancel").disabled = !["RECOMMENDED", "PENDING", "ONGOING"].includes(state);
  if (ui.plan) ui.plan.state = state;
}

function setProgress(p) {
  $("#plan-bar").style.width = `${Math.round(p.fraction * 100)}%`;
  $("#plan-progress").textContent = `${p.done} of ${p.total} actions finished · ${Math.round(p.fraction * 100)}% of the estimated work · ` +
    (p.remaining > 0 ? `about ${fmtSeconds(p.remaining)} left` : "nothing left");
}

function setActionState(uuid, state) {
  if (!ui.plan || !(uuid in ui.plan.states)) return;
  ui.plan.states[uuid] = state;
  if (ui.nodes[uuid]) {
    Dag.paint(ui.nodes[uuid], state);
    if (state === "ONGOING") keepInView($("#plan-dag"), ui.nodes[uuid]);
  }
  const tr = ui.rows[uuid];
  if (tr) tr.lastChild.replaceChildren(Object.assign(document.createElement("span"), { className: `state ${state}`, textContent: state }));
}

/* Scroll the DAG's own box (never the page) so a node that starts running is visible. */
function keepInView(box, node) {
  const b = box.getBoundingClientRect(), n = node.getBoundingClientRect();
  if (n.top < b.top || n.bottom > b.bottom) box.scrollTop += n.top - b.top - 10;
  if (n.left < b.left || n.right > b.right) box.scrollLeft += n.left - b.left - 10;
}

function follow() {
  if (ui.live) ui.live.stop();
  const uuid = ui.plan.uuid;
  ui.live = Live.follow(`/dashboard/api/action_plans/${uuid}/events`, headers(), (event, data) => {
    if (!ui.plan || ui.plan.uuid !== uuid) return;
    if (event === "action") setActionState(data.uuid, data.state);
    if (event === "plan" && data.state) setPlanState(data.state);
    if (event === "progress") { setProgress(data); setPlanState(data.state); refreshNow(); }
    if (event === "end") setPlanState(data.state);
  }, (status) => { if (status === 401) signOut("Your token was refused; sign in again."); else say(`The live view stopped: ${status}`); });
}

/* While a plan runs, the "Now" map follows the cluster (at most every 4 s). */
let lastRefresh = 0;
async function refreshNow() {
  if (Date.now() - lastRefresh < 4000) return;
  lastRefresh = Date.now();
  try {
    const body = await call("/dashboard/api/cluster");
    const section = $("#view-plan"), state = mapControls(section);
    if (!state.canvases.length) return;
    state.canvases[0].hosts = Heatmap.fromTable(body.hosts);
    $("#plan-summary-now").textContent = summary(state.canvases[0].hosts);
    redraw(section);
  } catch (e) { /* the next progress message tries again */ }
}

async function startPlan() {
  try {
    const plan = await call(`/v1/action_plans/${ui.plan.uuid}/start`, { method: "POST" });
    setPlanState(plan.state);
    follow();
  } catch (e) { say(`The plan could not start: ${e.message}`); }
}

async function cancelPlan() {
  const patch = [{ op: "replace", path: "/state", value: "CANCELLING" }];
  try {
    const plan = await call(`/v1/action_plans/${ui.plan.uuid}`, { method: "PATCH", body: JSON.stringify(patch), headers: { "Content-Type": "application/json" } });
    setPlanState(plan.state);
  } catch (e) { say(`The plan could not be cancelled: ${e.message}`); }
}

/* ---------- wiring ---------- */

function start() {
  $("#login").hidden = true; $("#app").hidden = false;
  $("#logout").hidden = AUTH === "none";
  $("#who").textContent = AUTH === "none" ? "no authentication" : "signed in";
  show("cluster");
}

function wire() {
  $$("#tabs button").forEach((b) => b.addEventListener("click", () => show(b.dataset.view)));
  $("#login-form").addEventListener("submit", signIn);
  $("#logout").addEventListener("click", () => signOut(""));
  $("#cluster-refresh").addEventListener("click", loadCluster);
  $("#audits-refresh").addEventListener("click", loadAudits);
  $("#plans-refresh").addEventListener("click", loadPlans);
  $$("#view-audits [data-filter]").forEach((s) => s.addEventListener("change", renderAudits));
  $$("#view-plans [data-filter]").forEach((s) => s.addEventListener("change", renderPlans));
  $("#audit-goal").addEventListener("change", fillStrategies);
  $("#audit-form").addEventListener("submit", runAudit);
  $("#plan-start").addEventListener("click", startPlan);
  $("#plan-cancel").addEventListener("click", cancelPlan);
  window.addEventListener("resize", () => ui.maps.forEach((_, id) => redraw(document.getElementById(id))));
  if (AUTH !== "none" && !sessionStorage.getItem(TOKEN_KEY)) signOut(""); else start();
}

wire();
