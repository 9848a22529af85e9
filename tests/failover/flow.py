#!/usr/bin/python3
"""A UDP flow with sequence numbers, for counting lost packets.

  flow.py echo PORT                       answer every datagram (runs until killed)
  flow.py send ADDR PORT INTERVAL_MS STOPFILE
        send one datagram every INTERVAL_MS until STOPFILE exists, wait 1 s
        for late answers, print "sent N received M lost L maxgap_ms G"
        (maxgap: the longest time between two answers, the loss window)
"""
import os
import socket
import sys
import time


def echo(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(data, peer)


def send(addr, port, interval_ms, stopfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    seen = set()
    sent = 0
    last_rx = None
    maxgap = 0.0
    step = interval_ms / 1000.0
    nxt = time.monotonic()
    deadline = None
    while True:
        now = time.monotonic()
        if deadline is None and os.path.exists(stopfile):
            deadline = now + 1.0
        if deadline is not None and now >= deadline:
            break
        if deadline is None and now >= nxt:
            s.sendto(sent.to_bytes(8, "big"), (addr, port))
            sent += 1
            nxt += step
        try:
            while True:
                data = s.recv(64)
                seq = int.from_bytes(data[:8], "big")
                if seq not in seen:
                    seen.add(seq)
                    t = time.monotonic()
                    if last_rx is not None:
                        maxgap = max(maxgap, t - last_rx)
                    last_rx = t
        except BlockingIOError:
            pass
        time.sleep(min(step, 0.001))
    print("sent %d received %d lost %d maxgap_ms %.1f" % (sent, len(seen), sent - len(seen), maxgap * 1000))


if __name__ == "__main__":
    if sys.argv[1] == "echo":
        echo(int(sys.argv[2]))
    else:
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
