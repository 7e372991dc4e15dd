// <tcp-header-diagram for="WIDGET-ID" lang="en">: the TCP header of one segment of a
// <tcp-playground>, drawn as the 32-bit-wide figure of RFC 9293 §3.1. It shows the widget's
// first segment until the reader inspects another one (a click, or Enter on a focused arrow).
//
// Every value is one the core hands over with the segment (`segment(id).header`: each field's
// name, bit offset, width and value, as the core writes the bytes): this file only displays
// them, it parses nothing and decides nothing about TCP. Built with DOM calls and textContent, so
// nothing from a scenario is ever parsed as HTML. Keyboard: one Tab stop for the whole grid;
// the arrow keys, Home and End move between fields and the description follows the focus.

import { WidgetFollower } from "./follow-widget.js";

const WORDS = {
  en: {
    figure: "TCP header of the selected segment",
    waiting: "Nothing has been sent yet. Press Step in the playground above and its first segment appears here.",
    missing: (id) => `There is no playground with the id “${id}” on this page.`,
    unreadable: "This segment's header bytes could not be read.",
    segment: "Segment",
    retransmission: "retransmission",
    sent: "sent at",
    ip: (src, dst, total, ihl, tcp, data) =>
      `In an IPv4 packet ${src} → ${dst}, ${total} bytes long: ${ihl} of IP header, ${tcp} of TCP header, ${data} of data.`,
    bits: (n) => (n === 1 ? "1 bit" : `${n} bits`),
    at: ({ from, to, row }) => `${from === to ? `bit ${from}` : `bits ${from}–${to}`} of row ${row}`,
    relative: (r) => `relative ${r}`,
    unused: "not in use: the ACK flag is 0",
    flagValue: (name, bit, on) => `${name} = ${bit} (${on ? "set" : "not set"})`,
    words: (n) => `${n} × 4 = ${n * 4} bytes`,
    noOptions: "No options: the header is its basic 20 bytes.",
    noData: "No data",
    dataBytes: (n) => `${n} bytes of data`,
    dataNote: "(the data is not shown)",
    pseudo: "Pseudo-header: never sent, but included in the checksum",
    hint: "Use the arrow keys (or click) to read what each field is for.",
    gridLabel: "Header fields",
    optionBytes: (n) => `${n} bytes of options`,
  },
  zh: {
    figure: "所选报文段的 TCP 首部",
    waiting: "还没有发出任何报文段。在上面的演示里按“单步”，第一个报文段就会显示在这里。",
    missing: (id) => `本页没有 id 为“${id}”的演示。`,
    unreadable: "无法读取这个报文段的首部字节。",
    segment: "报文段",
    retransmission: "重传",
    sent: "发出于",
    ip: (src, dst, total, ihl, tcp, data) =>
      `它装在一个 IPv4 包里（${src} → ${dst}），共 ${total} 字节：IP 首部 ${ihl}，TCP 首部 ${tcp}，数据 ${data}。`,
    bits: (n) => `${n} 位`,
    at: ({ from, to, row }) => `第 ${row} 行的${from === to ? `第 ${from} 位` : `第 ${from}–${to} 位`}`,
    relative: (r) => `相对序号 ${r}`,
    unused: "未使用：ACK 标志为 0",
    flagValue: (name, bit, on) => `${name} = ${bit}（${on ? "置位" : "未置位"}）`,
    words: (n) => `${n} × 4 = ${n * 4} 字节`,
    noOptions: "没有选项：首部只有基本的 20 字节。",
    noData: "没有数据",
    dataBytes: (n) => `${n} 字节数据`,
    dataNote: "（数据内容不显示）",
    pseudo: "伪首部：不会发送，但参与校验和计算",
    hint: "用方向键（或点击）查看每个字段的用途。",
    gridLabel: "首部字段",
    optionBytes: (n) => `${n} 字节选项`,
  },
};

/** The grid's cells in wire order: `name` is the core's name of the field, `bits` its width in
 * the grid, `flag` marks a control bit. */
const FIELDS = [
  { key: "sport", name: "source port", bits: 16, en: "Source port", zh: "源端口" },
  { key: "dport", name: "destination port", bits: 16, en: "Destination port", zh: "目的端口" },
  { key: "seq", name: "sequence number", bits: 32, en: "Sequence number", zh: "序号" },
  { key: "ack", name: "acknowledgment number", bits: 32, en: "Acknowledgment number", zh: "确认号" },
  { key: "off", name: "data offset", bits: 4, en: "Data offset", zh: "数据偏移", short: { en: "Off.", zh: "偏移" } },
  { key: "rsvd", name: "reserved", bits: 4, en: "Reserved", zh: "保留", short: { en: "Rsv.", zh: "保留" } },
  { key: "CWR", name: "CWR", bits: 1, flag: true },
  { key: "ECE", name: "ECE", bits: 1, flag: true },
  { key: "URG", name: "URG", bits: 1, flag: true },
  { key: "ACK", name: "ACK", bits: 1, flag: true },
  { key: "PSH", name: "PSH", bits: 1, flag: true },
  { key: "RST", name: "RST", bits: 1, flag: true },
  { key: "SYN", name: "SYN", bits: 1, flag: true },
  { key: "FIN", name: "FIN", bits: 1, flag: true },
  { key: "win", name: "window", bits: 16, en: "Window", zh: "窗口" },
  { key: "sum", name: "checksum", bits: 16, en: "Checksum", zh: "校验和" },
  { key: "urp", name: "urgent pointer", bits: 16, en: "Urgent pointer", zh: "紧急指针" },
  { key: "opts", name: "option", bits: 32, en: "Options", zh: "选项" },
  { key: "data", name: "data", bits: 32, en: "Data", zh: "数据" },
];

/** What each field is for, in each language. */
const ABOUT = {
  en: {
    sport: "The sending application's port. Together with the destination port and the two IP addresses it names the connection: no two live connections share all four.",
    dport: "The receiving application's port: for a client's segments, the port the server listens on.",
    seq: "The number of this segment's first byte of data. On a SYN it is the initial sequence number (ISN) itself. SYN and FIN each use up one number, as if they were a byte of data.",
    ack: "The next sequence number this side expects from its peer: every number before it has arrived. It means something only when the ACK flag is set, which it is on every segment after the first SYN.",
    off: "The length of the TCP header in 32-bit words, so the receiver knows where the data begins. 5 means the basic 20 bytes; the largest value, 15, leaves room for 40 bytes of options.",
    rsvd: "Four bits kept for future use. A sender sets them to zero and a receiver ignores them.",
    CWR: "Congestion Window Reduced (RFC 3168): the sender tells its peer it has slowed down after an ECN echo.",
    ECE: "ECN-Echo (RFC 3168): on a SYN it offers Explicit Congestion Notification; later it reports that a router marked a packet.",
    URG: "Urgent: the urgent pointer field is valid. Hardly any application uses it, and RFC 6093 advises new ones not to.",
    ACK: "The acknowledgment number is valid. Every segment sets it except the very first SYN and some resets.",
    PSH: "Push: the sender asks the receiver to hand the data to the application now rather than wait for more.",
    RST: "Reset: drop the connection at once, or refuse one that cannot exist (a SYN to a closed port).",
    SYN: "Synchronize: the first segment from each side, carrying its ISN. It occupies one sequence number.",
    FIN: "Finish: the sender has no more data to send. It occupies one sequence number, so it is acknowledged like a byte of data.",
    win: "How many bytes past the acknowledgment number this side is ready to receive. On a SYN the value is taken as written; after the handshake it is shifted left by the window scale this side offered, if both SYNs carried the option.",
    sum: "A 16-bit ones' complement sum over the pseudo-header below, the TCP header and the data. A segment whose sum does not check out is dropped without a word.",
    urp: "Where urgent data ends, as an offset from the sequence number. Read only when URG is set; otherwise zero.",
    opts: "Kind, length, value. MSS, window scale and SACK-permitted are offered only on SYNs; timestamps, once both sides agreed to them, ride on every segment. NOPs pad options to a 4-byte boundary.",
    data: "The payload. Its length is written nowhere in the TCP header: it is whatever the IP packet's total length leaves after both headers.",
  },
  zh: {
    sport: "发送方应用的端口。它与目的端口、两端的 IP 地址一起标识一条连接：任意两条活着的连接不会四项全同。",
    dport: "接收方应用的端口：客户端发出的报文段里，就是服务器监听的端口。",
    seq: "本报文段第一个数据字节的编号。SYN 报文段里，它就是初始序号（ISN）本身。SYN 和 FIN 各占用一个序号，就像一个字节的数据。",
    ack: "本端期望从对端收到的下一个序号：在它之前的序号都已到达。只有 ACK 标志置位时才有意义，而除了第一个 SYN，之后的每个报文段都会置位。",
    off: "TCP 首部的长度，以 32 位字为单位，接收方据此知道数据从哪里开始。5 表示基本的 20 字节；最大值 15 可以容纳 40 字节的选项。",
    rsvd: "留作将来使用的 4 位。发送方置 0，接收方忽略。",
    CWR: "拥塞窗口已减小（RFC 3168）：发送方告诉对端，它在收到 ECN 回显后已经放慢。",
    ECE: "ECN 回显（RFC 3168）：在 SYN 上表示支持显式拥塞通知；之后表示有路由器标记了拥塞。",
    URG: "紧急：紧急指针字段有效。几乎没有应用使用它，RFC 6093 也建议新应用不要使用。",
    ACK: "确认号有效。除了最初的 SYN 和某些 RST，每个报文段都会置位。",
    PSH: "推送：发送方请接收方立即把数据交给应用，不必等待更多数据。",
    RST: "复位：立即断开连接，或者拒绝一个不可能存在的连接（比如发往未监听端口的 SYN）。",
    SYN: "同步：每一端发出的第一个报文段，携带它的 ISN。它占用一个序号。",
    FIN: "结束：发送方没有更多数据要发了。它占用一个序号，所以会像一个字节的数据那样被确认。",
    win: "本端在确认号之后还愿意接收多少字节。SYN 上的值按原样理解；握手之后，如果两个 SYN 都带了窗口缩放选项，就要左移本端在 SYN 中声明的位数。",
    sum: "对下面的伪首部、TCP 首部和数据做 16 位反码求和。校验和对不上的报文段会被悄悄丢弃。",
    urp: "紧急数据结束的位置，以相对序号的偏移表示。只有 URG 置位时才读它，否则为 0。",
    opts: "类型、长度、值。MSS、窗口缩放和 SACK 允许只在 SYN 上协商；时间戳一旦双方同意，每个报文段都会携带。NOP 用来把选项填充到 4 字节边界。",
    data: "有效载荷。TCP 首部里没有写它的长度：IP 包的总长度减去两个首部，剩下的就是数据。",
  },
};

/** Option kinds (RFC 9293 §3.2, RFC 7323, RFC 2018). */
const OPTION_NAMES = {
  en: { 0: "End of options", 1: "NOP", 2: "MSS", 3: "Window scale", 4: "SACK permitted", 5: "SACK", 8: "Timestamps" },
  zh: { 0: "选项结束", 1: "NOP", 2: "MSS", 3: "窗口缩放", 4: "允许 SACK", 5: "SACK", 8: "时间戳" },
};

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

const hex = (value, digits) => `0x${value.toString(16).padStart(digits, "0")}`;

/** A field's place as the figure's rows count it: bits `from`–`to` of row `row` (1 to 5). */
const place = (field) => ({ from: field.bit % 32, to: (field.bit % 32) + field.width - 1, row: Math.floor(field.bit / 32) + 1 });

/** The fields of one header by name (options are listed apart, in order). */
const byName = (fields) => new Map((fields ?? []).filter((f) => f.name !== "option").map((f) => [f.name, f]));

let serial = 0;

export class TcpHeaderDiagram extends WidgetFollower {
  #id = null;
  #current = 0;
  #cells = new Map();
  #parts = {};
  #header = null;
  #shown = "";

  handlers() {
    return { change: () => this.refresh(), inspect: (e) => this.#inspected(e) };
  }

  showMissing(id) {
    this.#show(null, this.#t.missing(id));
  }

  get #t() {
    return WORDS[this.language];
  }

  #inspected(e) {
    const id = Number(e?.detail?.id);
    if (!Number.isInteger(id)) return;
    this.#id = id;
    this.refresh();
  }

  /** Shows the chosen segment, or the widget's first one; never throws. */
  refresh() {
    try {
      const pg = this.widget?.playground;
      if (!pg) return this.#show(null, this.#t.waiting);
      const list = pg.segments(false) ?? [];
      // Until the reader picks one (or when the picked one is gone), the first segment.
      if (!list.some((s) => s.id === this.#id)) this.#id = list.length > 0 ? list[0].id : null;
      if (this.#id === null) return this.#show(null, this.#t.waiting);
      const info = pg.segment(this.#id);
      if (!info) return this.#show(null, this.#t.waiting);
      if (!info.header?.tcp?.length) return this.#show(null, this.#t.unreadable);
      this.#show(info, null, info.header);
    } catch (err) {
      console.warn("tcp-header-diagram:", err);
      this.#show(null, this.#t.unreadable);
    }
  }

  // ----- drawing -----

  build() {
    const t = this.#t;
    const lang = this.language;
    this.#cells.clear();
    this.#shown = "";
    const root = el("figure", "thd");
    root.setAttribute("aria-label", t.figure);
    const caption = el("figcaption", "thd-caption");
    caption.setAttribute("aria-live", "polite");
    const title = el("p", "thd-title");
    const ip = el("p", "thd-ip");
    caption.append(title, ip);
    const empty = el("p", "thd-empty");
    const body = el("div", "thd-body");

    const ruler = el("div", "thd-ruler");
    ruler.setAttribute("aria-hidden", "true");
    for (let b = 0; b < 32; b++) {
      const span = el("span", b % 8 === 0 || b === 31 ? "major" : "", String(b));
      ruler.append(span);
    }

    const grid = el("div", "thd-grid");
    grid.setAttribute("role", "group");
    grid.setAttribute("aria-label", t.gridLabel);
    for (const f of FIELDS) {
      const cell = el("button", `thd-cell span-${f.bits}${f.flag ? " flag" : ""} f-${f.key}`);
      cell.type = "button";
      cell.dataset.field = f.key;
      cell.tabIndex = -1;
      const name = el("span", "thd-name");
      const long = el("span", "long", f.flag ? f.key : f[lang]);
      const short = el("span", "short", f.flag ? f.key[0] : (f.short?.[lang] ?? f[lang]));
      name.append(long, short);
      const value = el("span", "thd-value");
      const sub = el("span", "thd-sub");
      cell.append(name, value, sub);
      if (f.key === "opts") cell.append(el("span", "thd-options"));
      cell.addEventListener("click", () => this.#select(FIELDS.indexOf(f), true));
      cell.addEventListener("focus", () => this.#select(FIELDS.indexOf(f), false));
      grid.append(cell);
      this.#cells.set(f.key, { cell, value, sub });
    }
    grid.addEventListener("keydown", (e) => this.#key(e));

    const detail = el("div", "thd-detail");
    const detailHead = el("p", "thd-detail-head");
    const detailValue = el("p", "thd-detail-value");
    const detailText = el("p", "thd-detail-text");
    detailText.id = `thd-about-${++serial}`;
    detail.append(detailHead, detailValue, detailText, el("p", "thd-hint", t.hint));
    for (const { cell } of this.#cells.values()) cell.setAttribute("aria-describedby", detailText.id);

    const pseudo = el("div", "thd-pseudo");
    const pseudoTitle = el("p", "thd-pseudo-title", t.pseudo);
    const pseudoGrid = el("div", "thd-grid thd-pseudo-grid");
    pseudoGrid.setAttribute("role", "group");
    pseudoGrid.setAttribute("aria-label", t.pseudo);
    const pseudoCells = {};
    const PSEUDO = [
      ["src", 32, { en: "Source address", zh: "源 IP 地址" }],
      ["dst", 32, { en: "Destination address", zh: "目的 IP 地址" }],
      ["zero", 8, { en: "Zero", zh: "零" }],
      ["proto", 8, { en: "Protocol", zh: "协议" }],
      ["len", 16, { en: "TCP length", zh: "TCP 长度" }],
    ];
    for (const [key, bits, names] of PSEUDO) {
      const cell = el("div", `thd-cell static span-${bits}`);
      const name = el("span", "thd-name");
      name.append(el("span", "long", names[lang]), el("span", "short", names[lang]));
      const value = el("span", "thd-value");
      const sub = el("span", "thd-sub");
      cell.append(name, value, sub);
      pseudoGrid.append(cell);
      pseudoCells[key] = { value, sub };
    }
    pseudo.append(pseudoTitle, pseudoGrid);

    body.append(ruler, grid, detail, pseudo);
    root.append(caption, empty, body);
    this.replaceChildren(root);
    this.#parts = { root, title, ip, empty, body, grid, detailHead, detailValue, detailText, pseudoCells };
    this.#setTabStop(this.#current);
  }

  /** Fills the figure with `info`, or shows `message` instead. */
  #show(info, message, header = null) {
    const p = this.#parts;
    if (!p.root) return;
    this.#header = header;
    if (!info || !header) {
      p.empty.textContent = message ?? "";
      p.empty.hidden = false;
      p.body.hidden = true;
      p.title.textContent = "";
      p.ip.textContent = "";
      this.#shown = "";
      return;
    }
    const t = this.#t;
    p.empty.hidden = true;
    p.body.hidden = false;
    const sender = info.sender?.host ?? "?";
    const receiver = info.receiver?.host ?? "?";
    const key = `${info.id}|${sender}|${receiver}|${info.label}|${info.retransmission}`;
    if (key !== this.#shown) {
      this.#shown = key;
      this.#titleFor(info, sender, receiver);
    }
    const ip = byName(header.ip);
    const tcp = byName(header.tcp);
    const pseudo = byName(header.pseudo);
    const value = (fields, name) => fields.get(name)?.value ?? 0;
    const data = value(tcp, "data");
    p.ip.textContent = t.ip(ip.get("source address")?.text, ip.get("destination address")?.text, value(ip, "total length"),
      value(ip, "header length") * 4, value(tcp, "data offset") * 4, data);

    const set = (key, value, sub, on) => {
      const c = this.#cells.get(key);
      c.value.textContent = value;
      c.sub.textContent = sub;
      c.cell.classList.toggle("on", Boolean(on));
    };
    const number = (f, digits, extra = "") => set(f.key, String(value(tcp, f.name)), `${hex(value(tcp, f.name), digits)}${extra}`);
    const digits = { sport: 4, dport: 4, seq: 8, ack: 8, off: 1, rsvd: 1, win: 4, sum: 4, urp: 4 };
    const ackOn = value(tcp, "ACK") === 1;
    for (const f of FIELDS) {
      if (f.flag) {
        const bit = value(tcp, f.name);
        set(f.key, String(bit), "", bit);
      } else if (f.key === "seq") {
        number(f, digits.seq, ` · ${t.relative(info.relative_seq)}`);
      } else if (f.key === "ack") {
        if (ackOn) number(f, digits.ack, info.relative_ack != null ? ` · ${t.relative(info.relative_ack)}` : "");
        else set(f.key, String(value(tcp, f.name)), t.unused);
      } else if (digits[f.key]) {
        number(f, digits[f.key]);
      }
    }
    this.#cells.get("ack").cell.classList.toggle("unused", !ackOn);

    const opts = this.#cells.get("opts");
    const list = opts.cell.querySelector(".thd-options");
    const options = header.tcp.filter((f) => f.name === "option");
    const optionBytes = (value(tcp, "data offset") - 5) * 4;
    opts.value.textContent = options.length ? "" : "—";
    opts.sub.textContent = options.length ? t.optionBytes(optionBytes) : t.noOptions;
    list.replaceChildren(...options.map((o) => {
      const chip = el("span", `thd-option k-${o.value}`);
      const name = OPTION_NAMES[this.language][o.value] ?? `kind ${o.value}`;
      chip.append(el("span", "thd-option-name", o.text ? `${name} ${o.text}` : name), el("span", "thd-option-bytes", o.bytes ?? ""));
      return chip;
    }));
    set("data", data ? t.dataBytes(data) : t.noData, data ? t.dataNote : "");

    const pc = p.pseudoCells;
    for (const [key, name, digits] of [["zero", "zero", 2], ["proto", "protocol", 2], ["len", "TCP length", 4]]) {
      pc[key].value.textContent = String(value(pseudo, name));
      pc[key].sub.textContent = hex(value(pseudo, name), digits);
    }
    pc.proto.sub.textContent += " (TCP)";
    for (const [key, name] of [["src", "source address"], ["dst", "destination address"]]) {
      pc[key].value.textContent = pseudo.get(name)?.text ?? "";
      pc[key].sub.textContent = pseudo.get(name)?.bytes ?? "";
    }

    this.#describe();
  }

  #titleFor(info, sender, receiver) {
    const t = this.#t;
    const title = this.#parts.title;
    title.replaceChildren(
      el("strong", null, `${t.segment} #${info.id}`),
      ` ${sender} → ${receiver} `,
      el("code", null, info.label ?? ""),
    );
    if (info.retransmission) title.append(" ", el("span", "thd-badge", t.retransmission));
  }

  /** The description under the grid, for the field that has the tab stop. */
  #describe() {
    const p = this.#parts;
    const header = this.#header;
    if (!header) return;
    const t = this.#t;
    const lang = this.language;
    const f = FIELDS[this.#current];
    const name = f.flag ? f.key : f[lang];
    const head = [el("strong", null, name)];
    const field = f.key === "opts" || f.key === "data" ? null : byName(header.tcp).get(f.name);
    if (field) head.push(` · ${t.bits(field.width)} · ${t.at(place(field))}`);
    p.detailHead.replaceChildren(...head);
    const c = this.#cells.get(f.key);
    let value = `${c.value.textContent}${c.sub.textContent ? ` · ${c.sub.textContent}` : ""}`;
    if (f.flag) value = t.flagValue(f.key, c.value.textContent, c.value.textContent === "1");
    if (f.key === "off") value = `${field.value} · ${t.words(field.value)}`;
    if (f.key === "opts") value = c.sub.textContent;
    p.detailValue.textContent = value;
    p.detailText.textContent = ABOUT[lang][f.key] ?? "";
    for (const [key, cell] of this.#cells) cell.cell.classList.toggle("current", key === f.key);
  }

  #setTabStop(index) {
    this.#current = index;
    for (const [key, c] of this.#cells) {
      const on = key === FIELDS[index].key;
      c.cell.tabIndex = on ? 0 : -1;
      if (on) c.cell.setAttribute("aria-current", "true");
      else c.cell.removeAttribute("aria-current");
    }
  }

  #select(index, focus) {
    this.#setTabStop(index);
    if (focus) this.#cells.get(FIELDS[index].key).cell.focus();
    this.#describe();
  }

  #key(e) {
    const last = FIELDS.length - 1;
    let next = null;
    if (e.key === "ArrowRight" || e.key === "ArrowDown") next = Math.min(last, this.#current + 1);
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") next = Math.max(0, this.#current - 1);
    else if (e.key === "Home") next = 0;
    else if (e.key === "End") next = last;
    if (next === null) return;
    e.preventDefault();
    this.#select(next, true);
  }
}

if (!customElements.get("tcp-header-diagram")) customElements.define("tcp-header-diagram", TcpHeaderDiagram);
