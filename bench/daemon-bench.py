#!/usr/bin/python3
# The timing half of daemon-bench.sh (run by it, inside its namespace):
#   daemon-bench.py SOCKET VPORT NET LIBVIRT_NET N NLIVE
# Medians over N rounds of one port create+delete on the same bridge
# network through vportd's API (a raw varlink socket: one connection,
# NUL-terminated JSON, as any client), through the CLI (one vport process
# per step, without the daemon) and through libvirt (virsh
# net-port-create / net-port-delete, one process per step, as the issue
# measured it); then NLIVE allocated ports: PortList, a Reconcile with
# nothing to do, and the daemon's RSS.
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

SOCK, VPORT, NET, LVNET, N, NLIVE = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])


class Api:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(SOCK)
        self.buf = b""

    def raw(self, method, **params):
        self.s.sendall(json.dumps({"method": "io.vport." + method, "parameters": params}).encode() + b"\0")
        while b"\0" not in self.buf:
            self.buf += self.s.recv(1 << 20)
        msg, self.buf = self.buf.split(b"\0", 1)
        return msg

    def call(self, method, **params):
        r = json.loads(self.raw(method, **params))
        if "error" in r:
            raise RuntimeError("%s: %s" % (method, r))
        return r["parameters"]


def median_ms(f, n=N):
    t = []
    for i in range(n):
        a = time.perf_counter()
        f(i)
        t.append((time.perf_counter() - a) * 1000)
    return statistics.median(t)


api = Api()


def api_round(i):
    u = api.call("PortCreate", network=NET, owner="bench")["port"]["uuid"]
    api.call("PortDelete", uuid=u)


def api_prepared_round(i):  # the tap made and deleted: the link watch sees both
    u = api.call("PortCreate", network=NET, owner="bench", prepare=True)["port"]["uuid"]
    api.call("PortDelete", uuid=u)


def cli_round(i):
    out = subprocess.run([VPORT, "--json", "port-create", NET, "--owner", "bench"], capture_output=True, text=True,
                         check=True).stdout
    subprocess.run([VPORT, "port-delete", json.loads(out)["uuid"]], capture_output=True, check=True)


LVXML = tempfile.mktemp(suffix=".xml")


def lv_round(i):
    u = str(uuid.uuid4())  # libvirt wants the port's UUID in the XML
    with open(LVXML, "w") as f:
        f.write("<networkport><uuid>%s</uuid><owner><name>bench</name>"
                "<uuid>c7a5fdbd-edaf-9455-926a-d65c16db1809</uuid></owner>"
                "<mac address='52:54:00:be:00:01'/></networkport>" % u)
    subprocess.run(["virsh", "-q", "-c", "network:///system", "net-port-create", LVNET, LVXML],
                   capture_output=True, text=True, check=True)
    subprocess.run(["virsh", "-q", "-c", "network:///system", "net-port-delete", LVNET, u], capture_output=True,
                   check=True)


# interleaved rounds: the three see the same machine load
for f in (api_round, cli_round, lv_round) if N else ():
    f(0)  # warm-up
t = {"api": [], "cli": [], "libvirt": []}
for i in range(N):
    for k, f in (("api", api_round), ("cli", cli_round), ("libvirt", lv_round)):
        a = time.perf_counter()
        f(i)
        t[k].append((time.perf_counter() - a) * 1000)
m = {k: statistics.median(v) for k, v in t.items()} if N else None
N and print("create+delete, median of %d: API %.3f ms, CLI %.2f ms, libvirt (virsh) %.2f ms" % (N, m["api"], m["cli"], m["libvirt"]))
N and print("  with prepare (a tap made and deleted) through the API: %.2f ms" % median_ms(api_prepared_round, 21))
N and print("  libvirt/API %.1fx (target >= 20x), libvirt/CLI %.1fx" % (m["libvirt"] / m["api"], m["libvirt"] / m["cli"]))

if not NLIVE:
    sys.exit(0)
# NLIVE live ports
a = time.perf_counter()
for i in range(NLIVE):
    api.call("PortCreate", network=NET, owner="live%d" % (i // 8))
fill = time.perf_counter() - a
lst = median_ms(lambda i: api.call("PortList"), 9)
n_listed = len(api.call("PortList")["ports"])
lst_raw = median_ms(lambda i: api.raw("PortList"), 9)  # the daemon's part: reply received, not parsed
reply = api.raw("PortList")
rec = median_ms(lambda i: api.call("Reconcile"), 5)
r = api.call("Reconcile")["result"]
pid = int(subprocess.run(["pgrep", "-f", "vportd --socket " + SOCK], capture_output=True, text=True).stdout.split()[0])
rss = [l for l in open("/proc/%d/status" % pid) if l.startswith("VmRSS")][0].split()[1]
print("%d live ports (allocated; made in %.1f s, %.2f ms each): PortList %.1f ms (target < 50), "
      "Reconcile with nothing to do %.1f ms (target < 500; handled %d, drift %d), vportd RSS %.1f MiB"
      % (n_listed, fill, fill * 1000 / NLIVE, lst, rec, r["handled"], len(r["drift"]), int(rss) / 1024))
print("  create+prepare+delete through the API with %d live ports: %.2f ms" % (n_listed, median_ms(api_prepared_round, 21)))
print("  PortList: %.1f ms until the whole reply (%.1f MiB) is received, the rest is the client's JSON parse"
      % (lst_raw, len(reply) / 1048576))
