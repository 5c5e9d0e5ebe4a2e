// A transcript with its codings: each coded passage highlighted (its codes and coders in its
// tooltip and in the list below), a passage selected with the mouse coded with existing or new
// codes, and a coding undone. Offsets are Unicode code points, as the API counts them.
import { h } from "./dom.js";

const DOCUMENT = `query Transcript($id: ID!) { document(id: $id) { id title text participant { pseudonym }
  project { id }
  excerpts { id start end text codings { code { id name color } coder { id name } } } }
  me { id } }`;
const CODES = `query Codes($id: ID!) { project(id: $id) { codes { id name codable } } }`;
const CODE_TEXT = `mutation CodeText($input: CodeTextInput!) { codeText(input: $input) { id codes { name } } }`;
const CREATE_CODE = `mutation CreateCode($input: CreateCodeInput!) { createCode(input: $input) { id name } }`;
const UNCODE = `mutation Uncode($excerptId: ID!, $codeId: ID!, $coderId: ID) {
  uncodeExcerpt(excerptId: $excerptId, codeId: $codeId, coderId: $coderId) { id } }`;
const UPDATE_EXCERPT = `mutation UpdateExcerpt($id: ID!, $start: Int!, $end: Int!) {
  updateExcerpt(id: $id, start: $start, end: $end) { id } }`;

/** Code points from the start of `container` to (node, offset). */
function pointsBefore(container, node, offset) {
  const range = document.createRange();
  range.setStart(container, 0);
  range.setEnd(node, offset);
  return Array.from(range.toString()).length;
}

/** The text split at every excerpt boundary: [start, end, excerpts covering it]. */
function segments(length, excerpts, extra) {
  const cuts = [...new Set([0, length, ...extra, ...excerpts.flatMap((e) => [e.start, e.end])])]
    .sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [start, end] = [cuts[i], cuts[i + 1]];
    out.push([start, end, excerpts.filter((e) => e.start <= start && e.end >= end)]);
  }
  return out;
}

const codingWords = (e) => e.codings.map((c) => `${c.code.name} (${c.coder.name})`).join("; ");

/** `request` runs GraphQL, `announce(text, isError)` reports, `changed()` after an edit. */
export function createTranscript(box, { request, announce, changed, canEdit, projectId }) {
  let shown = null; // { documentId, pseudonym, focus: {start, end} | null }
  let selection = null; // { start, end } in code points

  async function open(documentId, pseudonym, focus = null) {
    shown = { documentId, pseudonym, focus };
    selection = null;
    await draw(true);
  }

  async function draw(opening) {
    const { documentId, pseudonym, focus } = shown;
    const [{ document: doc, me }, codes] = await Promise.all([request(DOCUMENT, { id: documentId }),
      canEdit() ? request(CODES, { id: projectId() }).catch(() => null) : null]);
    if (shown?.documentId !== documentId) return;
    if (!doc) { box.replaceChildren(h("p", {}, "This transcript no longer exists.")); shown = null; return; }
    const points = Array.from(doc.text);
    const coded = doc.excerpts.filter((e) => e.codings.length);
    const old = box.querySelector(".transcript");
    const scroll = old?.scrollTop;
    const pieces = segments(points.length, coded, focus ? [focus.start, focus.end] : []).map(([start, end, over]) => {
      const text = points.slice(start, end).join("");
      const inFocus = focus && start >= focus.start && end <= focus.end;
      const piece = over.length ? h("mark", { class: "coded", title: over.map(codingWords).join(" | ") }, text) : text;
      return [inFocus, piece];
    });
    const current = h("mark", { id: "current-excerpt", class: "current", tabindex: "-1" },
      pieces.filter(([inFocus]) => inFocus).map(([, piece]) => piece));
    const first = pieces.findIndex(([inFocus]) => inFocus);
    const body = h("div", { class: "transcript", id: "transcript-text", tabindex: "0",
      "aria-label": `Transcript text${canEdit() ? "; select a passage to code it" : ""}` },
    pieces.map(([inFocus, piece], i) => (inFocus ? (i === first ? current : null) : piece)));
    body.addEventListener("mouseup", () => noteSelection(body));
    body.addEventListener("keyup", () => noteSelection(body));
    const parts = [
      h("h3", { id: "transcript-title" }, `${doc.title} (${pseudonym})`),
      body,
      canEdit() ? codingForm(doc, codes?.project?.codes ?? []) : null,
      h("h4", {}, "Codings in this transcript"),
      h("ul", { id: "codings" }, coded.map((e) => h("li", { "data-excerpt": e.id },
        `“${e.text}”: `, e.codings.map((c) => h("span", { class: "coding" }, `${c.code.name} by ${c.coder.name} `,
          canEdit() ? h("button", { type: "button", class: "uncode",
            "aria-label": `Uncode ${c.code.name} by ${c.coder.name} from “${e.text.slice(0, 40)}”`,
            onclick: () => uncode(e, c) }, "Uncode") : null)),
        canEdit() && e.codings.some((c) => c.coder.id === me.id) ? h("button", { type: "button", class: "small",
          "aria-label": `Move “${e.text.slice(0, 40)}” to the selected passage`,
          onclick: () => move(e) }, "Move to the selection") : null))),
    ];
    box.dataset.open = "transcript";
    const form = box.querySelector("#code-selection");
    if (!opening && form && busy(form)) { // keep what is being typed: replace everything but the form
      for (const child of [...box.children]) if (child !== form) child.remove();
      form.before(parts[0], parts[1]);
      form.after(...parts.slice(3));
    } else {
      box.replaceChildren(...parts.filter(Boolean));
    }
    if (opening && focus) {
      current.scrollIntoView({ block: "center" });
      current.focus({ preventScroll: true });
    } else if (scroll !== undefined) {
      box.querySelector(".transcript").scrollTop = scroll;
    }
  }

  function noteSelection(body) {
    const chosen = document.getSelection();
    if (!chosen.rangeCount || chosen.isCollapsed) return;
    const range = chosen.getRangeAt(0);
    if (!body.contains(range.startContainer) || !body.contains(range.endContainer)) return;
    const start = pointsBefore(body, range.startContainer, range.startOffset);
    const end = pointsBefore(body, range.endContainer, range.endOffset);
    if (end <= start) return;
    selection = { start, end };
    const form = box.querySelector("#code-selection");
    if (!form) return;
    form.querySelector("#selected-text").textContent = `“${Array.from(body.textContent).slice(start, end).join("")}”`;
    form.querySelector("button[type=submit]").disabled = false;
  }

  function codingForm(doc, codes) {
    return h("form", { id: "code-selection", class: "panel-form", "aria-label": "Code the selected passage",
      onsubmit: (event) => { event.preventDefault(); codeSelection(doc, event.target); } },
    h("span", { class: "label" }, "Selected"), h("span", { id: "selected-text" }, "Select a passage above."),
    h("label", { for: "selection-codes" }, "Codes"),
    h("select", { id: "selection-codes", name: "codes", multiple: true, size: 5 },
      codes.filter((c) => c.codable).map((c) => h("option", { value: c.id }, c.name))),
    h("label", { for: "selection-new-code" }, "New code"),
    h("input", { id: "selection-new-code", name: "newCode", placeholder: "optional: a code to create" }),
    h("button", { type: "submit", disabled: !selection }, "Code the passage"));
  }

  async function codeSelection(doc, form) {
    if (!selection) { announce("Select a passage of the transcript first.", true); return; }
    const codeIds = [...form.elements.codes.selectedOptions].map((o) => o.value);
    const name = form.elements.newCode.value.trim();
    try {
      if (name) {
        const { createCode } = await request(CREATE_CODE, { input: { projectId: doc.project.id, name } });
        codeIds.push(createCode.id);
      }
      if (!codeIds.length) { announce("Choose a code or name a new one.", true); return; }
      const { codeText } = await request(CODE_TEXT,
        { input: { documentId: doc.id, start: selection.start, end: selection.end, codeIds } });
      announce(`Coded the passage with ${codeText.codes.map((c) => `“${c.name}”`).join(", ")}.`);
      selection = null;
      form.reset();
      await draw(false);
      await changed();
    } catch (err) {
      announce(err.message, true);
    }
  }

  /** Adjust an excerpt's boundaries (updateExcerpt): it moves to the selected passage with its
   * codings, memos and link evidence; the API decides who may (an analyst: an excerpt they marked
   * that holds no one else's codings). */
  async function move(excerpt) {
    if (!selection) { announce("Select the passage's new extent in the transcript first.", true); return; }
    try {
      await request(UPDATE_EXCERPT, { id: excerpt.id, start: selection.start, end: selection.end });
      const codes = [...new Set(excerpt.codings.map((c) => `“${c.code.name}”`))];
      announce(`Moved ${codes.join(", ")} to the selected passage.`);
      selection = null;
      await draw(false);
      await changed();
    } catch (err) {
      announce(`The passage was not moved: ${err.message}`, true);
    }
  }

  async function uncode(excerpt, coding) {
    try {
      await request(UNCODE, { excerptId: excerpt.id, codeId: coding.code.id, coderId: coding.coder.id });
      announce(`Removed “${coding.code.name}” by ${coding.coder.name} from the passage.`);
      await draw(false);
      await changed();
    } catch (err) {
      announce(err.message, true);
    }
  }

  /** Draw the open transcript again (after a change here or elsewhere), keeping its scroll, a
   * selection being made and a half-filled form. */
  async function refresh() {
    if (!shown) return;
    const chosen = document.getSelection();
    if (chosen.rangeCount && !chosen.isCollapsed && box.contains(chosen.anchorNode)) return; // mid-selection
    await draw(false);
  }

  function close() {
    shown = null;
    delete box.dataset.open;
    box.replaceChildren();
  }

  return { open, refresh, close, isOpen: () => shown !== null };
}

/** Take a form's current values as its saved ones (after they were saved). */
export function settle(element) {
  for (const field of element.querySelectorAll("input, textarea")) {
    if (field.type === "checkbox" || field.type === "radio") field.defaultChecked = field.checked;
    else field.defaultValue = field.value;
  }
  for (const option of element.querySelectorAll("option")) option.defaultSelected = option.selected;
}

/** True when a form holds something typed or chosen that is not yet saved. */
export function busy(element) {
  return [...element.querySelectorAll("input, textarea, select")].some((field) => {
    if (field.type === "hidden") return false;
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT" && field.multiple) return [...field.options].some((o) => o.selected !== o.defaultSelected);
    if (field.tagName === "SELECT") {
      const original = [...field.options].findIndex((o) => o.defaultSelected);
      return field.options.length > 0 && field.selectedIndex !== Math.max(original, 0);
    }
    return field.value !== field.defaultValue;
  });
}
