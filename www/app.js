// The playground page: loads the WebAssembly core, steps a scenario and redraws the ladder.
// All protocol behaviour lives in Rust; this file only wires buttons to the step API.
import init, { Playground } from "./pkg/tcp_playground.js";
import { formatTime, renderState } from "./state-panel.js";

const $ = (id) => document.getElementById(id);
const controls = ["preset", "step", "play", "end", "reset", "actor"].map($);
const actButtons = () => [...document.querySelectorAll("[data-act]")];

let playground = null;
let presetName = "handshake";
let player = null;

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
  $("scenario").textContent = playground.scenarioText();
  if (snapshot.done) pause();
}

/** `?max-events=N` limits each run (the default is the core's, 20 million events). */
function budget() {
  const n = Number(new URLSearchParams(location.search).get("max-events"));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function load(name) {
  pause();
  guarded(() => {
    const next = Playground.preset(name);
    const events = budget();
    if (events) next.setBudget(events, 7 * 24 * 3600);
    playground?.free();
    playground = next;
    presetName = name;
    $("preset").value = name;
    const info = Playground.presets().find((p) => p.name === name);
    $("summary").textContent = info ? `${info.title}. ${info.summary}` : "";
    fillActors(playground.state());
    render();
  });
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

function presetFromHash() {
  const match = /^#preset=([a-z0-9-]+)$/.exec(location.hash);
  return match?.[1];
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

  select.addEventListener("change", () => {
    history.replaceState(null, "", `#preset=${select.value}`);
    load(select.value);
  });
  $("step").addEventListener("click", () => { pause(); step(); });
  $("play").addEventListener("click", () => (player ? pause() : play()));
  $("end").addEventListener("click", runToEnd);
  $("reset").addEventListener("click", () => load(presetName));
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

/** Opens the preset the URL names (`#preset=close`), or the handshake. */
function openFromHash() {
  const wanted = presetFromHash();
  if (wanted && wanted === presetName && playground) return;
  const known = Playground.presets().some((p) => p.name === wanted);
  if (wanted && !known) showError(`This link asks for a scenario called “${wanted}”, which does not exist; showing the handshake instead.`);
  else $("error").hidden = true;
  load(known ? wanted : "handshake");
}

main().catch((err) => showError(`The playground could not start: ${err?.message ?? err}`, { fatal: true }));
