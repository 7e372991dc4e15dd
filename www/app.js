// The playground page: a preset picker, a scenario editor, compare mode, share links and
// opening real captures around one <tcp-playground> widget. All protocol behaviour lives in
// the WebAssembly core.
import { loadCore } from "./widget/tcp-playground.js";

const $ = (id) => document.getElementById(id);
const main = $("main");
/** What the page opens on (index.html says it, and carries its ladder already drawn). */
const FIRST_VIEW = main.getAttribute("scenario");
let Playground = null;
/** The reader has typed in the editor since it was last filled. */
let edited = false;
/** What the widget was last asked to run, so the editor follows only real changes. */
let shown = null;

/** Shows a problem in the page's banner. */
function showError(message) {
  const banner = $("error");
  banner.textContent = message;
  banner.hidden = false;
}

/** Asks the widget to run a preset or a text; `target.compare`, when given, is the variant
 * to run beside it (null ends compare mode). */
function openScenario(target) {
  shown = target;
  edited = false;
  $("preset").value = target.preset ?? "custom";
  const info = target.preset && Playground.presets().find((p) => p.name === target.preset);
  if (info) {
    const point = document.createElement("code");
    point.textContent = info.point;
    $("summary").replaceChildren(`${info.title}. ${info.summary} The statement that makes the point: `, point);
  } else {
    $("summary").textContent = "Your own scenario: step through it, or change it below.";
  }
  if ("compare" in target) showCompare(target.compare);
  const value = target.preset ? `preset:${target.preset}` : target.text;
  // The ladder drawn into the page before the core ran is this preset's: anything else
  // replaces it at once.
  if (value !== FIRST_VIEW || target.compare) main.dropFirstLadder();
  if (main.getAttribute("scenario") === value) main.reload();
  else main.setAttribute("scenario", value);
}

/** Sets (or, with null, clears) the variant the widget compares with, and the panel's state. */
function showCompare(text) {
  if (text) {
    main.setAttribute("compare", text);
    $("compare-text").value = text;
    togglePanel(true);
  } else {
    main.removeAttribute("compare");
  }
  $("compare-stop").hidden = !text;
}

function togglePanel(open) {
  $("compare").hidden = !open;
  $("compare-open").setAttribute("aria-expanded", String(open));
  if (open && !$("compare-text").value && main.playground) $("compare-text").value = main.playground.sourceText();
}

/** Rewrites the variant's text: another profile, or SYN cookies the other way round (the
 * core changes the scenario, on the host that listens). */
function makeVariant(kind) {
  const area = $("compare-text");
  try {
    area.value = Playground.variant(area.value || main.playground.sourceText(), kind);
  } catch (err) {
    return showCompareErrors([{ rendered: err?.message ?? String(err) }]);
  }
  $("compare-errors").hidden = true;
}

function showCompareErrors(errors) {
  const box = $("compare-errors");
  box.textContent = errors.map((e) => e.rendered).join("\n\n");
  box.hidden = false;
}

/** Runs the variant beside the scenario; a variant with errors changes nothing. */
function runCompare() {
  const text = $("compare-text").value;
  const errors = Playground.checkScenario(text);
  if (errors.length > 0) return showCompareErrors(errors);
  $("compare-errors").hidden = true;
  showCompare(text);
  history.replaceState(null, "", main.shareLink());
}

/** Shows a real capture in the widget; the page says what is on show. */
async function openCapture(file) {
  $("error").hidden = true;
  if (!(await main.openCapture(file))) return;
  history.replaceState(null, "", location.pathname + location.search);
  $("preset").value = "custom";
  $("summary").textContent = `A real capture, ${file.name}: each arrow is a segment it holds, `
    + "drawn as seen next to the connection's client. Nothing is simulated; pick a scenario to go back.";
}

/** Keeps the editor in step with what the widget runs, unless the reader is editing. */
function fillEditor() {
  if (edited || !main.playground || main.observing) return;
  const text = main.playground.sourceText();
  // Most steps change nothing in the text: leave the editor (and its scroll) alone then.
  if ($("scenario").value === text) return;
  $("scenario").value = text;
  $("scenario-errors").hidden = true;
}

/** Shows the editor's errors under it and selects the first offending text. */
function showEditorErrors(errors) {
  const box = $("scenario-errors");
  box.textContent = errors.map((e) => e.rendered).join("\n\n");
  box.hidden = false;
  $("editor").open = true;
  const area = $("scenario");
  const lines = area.value.split("\n");
  const first = errors[0];
  // Columns count characters; a textarea counts UTF-16 units.
  const before = lines.slice(0, first.line - 1).reduce((n, l) => n + l.length + 1, 0);
  const line = [...(lines[first.line - 1] ?? "")];
  const start = before + line.slice(0, first.col - 1).join("").length;
  const end = start + line.slice(first.col - 1, first.col - 1 + first.len).join("").length;
  area.focus();
  area.setSelectionRange(start, Math.max(end, start));
}

/** Checks the editor's text and runs it; a text with errors leaves the diagram as it was. */
function runEditor() {
  const text = $("scenario").value;
  const errors = Playground.checkScenario(text);
  if (errors.length > 0) return showEditorErrors(errors);
  $("error").hidden = true;
  $("scenario-errors").hidden = true;
  openScenario({ text });
  history.replaceState(null, "", main.shareLink());
}

/** Opens what the URL's fragment carries (`#v1=...` or `#preset=NAME`), or the first view
 * (a connection opened and closed). A link that cannot be opened says why, and the first
 * view opens instead. */
function openFromHash() {
  const fallback = { preset: FIRST_VIEW.replace(/^preset:/, "") };
  if (location.hash.length <= 1) return openScenario({ ...fallback, compare: null });
  let target;
  try {
    target = Playground.openLink(location.hash);
  } catch (err) {
    showError(`This link could not be opened: ${err?.message ?? err}. Showing a connection opened and closed instead.`);
    return openScenario({ ...fallback, compare: null });
  }
  const compare = target.compare ?? null;
  if (compare) {
    const errors = Playground.checkScenario(compare);
    if (errors.length > 0) {
      showError(`The variant to compare with in this link has ${errors.length === 1 ? "an error" : `${errors.length} errors`}, shown in the compare panel.`);
      togglePanel(true);
      $("compare-text").value = compare;
      showCompareErrors(errors);
      return openScenario(target.preset ? { preset: target.preset, compare: null } : { text: target.text, compare: null });
    }
  }
  if (target.preset) {
    $("error").hidden = true;
    return openScenario({ preset: target.preset, compare });
  }
  const errors = Playground.checkScenario(target.text);
  if (errors.length > 0) {
    showError(`The scenario in this link has ${errors.length === 1 ? "an error" : `${errors.length} errors`}, shown under it below. Showing a connection opened and closed instead.`);
    openScenario({ ...fallback, compare: null });
    $("scenario").value = target.text;
    edited = true;
    return showEditorErrors(errors);
  }
  $("error").hidden = true;
  openScenario({ text: target.text, compare });
}

async function start() {
  window.addEventListener("error", (e) => showError(`Something went wrong: ${e.message}`));
  window.addEventListener("unhandledrejection", (e) => showError(`Something went wrong: ${e.reason?.message ?? e.reason}`));
  Playground = await loadCore();
  // `?max-events=N` limits each run (the default is the core's, 20 million events).
  const budget = new URLSearchParams(location.search).get("max-events");
  if (budget) main.setAttribute("max-events", budget);

  // The presets under their topics, each with its one-line summary as the option's title.
  const select = $("preset");
  const groups = new Map();
  for (const p of Playground.presets()) {
    if (!groups.has(p.topic)) {
      const group = document.createElement("optgroup");
      group.label = p.topic;
      groups.set(p.topic, group);
      select.append(group);
    }
    const option = document.createElement("option");
    option.value = p.name;
    option.textContent = p.title;
    option.title = p.summary;
    groups.get(p.topic).append(option);
  }
  const custom = document.createElement("option");
  custom.value = "custom";
  custom.textContent = "Your scenario";
  custom.hidden = true;
  select.append(custom);
  for (const id of ["preset", "compare-open", "run-text", "capture-open"]) $(id).disabled = false;
  $("capture-open").addEventListener("click", () => $("capture-file").click());
  $("capture-file").addEventListener("change", (e) => {
    const [file] = e.target.files;
    e.target.value = "";
    if (file) openCapture(file);
  });
  // A capture dropped anywhere on the page opens too.
  document.addEventListener("dragover", (e) => {
    if (![...(e.dataTransfer?.types ?? [])].includes("Files")) return;
    e.preventDefault();
    document.body.classList.add("dropping");
  });
  document.addEventListener("dragleave", (e) => {
    if (e.relatedTarget === null) document.body.classList.remove("dropping");
  });
  document.addEventListener("drop", (e) => {
    document.body.classList.remove("dropping");
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    e.preventDefault();
    openCapture(file);
  });

  select.addEventListener("change", () => {
    history.replaceState(null, "", `#preset=${select.value}`);
    $("error").hidden = true;
    openScenario({ preset: select.value, compare: null });
  });
  // The widget's Copy link also puts the link in the address bar.
  main.addEventListener("copy-code", (e) => {
    if (e.detail.kind === "link") history.replaceState(null, "", main.shareLink());
  });
  $("compare-open").addEventListener("click", () => togglePanel($("compare").hidden));
  for (const b of document.querySelectorAll("[data-variant]")) b.addEventListener("click", () => makeVariant(b.dataset.variant));
  $("compare-run").addEventListener("click", runCompare);
  $("compare-stop").addEventListener("click", () => {
    showCompare(null);
    history.replaceState(null, "", main.shareLink());
  });
  $("run-text").addEventListener("click", runEditor);
  $("scenario").addEventListener("input", () => { edited = true; });
  $("scenario").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runEditor();
    }
  });
  main.addEventListener("change", fillEditor);
  // Keys pressed outside any control drive the main widget.
  document.addEventListener("keydown", (e) => {
    if (e.target === document.body) main.handleKey(e);
  });

  window.addEventListener("hashchange", openFromHash);
  openFromHash();
}

start().catch((err) => showError(`The playground could not start: ${err?.message ?? err}`));
