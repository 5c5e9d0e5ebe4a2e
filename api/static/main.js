// The page: sign in, pick a project, filter, and keep the map, the list and the panel
// in step with the server (live, through the projectEvents subscription).
import { connect } from "./graphql.js";
import { h, setOptions, plural } from "./dom.js";
import { createMap, mapSvg } from "./map.js";
import { renderList } from "./listview.js";
import { createPanel } from "./panel.js";
import { createAnalysis } from "./analysis.js";

const SESSION = `query Session { me { id name } projects { id name createdAt } }`;
const PROJECT = `query Project($id: ID!) { project(id: $id) {
  id name myRole participants { id attributes } members { role user { id name } } } }`;
const THEME_MAP = `query ThemeMap($projectId: ID!, $filter: CaseFilter, $coders: [ID!], $cooccurrenceMin: Int) {
  themeMap(projectId: $projectId, filter: $filter, coders: $coders, cooccurrenceMin: $cooccurrenceMin) {
    nodes { id kind label color status excerptCount participantCount }
    edges { source target kind linkKind label weight link { id version } } }
  mapPositions(projectId: $projectId) { nodeId x y } }`;
const SAVE_POSITIONS = `mutation SavePositions($projectId: ID!, $positions: [NodePositionInput!]!) {
  saveMapPositions(projectId: $projectId, positions: $positions) { nodeId } }`;
const EVENTS = `subscription Events($projectId: ID!) {
  projectEvents(projectId: $projectId) { type summary actor { name } } }`;
const DOWNLOADS = { "export.qdpx": "REFI-QDA project (.qdpx)", "codebook.qdc": "REFI-QDA codebook (.qdc)",
  "report.md": "Report (Markdown)", "case-matrix.csv": "Case matrix (CSV)", "cooccurrence.csv": "Co-occurrence (CSV)" };
const TOKEN_KEY = "thememap-token";
const PROJECT_KEY = "thememap-project";

const $ = (id) => document.getElementById(id);
const state = { api: null, project: null, themeMap: null, saved: new Map(), selected: null, unsubscribe: null,
  picking: null, loads: 0, reload: null, token: null };

function announce(text, isError = false) {
  $("status").textContent = text;
  $("status").classList.toggle("error", isError);
}

function select(id, fromList = false) {
  if (state.picking) {
    const pick = state.picking;
    state.picking = null;
    pick(id);
    return;
  }
  state.selected = id;
  map.select(id);
  panel.show(id, scope()).catch((err) => announce(err.message, true));
  if (fromList) $("panel").focus();
}

function dropped(codeId, themeId) {
  const names = new Map(state.themeMap.nodes.map((n) => [n.id, n.label]));
  const already = state.themeMap.edges.some((e) => e.kind === "MEMBER_OF"
    && e.source === codeId && e.target === themeId);
  if (already) announce(`“${names.get(codeId)}” is already in “${names.get(themeId)}”.`);
  else if (!scope().canEdit) announce("Viewers cannot change the map.", true);
  else panel.addToTheme(codeId, themeId, names.get(codeId));
}

/** Save where nodes now are, for the whole team. The first save of a map saves every node, so
 * that the shape everyone sees is the one drawn here. */
async function savePositions(ids) {
  if (!scope().canEdit) return;
  const all = map.nodeIds();
  const chosen = all.some((id) => !state.saved.has(id)) ? all : ids;
  const positions = map.positionsOf(chosen);
  try {
    await state.api.request(SAVE_POSITIONS, { projectId: state.project.id, positions });
    for (const p of positions) state.saved.set(p.nodeId, { x: p.x, y: p.y });
    $("map").dataset.saved = String(Number($("map").dataset.saved ?? 0) + 1);
  } catch (err) {
    announce(`The new positions were not saved: ${err.message}`, true);
  }
}

const map = createMap($("map"), { onSelect: (id) => select(id), onDrop: dropped, onMoved: savePositions });
const panel = createPanel($("panel"), {
  request: (query, variables) => state.api.request(query, variables),
  announce,
  changed: () => reload(),
  pickOnMap: (callback) => { state.picking = callback; },
});
const analysis = createAnalysis({
  request: (query, variables) => state.api.request(query, variables),
  announce,
  scope: () => scope(),
  changed: () => reload(),
  sizeBy: (shares) => map.sizeBy(shares),
});
window.thememap = { cy: map.cy }; // for the console and the browser test

/** The participant conditions chosen (attribute = value), one per filled row. */
function conditions() {
  return [...document.querySelectorAll("#conditions .condition")].map((row) => {
    const [name, value] = row.querySelectorAll("select");
    return name.value && value.value ? { name: name.value, equals: JSON.parse(value.value) } : null;
  }).filter(Boolean);
}

/** The current view: project, filters, and what they leave in scope. */
function scope() {
  const project = state.project;
  const attributes = conditions();
  const inScope = project.participants.filter((p) => attributes.every((c) =>
    JSON.stringify(p.attributes[c.name]) === JSON.stringify(c.equals)));
  const coders = [...$("coder").selectedOptions].map((o) => o.value);
  return {
    projectId: project.id,
    filter: attributes.length ? { attributes } : null,
    coders: coders.length ? coders : null,
    cooccurrenceMin: $("cooccurrence").checked ? Number($("cooccurrence-min").value) : null,
    participantCount: inScope.length,
    nodes: state.themeMap?.nodes ?? [],
    edges: state.themeMap?.edges ?? [],
    canEdit: project.myRole !== "VIEWER",
  };
}

async function loadMap() {
  const load = ++state.loads;
  const { projectId, filter, coders, cooccurrenceMin } = scope();
  const { themeMap, mapPositions } = await state.api.request(THEME_MAP, { projectId, filter, coders, cooccurrenceMin });
  if (load !== state.loads) return; // a newer load has started
  state.themeMap = themeMap;
  state.saved = new Map(mapPositions.map((p) => [p.nodeId, { x: p.x, y: p.y }]));
  const count = (kind) => themeMap.nodes.filter((n) => n.kind === kind).length;
  $("list-view").querySelector("summary").textContent = `The map as a list (${plural(count("THEME"), "theme")}, `
    + `${plural(count("CODE"), "code")}, ${plural(themeMap.edges.length, "edge")})`;
  renderList($("list"), themeMap, (id) => select(id, true));
  setOptions($("node-names"), themeMap.nodes.map((n) => [n.label, n.kind === "THEME" ? "theme" : "code"]));
  await map.render(themeMap, state.saved);
  if (state.selected) map.select(state.selected);
  if (!performance.getEntriesByName("map-rendered").length) performance.mark("map-rendered");
  $("map").dataset.loads = String(load);
}

/** Reload the map and the open panel, e.g. after an edit here or elsewhere. */
async function reload() {
  try {
    await loadMap();
    await panel.refresh(scope());
    await analysis.refresh();
  } catch (err) {
    announce(err.message, true);
  }
}

function subscribe(projectId) {
  state.unsubscribe?.();
  state.unsubscribe = state.api.subscribe(EVENTS, { projectId }, {
    started: () => { document.body.dataset.live = "on"; },
    next: ({ projectEvents: event }) => {
      announce(`${event.actor?.name ?? "Someone"}: ${event.summary}`);
      clearTimeout(state.reload);
      state.reload = setTimeout(reload, 150); // one reload for a burst of events
    },
    end: (reason) => {
      document.body.dataset.live = "off";
      announce(`Live updates stopped (${reason}); retrying.`, true);
      setTimeout(() => { if (state.project?.id === projectId) { subscribe(projectId); reload(); } }, 3000);
    },
  });
}

/** A row of the participant filter: an attribute and one of its values. */
function conditionRow(n) {
  const suffix = n === 1 ? "" : `-${n}`;
  const names = [...new Set(state.project.participants.flatMap((p) => Object.keys(p.attributes)))].sort();
  const attribute = h("select", { id: `attribute${suffix}` }, h("option", { value: "" }, "(all participants)"),
    names.map((name) => h("option", { value: name }, name)));
  const value = h("select", { id: `attribute-value${suffix}`, disabled: true });
  attribute.addEventListener("change", () => {
    const values = [...new Set(state.project.participants.filter((p) => attribute.value in p.attributes)
      .map((p) => JSON.stringify(p.attributes[attribute.value])))].sort();
    setOptions(value, values.map((v) => [v, String(JSON.parse(v))]));
    value.disabled = !attribute.value;
    reload();
  });
  value.addEventListener("change", reload);
  const number = n === 1 ? "" : ` ${n}`;
  return h("div", { class: "condition" }, h("label", { for: attribute.id }, `Attribute${number}`), attribute,
    h("label", { for: value.id }, `Value${number}`), value);
}

async function openProject(id) {
  sessionStorage.setItem(PROJECT_KEY, id);
  const { project } = await state.api.request(PROJECT, { id });
  state.project = project;
  state.selected = null;
  $("conditions").replaceChildren(conditionRow(1));
  setOptions($("coder"), project.members.filter((m) => m.user).map((m) => [m.user.id, m.user.name]));
  $("filters").hidden = false;
  $("workspace").hidden = false;
  panel.clear();
  analysis.clear();
  subscribe(id);
  await loadMap();
}

/** Save `blob` as a file named `name` (the browser's download). */
function saveFile(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const fileName = (suffix) => `${state.project.name.replace(/[^\w.-]+/g, "-")}${suffix}`;

async function download(what) {
  const response = await fetch(`/projects/${state.project.id}/${what}`,
    { headers: { Authorization: `Bearer ${state.token}` } });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new Error(body.errors?.[0]?.message ?? `The download failed (HTTP ${response.status}).`);
  }
  saveFile(await response.blob(), fileName(`-${what}`));
  announce(`Downloaded ${DOWNLOADS[what]}.`);
}

function findNode() {
  const wanted = $("find").value.trim().toLowerCase();
  if (!wanted) return;
  const nodes = state.themeMap?.nodes ?? [];
  const node = nodes.find((n) => n.label.toLowerCase() === wanted)
    ?? nodes.find((n) => n.label.toLowerCase().includes(wanted));
  if (!node) { announce(`No theme or code named like “${$("find").value}” on the map.`, true); return; }
  map.find(node.id);
  select(node.id);
}

/** A project's name in the picker; when two share it, with the day it was made and its id's start. */
function projectLabel(project, projects) {
  if (projects.filter((p) => p.name === project.name).length < 2) return project.name;
  return `${project.name} (created ${project.createdAt.slice(0, 10)}, id ${project.id.slice(0, 8)})`;
}

async function signIn(token) {
  state.api = connect(token);
  state.token = token;
  const { me, projects } = await state.api.request(SESSION);
  sessionStorage.setItem(TOKEN_KEY, token);
  $("sign-in").hidden = true;
  $("session").hidden = false;
  $("who").textContent = `Signed in as ${me.name}`;
  setOptions($("project"), projects.map((p) => [p.id, projectLabel(p, projects)]));
  if (!projects.length) { announce("You are not a member of any project yet."); return; }
  const remembered = sessionStorage.getItem(PROJECT_KEY);
  const id = projects.some((p) => p.id === remembered) ? remembered : projects[0].id;
  $("project").value = id;
  announce("");
  await openProject(id);
}

function guarded(action) {
  return (event) => { event?.preventDefault?.(); action(event).catch((err) => announce(err.message, true)); };
}

$("sign-in").addEventListener("submit", guarded(() => signIn($("token").value.trim())));
$("sign-out").addEventListener("click", () => { sessionStorage.clear(); location.reload(); });
$("project").addEventListener("change", guarded(() => openProject($("project").value)));
$("add-condition").addEventListener("click", () => {
  const row = conditionRow(document.querySelectorAll("#conditions .condition").length + 1);
  $("conditions").append(row);
  row.querySelector("select").focus();
});
$("coder").addEventListener("change", reload);
$("cooccurrence").addEventListener("change", () => {
  $("cooccurrence-min").disabled = !$("cooccurrence").checked;
  reload();
});
$("cooccurrence-min").addEventListener("input", () => {
  $("cooccurrence-min-value").value = $("cooccurrence-min").value;
});
$("cooccurrence-min").addEventListener("change", reload);
$("find-form").addEventListener("submit", (event) => { event.preventDefault(); findNode(); });
$("focus").addEventListener("change", () => map.focus($("focus").checked ? state.selected : null));
$("arrange").addEventListener("click", guarded(async () => {
  await map.arrange();
  await savePositions(map.nodeIds());
  announce(scope().canEdit ? "Laid the map out afresh and saved it for everyone." : "Laid the map out afresh.");
}));
$("export-svg").addEventListener("click", () =>
  saveFile(new Blob([mapSvg(map.cy)], { type: "image/svg+xml" }), fileName("-map.svg")));
$("export-png").addEventListener("click", () =>
  saveFile(map.cy.png({ full: true, scale: 2, bg: "#ffffff", output: "blob" }), fileName("-map.png")));
$("download").addEventListener("click", guarded(() => download($("download-what").value)));
setOptions($("download-what"), Object.entries(DOWNLOADS));

if (sessionStorage.getItem(TOKEN_KEY)) guarded(() => signIn(sessionStorage.getItem(TOKEN_KEY)))();
