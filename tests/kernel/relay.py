#!/usr/bin/env python3
"""The link between the two namespaces of one kernel-oracle scenario.

    python3 relay.py SPEC.json

SPEC names the network namespaces (two or three) and the host that lives in each with its
address, each pair's one-way delay, and the scenario's `drop` rules. The relay opens a TUN device named `tpg0` inside each
namespace (setns(2) through ctypes: Python 3.11 has no os.setns), prints `ready` on stdout,
and then forwards every IP packet that one host's kernel transmits to the other host's
kernel `delay` later. A TCP segment that matches a drop rule is not forwarded.

Why a relay and not veth + `tc qdisc netem`: see README.md in this directory (the kernel it
was written on has no sch_netem, and the relay also gives exact `nth` counting).

The packet capture runs on `tpg0` in each namespace, so a host's capture shows a segment as
that host's kernel transmits it, before the relay reads it: a dropped segment is still in
its sender's capture, as in the model's trace, where a lost segment counts as sent.

With SPEC["flood"], the relay also plays the scenario's attacker, which has no namespace:
once the harness writes the start time T0 on stdin, it writes each of the model's spoofed SYNs
(SPEC["flood"]["syns"]: time, source address and port, destination port, seq, window) into
the target's TUN at T0 + its time + the attacker's link delay, as a packet from that source.
The target's answers to spoofed sources (it routes 198.18.0.0/15 to tpg0) go no further: a
silent source (198.19.0.0/16) never answers; a live one (198.18.0.0/16) answers what it
receives with an RST, as a closed port does (RFC 9293 §3.10.7.1), one link delay each way later.

Each forwarded or dropped TCP segment is logged as one JSON line to SPEC["log"].
"""

import ctypes
import fcntl
import heapq
import json
import os
import selectors
import signal
import socket
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000

# The model's flag names and their bits; ECE and CWR are not compared (the model has no ECN).
FLAG_BITS = {"FIN": 0x01, "SYN": 0x02, "RST": 0x04, "PSH": 0x08, "ACK": 0x10, "URG": 0x20}
FLAG_ORDER = ["SYN", "ACK", "FIN", "RST", "PSH", "URG"]


def flag_names(bits):
    return ",".join(n for n in FLAG_ORDER if bits & FLAG_BITS[n])


def open_tun_in(netns):
    """Creates TUN device tpg0 inside the named network namespace and returns its fd."""
    libc = ctypes.CDLL(None, use_errno=True)
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {netns}")
        try:
            fd = os.open("/dev/net/tun", os.O_RDWR)
            fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"tpg0", IFF_TUN | IFF_NO_PI))
        finally:
            if libc.setns(home, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns back home")
    finally:
        os.close(home)
        os.close(target)
    os.set_blocking(fd, False)
    return fd


def tcp_fields(pkt):
    """(flag bits, payload length, src port, dst port, seq) of an IPv4 TCP packet, or None."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return None
    ihl = (pkt[0] & 15) * 4
    total = struct.unpack_from("!H", pkt, 2)[0]
    if len(pkt) < ihl + 20:
        return None
    sport, dport, seq = struct.unpack_from("!HHI", pkt, ihl)
    doff = (pkt[ihl + 12] >> 4) * 4
    return pkt[ihl + 13] & 0x3F, total - ihl - doff, sport, dport, seq


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4_tcp(src, dst, sport, dport, seq, ack, bits, window, options=b""):
    """One IPv4 packet carrying a TCP segment without payload, checksums filled in."""
    src_b, dst_b = socket.inet_aton(src), socket.inet_aton(dst)
    doff = (20 + len(options)) // 4
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, bits, window, 0, 0)
    tcp += options
    pseudo = src_b + dst_b + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", checksum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src_b, dst_b)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + tcp


def spoofed_syn(flood, syn):
    _, src, sport, dport, seq, window = syn
    mss = struct.pack("!BBH", 2, 4, 1460)
    return ipv4_tcp(src, flood["address"], sport, dport, seq, 0, FLAG_BITS["SYN"], window, mss)


def reset_for(pkt):
    """The RST a closed port sends for this packet (RFC 9293 §3.10.7.1), or None for an RST."""
    ihl = (pkt[0] & 15) * 4
    src, dst = socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
    sport, dport, seq, ack = struct.unpack_from("!HHII", pkt, ihl)
    bits = pkt[ihl + 13]
    if bits & FLAG_BITS["RST"]:
        return None
    if bits & FLAG_BITS["ACK"]:
        return ipv4_tcp(dst, src, dport, sport, ack, 0, FLAG_BITS["RST"], 0)
    total = struct.unpack_from("!H", pkt, 2)[0]
    doff = (pkt[ihl + 12] >> 4) * 4
    length = total - ihl - doff + (1 if bits & FLAG_BITS["SYN"] else 0) + (1 if bits & 1 else 0)
    return ipv4_tcp(dst, src, dport, sport, 0, (seq + length) & 0xFFFFFFFF,
                    FLAG_BITS["RST"] | FLAG_BITS["ACK"], 0)


def die_with_parent():
    """SIGKILL when the harness goes away, so a crashed run leaves no relay behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def main():
    spec = json.load(open(sys.argv[1]))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    die_with_parent()
    # A modest real-time priority keeps a busy machine (other scenarios, builds) from delaying
    # this process's few, short wake-ups; it sleeps in select() the rest of the time.
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
    except (OSError, AttributeError):
        pass
    deadline = time.monotonic() + spec["max_seconds"]
    hosts = spec["hosts"]  # [[name, netns, address], ...]
    fds = {name: open_tun_in(ns) for name, ns, _ in hosts}
    by_address = {addr: name for name, _, addr in hosts}
    # One-way delay per (from, to): each link is the same both ways.
    delays = {}
    for a, b, us in spec["links"]:
        delays[(a, b)] = delays[(b, a)] = us / 1e6
    rules = []
    for r in spec["drops"]:
        bits = None
        if r.get("flags") is not None:
            bits = 0
            for f in r["flags"]:
                bits |= FLAG_BITS[f]
        rules.append({**r, "bits": bits, "count": 0})
    log = open(spec["log"], "w", buffering=1)
    start = time.time()

    def note(src, dst, fields, action):
        """One JSON line of the log: a TCP segment and what the relay did with it."""
        bits, length, sport, dport, seq = fields
        log.write(json.dumps({
            "t": round(time.time() - start, 6), "src": src, "dst": dst,
            "flags": flag_names(bits), "len": length, "sport": sport, "dport": dport,
            "seq": seq, "action": action,
        }) + "\n")

    flood = spec.get("flood") or None
    sel = selectors.DefaultSelector()
    for name, fd in fds.items():
        sel.register(fd, selectors.EVENT_READ, name)
    if flood:
        os.set_blocking(sys.stdin.fileno(), False)
        sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "start")
    print("ready", flush=True)
    buffered = b""

    pending = []  # (due, counter, destination fd, packet)
    counter = 0
    while True:
        if time.monotonic() > deadline:
            return  # a guard: the harness stops the relay long before this
        timeout = 1.0
        if pending:
            timeout = min(timeout, max(0.0, pending[0][0] - time.monotonic()))
        for key, _ in sel.select(timeout):
            src = key.data
            if src == "start":  # T0 on the monotonic clock: the flood's SYNs are due from it
                buffered += os.read(key.fd, 4096)
                if b"\n" not in buffered:
                    continue
                sel.unregister(key.fd)
                t0 = float(buffered.split(b"\n")[0]) - time.time() + time.monotonic()
                for syn in flood["syns"]:
                    counter += 1
                    due = t0 + (syn[0] + flood["delay_us"]) / 1e6
                    heapq.heappush(pending, (due, counter, fds[flood["target"]],
                                             spoofed_syn(flood, syn)))
                continue
            while True:
                try:
                    pkt = os.read(key.fd, 65536)
                except BlockingIOError:
                    break
                now = time.monotonic()
                fields = tcp_fields(pkt)
                to = socket.inet_ntoa(pkt[16:20]) if len(pkt) >= 20 else ""
                dst = by_address.get(to)
                if flood and fields and to.startswith(("198.18.", "198.19.")):
                    note(src, to, fields, "to a spoofed source")
                    rst = reset_for(pkt) if to.startswith("198.18.") else None
                    if rst is not None:
                        counter += 1
                        heapq.heappush(pending, (now + 2 * flood["delay_us"] / 1e6, counter,
                                                 key.fd, rst))
                    continue
                if dst is None or (src, dst) not in delays:
                    continue  # no link there: nothing on a scenario's link goes nowhere else
                dropped_by = None
                if fields is not None:
                    bits, length = fields[0], fields[1]
                    for i, r in enumerate(rules):
                        if r["src"] != src or r["dst"] != dst:
                            continue
                        if r["bits"] is not None and bits != r["bits"]:
                            continue
                        if r.get("len") is not None and length != r["len"]:
                            continue
                        r["count"] += 1  # nth counts only the segments that match this rule
                        if r.get("nth") is None or r["count"] == r["nth"]:
                            dropped_by = dropped_by if dropped_by is not None else i
                    note(src, dst, fields,
                         "forward" if dropped_by is None else f"drop rule {dropped_by + 1}")
                if dropped_by is None:
                    counter += 1
                    heapq.heappush(pending, (now + delays[(src, dst)], counter, fds[dst], pkt))
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, fd, pkt = heapq.heappop(pending)
            try:
                os.write(fd, pkt)
            except OSError:
                pass  # the device is down (the run is ending): the packet is lost


if __name__ == "__main__":
    main()
