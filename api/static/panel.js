// The side panel: a concept's definition, prevalence, links, memos and excerpts (paged), an
// excerpt in its transcript (where text is coded), and the forms that edit the concept. A redraw
// (after an edit here or a change elsewhere) keeps every form that holds unsaved input, and the
// open transcript.
import { h, plural } from "./dom.js";
import { linkWords } from "./map.js";
import { busy, createTranscript, settle } from "./transcript.js";

const CONCEPT = `query Concept($id: ID!, $projectId: ID!, $where: ExcerptCondition!) {
  code(id: $id) { id name description version parent { id name } themes { id name } }
  theme(id: $id) { id name description status version parent { id name } codes { id name } }
  participantsMatching(projectId: $projectId, where: $where) { participant { id } }
  project(id: $projectId) { memos { id title body version target { id } author { name } } }
}`;
const EXCERPTS = `query Excerpts($projectId: ID!, $where: ExcerptCondition!, $after: String) {
  findExcerpts(projectId: $projectId, where: $where, first: 20, after: $after) {
    edges { node { id text start end document { id } participant { pseudonym } } }
    pageInfo { hasNextPage endCursor } } }`;
const ADD_TO_THEME = `mutation AddToTheme($codeId: ID!, $themeId: ID!) {
  addCodeToTheme(codeId: $codeId, themeId: $themeId) { name } }`;
const REMOVE_FROM_THEME = `mutation RemoveFromTheme($codeId: ID!, $themeId: ID!) {
  removeCodeFromTheme(codeId: $codeId, themeId: $themeId) { name } }`;
const UPDATE_CODE = `mutation UpdateCode($input: UpdateCodeInput!) { updateCode(input: $input) { name version } }`;
const UPDATE_THEME = `mutation UpdateTheme($input: UpdateThemeInput!) { updateTheme(input: $input) { name version } }`;
const LINK = `mutation Link($input: LinkConceptsInput!) {
  linkConcepts(input: $input) { kind source { ... on Code { name } ... on Theme { name } }
                                     target { ... on Code { name } ... on Theme { name } } } }`;
const UPDATE_LINK = `mutation UpdateLink($input: UpdateLinkInput!) { updateLink(input: $input) { kind label } }`;
const UNLINK = `mutation Unlink($id: ID!) { unlink(id: $id) }`;
const ADD_MEMO = `mutation AddMemo($input: AddMemoInput!) { addMemo(input: $input) { title } }`;
const UPDATE_MEMO = `mutation UpdateMemo($input: UpdateMemoInput!) { updateMemo(input: $input) { title } }`;
const DELETE_MEMO = `mutation DeleteMemo($id: ID!) { deleteMemo(id: $id) }`;
const LINK_KINDS = ["ASSOCIATED_WITH", "CAUSES", "CONTRADICTS", "PART_OF", "IS_A", "PROPERTY_OF", "PRECEDES", "OTHER"];
const STATUSES = ["CANDIDATE", "REVIEWED", "DEFINED", "DISCARDED"];

const options = (pairs, chosen) => pairs.map(([value, label]) => h("option", { value, selected: value === chosen }, label));

/** Put `fresh` sections in `container`, keeping in place (not even moved, so the focus stays) any
 * current section with the same id that holds unsaved input or an open transcript. */
function merge(container, fresh, keep = true) {
  const kept = new Map([...container.children].filter((c) => c.id && keep && (busy(c) || c.dataset.open))
    .map((c) => [c.id, c]));
  for (const child of [...container.children]) if (!kept.has(child.id)) child.remove();
  let previous = null;
  for (const section of fresh) {
    const node = kept.get(section.id) ?? section;
    if (node !== section) { previous = node; continue; }
    if (previous) previous.after(node); else container.prepend(node);
    previous = node;
  }
}

/** `request` runs GraphQL; `announce(text, isError)` reports; `changed()` after an edit;
 * `pickOnMap(callback)` lets the next click on the map choose a node. */
export function createPanel(element, { request, announce, changed, pickOnMap }) {
  let shown = null; // { id, scope }
  const transcriptBox = h("section", { id: "transcript", "aria-label": "Transcript" });
  const transcript = createTranscript(transcriptBox, {
    request, announce, changed: () => changed(), canEdit: () => shown?.scope.canEdit ?? false,
    projectId: () => shown?.scope.projectId,
  });

  /** Show the concept; `again` (a redraw of the same one) keeps forms with input and the transcript. */
  async function show(id, scope, again = false) {
    if (!again) transcript.close();
    shown = { id, scope };
    const where = { anyOf: [id], filter: scope.filter, coders: scope.coders };
    const data = await request(CONCEPT, { id, projectId: scope.projectId, where });
    if (shown?.id !== id) return; // another node was chosen meanwhile
    const concept = data.code || data.theme;
    if (!concept) {
      merge(element, [h("p", { id: "panel-gone" }, "This concept no longer exists."), transcriptBox], again);
      return;
    }
    const names = new Map(scope.nodes.map((n) => [n.id, n.label]));
    const links = scope.edges.filter((e) => e.kind === "LINK" && (e.source === id || e.target === id));
    const memos = data.project.memos.filter((m) => m.target.id === id);
    const excerpts = h("section", { id: "excerpts", "aria-label": "Excerpts" }, h("h3", {}, "Excerpts"),
      h("ul", { class: "excerpt-list" }));
    merge(element, [
      h("div", { id: "panel-head" }, h("h2", { id: "panel-title" }, concept.name),
        h("p", { class: "hint" }, data.theme ? `Theme (${data.theme.status.toLowerCase()})` : "Code",
          concept.parent ? `, under “${concept.parent.name}”` : "")),
      h("section", { id: "panel-facts", "aria-label": "About" },
        h("h3", {}, "Definition"),
        h("p", { id: "definition" }, concept.description || "No definition yet."),
        h("h3", {}, "Prevalence"),
        h("p", { id: "prevalence" }, `${data.participantsMatching.length} of ${plural(scope.participantCount,
          "participant")} in view`),
        members(data, scope)),
      scope.canEdit ? conceptForm(concept, data, scope) : null,
      scope.canEdit && data.code ? addToThemeForm(concept, data, scope) : null,
      linkSection(concept, links, names, scope),
      memoSection(concept, memos, scope),
      excerpts,
      transcriptBox,
    ].filter(Boolean), again);
    await morePages(excerpts, scope, where, null);
  }

  function members(data, scope) {
    const remove = (code, theme) => scope.canEdit ? h("button", { type: "button", class: "small",
      "aria-label": `Remove “${code.name}” from “${theme.name}”`,
      onclick: () => edit(REMOVE_FROM_THEME, { codeId: code.id, themeId: theme.id },
        () => `Removed “${code.name}” from “${theme.name}”.`) }, "Remove") : null;
    if (data.code) {
      return h("div", { id: "memberships" }, h("h3", {}, "In themes"),
        h("ul", {}, data.code.themes.map((t) => h("li", {}, t.name, " ", remove(data.code, t)))),
        data.code.themes.length ? null : h("p", {}, "none"));
    }
    return h("div", { id: "memberships" }, h("h3", {}, "Codes"),
      h("ul", {}, data.theme.codes.map((c) => h("li", {}, c.name, " ", remove(c, data.theme)))),
      data.theme.codes.length ? null : h("p", {}, "none"));
  }

  async function morePages(section, scope, where, after) {
    const { findExcerpts: page } = await request(EXCERPTS, { projectId: scope.projectId, where, after });
    const list = section.querySelector("ul");
    list.append(...page.edges.map(({ node: e }) => h("li", {}, h("span", { class: "who" }, e.participant?.pseudonym ?? ""),
      h("button", { type: "button", class: "excerpt",
        onclick: () => transcript.open(e.document.id, e.participant?.pseudonym ?? "", e)
          .catch((err) => announce(err.message, true)) }, `“${e.text}”`))));
    section.querySelector(".more")?.remove();
    if (!list.children.length) list.replaceWith(h("p", {}, "No excerpts in view."));
    if (page.pageInfo.hasNextPage) {
      section.append(h("button", { type: "button", class: "more", onclick: () =>
        morePages(section, scope, where, page.pageInfo.endCursor).catch((err) => announce(err.message, true)) },
      "More excerpts"));
    }
  }

  function conceptForm(concept, data, scope) {
    const isTheme = Boolean(data.theme);
    const kind = isTheme ? "THEME" : "CODE";
    const parents = scope.nodes.filter((n) => n.kind === kind && n.id !== concept.id);
    return h("form", { id: "concept-form", class: "panel-form", "aria-label": `Edit this ${kind.toLowerCase()}`,
      onsubmit: (event) => {
        event.preventDefault();
        const f = event.target.elements;
        const input = { id: concept.id, expectedVersion: concept.version, name: f.name.value,
          description: f.description.value };
        if (isTheme) input.status = f.status.value;
        if (f.parent.value !== (concept.parent?.id ?? "")) input.parentId = f.parent.value || null;
        edit(isTheme ? UPDATE_THEME : UPDATE_CODE, { input },
          (d) => `Saved “${(d.updateTheme || d.updateCode).name}”.`, event.target, `“${concept.name}”`);
      } },
    h("label", { for: "concept-name" }, "Name"),
    h("input", { id: "concept-name", name: "name", value: concept.name, required: true }),
    h("label", { for: "concept-description" }, "Definition"),
    h("textarea", { id: "concept-description", name: "description", rows: 3 }, concept.description),
    isTheme ? h("label", { for: "concept-status" }, "Status") : null,
    isTheme ? h("select", { id: "concept-status", name: "status" },
      options(STATUSES.map((s) => [s, s.toLowerCase()]), data.theme.status)) : null,
    h("label", { for: "concept-parent" }, isTheme ? "Subtheme of" : "Child code of"),
    h("select", { id: "concept-parent", name: "parent" },
      options([["", "(none: top level)"], ...parents.map((n) => [n.id, n.label])], concept.parent?.id ?? "")),
    h("button", { type: "submit" }, "Save"));
  }

  function addToThemeForm(concept, data, scope) {
    const member = new Set(data.code.themes.map((t) => t.id));
    const themes = scope.nodes.filter((n) => n.kind === "THEME" && !member.has(n.id));
    return h("form", { class: "panel-form", id: "add-to-theme", onsubmit: (event) => {
      event.preventDefault();
      addToTheme(concept.id, event.target.elements.theme.value, concept.name, event.target);
    } },
    h("label", { for: "add-theme" }, "Add to theme"),
    h("select", { id: "add-theme", name: "theme" }, themes.map((t) => h("option", { value: t.id }, t.label))),
    h("button", { type: "submit", disabled: themes.length === 0 }, "Add"));
  }

  function linkSection(concept, links, names, scope) {
    const items = links.map((e) => {
      const words = `${names.get(e.source)} ${linkWords(e.linkKind)} ${names.get(e.target)}`
        + (e.label ? ` (“${e.label}”)` : "");
      if (!scope.canEdit || !e.link) return h("li", {}, words);
      const form = h("form", { class: "inline-form", id: `link-${e.link.id}`, "aria-label": `Edit link: ${words}`,
        onsubmit: (event) => {
          event.preventDefault();
          const f = event.target.elements;
          edit(UPDATE_LINK, { input: { id: e.link.id, expectedVersion: e.link.version, kind: f.kind.value,
            label: f.label.value || null } }, () => `Saved the link: ${words}.`, event.target, "this link");
        } },
      h("label", { for: `link-kind-${e.link.id}` }, "Kind"),
      h("select", { id: `link-kind-${e.link.id}`, name: "kind" },
        options(LINK_KINDS.map((k) => [k, linkWords(k)]), e.linkKind)),
      h("label", { for: `link-label-${e.link.id}` }, "Label"),
      h("input", { id: `link-label-${e.link.id}`, name: "label", value: e.label ?? "" }),
      h("button", { type: "submit" }, "Save link"),
      h("button", { type: "button", class: "danger", "aria-label": `Delete link: ${words}`,
        onclick: () => edit(UNLINK, { id: e.link.id }, () => `Deleted the link: ${words}.`) }, "Delete link"));
      return h("li", { class: "link-item" }, h("p", {}, words), form);
    });
    return h("section", { id: "links", "aria-label": "Links" }, h("h3", {}, "Links"),
      items.length ? h("ul", {}, items) : h("p", {}, "No links."),
      scope.canEdit ? newLinkForm(concept, scope) : null);
  }

  function newLinkForm(concept, scope) {
    const others = scope.nodes.filter((n) => n.id !== concept.id);
    const target = h("select", { id: "link-target", name: "target" },
      others.map((n) => h("option", { value: n.id }, `${n.label} (${n.kind.toLowerCase()})`)));
    return h("form", { class: "panel-form", id: "link-form", "aria-label": "New link", onsubmit: (event) => {
      event.preventDefault();
      const f = event.target.elements;
      const input = { sourceId: concept.id, targetId: f.target.value, kind: f.kind.value, label: f.label.value || null };
      edit(LINK, { input },
        (d) => `Linked “${concept.name}” ${linkWords(d.linkConcepts.kind)} “${d.linkConcepts.target.name}”.`,
        event.target);
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
    h("button", { type: "submit" }, "Link"));
  }

  function memoSection(concept, memos, scope) {
    const items = memos.map((m) => {
      if (!scope.canEdit) return h("li", {}, h("strong", {}, m.title), ` (${m.author?.name ?? "someone"}): ${m.body}`);
      return h("li", {}, h("form", { class: "panel-form", id: `memo-${m.id}`, "aria-label": `Memo “${m.title}”`,
        onsubmit: (event) => {
          event.preventDefault();
          const f = event.target.elements;
          edit(UPDATE_MEMO, { input: { id: m.id, expectedVersion: m.version, title: f.title.value, body: f.body.value } },
            () => `Saved the memo “${f.title.value}”.`, event.target, `the memo “${m.title}”`);
        } },
      h("label", { for: `memo-title-${m.id}` }, "Title"),
      h("input", { id: `memo-title-${m.id}`, name: "title", value: m.title, required: true }),
      h("label", { for: `memo-body-${m.id}` }, `By ${m.author?.name ?? "someone"}`),
      h("textarea", { id: `memo-body-${m.id}`, name: "body", rows: 2 }, m.body),
      h("button", { type: "submit" }, "Save memo"),
      h("button", { type: "button", class: "danger", onclick: () => edit(DELETE_MEMO, { id: m.id },
        () => `Deleted the memo “${m.title}”.`) }, "Delete memo")));
    });
    return h("section", { id: "memos", "aria-label": "Memos" }, h("h3", {}, "Memos"),
      items.length ? h("ul", { class: "memo-list" }, items) : h("p", {}, "No memos."),
      scope.canEdit ? h("form", { class: "panel-form", id: "memo-form", "aria-label": "Add a memo",
        onsubmit: (event) => {
          event.preventDefault();
          const f = event.target.elements;
          edit(ADD_MEMO, { input: { targetId: concept.id, title: f.title.value, body: f.body.value } },
            () => `Added the memo “${f.title.value}”.`, event.target);
        } },
      h("label", { for: "memo-title" }, "Memo title"),
      h("input", { id: "memo-title", name: "title", placeholder: "title", required: true }),
      h("label", { for: "memo-body" }, "Memo text"),
      h("textarea", { id: "memo-body", name: "body", rows: 2 }),
      h("button", { type: "submit" }, "Add memo")) : null);
  }

  /** Run an edit; `done(result)` says what happened. On success the form's input counts as saved
   * (so the redraw replaces it); on a CONFLICT it stays as typed, with a message saying why. */
  async function edit(mutation, variables, done, form = null, what = "it") {
    try {
      const result = await request(mutation, variables);
      if (form) settle(form);
      announce(done(result));
      await changed();
    } catch (err) {
      if (err.code === "CONFLICT") {
        announce(`Someone else changed ${what} since you opened it, so your change was not saved (CONFLICT). `
          + "Your input is still in the form; select the node again to see their version (replacing your input), "
          + "then make your change there.",
        true);
      } else {
        announce(err.message, true);
      }
    }
  }

  /** Show the current node again (after the map changed), keeping forms with input and the transcript. */
  async function refresh(scope) {
    if (shown) await show(shown.id, scope, true);
    await transcript.refresh();
  }

  function clear() {
    shown = null;
    transcript.close();
    element.replaceChildren(h("p", { class: "hint" }, "Select a theme or code on the map or in the list."));
  }

  function addToTheme(codeId, themeId, name, form = null) {
    return edit(ADD_TO_THEME, { codeId, themeId }, (d) => `Added “${name}” to “${d.addCodeToTheme.name}”.`, form);
  }

  return { show, refresh, clear, addToTheme };
}
