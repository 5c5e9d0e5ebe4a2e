// The drawing: cytoscape.js with the fcose layout (both vendored, loaded as globals).
/* global cytoscape, cytoscapeFcose */
cytoscape.use(cytoscapeFcose);

const SYMMETRIC = new Set(["ASSOCIATED_WITH", "CONTRADICTS"]);

export function linkWords(kind) {
  return kind.toLowerCase().replaceAll("_", " ");
}

const STYLE = [
  { selector: "node", style: {
    label: "data(label)", "text-wrap": "wrap", "text-max-width": 110, "font-size": 10, "text-valign": "center",
    width: "data(size)", height: "data(size)", "background-color": "data(color)", "border-width": 1,
    "border-color": "#555", color: "#222", "text-outline-color": "#fff", "text-outline-width": 2 } },
  { selector: "node[kind = 'THEME']", style: {
    shape: "round-rectangle", width: "data(width)", "background-color": "#e6ddf4", "border-color": "#5b3f8c",
    "border-width": 2, "font-size": 12, "font-weight": "bold" } },
  { selector: "node[status = 'DISCARDED']", style: { opacity: 0.5 } },
  { selector: "node:selected", style: { "border-width": 4, "border-color": "#f0a500" } },
  { selector: "node.drop-target", style: { "background-color": "#c9f2d0" } },
  { selector: "edge", style: { width: 1.5, "line-color": "#999", "curve-style": "bezier", "font-size": 9,
    "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.8 } },
  { selector: "edge[kind = 'MEMBER_OF']", style: { "line-color": "#b6a6d3" } },
  { selector: "edge[kind = 'SUBTHEME_OF']", style: { width: 3, "line-color": "#5b3f8c", "line-style": "dashed",
    "target-arrow-shape": "triangle", "target-arrow-color": "#5b3f8c" } },
  { selector: "edge[kind = 'CHILD_OF']", style: { "line-style": "dotted", "line-color": "#777" } },
  { selector: "edge[kind = 'LINK']", style: { label: "data(label)", width: 2.5, "line-color": "#c0392b",
    "target-arrow-color": "#c0392b", color: "#c0392b" } },
  { selector: "edge[kind = 'LINK'][!symmetric]", style: { "target-arrow-shape": "triangle" } },
  { selector: "edge[kind = 'COOCCURS']", style: { label: "data(label)", "line-color": "#e08e0b", color: "#b06d00",
    width: "data(width)", opacity: 0.7 } },
];

function nodeElement(node) {
  const size = 24 + 4 * node.participantCount;
  return { group: "nodes", data: {
    id: node.id, kind: node.kind, status: node.status, name: node.label,
    label: `${node.label} (${node.participantCount})`, size, width: Math.max(size, 90),
    color: node.color || "#9ecae1" } };
}

function edgeElement(edge, index) {
  let label = "";
  if (edge.kind === "LINK") label = [linkWords(edge.linkKind), edge.label].filter(Boolean).join(": ");
  if (edge.kind === "COOCCURS") label = String(edge.weight);
  return { group: "edges", data: {
    id: `e${index}`, source: edge.source, target: edge.target, kind: edge.kind, label,
    symmetric: SYMMETRIC.has(edge.linkKind), width: Math.min(1 + edge.weight / 2, 8) } };
}

/** A map in `container`. `onSelect(id)` on a click; `onDrop(codeId, themeId)` when a code is dropped on a theme. */
export function createMap(container, { onSelect, onDrop }) {
  const cy = cytoscape({ container, style: STYLE, minZoom: 0.2, maxZoom: 3, boxSelectionEnabled: false });
  cy.on("tap", "node", (event) => onSelect(event.target.id()));

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
  cy.on("dragfree", "node[kind = 'CODE']", (event) => {
    cy.nodes(".drop-target").removeClass("drop-target");
    const code = event.target;
    const theme = themeUnder(code);
    if (theme.empty()) return;
    const box = theme.boundingBox({ includeLabels: false });
    code.position({ x: box.x2 + code.width() / 2 + 8, y: (box.y1 + box.y2) / 2 }); // beside it, not hiding it
    onDrop(code.id(), theme.id());
  });

  /** Draw `themeMap`; keeps the positions of nodes already drawn and lays out the rest.
   * Resolves when the layout has stopped. */
  function render(themeMap) {
    cy.resize(); // the container may have been hidden, or resized, since the last drawing
    const positions = new Map(cy.nodes().map((n) => [n.id(), { ...n.position() }]));
    cy.batch(() => {
      cy.elements().remove();
      cy.add([...themeMap.nodes.map(nodeElement), ...themeMap.edges.map(edgeElement)]);
    });
    const known = cy.nodes().filter((n) => positions.has(n.id()));
    known.forEach((n) => n.position(positions.get(n.id())));
    if (known.length === cy.nodes().length && known.length > 0) return Promise.resolve();
    const layout = cy.layout({ name: "fcose", animate: false, randomize: known.length === 0, nodeRepulsion: 9000,
      idealEdgeLength: 90, nodeSeparation: 90, fixedNodeConstraint: known.length ?
        known.map((n) => ({ nodeId: n.id(), position: positions.get(n.id()) })) : undefined });
    const stopped = layout.promiseOn("layoutstop");
    layout.run();
    return stopped;
  }

  function select(id) {
    cy.nodes(":selected").unselect();
    cy.getElementById(id).select();
  }

  return { cy, render, select };
}
