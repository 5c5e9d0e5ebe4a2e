// The drawing: cytoscape.js with the fcose layout (vendored, loaded as globals).
/* global cytoscape, cytoscapeFcose */
cytoscape.use(cytoscapeFcose);

const SYMMETRIC = new Set(["ASSOCIATED_WITH", "CONTRADICTS"]);

export function linkWords(kind) {
  return kind.toLowerCase().replaceAll("_", " ");
}

// Labels stay horizontal on a white band, and keep a readable size on screen whatever the zoom
// (their size in the drawing grows as it is zoomed out); labels that would overlap others are
// quietened (see `declutter`), and appear as the map is zoomed in, or focused, or the node selected.
const READABLE = 12; // px on screen
const onScreen = (px) => (el) => px / el.cy().zoom();
const STYLE = [
  { selector: "node", style: {
    label: "data(label)", "text-wrap": "wrap", "text-max-width": onScreen(110), "font-size": onScreen(READABLE),
    "text-valign": "bottom", "text-margin-y": 3, width: "data(size)", height: "data(size)",
    "background-color": "data(color)", "border-width": 1, "border-color": "#555", color: "#222",
    "text-background-color": "#fff", "text-background-opacity": 0.85, "text-background-padding": 1 } },
  { selector: "node[kind = 'THEME']", style: {
    shape: "round-rectangle", width: "data(width)", height: "data(height)", "background-color": "#e6ddf4",
    "border-color": "#5b3f8c", "border-width": 2, "font-size": onScreen(READABLE + 1), "font-weight": "bold",
    color: "#3d2766", "text-max-width": onScreen(150), "text-valign": "center", "text-margin-y": 0,
    "text-background-color": "#e6ddf4", "text-background-opacity": 0.9 } },
  { selector: "node[status = 'DISCARDED']", style: { opacity: 0.5 } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#f0a500" } },
  { selector: "node.found", style: { "border-width": 5, "border-color": "#0a7d32" } },
  { selector: "node.drop-target", style: { "background-color": "#c9f2d0" } },
  { selector: ".faded", style: { opacity: 0.12, events: "no" } },
  { selector: "edge", style: { width: 1.5, "line-color": "#999", "curve-style": "bezier",
    "font-size": onScreen(READABLE - 1), "text-rotation": "none", "text-background-color": "#fff",
    "text-background-opacity": 1, "text-background-padding": 2, "text-background-shape": "round-rectangle",
    "text-border-width": 1, "text-border-opacity": 1, "text-wrap": "wrap", "text-max-width": onScreen(150) } },
  { selector: "edge[kind = 'MEMBER_OF']", style: { "line-color": "#b6a6d3" } },
  { selector: "edge[kind = 'SUBTHEME_OF']", style: { width: 3, "line-color": "#5b3f8c", "line-style": "dashed",
    "target-arrow-shape": "triangle", "target-arrow-color": "#5b3f8c" } },
  { selector: "edge[kind = 'CHILD_OF']", style: { "line-style": "dotted", "line-color": "#777" } },
  { selector: "edge[kind = 'LINK']", style: { label: "data(label)", width: 2.5, "line-color": "#c0392b",
    "target-arrow-color": "#c0392b", color: "#8e1f14", "text-border-color": "#c0392b" } },
  { selector: "edge[kind = 'LINK'][!symmetric]", style: { "target-arrow-shape": "triangle" } },
  { selector: "edge[kind = 'COOCCURS']", style: { label: "data(label)", "line-color": "#e08e0b", color: "#7a4b00",
    width: "data(width)", opacity: 0.7, "text-border-color": "#e08e0b" } },
  { selector: ".quiet", style: { "text-opacity": 0, "text-background-opacity": 0, "text-border-opacity": 0 } },
  // A named theme, or the selected or found node, is drawn over the nodes its label may cover.
  { selector: "node[kind = 'THEME']", style: { "z-index": 2 } },
  { selector: "node.quiet", style: { "z-index": 1 } },
  { selector: "node:selected, node.found", style: { "z-index": 3 } },
];

/** Quieten every label that would overlap a label more important (selected or found first, then
 * themes, then codes with more participants, then link labels) or another node. */
function declutter(cy) {
  cy.elements(".quiet").removeClass("quiet");
  const overlap = (a, b) => a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1;
  const labelBox = (el) => el.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true });
  const nodes = cy.nodes(":visible").not(".faded").sort((a, b) => (b.selected() || b.hasClass("found"))
    - (a.selected() || a.hasClass("found")) || (b.data("kind") === "THEME") - (a.data("kind") === "THEME")
    || b.data("participants") - a.data("participants"));
  const bodies = nodes.map((n) => [n, n.boundingBox({ includeLabels: false })]);
  const taken = [];
  const free = (box, own) => !taken.some((t) => overlap(box, t)) // these labels may cover other nodes:
    && (own.data("kind") === "THEME" || own.selected() || own.hasClass("found")
      || !bodies.some(([n, b]) => n !== own && overlap(box, b)));
  const quiet = [];
  for (const el of [...nodes, ...cy.edges("[label != '']:visible").not(".faded")]) {
    const box = labelBox(el);
    if (free(box, el)) taken.push(box); else quiet.push(el);
  }
  cy.collection(quiet).addClass("quiet");
}

/** A code's name cut at a word to about `most` characters (the full name is in the list and the panel). */
function short(name, most = 26) {
  if (name.length <= most) return name;
  const cut = name.slice(0, most).replace(/\s+\S*$/, "");
  return `${cut || name.slice(0, most)}…`;
}

function nodeElement(node) {
  const size = 24 + 4 * node.participantCount;
  const label = `${node.kind === "THEME" ? node.label : short(node.label)} (${node.participantCount})`;
  const width = Math.min(Math.max(size, 8 * Math.min(label.length, 22)), 190);
  const lines = Math.ceil((label.length * 7.5) / (width - 12));
  return { group: "nodes", data: {
    id: node.id, kind: node.kind, status: node.status, name: node.label, label, size, ownSize: size, width,
    participants: node.participantCount,
    height: Math.max(size, 16 * lines + 10), color: node.color || "#9ecae1" } };
}

function edgeElement(edge, index) {
  let label = "";
  if (edge.kind === "LINK") label = [linkWords(edge.linkKind), edge.label].filter(Boolean).join(": ");
  if (edge.kind === "COOCCURS") label = String(edge.weight);
  return { group: "edges", data: {
    id: `e${index}`, source: edge.source, target: edge.target, kind: edge.kind, label, linkId: edge.link?.id,
    symmetric: SYMMETRIC.has(edge.linkKind), width: Math.min(1 + edge.weight / 2, 8) } };
}

const LAYOUT = { name: "fcose", animate: false, nodeDimensionsIncludeLabels: true, nodeRepulsion: 6000,
  idealEdgeLength: 60, nodeSeparation: 60, packComponents: true, gravity: 0.4 };

/** A map in `container`. `onSelect(id)` on a click; `onDrop(codeId, themeId)` when a code is dropped on
 * a theme; `onMoved(ids)` when nodes were dragged to new places. */
export function createMap(container, { onSelect, onDrop, onMoved }) {
  const cy = cytoscape({ container, style: STYLE, minZoom: 0.15, maxZoom: 3, boxSelectionEnabled: false });
  cy.on("tap", "node", (event) => onSelect(event.target.id()));
  let pending = 0;
  /** Labels sized for the current zoom, and decluttered; at most once a frame. */
  const tidy = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(tidied);
  };
  cy.on("zoom", tidy);
  cy.on("select unselect", "node", tidy);
  let focused = null;
  let scaled = null; // code id -> a share from 0 to 1 that sizes it (sizeBy); null: sized by participants
  let fitted = false; // the first drawing is fitted to the frame; later ones keep the user's view

  const themeUnder = (code) => {
    const { x, y } = code.position();
    return cy.nodes("[kind = 'THEME']").filter((theme) => {
      const box = theme.boundingBox({ includeLabels: false });
      return x >= box.x1 && x <= box.x2 && y >= box.y1 && y <= box.y2;
    }).first();
  };
  cy.on("drag", "node[kind = 'CODE']", (event) => {
    cy.nodes(".drop-target").removeClass("drop-target");
    themeUnder(event.target).addClass("drop-target");
  });
  cy.on("dragfree", "node", (event) => {
    cy.nodes(".drop-target").removeClass("drop-target");
    tidy();
    const node = event.target;
    const theme = node.data("kind") === "CODE" ? themeUnder(node) : cy.collection();
    if (theme.empty()) { onMoved([node.id()]); return; }
    const box = theme.boundingBox({ includeLabels: false });
    node.position({ x: box.x2 + node.width() / 2 + 8, y: (box.y1 + box.y2) / 2 }); // beside it, not hiding it
    onMoved([node.id()]);
    onDrop(node.id(), theme.id());
  });

  /** Draw `themeMap` with the `saved` positions (node id -> {x, y}); nodes without one keep where they
   * are drawn, and only nodes new to the drawing are laid out around the others. Resolves when drawn. */
  function render(themeMap, saved) {
    cy.resize(); // the container may have been hidden, or resized, since the last drawing
    const positions = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
    for (const [id, at] of saved) positions.set(id, at);
    cy.batch(() => {
      cy.elements().remove();
      cy.add([...themeMap.nodes.map(nodeElement), ...themeMap.edges.map(edgeElement)]);
      applySizes();
    });
    const known = cy.nodes().filter((n) => positions.has(n.id()));
    known.forEach((n) => n.position(positions.get(n.id())));
    if (focused) focus(focused);
    if (known.length === cy.nodes().length) {
      if (!fitted) cy.fit(undefined, 20);
      fitted = true;
      tidied();
      return Promise.resolve();
    }
    fitted = true;
    return run({ randomize: known.length === 0, fixedNodeConstraint: known.length ?
      known.map((n) => ({ nodeId: n.id(), position: positions.get(n.id()) })) : undefined });
  }

  function run(options) {
    const layout = cy.layout({ ...LAYOUT, ...options });
    const stopped = layout.promiseOn("layoutstop").then(tidied);
    layout.run();
    return stopped;
  }

  /** Tidy the labels now (the drawing is then final for its viewer and for the tests). */
  function tidied() {
    cancelAnimationFrame(pending);
    cy.elements().updateStyle();
    declutter(cy);
    container.dataset.tidied = String(Number(container.dataset.tidied ?? 0) + 1);
  }

  function applySizes() {
    cy.nodes("[kind = 'CODE']").forEach((n) => {
      n.data("size", scaled ? 14 + 56 * (scaled.get(n.id()) ?? 0) : n.data("ownSize"));
    });
  }

  /** Size the codes by `shares` (code id -> 0 to 1, e.g. a centrality over its largest), or by their
   * participants again (null); later drawings keep it. */
  function sizeBy(shares) {
    scaled = shares;
    cy.batch(applySizes);
    tidied();
  }

  /** Lay the whole map out afresh (on request). */
  function arrange() {
    return run({ randomize: true });
  }

  function select(id) {
    cy.nodes(":selected").unselect();
    cy.getElementById(id).select();
    if (focused) focus(id);
  }

  /** Show only `id` and its neighbours (null: everything again). */
  function focus(id) {
    focused = id;
    cy.elements().removeClass("faded");
    const node = id && cy.getElementById(id);
    if (!node || node.empty()) { tidy(); return; }
    const near = node.closedNeighborhood();
    cy.elements().difference(near).addClass("faded");
    cy.animate({ fit: { eles: near, padding: 40 } }, { duration: 200, complete: tidy });
  }

  /** Point at a node: centre it and mark it until the next search. */
  function find(id) {
    cy.nodes(".found").removeClass("found");
    const node = cy.getElementById(id);
    node.addClass("found");
    cy.animate({ center: { eles: node }, zoom: Math.max(cy.zoom(), 1) }, { duration: 200, complete: tidy });
  }

  const positionsOf = (ids) => ids.map((id) => {
    const { x, y } = cy.getElementById(id).position();
    return { nodeId: id, x, y };
  });

  return { cy, render, arrange, select, focus, find, sizeBy, positionsOf, nodeIds: () => cy.nodes().map((n) => n.id()) };
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** The drawing as an SVG document (text), as it stands: nodes, edges and labels. */
export function mapSvg(cy) {
  const box = cy.elements().boundingBox({ includeLabels: true });
  const pad = 20;
  const svg = document.createElementNS(SVG_NS, "svg");
  const attrs = (el, values) => { for (const [k, v] of Object.entries(values)) el.setAttribute(k, v); return el; };
  const add = (parent, tag, values, text) => {
    const el = attrs(document.createElementNS(SVG_NS, tag), values);
    if (text) el.textContent = text;
    parent.append(el);
    return el;
  };
  attrs(svg, { xmlns: SVG_NS, viewBox: `${box.x1 - pad} ${box.y1 - pad} ${box.w + 2 * pad} ${box.h + 2 * pad}`,
    width: Math.round(box.w + 2 * pad), height: Math.round(box.h + 2 * pad), "font-family": "sans-serif" });
  add(svg, "rect", { x: box.x1 - pad, y: box.y1 - pad, width: box.w + 2 * pad, height: box.h + 2 * pad, fill: "#fff" });
  for (const edge of cy.edges(":visible")) {
    const [s, t] = [edge.source().position(), edge.target().position()];
    add(svg, "line", { x1: s.x, y1: s.y, x2: t.x, y2: t.y, stroke: edge.style("line-color"),
      "stroke-width": edge.style("width"), "stroke-dasharray": edge.data("kind") === "SUBTHEME_OF" ? "6 4" : "none" });
    if (edge.data("label")) {
      add(svg, "text", { x: (s.x + t.x) / 2, y: (s.y + t.y) / 2, "font-size": 11, "text-anchor": "middle",
        fill: edge.style("color"), stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" }, edge.data("label"));
    }
  }
  for (const node of cy.nodes(":visible")) {
    const { x, y } = node.position();
    const [w, h] = [node.width(), node.height()];
    const theme = node.data("kind") === "THEME";
    add(svg, theme ? "rect" : "ellipse", theme
      ? { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: 6, fill: "#e6ddf4", stroke: "#5b3f8c", "stroke-width": 2 }
      : { cx: x, cy: y, rx: w / 2, ry: h / 2, fill: node.data("color"), stroke: "#555" });
    add(svg, "text", { x, y: theme ? y + 4 : y + h / 2 + 13, "font-size": theme ? 12 : 11, "text-anchor": "middle",
      "font-weight": theme ? "bold" : "normal", stroke: "#fff", "stroke-width": 3, "paint-order": "stroke" },
    node.data("label"));
  }
  return new XMLSerializer().serializeToString(svg);
}
