#!/usr/bin/env python3
"""One host's application in a kernel-oracle scenario, run inside that host's namespace.

    ip netns exec NS python3 actor.py SPEC.json

SPEC holds the host's listening sockets (port, backlog, accept, read, reply, close), its
keepalive settings, and its timed actions (`at T HOST ...`). The actor opens its listeners,
prints `ready`, reads the common start time T0 (seconds since the epoch, a float) from stdin
and then does each action at T0 + its time, as the model's application does:

- connect: a non-blocking connect (bound to sport= if given, with SO_REUSEADDR first if
  reuseaddr=on); SO_KEEPALIVE and TCP_KEEPIDLE/KEEPINTVL/KEEPCNT first when the host has
  keepalive on;
- listen PORT ...: bind() and listen() now (SO_REUSEADDR if reuseaddr=on, as the listeners
  opened at the start); close-listener PORT: close() on that listening socket;
- send N: N zero bytes; close: close(); shutdown-write: shutdown(SHUT_WR);
- abort: SO_LINGER {on, 0} then close(), which sends RST;
- accept: one accept() (listeners with accept=manual; others accept at once);
- recv: one read (listeners with read=manual; other connections read whatever arrives);
- keepalive on|off: SO_KEEPALIVE on the host's connections; nodelay on|off: TCP_NODELAY.

Actions act on the newest connection the application holds, as in the model. Everything the
application sees is logged as JSON lines to SPEC["log"]. The actor ends itself at
SPEC["end"] seconds after T0 as a guard; the harness normally kills it before that.
"""

import ctypes
import errno
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time


def congestion(sock):
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()


class Conn:
    def __init__(self, sock, label, listener=None):
        self.sock = sock
        self.label = label
        self.listener = listener
        self.connecting = False
        self.out = b""
        self.eof = False
        self.closed = False


def main():
    spec = json.load(open(sys.argv[1]))
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the harness
    # A modest real-time priority keeps a busy machine (other scenarios, builds) from delaying
    # this process's few, short wake-ups; it sleeps in select() the rest of the time.
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except (OSError, AttributeError):
        pass
    log = open(spec["log"], "w", buffering=1)
    sel = selectors.DefaultSelector()
    held = []  # the connections the application holds, oldest first
    t0 = None

    def note(event, **kw):
        t = None if t0 is None else round(time.time() - t0, 6)
        log.write(json.dumps({"t": t, "event": event, **kw}) + "\n")

    ka = spec.get("keepalive")

    def set_keepalive(sock, on):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1 if on else 0)
        if on and ka:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, ka["time"])
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, ka["intvl"])
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, ka["probes"])

    keepalive_on = bool(ka and ka["on"])

    nodelay = {"on": bool(spec.get("nodelay"))}

    def prepare(sock):
        if nodelay["on"]:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if spec.get("congestion"):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, spec["congestion"].encode())
        if keepalive_on:
            set_keepalive(sock, True)

    def watch(c):
        events = 0
        if c.connecting or c.out:
            events |= selectors.EVENT_WRITE
        if not c.eof and (c.connecting or c.listener is None or c.listener["read"] == "auto"):
            events |= selectors.EVENT_READ
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        if events and not c.closed:
            sel.register(c.sock, events, c)

    def forget(c):
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        if c in held:
            held.remove(c)

    def close(c, how="close"):
        forget(c)
        c.closed = True
        if how == "abort":
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.sock.close()
        note(how, conn=c.label)

    def flush(c):
        while c.out:
            try:
                n = c.sock.send(c.out)
            except BlockingIOError:
                break
            except OSError as e:
                note("error", conn=c.label, call="send",
                     errno=errno.errorcode.get(e.errno, str(e.errno)))
                c.out = b""
                break
            c.out = c.out[n:]
        watch(c)

    def read(c):
        try:
            data = c.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except OSError as e:
            note("error", conn=c.label, errno=errno.errorcode.get(e.errno, str(e.errno)))
            forget(c)
            c.eof = True
            return
        note("recv", conn=c.label, bytes=len(data))
        lst = c.listener
        if not data:
            c.eof = True
            watch(c)
            if lst and lst.get("reply") and not c.closed:
                close(c)  # a serving application closes when its client has closed
            return
        if lst and lst.get("reply"):
            c.out += b"\0" * lst["reply"]
            note("send", conn=c.label, bytes=lst["reply"])
            flush(c)
            if lst.get("close_after_reply"):
                close(c)

    def accept(lsock, lst):
        try:
            s, addr = lsock.accept()
        except BlockingIOError:
            note("accept-empty", port=lst["port"])
            return
        s.setblocking(False)
        if nodelay["on"]:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c = Conn(s, f"{addr[0]}:{addr[1]}", lst)
        held.append(c)
        note("accept", conn=c.label, cc=congestion(s))
        watch(c)

    listeners = []

    def failed(call, e):
        note("error", call=call, errno=errno.errorcode.get(e.errno, str(e.errno)))

    def open_listener(lst):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if lst.get("reuseaddr"):
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        prepare(ls)  # accepted connections inherit congestion control and keepalive
        try:
            ls.bind((spec["addr"], lst["port"]))
        except OSError as e:
            ls.close()
            return failed("bind", e)
        ls.listen(lst["backlog"])
        ls.setblocking(False)
        listeners.append((ls, lst))
        if lst["accept"] == "auto":
            sel.register(ls, selectors.EVENT_READ, ("listener", lst))
        if t0 is not None:
            note("listen", port=lst["port"])

    def close_listener(port):
        for ls, lst in listeners:
            if lst["port"] == port:
                listeners.remove((ls, lst))
                try:
                    sel.unregister(ls)
                except (KeyError, ValueError):
                    pass
                ls.close()
                return note("close-listener", port=port)
        note("error", call="close-listener", errno="EBADF")

    for lst in spec["listen"]:
        open_listener(lst)

    print("ready", flush=True)
    t0 = float(sys.stdin.readline())
    note("start")
    actions = sorted(spec["actions"], key=lambda a: a["t"])  # stable: same time keeps order
    i = 0
    end = t0 + spec["end"]
    while True:
        now = time.time()
        while i < len(actions) and t0 + actions[i]["t"] <= now:
            a = actions[i]
            i += 1
            verb = a["verb"]
            target = held[-1] if held else None
            if verb == "connect":
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                prepare(s)
                if a.get("reuseaddr"):
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if a.get("sport"):
                    try:
                        s.bind((spec["addr"], a["sport"]))
                    except OSError as e:
                        s.close()
                        failed("bind", e)
                        continue
                err = s.connect_ex((a["addr"], a["port"]))
                if err not in (0, errno.EINPROGRESS):
                    s.close()
                    note("error", call="connect", errno=errno.errorcode.get(err, str(err)))
                    continue
                c = Conn(s, f"connect#{a['n']}")
                c.connecting = True
                held.append(c)
                note("connect", conn=c.label, late_us=int((now - t0 - a["t"]) * 1e6),
                     rc=errno.errorcode.get(err, err))
                watch(c)
            elif verb == "listen":
                open_listener(a["listen"])
            elif verb == "close-listener":
                close_listener(a["port"])
            elif verb == "accept":
                for ls, lst in listeners:
                    accept(ls, lst)
                    break
            elif target is None:
                note("no-connection", verb=verb)
            elif verb == "send":
                target.out += b"\0" * a["bytes"]
                note("send", conn=target.label, bytes=a["bytes"])
                flush(target)
            elif verb == "recv":
                read(target)
            elif verb == "close":
                close(target)
            elif verb == "abort":
                close(target, "abort")
            elif verb == "shutdown-write":
                target.sock.shutdown(socket.SHUT_WR)
                note("shutdown-write", conn=target.label)
            elif verb == "keepalive":
                keepalive_on = a["on"]
                for c in held:
                    set_keepalive(c.sock, a["on"])
            elif verb == "nodelay":
                nodelay["on"] = a["on"]
                for c in held:
                    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1 if a["on"] else 0)
                note("nodelay", on=a["on"])
            else:
                note("unknown-action", verb=verb)
        if now >= end:
            note("end")
            return
        # A connection that has read its EOF no longer waits to read, yet the kernel may still
        # record an error on it (an RST in CLOSE-WAIT: EPIPE). Its application would see it
        # on its next call; the actor looks every 10 ms, so the log says when it came.
        for c in held:
            if c.eof and not c.closed:
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    note("error", conn=c.label, errno=errno.errorcode.get(err, str(err)))
        nxt = t0 + actions[i]["t"] if i < len(actions) else end
        if any(c.eof and not c.closed for c in held):
            nxt = min(nxt, time.time() + 0.01)
        timeout = max(0.0, min(nxt, end) - time.time())
        for key, mask in sel.select(timeout):
            if isinstance(key.data, tuple):
                accept(key.fileobj, key.data[1])
                continue
            c = key.data
            if c.closed:
                continue
            if c.connecting and mask & (selectors.EVENT_WRITE | selectors.EVENT_READ):
                c.connecting = False
                err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    note("error", conn=c.label, errno=errno.errorcode.get(err, str(err)))
                    forget(c)
                    continue
                note("connected", conn=c.label, local=c.sock.getsockname()[1],
                     cc=congestion(c.sock))
                watch(c)
                continue
            if mask & selectors.EVENT_READ:
                read(c)
            if mask & selectors.EVENT_WRITE and not c.closed:
                flush(c)


if __name__ == "__main__":
    main()
