#!/usr/bin/python3
"""A UDP flow with sequence numbers, for counting lost packets.

  flow.py echo PORT [READYFILE]           answer every datagram (runs until killed);
                                          READYFILE is made once the port is bound
  flow.py send ADDR PORT INTERVAL_MS STOPFILE
        send one datagram every INTERVAL_MS until STOPFILE exists, then a
        marker (again every 100 ms until one is answered): the echo answers
        in order, so once a marker's answer is read every answer still due
        has been read (no time limit decides what is late), print
        "sent N received M lost L maxgap_ms G lost_at_ms A-B,..."
        (maxgap: the longest time between two answers, the loss window;
        lost_at_ms: when the unanswered datagrams were sent, in ms since the
        first, "-" for none)

Both ends take receive buffers far above the default (SO_RCVBUFFORCE, as
root): on a loaded machine either Python process may not run for a while,
and the datagrams of that while must wait in its socket, not be dropped
there - a loss has to be the data path's, never the counter's.
"""
import os
import socket
import sys
import time


RCVBUF = 16 << 20  # 16 MiB: tens of seconds of the flow
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)  # linux/socket.h; not in every Python
MARKER = 1 << 63  # a sequence number with this bit: a marker after the flow
MARKER_EVERY_S = 0.1  # a lost marker (the path may be down) is sent again
SAFETY_NET_S = 60.0  # only if no marker is ever answered (the echo is gone)


def big_buffers(s):
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RCVBUF)
    except PermissionError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)


def echo(port, readyfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    big_buffers(s)
    s.bind(("0.0.0.0", port))
    if readyfile:
        open(readyfile, "w").close()
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def send(addr, port, interval_ms, stopfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    big_buffers(s)
    s.setblocking(False)
    seen = set()
    sent_at = []
    sent = 0
    last_rx = None
    maxgap = 0.0
    step = interval_ms / 1000.0
    nxt = time.monotonic()
    deadline = None
    marker_due = None
    marked = False
    while not marked:
        now = time.monotonic()
        if deadline is None and os.path.exists(stopfile):
            deadline = now + SAFETY_NET_S
            marker_due = now
        if deadline is not None and now >= deadline:
            break
        if marker_due is not None and now >= marker_due:
            s.sendto((MARKER | sent).to_bytes(8, "big"), (addr, port))
            marker_due = now + MARKER_EVERY_S
        if deadline is None and now >= nxt:
            s.sendto(sent.to_bytes(8, "big"), (addr, port))
            sent_at.append(now)
            sent += 1
            nxt += step
        try:
            while True:
                data = s.recv(64)
                seq = int.from_bytes(data[:8], "big")
                if seq & MARKER:
                    marked = True
                    break
                if seq not in seen:
                    seen.add(seq)
                    t = time.monotonic()
                    if last_rx is not None:
                        maxgap = max(maxgap, t - last_rx)
                    last_rx = t
        except BlockingIOError:
            pass
        time.sleep(min(step, 0.001))
    print("sent %d received %d lost %d maxgap_ms %.1f lost_at_ms %s"
          % (sent, len(seen), sent - len(seen), maxgap * 1000, ranges(sent_at, seen)))


def ranges(sent_at, seen):
    """The send times of the unanswered datagrams, as ms ranges."""
    out, run = [], None
    for seq, t in enumerate(sent_at):
        if seq in seen:
            run = None
            continue
        ms = round((t - sent_at[0]) * 1000)
        if run is None:
            run = [ms, ms]
            out.append(run)
        run[1] = ms
    return ",".join("%d-%d" % (a, b) for a, b in out) or "-"


if __name__ == "__main__":
    if sys.argv[1] == "echo":
        echo(int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
