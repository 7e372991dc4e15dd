// The playground page: loads the WebAssembly core, steps a scenario and redraws the ladder.
// All protocol behaviour lives in Rust; this file only wires buttons to the step API.
import init, { Playground } from "./pkg/tcp_playground.js";
import { formatTime, renderState } from "./state-panel.js";

const $ = (id) => document.getElementById(id);
const controls = ["preset", "step", "play", "end", "reset", "share", "actor", "run-text"].map($);
const actButtons = () => [...document.querySelectorAll("[data-act]")];

let playground = null;
/** What Reset reopens: `{ preset: NAME }` or `{ text }`. */
let current = { preset: "handshake" };
let player = null;
/** The reader has typed in the scenario editor since it was last filled. */
let edited = false;

/** Shows a problem in the banner; a broken core also disables the controls. */
function showError(message, { fatal = false } = {}) {
  const banner = $("error");
  banner.textContent = message;
  banner.hidden = false;
  if (fatal) {
    pause();
    for (const c of [...controls, ...actButtons()]) c.disabled = true;
  }
}

/** Runs a call into the core; a panic or thrown error becomes a banner, never a dead page. */
function guarded(fn) {
  try {
    return fn();
  } catch (err) {
    showError(`The simulator stopped with an internal error: ${err?.message ?? err}. Reload the page to start again.`, { fatal: true });
    console.error(err);
    return undefined;
  }
}

function render() {
  $("ladder").innerHTML = playground.ladderSvg({ showNow: !playground.done() });
  const snapshot = playground.state();
  renderState($("state"), snapshot);
  $("clock").value = `t = ${formatTime(snapshot.now)}`;
  $("status").textContent = snapshot.done ? `${snapshot.stop[0].toUpperCase()}${snapshot.stop.slice(1)}.` : "";
  $("step").disabled = snapshot.done;
  $("play").disabled = snapshot.done;
  $("end").disabled = snapshot.done;
  if (snapshot.done) pause();
}

/** `?max-events=N` limits each run (the default is the core's, 20 million events). */
function budget() {
  const n = Number(new URLSearchParams(location.search).get("max-events"));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Opens a preset or a scenario text; a text with errors is refused by the core before the
 * running scenario is replaced, so the reader never loses what they had. */
function openScenario(target) {
  pause();
  guarded(() => {
    const next = target.preset ? Playground.preset(target.preset) : Playground.fromScenario(target.text);
    const events = budget();
    if (events) next.setBudget(events, 7 * 24 * 3600);
    playground?.free();
    playground = next;
    current = target;
    $("preset").value = target.preset ?? "custom";
    const info = target.preset && Playground.presets().find((p) => p.name === target.preset);
    if (info) {
      const point = document.createElement("code");
      point.textContent = info.point;
      $("summary").replaceChildren(`${info.title}. ${info.summary} The statement that makes the point: `, point);
    } else {
      $("summary").textContent = "Your own scenario: step through it, or change it below.";
    }
    fillEditor();
    fillActors(playground.state());
    render();
  });
}

/** Puts the running scenario's text in the editor, unless the reader is in the middle of
 * changing it. */
function fillEditor({ force = true } = {}) {
  if (edited && !force) return;
  $("scenario").value = playground.sourceText();
  $("scenario-errors").hidden = true;
  edited = false;
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
  const errors = guarded(() => Playground.checkScenario(text));
  if (!errors) return;
  if (errors.length > 0) return showEditorErrors(errors);
  $("error").hidden = true;
  openScenario({ text });
  history.replaceState(null, "", playground.shareLink());
}

/** Puts the link to what runs now in the address bar and on the clipboard. */
async function copyLink() {
  history.replaceState(null, "", playground.shareLink());
  const status = $("status");
  try {
    await navigator.clipboard.writeText(location.href);
    status.textContent = "Link copied: it replays this scenario, with what you did.";
  } catch {
    status.textContent = "The link is in the address bar: copy it from there.";
  }
}

/** The host select lists the scenario's hosts; the first one that listens on nothing leads. */
function fillActors(snapshot) {
  const select = $("actor");
  const names = snapshot.hosts.map((h) => h.name);
  select.replaceChildren(...names.map((name) => {
    const option = document.createElement("option");
    option.value = name;
    option.textContent = name;
    return option;
  }));
  const client = snapshot.hosts.find((h) => h.listeners.length === 0);
  if (client) select.value = client.name;
}

/** Where a connect or a flood goes: the first listening port on another host. */
function target(snapshot, from) {
  for (const host of snapshot.hosts) {
    if (host.name !== from && host.listeners.length > 0) return `${host.name}:${host.listeners[0].port}`;
  }
  return undefined;
}

/** Does what the button says, now, on the chosen host; a refusal is shown, not thrown. */
function act(what) {
  pause();
  const host = $("actor").value;
  const snapshot = playground.state();
  let text = what;
  if (what === "connect" || what === "flood") {
    const to = target(snapshot, host);
    if (!to) return showError(`No other host listens on a port, so ${host} has nowhere to ${what === "flood" ? "flood" : "connect"}.`);
    text = what === "connect" ? `connect ${to}` : `flood ${to} rate=200/s count=2000 spoof=random`;
  }
  try {
    playground.act(host, text);
    $("error").hidden = true;
    fillEditor({ force: false });
  } catch (err) {
    showError(`${host} cannot ${text}: ${err?.message ?? err}`);
  }
  guarded(render);
}

function step() {
  guarded(() => {
    playground.step();
    render();
  });
}

function runToEnd() {
  pause();
  guarded(() => {
    playground.runToEnd();
    render();
  });
}

function play() {
  if (player || playground.done()) return;
  $("play").textContent = "Pause";
  $("play").setAttribute("aria-pressed", "true");
  const tick = () => {
    step();
    if (player) player = setTimeout(tick, Number($("speed").value));
  };
  player = setTimeout(tick, 0);
}

function pause() {
  clearTimeout(player);
  player = null;
  $("play").textContent = "Play";
  $("play").setAttribute("aria-pressed", "false");
}

async function main() {
  window.addEventListener("error", (e) => showError(`Something went wrong: ${e.message}`));
  window.addEventListener("unhandledrejection", (e) => showError(`Something went wrong: ${e.reason?.message ?? e.reason}`));
  await init({ module_or_path: new URL("./pkg/tcp_playground_bg.wasm", import.meta.url) });

  const select = $("preset");
  for (const p of Playground.presets()) {
    const option = document.createElement("option");
    option.value = p.name;
    option.textContent = p.title;
    select.append(option);
  }
  for (const c of [...controls, ...actButtons()]) c.disabled = false;
  for (const button of actButtons()) button.addEventListener("click", () => act(button.dataset.act));

  const custom = document.createElement("option");
  custom.value = "custom";
  custom.textContent = "Your scenario";
  custom.hidden = true;
  select.append(custom);
  select.addEventListener("change", () => {
    history.replaceState(null, "", `#preset=${select.value}`);
    $("error").hidden = true;
    openScenario({ preset: select.value });
  });
  $("step").addEventListener("click", () => { pause(); step(); });
  $("play").addEventListener("click", () => (player ? pause() : play()));
  $("end").addEventListener("click", runToEnd);
  $("reset").addEventListener("click", () => openScenario(current));
  $("share").addEventListener("click", copyLink);
  $("run-text").addEventListener("click", runEditor);
  $("scenario").addEventListener("input", () => { edited = true; });
  $("scenario").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      runEditor();
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.target.closest?.("select, input, textarea")) return;
    if (e.key === " " && e.target === document.body) {
      e.preventDefault();
      player ? pause() : play();
    } else if (e.key === "ArrowRight" && !playground.done()) {
      pause();
      step();
    } else if (e.key === "End" && !playground.done()) {
      e.preventDefault();
      runToEnd();
    }
  });

  window.addEventListener("hashchange", openFromHash);
  openFromHash();
}

/** Opens what the URL's fragment carries (`#v1=...` or `#preset=NAME`), or the handshake.
 * A link that cannot be opened says why, and the handshake opens instead. */
function openFromHash() {
  const fallback = { preset: "handshake" };
  if (location.hash.length <= 1) return openScenario(fallback);
  let target;
  try {
    target = Playground.openLink(location.hash);
  } catch (err) {
    showError(`This link could not be opened: ${err?.message ?? err}. Showing the handshake instead.`);
    return openScenario(fallback);
  }
  if (target.preset) {
    $("error").hidden = true;
    return openScenario({ preset: target.preset });
  }
  const errors = Playground.checkScenario(target.text);
  if (errors.length > 0) {
    showError(`The scenario in this link has ${errors.length === 1 ? "an error" : `${errors.length} errors`}, shown under it below. Showing the handshake instead.`);
    openScenario(fallback);
    $("scenario").value = target.text;
    edited = true;
    return showEditorErrors(errors);
  }
  $("error").hidden = true;
  openScenario({ text: target.text });
}

main().catch((err) => showError(`The playground could not start: ${err?.message ?? err}`, { fatal: true }));
