// The side panel: a concept's definition, prevalence and excerpts, an excerpt in its
// transcript, and the forms that edit the map (the keyboard way to do what dragging does).
import { h, plural } from "./dom.js";
import { linkWords } from "./map.js";

const CONCEPT = `query Concept($id: ID!, $projectId: ID!, $where: ExcerptCondition!) {
  code(id: $id) { id name description parent { name } themes { id name } }
  theme(id: $id) { id name description status parent { name } codes { id name } }
  participantsMatching(projectId: $projectId, where: $where) {
    participant { id pseudonym }
    excerpts { id text start end document { id } }
  }
}`;
const TRANSCRIPT = `query Transcript($id: ID!) { document(id: $id) { title text participant { pseudonym } } }`;
const ADD_TO_THEME = `mutation AddToTheme($codeId: ID!, $themeId: ID!) {
  addCodeToTheme(codeId: $codeId, themeId: $themeId) { name } }`;
const LINK = `mutation Link($input: LinkConceptsInput!) {
  linkConcepts(input: $input) { kind source { ... on Code { name } ... on Theme { name } }
                                     target { ... on Code { name } ... on Theme { name } } } }`;
const LINK_KINDS = ["ASSOCIATED_WITH", "CAUSES", "CONTRADICTS", "PART_OF", "IS_A", "PROPERTY_OF", "PRECEDES", "OTHER"];

/** `request` runs GraphQL; `announce(text, isError)` reports; `changed()` after an edit;
 * `pickOnMap(callback)` lets the next click on the map choose a node. */
export function createPanel(element, { request, announce, changed, pickOnMap }) {
  let shown = null; // { id, scope }

  async function show(id, scope) {
    shown = { id, scope };
    const where = { anyOf: [id], filter: scope.filter, coders: scope.coders };
    const data = await request(CONCEPT, { id, projectId: scope.projectId, where });
    if (shown?.id !== id) return; // another node was chosen meanwhile
    const concept = data.code || data.theme;
    if (!concept) { element.replaceChildren(h("p", {}, "This concept no longer exists.")); return; }
    const matches = data.participantsMatching;
    const excerptCount = matches.reduce((n, m) => n + m.excerpts.length, 0);
    element.replaceChildren(...[
      h("h2", { id: "panel-title" }, concept.name),
      h("p", { class: "hint" }, data.theme ? `Theme (${data.theme.status.toLowerCase()})` : "Code",
        concept.parent ? `, under “${concept.parent.name}”` : ""),
      h("h3", {}, "Definition"),
      h("p", { id: "definition" }, concept.description || "No definition yet."),
      h("h3", {}, "Prevalence"),
      h("p", { id: "prevalence" }, `${matches.length} of ${plural(scope.participantCount, "participant")} `
        + `in view (${plural(excerptCount, "excerpt")})`),
      data.code ? h("p", {}, "In themes: ", data.code.themes.map((t) => t.name).join("; ") || "none") : null,
      data.theme ? h("p", {}, "Codes: ", data.theme.codes.map((c) => c.name).join("; ") || "none") : null,
      scope.canEdit ? editForms(concept, data, scope) : null,
      h("h3", {}, "Excerpts"),
      h("div", { id: "excerpts" }, matches.map((m) => h("section", { class: "participant" },
        h("h4", {}, m.participant.pseudonym),
        m.excerpts.map((e) => h("button", { type: "button", class: "excerpt",
          onclick: () => showInTranscript(e, m.participant.pseudonym).catch((err) => announce(err.message, true)) },
        `“${e.text}”`))))),
      h("div", { id: "transcript" }),
    ].filter(Boolean));
  }

  async function showInTranscript(excerpt, pseudonym) {
    const { document: doc } = await request(TRANSCRIPT, { id: excerpt.document.id });
    const points = Array.from(doc.text); // offsets are Unicode code points
    const mark = h("mark", { id: "current-excerpt", tabindex: "-1" },
      points.slice(excerpt.start, excerpt.end).join(""));
    const box = element.querySelector("#transcript");
    box.replaceChildren(
      h("h3", {}, `${doc.title} (${pseudonym})`),
      h("div", { class: "transcript", "aria-label": "Transcript" },
        points.slice(0, excerpt.start).join(""), mark, points.slice(excerpt.end).join("")),
    );
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
  }

  function editForms(concept, data, scope) {
    const others = scope.nodes.filter((n) => n.id !== concept.id);
    const forms = [];
    if (data.code) {
      const member = new Set(data.code.themes.map((t) => t.id));
      const themes = others.filter((n) => n.kind === "THEME" && !member.has(n.id));
      forms.push(h("form", { class: "panel-form", id: "add-to-theme", onsubmit: (event) => {
        event.preventDefault();
        const themeId = event.target.elements.theme.value;
        addToTheme(concept.id, themeId, concept.name);
      } },
      h("label", { for: "add-theme" }, "Add to theme"),
      h("select", { id: "add-theme", name: "theme" }, themes.map((t) => h("option", { value: t.id }, t.label))),
      h("button", { type: "submit", disabled: themes.length === 0 }, "Add")));
    }
    const target = h("select", { id: "link-target", name: "target" },
      others.map((n) => h("option", { value: n.id }, `${n.label} (${n.kind.toLowerCase()})`)));
    forms.push(h("form", { class: "panel-form", id: "link-form", onsubmit: (event) => {
      event.preventDefault();
      const f = event.target.elements;
      const input = {
        sourceId: concept.id, targetId: f.target.value, kind: f.kind.value, label: f.label.value || null };
      edit(LINK, { input },
        (d) => `Linked “${concept.name}” ${linkWords(d.linkConcepts.kind)} “${d.linkConcepts.target.name}”.`);
    } },
    h("label", { for: "link-target" }, "Link to"), target,
    h("button", { type: "button", id: "pick-target", onclick: () => {
      announce("Click the concept to link to on the map.");
      pickOnMap((id) => { target.value = id; target.focus(); announce("Now choose the kind of link."); });
    } }, "Pick on the map"),
    h("label", { for: "link-kind" }, "Kind"),
    h("select", { id: "link-kind", name: "kind" }, LINK_KINDS.map((k) => h("option", { value: k }, linkWords(k)))),
    h("label", { for: "link-label" }, "Label"),
    h("input", { id: "link-label", name: "label", placeholder: "optional" }),
    h("button", { type: "submit" }, "Link")));
    return h("section", { "aria-label": "Edit" }, h("h3", {}, "Edit"), forms);
  }

  /** Run an edit; `done(result)` says what happened. */
  async function edit(mutation, variables, done) {
    try {
      announce(done(await request(mutation, variables)));
      await changed();
    } catch (err) {
      announce(err.message, true);
    }
  }

  /** Show the current node again (after the map changed), if any. */
  async function refresh(scope) {
    if (shown) await show(shown.id, scope);
  }

  function clear() {
    shown = null;
    element.replaceChildren(h("p", { class: "hint" }, "Select a theme or code on the map or in the list."));
  }

  function addToTheme(codeId, themeId, name) {
    return edit(ADD_TO_THEME, { codeId, themeId }, (d) => `Added “${name}” to “${d.addCodeToTheme.name}”.`);
  }

  return { show, refresh, clear, addToTheme };
}
