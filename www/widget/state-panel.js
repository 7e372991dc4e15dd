// Renders the simulator's state() snapshot as a list of hosts and their connections.
// Everything is built with textContent, so nothing from a scenario is ever parsed as HTML.

const el = (tag, className, text) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
};

/** At most this many connections are shown per host; the rest are summed up in a line. */
const SHOWN = 4;

export const formatTime = (us) =>
  us < 1_000_000 ? `${+(us / 1000).toFixed(3)} ms` : `${(us / 1e6).toFixed(3)} s`;

/** Replaces the contents of `root` with the hosts of `snapshot`, in the words of `t`. */
export function renderState(root, snapshot, t) {
  const hosts = snapshot.hosts.map((host) => {
    const card = el("section", "host");
    const title = el("h3", null, host.name);
    title.append(el("span", "addr", host.addr));
    card.append(title);
    if (host.down) card.append(el("p", "down", t.crashed));
    if (host.unplugged) card.append(el("p", "down", t.unplugged));
    for (const l of host.listeners) {
      card.append(el("p", "listener", t.listening({ port: l.port, backlog: l.backlog })));
      const queues = el("dl", "vars");
      for (const [name, value] of [
        [t.synQueue, `${l.syn_queue}/${l.syn_limit}`],
        [t.acceptQueue, `${l.accept_queue}/${l.accept_limit}`],
      ]) {
        queues.append(el("dt", null, name), el("dd", null, value));
      }
      card.append(queues);
    }
    const live = host.conns.filter((c) => c.state !== "CLOSED");
    // Half-open connections (a flood's, mostly) go last, and past SHOWN only their count.
    const halfOpen = (c) => c.state === "SYN-RECEIVED";
    const ordered = [...live.filter((c) => !halfOpen(c)), ...live.filter(halfOpen)];
    const all = ordered.length > 0 ? ordered : host.conns.slice(-1);
    const shown = all.slice(0, SHOWN);
    for (const c of shown) {
      const conn = el("div", "conn");
      const head = el("p", "conn-head");
      head.append(el("span", "conn-state", c.state), el("span", "conn-label", c.label));
      conn.append(head);
      const vars = el("dl", "vars");
      for (const [name, value] of [
        ["SND.UNA", c.snd_una],
        ["SND.NXT", c.snd_nxt],
        ["RCV.NXT", c.rcv_nxt],
        ["RTO", `${c.rto_ms} ms`],
        ["cwnd", c.cwnd],
      ]) {
        vars.append(el("dt", null, name), el("dd", null, String(value)));
      }
      conn.append(vars);
      for (const timer of c.timers) {
        conn.append(el("p", "timer", t.timerDue({ name: timer.name, at: formatTime(timer.at) })));
      }
      card.append(conn);
    }
    const rest = all.slice(SHOWN);
    if (rest.length > 0) {
      const half = rest.filter(halfOpen).length;
      const text = half === rest.length ? t.moreHalfOpen({ n: rest.length }) : t.moreConns({ n: rest.length, half });
      card.append(el("p", "idle", text));
    }
    if (host.listeners.length === 0 && shown.length === 0) {
      card.append(el("p", "idle", t.noConns));
    }
    return card;
  });
  root.replaceChildren(...hosts);
}
