// The text alternative of the map: the same nodes and edges as lists, each node a button.
import { h, plural } from "./dom.js";
import { linkWords } from "./map.js";

const EDGE_WORDS = { MEMBER_OF: "is in theme", SUBTHEME_OF: "is a subtheme of", CHILD_OF: "is a child code of" };

function nodeItem(node, onSelect) {
  const facts = [node.kind === "THEME" ? `theme, ${node.status.toLowerCase()}` : "code",
    plural(node.participantCount, "participant"), plural(node.excerptCount, "excerpt")];
  return h("li", { "data-node": node.id },
    h("button", { type: "button", onclick: () => onSelect(node.id) }, node.label), ` (${facts.join(", ")})`);
}

function edgeText(edge, names) {
  const [source, target] = [names.get(edge.source), names.get(edge.target)];
  if (edge.kind === "LINK") {
    return `${source} ${linkWords(edge.linkKind)} ${target}${edge.label ? ` ("${edge.label}")` : ""}`;
  }
  if (edge.kind === "COOCCURS") return `${source} co-occurs with ${target} (${plural(edge.weight, "time")})`;
  return `${source} ${EDGE_WORDS[edge.kind]} ${target}`;
}

export function renderList(container, themeMap, onSelect) {
  const names = new Map(themeMap.nodes.map((n) => [n.id, n.label]));
  const byKind = (kind) => themeMap.nodes.filter((n) => n.kind === kind).map((n) => nodeItem(n, onSelect));
  container.replaceChildren(
    h("h2", {}, "Themes"), h("ul", { id: "list-themes" }, byKind("THEME")),
    h("h2", {}, "Codes"), h("ul", { id: "list-codes" }, byKind("CODE")),
    h("h2", {}, "Edges"),
    h("ul", { id: "list-edges" }, themeMap.edges.map((e) => h("li", { "data-kind": e.kind }, edgeText(e, names)))),
  );
}
