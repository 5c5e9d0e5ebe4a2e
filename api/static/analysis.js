// The analysis views under the map: saturation across interviews (the curve and its point), the
// concept network (codes sized by centrality, communities as candidate themes), and the history
// (who did what, revert, and what changed in the codebook since an entry). Each asks the API when
// opened, and again for the current filters when the map reloads.
import { h, plural } from "./dom.js";
import { busy } from "./transcript.js";

const SATURATION = `query Saturation($projectId: ID!, $baseSize: Int!, $runLength: Int!, $threshold: Float!,
  $filter: CaseFilter, $coders: [ID!]) {
  saturation(projectId: $projectId, baseSize: $baseSize, runLength: $runLength, threshold: $threshold,
    filter: $filter, coders: $coders) {
    status baseSize runLength threshold baseCodes totalCodes interviewsNeeded
    point { first last newCodes share }
    curve { position cumulative document { title } } } }`;
const NETWORK = `query Network($projectId: ID!, $filter: CaseFilter, $coders: [ID!]) {
  conceptNetwork(projectId: $projectId, filter: $filter, coders: $coders) {
    modularity nodes { codeId weightedDegree betweenness }
    communities { index acrossThemes codes { id name } themes { id name } } } }`;
const ACTIVITY = `query Activity($projectId: ID!, $after: String) {
  activity(projectId: $projectId, first: 20, after: $after) {
    edges { node { id type summary at actor { name } } } pageInfo { hasNextPage endCursor } } }`;
const REVERT = `mutation Revert($id: ID!) { revert(activityId: $id) { summary } }`;
const DIFF = `query Diff($projectId: ID!, $from: HistoryPoint!) {
  codebookDiff(projectId: $projectId, from: $from) { markdown codes { id } themes { id } } }`;
const CREATE_THEME = `mutation CreateTheme($input: CreateThemeInput!) { createTheme(input: $input) { id name } }`;
const ADD_TO_THEME = `mutation AddToTheme($codeId: ID!, $themeId: ID!) { addCodeToTheme(codeId: $codeId, themeId: $themeId) { id } }`;
const STATUS_WORDS = {
  REACHED: "Saturation reached",
  NOT_REACHED: "Saturation not reached: no run fell to the threshold (interview more, or look at the curve)",
  TOO_FEW_INTERVIEWS: "Too few interviews in view for the base and one run",
  EMPTY_BASE: "The base interviews have no code, so new information has nothing to be a share of",
};
const SVG_NS = "http://www.w3.org/2000/svg";
const percent = (share) => `${Math.round(share * 1000) / 10} %`;

/** An SVG element with attributes (and text), drawn with the DOM: the page's policy allows no inline markup. */
function svg(tag, attributes = {}, text = null) {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

/** The cumulative distinct codes per added interview, with the saturation point (if any) marked. */
function curveDrawing(result) {
  const [width, height, left, bottom, top, right] = [380, 190, 36, 30, 12, 12];
  const n = result.curve.length;
  const most = Math.max(1, ...result.curve.map((p) => p.cumulative));
  const x = (position) => left + ((position - 1) / Math.max(1, n - 1)) * (width - left - right);
  const y = (codes) => height - bottom - (codes / most) * (height - bottom - top);
  const needed = result.status === "REACHED" ? result.interviewsNeeded : null;
  const words = `Distinct codes after each of ${plural(n, "interview")}, up to ${most}`
    + (needed ? `; saturation after interview ${needed}` : "");
  const drawing = svg("svg", { id: "saturation-curve", viewBox: `0 0 ${width} ${height}`, width, height,
    role: "img", "aria-label": words, "data-needed": needed ?? "" });
  drawing.append(
    svg("line", { x1: left, y1: y(0), x2: width - right, y2: y(0), stroke: "#999" }),
    svg("line", { x1: left, y1: y(0), x2: left, y2: top, stroke: "#999" }),
    svg("text", { x: left - 4, y: y(most) + 4, "text-anchor": "end", "font-size": 10 }, String(most)),
    svg("text", { x: left - 4, y: y(0) + 4, "text-anchor": "end", "font-size": 10 }, "0"),
    svg("text", { x: (left + width) / 2, y: height - 6, "text-anchor": "middle", "font-size": 10 },
      `interviews (1 to ${n})`),
  );
  if (needed) {
    drawing.append(
      svg("line", { x1: x(needed), y1: y(0), x2: x(needed), y2: top, stroke: "#0a7d32", "stroke-dasharray": "4 3" }),
      svg("text", { x: x(needed) + 4, y: top + 10, "font-size": 10, fill: "#0a7d32" }, `saturation: ${needed}`),
    );
  }
  drawing.append(svg("polyline", { fill: "none", stroke: "#5b3f8c", "stroke-width": 2,
    points: result.curve.map((p) => `${x(p.position)},${y(p.cumulative)}`).join(" ") }));
  for (const p of result.curve) {
    const dot = svg("circle", { cx: x(p.position), cy: y(p.cumulative), r: 3, fill: "#5b3f8c" });
    dot.append(svg("title", {}, `${p.position}. ${p.document?.title ?? ""}: ${plural(p.cumulative, "code")} so far`));
    drawing.append(dot);
  }
  return drawing;
}

/** `request` runs GraphQL; `announce(text, isError)` reports; `scope()` is the current view (project,
 * filters, role); `changed()` after an edit; `sizeBy(shares)` sizes the map's codes (null: as before). */
export function createAnalysis({ request, announce, scope, changed, sizeBy }) {
  const $ = (id) => document.getElementById(id);
  let network = null; // the last conceptNetwork answer, for the current scope

  async function showSaturation() {
    const f = $("saturation-form").elements;
    const { projectId, filter, coders } = scope();
    const { saturation: result } = await request(SATURATION, { projectId, filter, coders,
      baseSize: Number(f.base.value), runLength: Number(f.run.value), threshold: Number(f.threshold.value) / 100 });
    const point = result.point;
    $("saturation-result").replaceChildren(
      h("p", { id: "saturation-status", "data-status": result.status }, `${result.status}: ${STATUS_WORDS[result.status]}`,
        point ? ` after ${plural(result.interviewsNeeded, "interview")}: interviews ${point.first} to ${point.last} `
          + `bring ${plural(point.newCodes, "new code")} (${percent(point.share)} of the base's ${result.baseCodes}).`
          : "."),
      h("p", { id: "saturation-parameters" }, `Base ${plural(result.baseSize, "interview")}, runs of `
        + `${result.runLength}, threshold ${percent(result.threshold)}; ${plural(result.totalCodes, "code")} in `
        + `${plural(result.curve.length, "interview")} in view (Guest, Namey & Chen 2020).`),
      curveDrawing(result),
    );
  }

  async function loadNetwork() {
    const { projectId, filter, coders } = scope();
    ({ conceptNetwork: network } = await request(NETWORK, { projectId, filter, coders }));
    const list = $("communities");  // a theme name being typed survives a redraw (live events, map reloads)
    if (![...list.children].some(busy)) list.replaceChildren(...network.communities.map(communityItem));
    $("network-summary").textContent = `${plural(network.communities.length, "community")} of codes`
      + (network.modularity === null ? "" : ` (modularity ${network.modularity.toFixed(2)})`)
      + "; those that span themes suggest a theme of their own.";
    sizeNodes();
  }

  function communityItem(community) {
    const codes = community.codes.map((c) => c.name);
    const themes = community.themes.map((t) => `“${t.name}”`).join(", ");
    const item = h("li", { "data-community": community.index, "data-across": community.acrossThemes ? "yes" : "no" },
      `${codes.join(", ")}`, h("span", { class: "hint" }, themes ? ` (in ${themes})` : " (in no theme)"));
    if (!community.acrossThemes) return item;
    item.append(h("p", { class: "suggestion" }, "Spans themes: a candidate theme of its own."));
    if (scope().canEdit) {
      const id = `community-name-${community.index}`;
      item.append(h("form", { class: "inline-form", "aria-label": `Make a theme of community ${community.index + 1}`,
        onsubmit: (event) => {
          event.preventDefault();
          makeTheme(event.target.elements.name.value, community.codes).catch((err) => announce(err.message, true));
        } },
      h("label", { for: id }, "Theme name"), h("input", { id, name: "name", required: true,
        value: codes.slice(0, 2).join(" and ") }),
      h("button", { type: "submit" }, "Make a theme of these codes")));
    }
    return item;
  }

  async function makeTheme(name, codes) {
    const { createTheme: theme } = await request(CREATE_THEME, { input: { projectId: scope().projectId, name } });
    for (const code of codes) await request(ADD_TO_THEME, { codeId: code.id, themeId: theme.id });
    announce(`Made the theme “${theme.name}” of ${plural(codes.length, "code")}.`);
    await changed();
  }

  /** Size the map's codes by the chosen centrality, over its largest value (or by participants again). */
  function sizeNodes() {
    const measure = $("size-by-centrality").checked && network ? $("centrality").value : null;
    $("map").dataset.sizedBy = measure ?? "participants";
    if (!measure) { sizeBy(null); return; }
    const most = Math.max(...network.nodes.map((n) => n[measure] ?? 0)) || 1;
    sizeBy(new Map(network.nodes.map((n) => [n.codeId, (n[measure] ?? 0) / most])));
  }

  async function loadHistory(after = null) {
    const { activity } = await request(ACTIVITY, { projectId: scope().projectId, after });
    const list = $("history-list");
    if (!after) list.replaceChildren();
    list.append(...activity.edges.map(({ node }) => historyItem(node)));
    $("history-more").hidden = !activity.pageInfo.hasNextPage;
    $("history-more").dataset.after = activity.pageInfo.endCursor ?? "";
  }

  function historyItem(entry) {
    const when = new Date(entry.at).toLocaleString();
    return h("li", { "data-entry": entry.id, "data-type": entry.type },
      h("span", { class: "who" }, `${when}, ${entry.actor?.name ?? "someone"}`), entry.summary, " ",
      scope().canEdit ? h("button", { type: "button", class: "small", "aria-label": `Revert: ${entry.summary}`,
        onclick: () => revert(entry) }, "Revert") : null, " ",
      h("button", { type: "button", class: "small", "aria-label": `Codebook changes since: ${entry.summary}`,
        onclick: () => showDiff(entry).catch((err) => announce(err.message, true)) }, "Codebook changes since"));
  }

  async function revert(entry) {
    const message = $("history-message");
    try {
      const { revert: done } = await request(REVERT, { id: entry.id });
      message.replaceChildren(h("p", {}, `Reverted “${entry.summary}”: ${done.summary}.`));
      announce(`Reverted: ${entry.summary}.`);
      await changed();
    } catch (err) {
      const later = err.extensions.conflicts ?? [];
      message.replaceChildren(h("p", { class: "error" }, err.code === "CONFLICT"
        ? `Not reverted (CONFLICT): ${later.length ? "later changes depend on it; revert those first, newest first:"
          : err.message}` : `Not reverted: ${err.message}`),
      later.length ? h("ul", { id: "revert-conflicts" }, later.map((c) => h("li", {}, c.summary))) : null);
      message.focus();
    }
  }

  async function showDiff(entry) {
    const { codebookDiff: diff } = await request(DIFF, { projectId: scope().projectId, from: { entryId: entry.id } });
    $("codebook-diff").replaceChildren(h("h3", {}, `The codebook since “${entry.summary}”`),
      diff.codes.length || diff.themes.length ? h("pre", { id: "codebook-diff-text" }, diff.markdown)
        : h("p", { id: "codebook-diff-text" }, "No change to the codebook since then."));
  }

  const guarded = (action) => (event) => { event?.preventDefault?.(); action().catch((err) => announce(err.message, true)); };
  $("saturation-form").addEventListener("submit", guarded(showSaturation));
  $("saturation").addEventListener("toggle", guarded(async () => { if ($("saturation").open) await showSaturation(); }));
  $("network").addEventListener("toggle", guarded(async () => { if ($("network").open) await loadNetwork(); }));
  $("size-by-centrality").addEventListener("change", guarded(async () => {
    if (!network) await loadNetwork(); else sizeNodes();
  }));
  $("centrality").addEventListener("change", sizeNodes);
  $("history").addEventListener("toggle", guarded(async () => { if ($("history").open) await loadHistory(); }));
  $("history-more").addEventListener("click", guarded(() => loadHistory($("history-more").dataset.after)));

  /** Ask again what the open views show (the filters or the project changed). */
  async function refresh() {
    network = null;
    if ($("saturation").open) await showSaturation();
    if ($("network").open || $("size-by-centrality").checked) await loadNetwork();
    if ($("history").open) await loadHistory();
  }

  /** Another project: close the views and forget their answers. */
  function clear() {
    network = null;
    for (const id of ["saturation", "network", "history"]) $(id).open = false;
    $("size-by-centrality").checked = false;
    sizeBy(null);
    for (const id of ["saturation-result", "communities", "history-list", "history-message", "codebook-diff"]) {
      $(id).replaceChildren();
    }
  }

  return { refresh, clear };
}
