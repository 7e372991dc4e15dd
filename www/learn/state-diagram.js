// <tcp-state-diagram for="WIDGET-ID" lang="en">: the state diagram of RFC 9293 §3.3.2, drawn
// as SVG, with the state each host of a <tcp-playground> is in lit up as the reader steps it.
//
// It reads the widget's `playground.state()` on every `change` event: a host's connections
// are placed in their states, and a host that listens is also in LISTEN (Linux keeps the
// listening socket in LISTEN and gives each SYN a connection of its own). The state names come
// from the core; this file only places them. Built with DOM calls and textContent, so nothing
// from a scenario is ever parsed as HTML. Keyboard: one Tab stop; the arrow keys move between
// states, and the line under the legend lists the ways into and out of the focused one.

import { WidgetFollower } from "./follow-widget.js";

const SVG = "http://www.w3.org/2000/svg";

const WORDS = {
  en: {
    title: "The TCP state diagram of RFC 9293 §3.3.2",
    desc: "Eleven states as boxes, with arrows for the transitions between them, each labelled with the event and the segment it sends. The boxes a host's connections are in are lit, with the host's name inside.",
    waiting: "Waiting for the playground…",
    missing: (id) => `There is no playground with the id “${id}” on this page.`,
    listener: (port) => `listening on ${port}`,
    lastMove: "Last move",
    noMove: "Step the playground to see which arrow each connection takes.",
    offFigure: "an arrow the figure leaves out",
    moved: (host, from, to) => `${host}: ${from} → ${to}`,
    from: "Leaves by",
    into: "Entered by",
    none: "nothing",
    explore: "Focus a state (Tab, then the arrow keys) or point at it to see the arrows into and out of it.",
    legend: "Where each host is",
    paren: (text) => ` (${text})`,
    colon: ": ",
    closedAgain: "CLOSED",
  },
  zh: {
    title: "RFC 9293 §3.3.2 中的 TCP 状态图",
    desc: "十一个状态画成方框，箭头表示状态之间的转换，每条箭头标着触发事件和随之发送的报文段。主机的连接所在的状态会被点亮，方框里写着主机名。",
    waiting: "正在等待演示加载……",
    missing: (id) => `本页没有 id 为“${id}”的演示。`,
    listener: (port) => `监听 ${port} 端口`,
    lastMove: "最近一次转换",
    noMove: "单步运行上面的演示，看每条连接走哪条箭头。",
    offFigure: "图中没有画出的一条转换",
    moved: (host, from, to) => `${host}：${from} → ${to}`,
    from: "离开方式",
    into: "进入方式",
    none: "无",
    explore: "聚焦某个状态（按 Tab，再用方向键）或把鼠标移上去，可以看到进出它的所有箭头。",
    legend: "各主机所在状态",
    paren: (text) => `（${text}）`,
    colon: "：",
    closedAgain: "CLOSED",
  },
};

const W = 150;
const H = 54;
const COL = { L: 30, C: 245, R: 460 };
const ROW = [14, 128, 246, 366, 486, 606, 726];
const VIEW = { w: 640, h: ROW[6] + H + 14 };

/** The boxes. CLOSED appears twice, as in the RFC's figure: where a connection starts and
 * where it ends. */
const STATES = [
  { id: "CLOSED", x: COL.C, y: ROW[0] },
  { id: "LISTEN", x: COL.C, y: ROW[1] },
  { id: "SYN-RECEIVED", x: COL.L, y: ROW[2] },
  { id: "SYN-SENT", x: COL.R, y: ROW[2] },
  { id: "ESTABLISHED", x: COL.C, y: ROW[3] },
  { id: "FIN-WAIT-1", x: COL.L, y: ROW[4] },
  { id: "CLOSE-WAIT", x: COL.R, y: ROW[4] },
  { id: "FIN-WAIT-2", x: COL.L, y: ROW[5] },
  { id: "CLOSING", x: COL.C, y: ROW[5] },
  { id: "LAST-ACK", x: COL.R, y: ROW[5] },
  { id: "TIME-WAIT", x: COL.C, y: ROW[6] },
  { id: "CLOSED-END", name: "CLOSED", x: COL.R, y: ROW[6] },
];
const BOX = Object.fromEntries(STATES.map((s) => [s.id, s]));
const cx = (id, dx = 0) => BOX[id].x + W / 2 + dx;
const cy = (id, dy = 0) => BOX[id].y + H / 2 + dy;
const top = (id, dx = 0) => [cx(id, dx), BOX[id].y];
const bottom = (id, dx = 0) => [cx(id, dx), BOX[id].y + H];
const left = (id, dy = 0) => [BOX[id].x, cy(id, dy)];
const right = (id, dy = 0) => [BOX[id].x + W, cy(id, dy)];

/** The transitions of the figure: from, to, the path (start, [control, control,] end), the
 * label's lines and where the label sits. */
const EDGES = [
  { from: "CLOSED", to: "LISTEN", pts: [bottom("CLOSED", -25), top("LISTEN", -25)], label: ["passive OPEN"], at: [287, 102], anchor: "end" },
  { from: "LISTEN", to: "CLOSED", pts: [top("LISTEN", 25), bottom("CLOSED", 25)], label: ["CLOSE"], at: [353, 102], anchor: "start" },
  { from: "CLOSED", to: "SYN-SENT", pts: [right("CLOSED", -10), [520, cy("CLOSED", -10)], [cx("SYN-SENT", 25), 140], top("SYN-SENT", 25)], label: ["active OPEN", "snd SYN"], at: [566, 150], anchor: "start" },
  { from: "SYN-SENT", to: "CLOSED", pts: [top("SYN-SENT", -20), [cx("SYN-SENT", -20), 160], [470, cy("CLOSED", 12)], right("CLOSED", 12)], label: ["CLOSE"], at: [508, 122], anchor: "end" },
  { from: "LISTEN", to: "SYN-RECEIVED", pts: [left("LISTEN", 12), [205, cy("LISTEN", 12)], [cx("SYN-RECEIVED", 55), 200], top("SYN-RECEIVED", 55)], label: ["rcv SYN", "snd SYN,ACK"], at: [212, 214], anchor: "start" },
  { from: "LISTEN", to: "SYN-SENT", pts: [right("LISTEN", 12), [435, cy("LISTEN", 12)], [cx("SYN-SENT", -55), 200], top("SYN-SENT", -55)], label: ["SEND", "snd SYN"], at: [428, 214], anchor: "end" },
  { from: "SYN-RECEIVED", to: "LISTEN", pts: [top("SYN-RECEIVED", -40), [cx("SYN-RECEIVED", -40), 160], [170, cy("LISTEN", -12)], left("LISTEN", -12)], label: ["rcv RST"], at: [58, 196], anchor: "end" },
  { from: "SYN-SENT", to: "SYN-RECEIVED", pts: [left("SYN-SENT", -4), right("SYN-RECEIVED", -4)], label: ["rcv SYN", "snd SYN,ACK"], at: [320, 292], anchor: "middle" },
  { from: "SYN-SENT", to: "ESTABLISHED", pts: [bottom("SYN-SENT", -15), [cx("SYN-SENT", -15), 372], [450, cy("ESTABLISHED")], right("ESTABLISHED")], label: ["rcv SYN,ACK", "snd ACK"], at: [468, 336], anchor: "end" },
  { from: "SYN-RECEIVED", to: "ESTABLISHED", pts: [bottom("SYN-RECEIVED", 15), [cx("SYN-RECEIVED", 15), 372], [190, cy("ESTABLISHED")], left("ESTABLISHED")], label: ["rcv ACK of SYN"], at: [172, 342], anchor: "start" },
  { from: "SYN-RECEIVED", to: "FIN-WAIT-1", pts: [bottom("SYN-RECEIVED", -57), top("FIN-WAIT-1", -57)], label: ["CLOSE", "snd FIN"], at: [26, 400], anchor: "start" },
  { from: "ESTABLISHED", to: "FIN-WAIT-1", pts: [bottom("ESTABLISHED", -45), [cx("ESTABLISHED", -45), 470], [230, cy("FIN-WAIT-1", 2)], right("FIN-WAIT-1", 2)], label: ["CLOSE", "snd FIN"], at: [262, 458], anchor: "end" },
  { from: "ESTABLISHED", to: "CLOSE-WAIT", pts: [bottom("ESTABLISHED", 45), [cx("ESTABLISHED", 45), 470], [410, cy("CLOSE-WAIT", 2)], left("CLOSE-WAIT", 2)], label: ["rcv FIN", "snd ACK"], at: [378, 458], anchor: "start" },
  { from: "FIN-WAIT-1", to: "FIN-WAIT-2", pts: [bottom("FIN-WAIT-1", -30), top("FIN-WAIT-2", -30)], label: ["rcv ACK of FIN"], at: [53, 580], anchor: "start" },
  { from: "FIN-WAIT-1", to: "CLOSING", pts: [right("FIN-WAIT-1", 18), [250, cy("FIN-WAIT-1", 18)], [cx("CLOSING", -40), 560], top("CLOSING", -40)], label: ["rcv FIN", "snd ACK"], at: [288, 568], anchor: "start" },
  { from: "FIN-WAIT-2", to: "TIME-WAIT", pts: [bottom("FIN-WAIT-2"), [cx("FIN-WAIT-2"), 735], [190, cy("TIME-WAIT")], left("TIME-WAIT")], label: ["rcv FIN", "snd ACK"], at: [126, 700], anchor: "start" },
  { from: "CLOSING", to: "TIME-WAIT", pts: [bottom("CLOSING"), top("TIME-WAIT")], label: ["rcv ACK of FIN"], at: [328, 698], anchor: "start" },
  { from: "CLOSE-WAIT", to: "LAST-ACK", pts: [bottom("CLOSE-WAIT"), top("LAST-ACK")], label: ["CLOSE", "snd FIN"], at: [543, 572], anchor: "start" },
  { from: "LAST-ACK", to: "CLOSED-END", pts: [bottom("LAST-ACK"), top("CLOSED-END")], label: ["rcv ACK of FIN"], at: [543, 698], anchor: "start" },
  { from: "TIME-WAIT", to: "CLOSED-END", pts: [right("TIME-WAIT"), left("CLOSED-END")], label: ["timeout"], at: [428, 744], anchor: "middle" },
];

/** States from which a connection that closes is drawn back in the top CLOSED box. */
const CLOSES_EARLY = new Set(["LISTEN", "SYN-SENT", "SYN-RECEIVED"]);

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};
const svg = (tag, attrs = {}, text) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};
const round = (n) => Math.round(n * 10) / 10;

/** An edge's SVG path and the arrowhead at its end. */
function geometry(pts) {
  const [start, ...rest] = pts;
  const d = rest.length === 1
    ? `M${start} L${rest[0]}`
    : `M${start} C${rest[0]} ${rest[1]} ${rest[2]}`;
  const end = pts[pts.length - 1];
  const before = pts[pts.length - 2];
  const angle = Math.atan2(end[1] - before[1], end[0] - before[0]);
  const size = 7;
  const wing = (a) => [round(end[0] - size * Math.cos(a)), round(end[1] - size * Math.sin(a))];
  const head = `M${end} L${wing(angle - 0.42)} L${wing(angle + 0.42)} Z`;
  return { d, head };
}

/** A label for an edge: "rcv SYN / snd SYN,ACK". */
const edgeText = (e) => e.label.join(" / ");
const stateName = (id) => BOX[id]?.name ?? id;
let serial = 0;

export class TcpStateDiagram extends WidgetFollower {
  #parts = {};
  #boxes = new Map();
  #edges = [];
  #focus = 0;
  /** What the last `change` showed: the playground, its event count, and each connection's state. */
  #last = { pg: null, events: 0, conns: new Map() };
  /** Where a connection that closed came from, by host and label. */
  #closedFrom = new Map();
  #moves = [];

  handlers() {
    return { change: () => this.refresh() };
  }

  showMissing(id) {
    this.#parts.status.textContent = this.#t.missing(id);
  }

  get #t() {
    return WORDS[this.language];
  }

  // ----- the figure -----

  build() {
    const t = this.#t;
    const n = ++serial;
    this.#boxes.clear();
    this.#edges = [];
    this.#focus = 0;
    const root = el("figure", "sd");
    const drawing = svg("svg", {
      viewBox: `0 0 ${VIEW.w} ${VIEW.h}`,
      class: "sd-svg",
      role: "group",
      "aria-labelledby": `sd-title-${n}`,
      "aria-describedby": `sd-desc-${n}`,
    });
    drawing.append(svg("title", { id: `sd-title-${n}` }, t.title), svg("desc", { id: `sd-desc-${n}` }, t.desc));

    const edges = svg("g", { class: "sd-edges", "aria-hidden": "true" });
    const labels = svg("g", { class: "sd-labels", "aria-hidden": "true" });
    for (const e of EDGES) {
      const { d, head } = geometry(e.pts);
      const g = svg("g", { class: "sd-edge" });
      g.append(svg("path", { d, class: "sd-line" }), svg("path", { d: head, class: "sd-head" }));
      edges.append(g);
      const text = svg("text", { x: e.at[0], y: e.at[1], "text-anchor": e.anchor, class: "sd-label" });
      e.label.forEach((line, i) => {
        text.append(svg("tspan", { x: e.at[0], dy: i === 0 ? 0 : "1.2em", class: i === 0 ? "ev" : "act" }, line));
      });
      labels.append(text);
      this.#edges.push({ ...e, g, text });
    }

    const states = svg("g", { class: "sd-states" });
    STATES.forEach((s, i) => {
      const g = svg("g", { class: "sd-state", tabindex: i === 0 ? 0 : -1, role: "button", "data-state": s.id });
      const rect = svg("rect", { x: s.x, y: s.y, width: W, height: H, rx: 12, class: "sd-box" });
      const name = svg("text", { x: s.x + W / 2, y: s.y + H / 2 + 5, "text-anchor": "middle", class: "sd-name" }, s.name ?? s.id);
      const tokens = svg("g", { class: "sd-tokens" });
      g.append(rect, name, tokens);
      g.setAttribute("aria-label", s.name ?? s.id);
      g.addEventListener("focus", () => {
        this.#rove(i);
        this.#explore(i);
      });
      g.addEventListener("blur", () => this.#explore(null));
      g.addEventListener("pointerenter", () => this.#explore(i));
      g.addEventListener("pointerleave", () => {
        const focused = document.activeElement?.closest?.(".sd-state");
        this.#explore(focused && this.contains(focused) ? this.#focus : null);
      });
      states.append(g);
      this.#boxes.set(s.id, { g, rect, name, tokens, state: s });
    });
    states.addEventListener("keydown", (e) => this.#key(e));
    drawing.append(edges, labels, states);

    const caption = el("figcaption", "sd-caption");
    const legendTitle = el("p", "sd-legend-title", t.legend);
    const legend = el("ul", "sd-legend");
    const move = el("p", "sd-move");
    move.setAttribute("aria-live", "polite");
    const status = el("p", "sd-status");
    const explore = el("p", "sd-explore", t.explore);
    explore.id = `sd-explore-${n}`;
    for (const { g } of this.#boxes.values()) g.setAttribute("aria-describedby", explore.id);
    caption.append(legendTitle, legend, status, move, explore);
    root.append(drawing, caption);
    this.replaceChildren(root);
    this.#parts = { root, drawing, legend, move, status, explore };
  }

  /** Reads where each host is and lights the states; never throws. */
  refresh() {
    const t = this.#t;
    const p = this.#parts;
    if (!p.root) return;
    let snapshot = null;
    let pg = null;
    try {
      pg = this.widget?.playground ?? null;
      snapshot = pg ? pg.state() : null;
    } catch (err) {
      console.warn("tcp-state-diagram:", err);
    }
    if (!snapshot?.hosts) {
      p.status.textContent = this.widget ? t.waiting : p.status.textContent;
      this.#paint([]);
      return;
    }
    p.status.textContent = "";

    // What changed since the last look: only trusted for a small step of the same run.
    let events = 0;
    try {
      events = Number(pg.eventCount?.() ?? 0);
    } catch {
      events = 0;
    }
    const sameRun = pg === this.#last.pg && events >= this.#last.events && events - this.#last.events <= 40;
    const conns = new Map();
    const moves = [];
    for (const host of snapshot.hosts) {
      const listens = (host.listeners ?? []).length > 0;
      for (const c of host.conns ?? []) {
        const key = `${host.name}|${c.label}`;
        conns.set(key, c.state);
        const before = this.#last.conns.get(key) ?? (sameRun ? (listens ? "LISTEN" : "CLOSED") : null);
        if (sameRun && before && before !== c.state) {
          moves.push({ host: host.name, from: before, to: c.state });
          if (c.state === "CLOSED") this.#closedFrom.set(key, before);
        }
      }
    }
    if (!sameRun && pg !== this.#last.pg) this.#closedFrom.clear();
    // The latest move stays lit until the next one, or until the run is replaced.
    if (sameRun && moves.length > 0) this.#moves = moves;
    if (!sameRun) this.#moves = [];
    this.#last = { pg, events, conns };

    const places = snapshot.hosts.map((host, index) => ({ host, index, where: this.#where(host) }));
    this.#paint(places);
    this.#legend(places);
    this.#showMoves();
  }

  /** The boxes a host is in: [{ box, text }]. */
  #where(host) {
    const t = this.#t;
    const out = [];
    for (const l of host.listeners ?? []) out.push({ box: "LISTEN", text: `LISTEN${t.paren(t.listener(l.port))}` });
    const live = (host.conns ?? []).filter((c) => c.state !== "CLOSED");
    const counts = new Map();
    for (const c of live) counts.set(c.state, (counts.get(c.state) ?? 0) + 1);
    for (const [state, count] of counts) {
      if (!BOX[state]) continue;
      out.push({ box: state, text: count > 1 ? `${state} ×${count}` : state });
    }
    if (out.length === 0) {
      const conns = host.conns ?? [];
      const lastConn = conns[conns.length - 1];
      const from = lastConn ? this.#closedFrom.get(`${host.name}|${lastConn.label}`) : null;
      const end = lastConn && !CLOSES_EARLY.has(from);
      out.push({ box: end ? "CLOSED-END" : "CLOSED", text: end ? t.closedAgain : "CLOSED" });
    }
    return out;
  }

  /** Lights the boxes and puts each host's token in them. */
  #paint(places) {
    const inBox = new Map();
    for (const { host, index, where } of places) {
      for (const w of where) {
        if (!inBox.has(w.box)) inBox.set(w.box, []);
        if (!inBox.get(w.box).some((h) => h.name === host.name)) inBox.get(w.box).push({ name: host.name, index });
      }
    }
    for (const [id, box] of this.#boxes) {
      const hosts = inBox.get(id) ?? [];
      box.g.classList.toggle("lit", hosts.length > 0);
      const label = hosts.length ? `${box.state.name ?? id}: ${hosts.map((h) => h.name).join(", ")}` : (box.state.name ?? id);
      box.g.setAttribute("aria-label", label);
      const shown = hosts.slice(0, 3);
      const widths = shown.map((h) => Math.min(64, 12 + 6.2 * Math.min(h.name.length, 9)));
      const gap = 5;
      const total = widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, shown.length - 1);
      let x = box.state.x + (W - total) / 2;
      const y = box.state.y + 29;
      const tokens = shown.map((h, i) => {
        const g = svg("g", { class: `sd-token host-${h.index % 4}` });
        const name = h.name.length > 9 ? `${h.name.slice(0, 8)}…` : h.name;
        g.append(svg("rect", { x: round(x), y, width: round(widths[i]), height: 16, rx: 8 }), svg("text", { x: round(x + widths[i] / 2), y: y + 11.5, "text-anchor": "middle" }, name));
        x += widths[i] + gap;
        return g;
      });
      if (hosts.length > 3) {
        tokens.push(svg("text", { x: box.state.x + W - 8, y: box.state.y + 14, "text-anchor": "end", class: "sd-more" }, `+${hosts.length - 3}`));
      }
      box.tokens.replaceChildren(...tokens);
    }
  }

  #legend(places) {
    const items = places.map(({ host, index, where }) => {
      const li = el("li", `host-${index % 4}`);
      const swatch = el("span", "sd-swatch");
      swatch.setAttribute("aria-hidden", "true");
      li.append(swatch, el("strong", null, host.name), el("span", "sd-where", where.map((w) => w.text).join(" · ")));
      return li;
    });
    this.#parts.legend.replaceChildren(...items);
  }

  /** The arrows the last step took, lit, and said in words. */
  #showMoves() {
    const t = this.#t;
    const lit = new Set();
    const words = [];
    for (const m of this.#moves) {
      const to = m.to === "CLOSED" && !CLOSES_EARLY.has(m.from) ? "CLOSED-END" : m.to;
      const edge = this.#edges.find((e) => e.from === m.from && e.to === to);
      if (edge) lit.add(edge);
      words.push(`${t.moved(m.host, m.from, m.to)}${t.paren(edge ? edgeText(edge) : t.offFigure)}`);
    }
    for (const e of this.#edges) {
      e.g.classList.toggle("last", lit.has(e));
      e.text.classList.toggle("last", lit.has(e));
    }
    const move = this.#parts.move;
    const sep = this.language === "zh" ? "；" : "; ";
    const text = words.length ? `${t.lastMove}${t.colon}${words.join(sep)}` : t.noMove;
    if (move.textContent !== text) {
      if (words.length) move.replaceChildren(el("strong", null, `${t.lastMove}${t.colon}`), words.join(sep));
      else move.textContent = text;
    }
  }

  // ----- exploring with the keyboard or the pointer -----

  #explore(index) {
    const t = this.#t;
    const p = this.#parts;
    p.drawing.classList.toggle("exploring", index !== null);
    const id = index === null ? null : STATES[index].id;
    for (const [sid, box] of this.#boxes) box.g.classList.toggle("focus", sid === id);
    for (const e of this.#edges) {
      const related = id !== null && (e.from === id || e.to === id);
      e.g.classList.toggle("related", related);
      e.text.classList.toggle("related", related);
    }
    if (id === null) {
      p.explore.textContent = t.explore;
      return;
    }
    const out = this.#edges.filter((e) => e.from === id).map((e) => `${edgeText(e)} → ${stateName(e.to)}`);
    const into = this.#edges.filter((e) => e.to === id).map((e) => `${stateName(e.from)}: ${edgeText(e)}`);
    p.explore.replaceChildren(
      el("strong", null, stateName(id)),
      el("br"),
      `${t.from}${t.colon}${out.length ? out.join(" · ") : t.none}`,
      el("br"),
      `${t.into}${t.colon}${into.length ? into.join(" · ") : t.none}`,
    );
  }

  #key(e) {
    const last = STATES.length - 1;
    let next = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = Math.min(last, this.#focus + 1);
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = Math.max(0, this.#focus - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = last;
    if (next === null) return;
    e.preventDefault();
    this.#rove(next);
    this.#boxes.get(STATES[next].id).g.focus();
  }

  /** Moves the diagram's one Tab stop to the state at `index`. */
  #rove(index) {
    this.#focus = index;
    for (const [i, s] of STATES.entries()) this.#boxes.get(s.id).g.setAttribute("tabindex", i === index ? 0 : -1);
  }
}

if (!customElements.get("tcp-state-diagram")) customElements.define("tcp-state-diagram", TcpStateDiagram);
