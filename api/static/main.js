// The page: sign in, pick a project, filter, and keep the map, the list and the panel
// in step with the server (live, through the projectEvents subscription).
import { connect } from "./graphql.js";
import { setOptions, plural } from "./dom.js";
import { createMap } from "./map.js";
import { renderList } from "./listview.js";
import { createPanel } from "./panel.js";

const SESSION = `query Session { me { id name } projects { id name createdAt } }`;
const PROJECT = `query Project($id: ID!) { project(id: $id) {
  id name myRole participants { id attributes } members { role user { id name } } } }`;
const THEME_MAP = `query ThemeMap($projectId: ID!, $filter: CaseFilter, $coders: [ID!], $cooccurrenceMin: Int) {
  themeMap(projectId: $projectId, filter: $filter, coders: $coders, cooccurrenceMin: $cooccurrenceMin) {
    nodes { id kind label color status excerptCount participantCount }
    edges { source target kind linkKind label weight } } }`;
const EVENTS = `subscription Events($projectId: ID!) {
  projectEvents(projectId: $projectId) { type summary actor { name } } }`;
const TOKEN_KEY = "thememap-token";
const PROJECT_KEY = "thememap-project";

const $ = (id) => document.getElementById(id);
const state = { api: null, project: null, themeMap: null, unsubscribe: null, picking: null, loads: 0, reload: null };

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

const map = createMap($("map"), { onSelect: (id) => select(id), onDrop: dropped });
const panel = createPanel($("panel"), {
  request: (query, variables) => state.api.request(query, variables),
  announce,
  changed: () => reload(),
  pickOnMap: (callback) => { state.picking = callback; },
});
window.thememap = { cy: map.cy }; // for the console and the browser test

/** The current view: project, filters, and what they leave in scope. */
function scope() {
  const project = state.project;
  const name = $("attribute").value;
  const value = name && $("attribute-value").value ? JSON.parse($("attribute-value").value) : undefined;
  const inScope = project.participants.filter((p) => value === undefined
    || JSON.stringify(p.attributes[name]) === JSON.stringify(value));
  return {
    projectId: project.id,
    filter: value === undefined ? null : { attributes: [{ name, equals: value }] },
    coders: $("coder").value ? [$("coder").value] : null,
    cooccurrenceMin: $("cooccurrence").checked ? Number($("cooccurrence-min").value) : null,
    participantCount: inScope.length,
    nodes: state.themeMap?.nodes ?? [],
    canEdit: project.myRole !== "VIEWER",
  };
}

async function loadMap() {
  const load = ++state.loads;
  const { projectId, filter, coders, cooccurrenceMin } = scope();
  const { themeMap } = await state.api.request(THEME_MAP, { projectId, filter, coders, cooccurrenceMin });
  if (load !== state.loads) return; // a newer load has started
  state.themeMap = themeMap;
  const count = (kind) => themeMap.nodes.filter((n) => n.kind === kind).length;
  $("list-view").querySelector("summary").textContent = `The map as a list (${plural(count("THEME"), "theme")}, `
    + `${plural(count("CODE"), "code")}, ${plural(themeMap.edges.length, "edge")})`;
  renderList($("list"), themeMap, (id) => select(id, true));
  await map.render(themeMap);
  if (!performance.getEntriesByName("map-rendered").length) performance.mark("map-rendered");
  $("map").dataset.loads = String(load);
}

/** Reload the map and the open panel, e.g. after an edit here or elsewhere. */
async function reload() {
  try {
    await loadMap();
    await panel.refresh(scope());
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

function fillAttributeValues() {
  const name = $("attribute").value;
  const values = [...new Set(state.project.participants.filter((p) => name in p.attributes)
    .map((p) => JSON.stringify(p.attributes[name])))].sort();
  setOptions($("attribute-value"), values.map((v) => [v, String(JSON.parse(v))]));
  $("attribute-value").disabled = !name;
}

async function openProject(id) {
  sessionStorage.setItem(PROJECT_KEY, id);
  const { project } = await state.api.request(PROJECT, { id });
  state.project = project;
  const names = [...new Set(project.participants.flatMap((p) => Object.keys(p.attributes)))].sort();
  setOptions($("attribute"), [["", "(all participants)"], ...names.map((n) => [n, n])]);
  fillAttributeValues();
  setOptions($("coder"), [["", "everyone"],
    ...project.members.filter((m) => m.user).map((m) => [m.user.id, m.user.name])]);
  $("filters").hidden = false;
  $("workspace").hidden = false;
  panel.clear();
  subscribe(id);
  await loadMap();
}

/** A project's name in the picker; when two share it, with the day it was made and its id's start. */
function projectLabel(project, projects) {
  if (projects.filter((p) => p.name === project.name).length < 2) return project.name;
  return `${project.name} (created ${project.createdAt.slice(0, 10)}, id ${project.id.slice(0, 8)})`;
}

async function signIn(token) {
  state.api = connect(token);
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
$("attribute").addEventListener("change", () => { fillAttributeValues(); reload(); });
$("attribute-value").addEventListener("change", reload);
$("coder").addEventListener("change", reload);
$("cooccurrence").addEventListener("change", () => {
  $("cooccurrence-min").disabled = !$("cooccurrence").checked;
  reload();
});
$("cooccurrence-min").addEventListener("input", () => {
  $("cooccurrence-min-value").value = $("cooccurrence-min").value;
});
$("cooccurrence-min").addEventListener("change", reload);

if (sessionStorage.getItem(TOKEN_KEY)) guarded(() => signIn(sessionStorage.getItem(TOKEN_KEY)))();
