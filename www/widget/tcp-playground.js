// <tcp-playground>: the playground as a custom element, several per page, each in its own
// Shadow DOM so no style leaks in or out. All TCP, and everything the reader does to a run
// (stepping, Back, seeking, compare mode, the Act bar, faults), lives in the WebAssembly
// core's playground; this file passes input on to it, runs the Play timer and draws.
//
//   <script type="module" src="https://…/widget/tcp-playground.js"></script>
//   <tcp-playground scenario="preset:syn-lost" controls="playback act share" lang="zh"></tcp-playground>
//
// Attributes: `scenario` (scenario text, or `preset:NAME`), `controls` (any of playback, act,
// share, state, table, or `none`; all by default), `lang` (`en` or `zh`), `max-events` (a
// budget for each run; the core's default is 20 million events), `compare` (a second
// scenario, text or `preset:NAME`: compare mode draws both side by side on one time axis and
// steps them together), `start` (where it opens: `end`, the whole run drawn, by default;
// `0`, its start, with the whole run drawn faded; or a moment such as `2.5s`).
// Events: `change` (bubbles) whenever what runs changes: loaded, stepped, acted, rebuilt;
// `inspect` (detail.id, detail.panel) when the reader opens a segment in the inspector;
// `copy-code` (detail.text, detail.kind: link, embed or iframe) when something was copied.
import init, { Playground } from "../pkg/tcp_playground.js";
import { formatTime, renderState } from "./state-panel.js";
import { formatSeconds, megabytes, sentence, strings } from "./i18n.js";

/** The site's root, wherever the page that embeds the widget lives. */
export const SITE = new URL("../", import.meta.url);
let ready = null;
/** Loads the core once per page, however many widgets there are. */
export function loadCore() {
  ready ??= init({ module_or_path: new URL("pkg/tcp_playground_bg.wasm", SITE) }).then(() => Playground);
  return ready;
}

let captureReader = null;
/** Loads the capture reader, a second module with the core and the pcap reader, the first
 * time a capture is opened (pages that never open one never load it). */
function loadCaptureReader() {
  captureReader ??= import(new URL("pkg-capture/tcp_playground.js", SITE).href).then(async (module) => {
    await module.default({ module_or_path: new URL("pkg-capture/tcp_playground_bg.wasm", SITE) });
    return module.Capture;
  });
  return captureReader;
}

const CONTROL_GROUPS = ["playback", "act", "share", "state", "table"];
/** Past this many arrows the ladder draws only the part in view, and a screen either side. */
const LONG_LADDER = 400;
const SPEEDS = [["slow", 900], ["normal", 450], ["fast", 120]];

const TEMPLATE = `
<link rel="stylesheet" href="${new URL("widget/widget.css", SITE)}">
<link rel="stylesheet" href="${new URL("pkg/ladder.css", SITE)}">
<div class="widget">
  <div class="bar capture" role="group" hidden>
    <strong id="capture-name" class="capture-name"></strong>
    <label class="field"><span data-t="connection"></span><select id="capture-conn"></select></label>
    <button id="capture-close" type="button"></button>
    <p id="capture-note" class="note"></p>
  </div>
  <p id="act-error" class="error" role="alert" hidden></p>
  <div class="stage">
    <div class="ladder-box">
      <figure id="ladder" class="ladder-frame"><slot name="ladder"></slot></figure>
      <button id="legend-open" class="legend-open" type="button" aria-expanded="false" aria-controls="legend"></button>
      <div id="legend" class="legend" hidden></div>
    </div>
    <div class="side">
      <div class="bar playback" role="group">
        <div class="buttons">
          <button id="back" type="button" disabled></button>
          <button id="step" class="primary" type="button" disabled></button>
          <button id="play" class="primary" type="button" aria-pressed="false" disabled></button>
          <button id="end" type="button" disabled></button>
          <button id="reset" type="button" disabled></button>
        </div>
        <label class="field"><span data-t="speed"></span><select id="speed"></select></label>
        <label class="field scrub"><span data-t="time"></span><input id="scrubber" type="range" min="0" max="1000" value="0" disabled></label>
        <output id="clock" class="clock" aria-live="polite">t = 0 ms</output>
      </div>
      <aside class="state-panel">
        <h2 data-t="state"></h2>
        <div id="state"></div>
        <p id="status" class="status" aria-live="polite"></p>
      </aside>
    </div>
  </div>
  <div class="bar act" role="group">
    <label class="field"><span data-t="host"></span><select id="actor" disabled></select></label>
    <div class="buttons">
      <button type="button" data-act="connect" disabled></button>
      <button type="button" data-act="send 1000" disabled></button>
      <button type="button" data-act="close" disabled></button>
      <button type="button" data-act="abort" disabled></button>
      <button type="button" data-act="crash" disabled></button>
      <button type="button" data-act="reboot" disabled></button>
      <button type="button" data-act="lose-next" disabled></button>
      <button type="button" data-act="flood" disabled></button>
      <label class="toggle"><input id="cookies" type="checkbox" disabled><span data-t="cookies"></span></label>
      <button type="button" data-act="keepalive on" disabled></button>
      <button type="button" data-act="skip" disabled></button>
    </div>
  </div>
  <section id="inspector" class="inspector" hidden tabindex="-1" aria-live="polite">
    <header><h2 id="insp-title"></h2><button id="insp-close" type="button"></button></header>
    <p id="insp-fate" class="fate"></p>
    <div class="insp-grid">
      <div><h3 data-t="fields"></h3><dl id="insp-fields" class="fields"></dl></div>
      <div><h3 data-t="why"></h3><p id="insp-why"></p><h3 data-t="ends"></h3><table id="insp-ends" class="ends"></table>
        <h3 data-t="bytes"></h3><pre id="insp-bytes" class="bytes"></pre></div>
    </div>
    <div class="buttons">
      <button type="button" data-fault="drop"></button>
      <button type="button" data-fault="delay"></button>
      <button type="button" data-fault="dup"></button>
    </div>
  </section>
  <details id="table-box" class="table-box">
    <summary data-t="table"></summary>
    <table id="table"><thead><tr><th id="col-variant" data-t="colVariant" hidden></th><th data-t="colTime"></th><th data-t="colFrom"></th><th data-t="colTo"></th><th data-t="colSegment"></th><th data-t="colFate"></th></tr></thead><tbody></tbody></table>
  </details>
  <div class="bar share" role="group">
    <div class="buttons">
      <button id="copy-link" type="button" disabled></button>
      <button id="copy-embed" type="button" disabled></button>
      <button id="copy-iframe" type="button" disabled></button>
    </div>
    <div class="buttons" role="group" id="export-group">
      <button id="export-svg" type="button" disabled></button>
      <button id="export-png" type="button" disabled></button>
      <button id="export-text" type="button" disabled></button>
      <button id="export-pcap" type="button" disabled></button>
    </div>
    <label class="toggle"><input id="absolute" type="checkbox"><span data-t="absolute"></span></label>
    <textarea id="copy-box" class="copy-box" readonly hidden rows="3"></textarea>
  </div>
</div>`;

/** Label, title and keyboard hint of each button, by id or data-act. */
const LABELS = {
  back: ["stepBack", "stepBackTitle"], step: ["step", "stepTitle"], play: ["play", "playTitle"],
  end: ["end", "endTitle"], reset: ["reset", "resetTitle"],
  connect: ["connect", "connectTitle"], "send 1000": ["send", "sendTitle"], close: ["close"],
  abort: ["abort", "abortTitle"], crash: ["crash", "crashTitle"], reboot: ["reboot", "rebootTitle"],
  "lose-next": ["loseNext", "loseNextTitle"], flood: ["flood", "floodTitle"],
  "keepalive on": ["keepalive"], skip: ["skip", "skipTitle"],
  "copy-link": ["copyLink"], "copy-embed": ["copyEmbed"], "copy-iframe": ["copyIframe"],
  "export-svg": ["exportSvg"], "export-png": ["exportPng"], "export-text": ["exportText"],
  "export-pcap": ["exportPcap", "exportPcapTitle"],
  "capture-close": ["captureClose", "captureCloseTitle"],
  "insp-close": ["closeInspector"], drop: ["dropIt"], delay: ["delayIt"], dup: ["dupIt"],
  "legend-open": ["legend", "legendTitle"],
};

/** The legend's entries: a sample drawn with the ladder's own classes, and its words. */
const ARROW = (classes) => `<g class="seg ${classes}"><line class="seg-line" x1="2" y1="4" x2="34" y2="12"/></g>`;
const LEGEND = [
  ["syn", ARROW("syn")],
  ["ack", ARROW("")],
  ["data", ARROW("data")],
  ["fin", ARROW("fin")],
  ["rst", ARROW("rst")],
  ["sender", '<line class="lifeline host-0" x1="3" y1="0" x2="3" y2="16"/><line class="lifeline host-1" x1="33" y1="0" x2="33" y2="16"/><g class="seg syn from-0"><line class="seg-line" x1="3" y1="4" x2="33" y2="12"/><circle class="seg-tail" cx="3" cy="4" r="2.6"/></g>'],
  ["retrans", ARROW("syn retrans")],
  ["lost", '<g class="seg lost"><line class="seg-line" x1="2" y1="4" x2="26" y2="10"/><path class="seg-cross" d="M23 6l8 8M31 6l-8 8"/></g>'],
  ["inFlight", ARROW("in-flight")],
  ["later", `<g class="later">${ARROW("syn")}</g>`],
  ["state", '<g class="state"><circle cx="6" cy="8" r="3.5"/><text x="13" y="12">EST</text></g>'],
  ["timer", '<g class="timer"><path d="M14 2H18V14H14"/></g>'],
];

/** `9293 §3.10.7.2` as a link to that section at the RFC Editor. */
function rfcLink(rfc) {
  const m = /^(\d+) §([\d.]+)$/.exec(rfc ?? "");
  const a = document.createElement("a");
  a.textContent = `RFC ${rfc}`;
  a.href = m ? `https://www.rfc-editor.org/rfc/rfc${m[1]}#section-${m[2]}` : `https://www.rfc-editor.org/`;
  a.target = "_blank";
  a.rel = "noopener";
  return a;
}

const el = (tag, text) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  return node;
};

/** The largest capture the page opens (the core says the same, in more detail). */
const MAX_CAPTURE_BYTES = 100 * 1024 * 1024;

/** The second of two compared runs, read through the playground that holds both. */
class ComparedRun {
  #pg;
  constructor(pg) {
    this.#pg = pg;
  }
  state(_panel, lang) { return this.#pg.state(1, lang); }
  segment(id, _panel, lang) { return this.#pg.segment(id, 1, lang); }
  segments(absolute) { return this.#pg.segments(absolute, 1); }
  segmentCount() { return this.#pg.segmentCount(1); }
  eventCount() { return this.#pg.eventCount(1); }
  sourceText() { return this.#pg.sourceText(1); }
}

/** One connection of a real capture, answering the calls the widget makes on a playground:
 * there is nothing to step, the run is over, and the ladder is what was captured. */
class ObservedRun {
  #capture;
  #t;
  constructor(capture, t) {
    this.#capture = capture;
    this.#t = t;
  }
  ladderSvg(opts) { return this.#capture.ladderSvg(opts); }
  segment(id, _panel, lang) { return this.#capture.segment(id, lang); }
  segments(absolute) { return this.#capture.segments(absolute); }
  segmentCount() { return this.#capture.segmentCount(); }
  pcap() { return this.#capture.pcap(); }
  now() { return this.#capture.end(); }
  done() { return true; }
  eventCount() { return 0; }
  advance() {}
  back() {}
  runToEnd() {}
  canGoBack() { return false; }
  generation() { return 0; }
  titles() { return null; }
  knownEnd() { return Math.max(this.now(), 1); }
  findEnd() { return this.knownEnd(); }
  state() { return { stop: this.#t.captureStop, hosts: [] }; }
  /** The capture belongs to the widget, which frees it. */
  free() {}
}

export class TcpPlaygroundElement extends HTMLElement {
  static observedAttributes = ["scenario", "lang", "controls", "max-events", "compare", "start", "capture"];

  #root;
  #core = null;
  /** The core's playground (one run, or two compared), or a capture's ObservedRun. */
  #pg = null;
  /** Its runs, to read: the playground itself, and a ComparedRun when comparing. */
  #panels = [];
  /** The playground's generation the panels were set up for. */
  #generation = -1;
  /** In compare mode, what each run is called. */
  #titles = ["A", "B"];
  #player = null;
  #selected = null;
  /** Which panel the inspected segment is in (0 unless comparing). */
  #selectedPanel = 0;
  #scrubFrame = 0;
  /** The band of a long ladder that is drawn ([top, bottom] in the SVG's pixels), or null. */
  #band = null;
  #scrollFrame = 0;
  #t = strings("en");
  /** A real capture on show instead of a simulation: { capture, name }, or null. */
  #observed = null;
  /** Whether the core has drawn a ladder yet. */
  #drawn = false;

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "open" });
    this.#root.innerHTML = TEMPLATE;
  }

  connectedCallback() {
    // Any scrolling (the page's, or a container's) may bring more of a long ladder into view.
    document.addEventListener("scroll", this.#onScroll, { capture: true, passive: true });
    window.addEventListener("resize", this.#onScroll, { passive: true });
    if (this.#core) return;
    this.#wire();
    this.#relabel();
    this.#applyControls();
    loadCore()
      .then((core) => {
        this.#core = core;
        this.#begin();
      })
      .catch((err) => this.#fail(err));
  }

  disconnectedCallback() {
    this.#pause();
    document.removeEventListener("scroll", this.#onScroll, { capture: true });
    window.removeEventListener("resize", this.#onScroll);
  }

  attributeChangedCallback(name, old, value) {
    if (old === value) return;
    if (name === "lang") {
      this.#relabel();
      if (this.#pg) this.#render();
    } else if (name === "controls") {
      this.#applyControls();
    } else if (name === "capture" && this.#core) {
      this.#begin();
    } else if ((name === "scenario" || name === "max-events" || name === "compare" || name === "start") && this.#core) {
      this.#load();
    }
  }

  // ----- what a page can use -----

  /** The running playground (the core's handle), for pages that want more; when comparing,
   * it holds both runs, and its per-run methods read and drive the first. */
  get playground() {
    return this.#panels[0] ?? null;
  }

  /** In compare mode, the second variant's run (state, segment, segments, segmentCount,
   * eventCount, sourceText); otherwise null. */
  get comparedPlayground() {
    return this.#panels[1] ?? null;
  }

  /** `#v1=...` (and `&vs=...` when comparing): a link fragment that replays what this
   * widget shows; "" while a capture is on show. */
  shareLink() {
    // A capture on show is no scenario: there is nothing a link could replay.
    if (this.#observed) return "";
    return this.#pg?.shareLink() ?? "";
  }

  /** Markup that embeds this widget, as it is now, in another page. */
  embedCode() {
    const attr = (text) => text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const lang = this.getAttribute("lang");
    const [run, variant] = this.#panels;
    const compare = variant ? ` compare="${attr(variant.sourceText())}"` : "";
    return `<script type="module" src="${new URL("widget/tcp-playground.js", SITE)}"></script>\n`
      + `<tcp-playground${lang ? ` lang="${lang === "zh" ? "zh" : "en"}"` : ""} scenario="${attr(run.sourceText())}"${compare}></tcp-playground>`;
  }

  /** An iframe of the embed page, for sites that do not allow scripts from elsewhere. */
  iframeCode() {
    return `<iframe src="${new URL(`embed.html${this.shareLink()}`, SITE)}" title="TCP Playground" width="100%" height="720" style="border:0"></iframe>`;
  }

  /** Starts the scenario again from its `scenario` attribute. */
  reload() {
    if (this.#core) this.#load();
  }

  /** Shows a real capture (a File, Blob, ArrayBuffer or bytes of pcap or pcapng) as an
   * observed ladder: no simulation, the same inspector and table. A bad file is explained
   * and what was on show stays. Resolves to whether the capture opened. */
  async openCapture(file, name = file?.name ?? "capture") {
    const t = this.#t;
    if ((file?.size ?? file?.byteLength ?? 0) > MAX_CAPTURE_BYTES) {
      this.#error(t.captureTooBig({ name, size: megabytes(file.size ?? file.byteLength) }));
      return false;
    }
    let Capture;
    try {
      Capture = await loadCaptureReader();
    } catch (err) {
      captureReader = null;
      this.#error(t.captureUnreadable({ name, why: err?.message ?? err }));
      return false;
    }
    let bytes;
    try {
      bytes = new Uint8Array(file instanceof Blob ? await file.arrayBuffer() : file);
    } catch (err) {
      this.#error(t.captureUnreadable({ name, why: err?.message ?? err }));
      return false;
    }
    let capture;
    try {
      capture = Capture.open(bytes);
    } catch (err) {
      this.#error(`${name}: ${err?.message ?? err}`);
      return false;
    }
    this.#pause();
    // The capture on show, if any, goes once the new one is drawn.
    const previous = this.#observed;
    this.#observed = { capture, name };
    const conns = capture.connections();
    this.$("capture-name").textContent = name;
    this.$("capture-conn").replaceChildren(...conns.map((c, i) => {
      const duration = formatSeconds(c.last_us - c.first_us);
      const o = el("option", t.captureConn({ label: c.label, packets: c.packets, duration }));
      o.value = String(i);
      return o;
    }));
    this.$("capture-conn").disabled = conns.length < 2;
    this.$("capture-note").textContent = capture.skipped();
    this.#showConnection(0);
    previous?.capture.free();
    return true;
  }

  /** True while a real capture is on show. */
  get observing() {
    return this.#observed !== null;
  }

  /** One event; when comparing, the next event of whichever run is due first (both when
   * they are due together), so the two stay on one clock. */
  step() {
    this.#drive((s) => s.advance());
  }

  // ----- inside -----

  $(id) {
    return this.#root.getElementById(id);
  }

  #all(selector) {
    return [...this.#root.querySelectorAll(selector)];
  }

  #wire() {
    const on = (id, fn) => this.$(id).addEventListener("click", fn);
    on("back", () => { this.#pause(); this.#back(); });
    on("step", () => { this.#pause(); this.step(); });
    on("play", () => (this.#player ? this.#pause() : this.#play()));
    on("end", () => {
      this.#pause();
      this.#drive((s) => s.runToEnd());
    });
    on("reset", () => this.#load("0"));
    on("capture-close", () => this.#load());
    this.$("capture-conn").addEventListener("change", (e) => this.#showConnection(Number(e.target.value)));
    on("insp-close", () => this.#closeInspector());
    on("legend-open", () => this.#toggleLegend());
    // The link opens the playground page, wherever the widget is embedded.
    on("copy-link", () => this.#copy(new URL(this.shareLink(), SITE).href, "link"));
    on("copy-embed", () => this.#copy(this.embedCode(), "embed"));
    on("copy-iframe", () => this.#copy(this.iframeCode(), "iframe"));
    on("export-svg", () => this.#download("tcp-playground.svg", "image/svg+xml", this.#standaloneSvg()));
    on("export-png", () => this.#exportPng());
    on("export-pcap", () => this.#saveBlob("tcp-playground.pcap", new Blob([this.#panels[0].pcap()], { type: "application/vnd.tcpdump.pcap" })));
    on("export-text", () => this.#download("tcp-playground.scn", "text/plain", this.#pg.exportText()));
    this.$("absolute").addEventListener("change", () => this.#render());
    this.$("table-box").addEventListener("toggle", () => this.#render());
    this.$("cookies").addEventListener("change", (e) => this.#act(e.target.checked ? "cookies on" : "cookies off"));
    const scrubber = this.$("scrubber");
    scrubber.addEventListener("input", (e) => this.#scrub(Number(e.target.value)));
    // Where the slider stands needs the run's end: found when the reader reaches for it.
    const place = () => this.#guard(() => {
      this.#pg.findEnd();
      this.#updateScrubber(this.#pg.now());
    });
    for (const type of ["pointerdown", "focus"]) scrubber.addEventListener(type, place);
    for (const b of this.#all("[data-act]")) b.addEventListener("click", () => this.#act(b.dataset.act));
    for (const b of this.#all("[data-fault]")) b.addEventListener("click", () => this.#fault(b.dataset.fault));
    const select = this.$("speed");
    for (const [, ms] of SPEEDS) {
      const o = el("option");
      o.value = String(ms);
      select.append(o);
    }
    select.value = "450";
    // Click or Enter/Space on an arrow opens the inspector.
    const ladder = this.$("ladder");
    const pick = (e) => {
      const seg = e.target.closest?.("[data-seg-id]");
      const panel = Number(seg?.closest("[data-panel]")?.dataset.panel ?? 0);
      if (seg) this.#inspect(Number(seg.dataset.segId), panel);
    };
    ladder.addEventListener("click", pick);
    ladder.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        e.stopPropagation();
        pick(e);
      }
    });
    this.#root.addEventListener("keydown", (e) => this.#key(e));
  }

  /** Keys while focus is inside the widget: Space, arrows, End. */
  #key(e) {
    // A capture has nothing to step through.
    if (this.#observed || e.target.closest?.("select, input, textarea, [data-seg-id]")) return;
    if (e.key === " " && e.target.tagName !== "BUTTON") {
      e.preventDefault();
      this.#player ? this.#pause() : this.#play();
    } else if (e.key === "ArrowRight") {
      e.preventDefault();
      this.#pause();
      if (this.#replayable()) this.step();
    } else if (e.key === "ArrowLeft") {
      e.preventDefault();
      this.#pause();
      this.#back();
    } else if (e.key === "End") {
      e.preventDefault();
      this.$("end").click();
    }
  }

  /** Handles keys the page forwards to its main widget (focus outside any control). */
  handleKey(e) {
    this.#key(e);
  }

  /** The `lang` attribute, which the ladder's words follow too. */
  #lang() {
    return this.getAttribute("lang") ?? "";
  }

  #relabel() {
    this.#t = strings(this.#lang());
    const t = this.#t;
    for (const node of this.#all("[data-t]")) node.textContent = t[node.dataset.t];
    for (const b of this.#all("button")) {
      const key = b.id || b.dataset.act || b.dataset.fault;
      const [label, title] = LABELS[key] ?? [];
      if (label) b.textContent = t[label];
      if (title) b.title = t[title];
    }
    this.$("play").textContent = this.#player ? t.pause : t.play;
    for (const [i, o] of [...this.$("speed").options].entries()) o.textContent = t[SPEEDS[i][0]];
    this.$("ladder").setAttribute("aria-label", t.ladder);
    this.$("legend").replaceChildren(...LEGEND.map(([key, sample]) => {
      const item = el("div");
      item.className = "legend-item";
      const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
      for (const [k, v] of [["class", "ladder"], ["viewBox", "0 0 36 16"], ["width", "36"], ["height", "16"], ["aria-hidden", "true"]]) svg.setAttribute(k, v);
      svg.innerHTML = sample;
      item.append(svg, el("span", t.legendItems[key]));
      return item;
    }));
  }

  /** Opens or closes the legend beside the ladder. */
  #toggleLegend(open = this.$("legend").hidden) {
    this.$("legend").hidden = !open;
    this.$("legend-open").setAttribute("aria-expanded", String(open));
  }

  /** Takes away a ladder the page drew before the core ran (its light-DOM `slot="ladder"`
   * child): the page's scenario is another one. */
  dropFirstLadder() {
    for (const node of this.querySelectorAll(':scope > [slot="ladder"]')) node.remove();
  }

  #applyControls() {
    const wanted = (this.getAttribute("controls") ?? "all").split(/[\s,]+/).filter(Boolean);
    const all = wanted.length === 0 || wanted.includes("all");
    for (const group of CONTROL_GROUPS) {
      const show = all || wanted.includes(group);
      const node = group === "state" ? this.#root.querySelector(".state-panel")
        : group === "table" ? this.$("table-box")
          : this.#root.querySelector(`.bar.${group}`);
      node.hidden = !show;
    }
    const side = [".state-panel", ".bar.playback"].every((c) => this.#root.querySelector(c).hidden);
    this.#root.querySelector(".stage").classList.toggle("no-side", side);
  }

  /** Opens what the attributes name: the capture at the `capture` address (relative to the
   * page), or else the scenario. A capture that cannot be fetched or read is explained, and
   * the scenario is shown instead. */
  async #begin() {
    const src = this.getAttribute("capture");
    if (!src) return this.#load();
    const url = new URL(src, document.baseURI);
    const name = decodeURIComponent(url.pathname.split("/").pop() || src);
    let bytes;
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      bytes = await response.arrayBuffer();
    } catch (err) {
      this.#load();
      this.#error(this.#t.captureFetch({ name, why: err?.message ?? err }));
      return;
    }
    const before = this.#pg;
    if (await this.openCapture(bytes, name)) return;
    // Unreadable: the widget shows the scenario, under the capture's error.
    const why = this.$("act-error").textContent;
    if (!before) {
      this.#load();
      this.#error(why);
    }
  }

  /** (Re)starts from the `scenario` (and `compare`) attributes, each run within the
   * `max-events` budget, at the moment `start` names (`end` unless `at` says otherwise);
   * an error is shown, the old run stays (a bad `start` opens the run at its start). */
  #load(at = this.getAttribute("start") ?? "end") {
    this.#pause();
    this.#guard(() => {
      const next = Playground.fromScenario(this.getAttribute("scenario") ?? "preset:handshake", Number(this.getAttribute("max-events")));
      const compare = this.getAttribute("compare");
      try {
        if (compare?.trim()) next.compareWith(compare);
      } catch (err) {
        next.free();
        throw new Error(`${this.#t.compareError}: ${err?.message ?? err}`);
      }
      let startError = null;
      try {
        next.startAt(at);
      } catch (err) {
        startError = err?.message ?? String(err);
      }
      this.#adopt(next);
      if (startError) this.#error(startError);
    }, { fatal: false });
  }

  /** Draws connection `index` of the capture on show. */
  #showConnection(index) {
    const { capture } = this.#observed;
    this.#guard(() => {
      capture.select(index);
      this.#root.querySelector(".widget").classList.add("observed");
      this.#root.querySelector(".bar.capture").hidden = false;
      this.$("capture-conn").value = String(index);
      this.#adopt(new ObservedRun(capture, this.#t));
    }, { fatal: false });
  }

  /** Back to simulating (a run has replaced the capture's view): the capture goes. */
  #leaveCapture() {
    if (!this.#observed) return;
    this.#observed.capture.free();
    this.#observed = null;
    this.#root.querySelector(".widget").classList.remove("observed");
    this.#root.querySelector(".bar.capture").hidden = true;
  }

  #done() {
    return this.#pg.done();
  }

  /** Whether Step and Play have something to show: the rest of the run, or, once it is
   * over, the run again from its start. */
  #replayable() {
    return !this.#done() || this.#pg.canGoBack();
  }

  /** Puts a new playground (or a capture's view) in place of the old one. */
  #adopt(next) {
    this.#pg?.free();
    this.#pg = next;
    if (!(next instanceof ObservedRun)) this.#leaveCapture();
    this.#renew();
  }

  /** The playground's runs are new ones: the inspector, the Act bar and the controls start
   * over around them. */
  #renew() {
    const s = this.#pg;
    const titles = s.titles();
    this.#panels = titles ? [s, new ComparedRun(s)] : [s];
    this.#generation = s.generation();
    this.#titles = titles ?? ["A", "B"];
    this.#root.querySelector(".stage").classList.toggle("comparing", !!titles);
    this.#closeInspector();
    this.$("act-error").hidden = true;
    for (const c of this.#all("button, select, input")) c.disabled = false;
    this.#fillActors();
    this.#render();
  }

  /** Does something to the playground, then draws: afresh when it replaced its runs. */
  #drive(fn, { fatal = true } = {}) {
    this.#guard(() => {
      fn(this.#pg);
      if (this.#pg.generation() !== this.#generation) this.#renew();
      else this.#render();
    }, { fatal });
  }

  #fillActors() {
    if (this.#observed) return;
    const s = this.#pg;
    const select = this.$("actor");
    select.replaceChildren(...this.#panels[0].state().hosts.map((h) => {
      const o = el("option", h.name);
      o.value = h.name;
      return o;
    }));
    const actor = s.defaultActor();
    if (actor) select.value = actor;
    const cookies = this.$("cookies");
    const on = s.cookies();
    // Two variants may differ in exactly this: each keeps its own setting.
    cookies.disabled = on === undefined || this.#panels.length > 1;
    cookies.checked = on === true;
  }

  /** Draws the ladder: all of it, or for a long one the band in view and a screen either
   * side (the SVG keeps its full height, so scrolling stays true). */
  #drawLadder() {
    const ladder = this.$("ladder");
    const drawing = performance.now();
    const opts = { absolute: this.$("absolute").checked, showNow: !this.#done(), lang: this.#lang() };
    // The first ladder tells the Element Timing API when it is painted.
    const first = !this.#drawn;
    if (first) opts.elementTiming = "ladder";
    const long = this.#panels.reduce((n, pg) => n + pg.segmentCount(), 0) > LONG_LADDER;
    this.#band = long ? this.#bandInView(1) : null;
    if (this.#band) opts.visible = this.#band;
    // A redraw must not take the keyboard focus away from the arrow that has it.
    const focused = this.#root.activeElement?.closest?.("[data-seg-id]");
    const refocus = focused && [Number(focused.closest("[data-panel]")?.dataset.panel ?? 0), focused.dataset.segId];
    ladder.innerHTML = this.#pg.ladderSvg(opts);
    if (first) {
      this.#drawn = true;
      this.dropFirstLadder();
      // A ladder wider than a phone opens scrolled to its middle, both lifelines in view.
      if (ladder.scrollWidth > ladder.clientWidth) ladder.scrollLeft = (ladder.scrollWidth - ladder.clientWidth) / 2;
    }
    /** How long the last ladder took to lay out (in the core) and put in the page, in ms. */
    this.lastDrawMs = performance.now() - drawing;
    if (!performance.getEntriesByName("tcp-playground:first-ladder").length) {
      performance.mark("tcp-playground:first-ladder");
      // The frame that paints it (the Element Timing API does not see into a Shadow DOM).
      requestAnimationFrame((t) => performance.mark("tcp-playground:first-ladder-frame", { startTime: t }));
    }
    if (this.#selected !== null) this.#arrow(this.#selectedPanel, this.#selected)?.classList.add("selected");
    if (refocus) this.#arrow(...refocus)?.focus({ preventScroll: true });
  }

  /** The part of the ladder in the viewport, widened by `margin` screens each way, in the
   * SVG's pixels. */
  #bandInView(margin) {
    const frame = this.$("ladder");
    const svg = frame.querySelector("svg");
    const box = (svg ?? frame).getBoundingClientRect();
    const scale = svg && box.height > 0 ? svg.viewBox.baseVal.height / box.height : 1;
    const [top, screen] = [-box.top * scale, innerHeight * scale];
    return [top - margin * screen, top + (1 + margin) * screen];
  }

  /** Scrolling a long ladder: redraw once the part in view nears the edge of what is drawn. */
  #onScroll = () => {
    if (!this.#band || this.#scrollFrame) return;
    this.#scrollFrame = requestAnimationFrame(() => {
      this.#scrollFrame = 0;
      if (!this.#band || !this.#pg) return;
      const [top, bottom] = this.#bandInView(0.5);
      if (top < this.#band[0] || bottom > this.#band[1]) this.#guard(() => this.#drawLadder());
    });
  };

  #render() {
    const t = this.#t;
    const absolute = this.$("absolute").checked;
    const done = this.#done();
    this.#drawLadder();
    const [run, variant] = this.#panels;
    const snapshot = run.state(undefined, this.#lang());
    if (variant) {
      const snapshot2 = variant.state(undefined, this.#lang());
      const [a, b] = [el("div"), el("div")];
      renderState(a, snapshot, t);
      renderState(b, snapshot2, t);
      const column = (title, body) => {
        const div = el("div");
        div.append(Object.assign(el("h3", title), { className: "variant" }), body);
        return div;
      };
      this.$("state").replaceChildren(column(this.#titles[0], a), column(this.#titles[1], b));
    } else {
      renderState(this.$("state"), snapshot, t);
    }
    const now = this.#pg.now();
    this.$("clock").value = `t = ${formatTime(now)}`;
    this.$("status").textContent = done ? sentence(this.#t.stopped({ stop: snapshot.stop })) : "";
    for (const id of ["step", "play"]) this.$(id).disabled = !this.#replayable();
    this.$("end").disabled = done;
    this.$("back").disabled = !this.#pg.canGoBack();
    this.#updateScrubber(now);
    if (this.$("table-box").open || this.$("table-box").dataset.filled) this.#fillTable(absolute);
    this.dispatchEvent(new CustomEvent("change", { bubbles: true, composed: true }));
  }

  #fillTable(absolute) {
    const t = this.#t;
    const comparing = this.#panels.length > 1;
    this.$("col-variant").hidden = !comparing;
    const rows = this.#panels.flatMap((pg, panel) => pg.segments(absolute).map((r) => {
      const tr = el("tr");
      tr.dataset.segId = String(r.id);
      if (comparing) tr.append(el("td", this.#titles[panel]));
      tr.append(el("td", formatTime(r.sent_us)), el("td", r.from), el("td", r.to), el("td", r.label), el("td", t.fate[r.fate] ?? r.fate));
      return tr;
    }));
    this.$("table").tBodies[0].replaceChildren(...rows);
    this.$("table-box").dataset.filled = "1";
  }

  /** Puts the time slider where `now` is in the run, once the run's end is known. */
  #updateScrubber(now) {
    const scrub = this.$("scrubber");
    const end = this.#pg.knownEnd();
    if (end !== undefined) scrub.value = String(Math.round((now / end) * 1000));
    scrub.setAttribute("aria-valuetext", formatTime(now));
  }

  /** Plays on from here, or, at the end, the run again from its start. */
  #play() {
    if (this.#player || !this.#replayable()) return;
    this.$("play").textContent = this.#t.pause;
    this.$("play").setAttribute("aria-pressed", "true");
    const tick = () => {
      this.step();
      if (this.#done()) this.#pause();
      if (this.#player) this.#player = setTimeout(tick, Number(this.$("speed").value));
    };
    this.#player = setTimeout(tick, 0);
  }

  #pause() {
    clearTimeout(this.#player);
    this.#player = null;
    this.$("play").textContent = this.#t.play;
    this.$("play").setAttribute("aria-pressed", "false");
  }

  /** Back one step: the core replays the scenario to where it was before the last step. */
  #back() {
    this.#drive((s) => s.back());
  }

  /** Moves to a point on the time axis (per mille of the run), replaying from the start. */
  #scrub(permille) {
    this.#pause();
    cancelAnimationFrame(this.#scrubFrame);
    this.#scrubFrame = requestAnimationFrame(() => {
      this.#drive((s) => s.seek(permille));
      this.$("scrubber").value = String(permille);
    });
  }

  /** Does what an Act button (or the cookie switch) says, now, on the chosen host; a
   * refusal is shown, not thrown. */
  #act(what) {
    this.#pause();
    const t = this.#t;
    const host = this.$("actor").value;
    this.#drive((s) => {
      try {
        if (s.actBar(host, what)) this.$("act-error").hidden = true;
        else this.#error((t.nowhere[what] ?? t.nowhere.connect)({ host }));
      } catch (err) {
        this.#error(t.cannot({ host, what, why: err?.message ?? err }));
      }
    });
  }

  /** The arrow of segment `id` in panel `panel`. */
  #arrow(panel, id) {
    const scope = this.#panels.length > 1 ? `[data-panel="${panel}"] ` : "";
    return this.$("ladder").querySelector(`${scope}[data-seg-id="${id}"]`);
  }

  #inspect(id, panel = 0) {
    const info = this.#panels[panel]?.segment(id, undefined, this.#lang());
    if (!info) return;
    const t = this.#t;
    this.#selected = id;
    this.#selectedPanel = panel;
    for (const g of this.#all(".selected")) g.classList.remove("selected");
    this.#arrow(panel, id)?.classList.add("selected");
    const variant = this.#panels.length > 1 ? `${this.#titles[panel]}: ` : "";
    this.$("insp-title").textContent = `${variant}${t.inspector} #${info.id}: ${info.sender.host} → ${info.receiver.host} ${info.label}`;
    const fate = [`${t.sent} ${formatTime(info.sent_us)}`];
    if (info.arrived_us !== null && info.arrived_us !== undefined) fate.push(`${t.arrived} ${formatTime(info.arrived_us)}`);
    else fate.push(t.fate[info.fate] ?? info.fate);
    if (info.retransmission) fate.push(t.retransmission);
    this.$("insp-fate").textContent = fate.join(" · ");
    this.$("insp-fields").replaceChildren(...info.fields.flatMap((f) => [el("dt", f.name), el("dd", f.value)]));
    const why = this.$("insp-why");
    why.replaceChildren(el("code", info.why), " ", info.explanation ?? "", " ");
    if (info.rfc) why.append(rfcLink(info.rfc));
    const ends = [[t.sender, info.sender], [t.receiver, info.receiver]].map(([role, end]) => {
      const tr = el("tr");
      tr.append(el("th", `${end.host} (${role})`), el("td", `${end.before ?? "—"} → ${end.after ?? "—"}`));
      return tr;
    });
    this.$("insp-ends").replaceChildren(...ends);
    this.$("insp-bytes").textContent = info.bytes ?? "";
    const inspector = this.$("inspector");
    inspector.hidden = false;
    inspector.focus({ preventScroll: true });
    this.dispatchEvent(new CustomEvent("inspect", { bubbles: true, composed: true, detail: { id, panel } }));
  }

  #closeInspector() {
    this.#selected = null;
    this.$("inspector").hidden = true;
    for (const g of this.#all(".selected")) g.classList.remove("selected");
  }

  /** Drops, delays or duplicates the inspected segment: the scenario of its run gains the
   * fault and runs again up to the moment that segment was sent. */
  #fault(kind) {
    const [id, panel] = [this.#selected, this.#selectedPanel];
    if (id === null) return;
    let line;
    this.#drive((s) => { line = s.addFault(panel, id, kind); }, { fatal: false });
    if (line !== undefined) this.$("status").textContent = this.#t.faultAdded({ line });
  }

  #standaloneSvg() {
    return this.#pg.ladderSvg({ absolute: this.$("absolute").checked, standalone: true, lang: this.#lang() });
  }

  #download(name, type, text) {
    const a = document.createElement("a");
    a.download = name;
    a.href = `data:${type};charset=utf-8,${encodeURIComponent(text)}`;
    a.click();
  }

  #saveBlob(name, blob) {
    const a = document.createElement("a");
    a.download = name;
    a.href = URL.createObjectURL(blob);
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
  }

  /** Draws the standalone SVG on a canvas at twice its size and saves it as PNG. */
  #exportPng() {
    const svg = this.#standaloneSvg();
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth * 2;
      canvas.height = img.naturalHeight * 2;
      const ctx = canvas.getContext("2d");
      ctx.scale(2, 2);
      ctx.drawImage(img, 0, 0);
      const a = document.createElement("a");
      a.download = "tcp-playground.png";
      a.href = canvas.toDataURL("image/png");
      a.click();
    };
    img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
  }

  /** Copies text; where the clipboard is not allowed, shows it selected for the reader. */
  async #copy(text, kind) {
    const box = this.$("copy-box");
    box.value = text;
    try {
      await navigator.clipboard.writeText(text);
      box.hidden = true;
      this.$("status").textContent = this.#t.copied;
    } catch {
      box.hidden = false;
      box.select();
      this.$("status").textContent = this.#t.copyFailed;
    }
    this.dispatchEvent(new CustomEvent("copy-code", { bubbles: true, composed: true, detail: { text, kind } }));
  }

  #error(message) {
    const box = this.$("act-error");
    box.textContent = message;
    box.hidden = false;
  }

  #fail(err) {
    this.#error(this.#t.internal({ why: err?.message ?? err }));
    for (const c of this.#all("button, select, input")) c.disabled = true;
    this.$("reset").disabled = false;
  }

  /** Runs a call into the core; an error becomes a message, never a dead widget. */
  #guard(fn, { fatal = true } = {}) {
    try {
      return fn();
    } catch (err) {
      console.error(err);
      if (fatal) this.#fail(err);
      else this.#error(err?.message ?? String(err));
      return undefined;
    }
  }
}

if (!customElements.get("tcp-playground")) customElements.define("tcp-playground", TcpPlaygroundElement);
