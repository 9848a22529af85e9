#!/usr/bin/python3
# 16 clients at once for a bounded time, half through the API (python3-varlink,
# one connection each), half the CLI without the daemon (same store, side by
# side), each creating+preparing a port and deleting it again, round-robin
# over three shared networks: a bridge network, a macvtap vepa pool of three
# lower devices and a passthrough pool of two (exclusive: a device is never
# handed out twice). After every create on the passthrough pool the client
# reads that network's ports and its devices' macvtaps and checks that no
# device is held twice. Afterwards: no port left, no tap or macvtap left,
# every pool device with 0 connections, creates = deletes.
#   load.py SOCKET NETNS VPORT SECONDS
# Prints PASS/FAIL lines and "load: N ops in S s (R ops/s)".
import json
import subprocess
import sys
import threading
import time

import varlink

SOCK, NS, VPORT, SECONDS = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
ADDR = "unix:" + SOCK
NETS = ["ld-br", "ld-vepa", "ld-pt"]
CLIENTS = 16


def check(what, cond, detail=""):
    print(("PASS: " if cond else "FAIL: ") + what + ("" if cond else " (%s)" % detail), flush=True)
    return cond


def links():
    out = subprocess.run(["ip", "-n", NS, "-j", "-d", "link", "show"], capture_output=True, text=True).stdout
    return json.loads(out or "[]")


lock = threading.Lock()
stats = {"ops": 0, "created": 0, "deleted": 0, "busy": 0}
errors = []
double = []


def note_error(what):
    with lock:
        if len(errors) < 20:
            errors.append(what)


def check_exclusive(list_ports, who):
    """Every live port of ld-pt holds its own device, in the store and the kernel."""
    ports = list_ports()
    devs = [p.get("device") for p in ports if p.get("device")]
    lowers = {}
    for l in links():
        if l.get("linkinfo", {}).get("info_kind") == "macvtap" and l.get("link") in ("ldpt0", "ldpt1"):
            lowers[l["link"]] = lowers.get(l["link"], 0) + 1
    if len(devs) != len(set(devs)) or any(n > 1 for n in lowers.values()):
        with lock:
            double.append((who, devs, lowers))


class ApiClient:
    def __init__(self, i):
        self.client = varlink.Client(address=ADDR)
        self.c = self.client.open("io.vport")
        self.owner = "api%d" % i

    def create(self, net):
        try:
            return self.c.PortCreate(network=net, owner=self.owner, prepare=True)["port"]
        except varlink.VarlinkError as e:
            if e.error() == "io.vport.NoFreeDevice":
                return None
            raise RuntimeError("%s %s" % (e.error(), e.parameters()))

    def delete(self, u):
        self.c.PortDelete(uuid=u)

    def list(self, net):
        return self.c.PortList(network=net)["ports"]

    def close(self):
        self.c.close()
        self.client.cleanup()


class CliClient:
    def __init__(self, i):
        self.owner = "cli%d" % i

    def run(self, *args):
        return subprocess.run(["ip", "netns", "exec", NS, VPORT, "--json"] + list(args), capture_output=True,
                              text=True)

    def create(self, net):
        r = self.run("port-create", net, "--owner", self.owner, "--prepare")
        if r.returncode != 0:
            if '"code":"ENOSPC"' in r.stderr.replace(" ", ""):
                return None
            raise RuntimeError("port-create %s: %s" % (net, r.stderr.strip()))
        return json.loads(r.stdout)

    def delete(self, u):
        r = self.run("port-delete", u)
        if r.returncode != 0:
            raise RuntimeError("port-delete %s: %s" % (u, r.stderr.strip()))

    def list(self, net):
        return json.loads(self.run("port-list", net).stdout or "[]")

    def close(self):
        pass


def worker(i, deadline):
    cl = ApiClient(i) if i % 2 == 0 else CliClient(i)
    n = i
    try:
        while time.monotonic() < deadline:
            net = NETS[n % len(NETS)]
            n += 1
            p = cl.create(net)
            if p is None:
                with lock:
                    stats["busy"] += 1
                continue
            with lock:
                stats["created"] += 1
                stats["ops"] += 1
            if net == "ld-pt":
                check_exclusive(lambda: cl.list("ld-pt"), cl.owner)
            cl.delete(p["uuid"])
            with lock:
                stats["deleted"] += 1
                stats["ops"] += 1
    except Exception as e:  # one failure ends this client; the test fails
        note_error("%s: %s" % (cl.owner, e))
    finally:
        cl.close()


start = time.monotonic()
deadline = start + SECONDS
threads = [threading.Thread(target=worker, args=(i, deadline)) for i in range(CLIENTS)]
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.monotonic() - start

check("no client failed", not errors, errors)
check("no passthrough device handed out twice (checked after each of its creates)", not double, double[:3])
check("creates = deletes (%d)" % stats["created"], stats["created"] == stats["deleted"], stats)
check("every client got work done", stats["created"] >= CLIENTS, stats)
with varlink.Client(address=ADDR).open("io.vport") as c:
    left = c.PortList()["ports"]
    check("no port left", left == [], [p["uuid"] for p in left])
    for net in ("ld-vepa", "ld-pt"):
        devs = c.NetworkGet(net)["network"].get("devices", [])
        check("%s: every device with 0 connections" % net, devs and all(d["connections"] == 0 for d in devs), devs)
    nets = {n["name"]: n["ports"] for n in c.NetworkList()["networks"]}
    check("every network counts 0 ports", all(nets[n] == 0 for n in NETS), nets)
leaked = [l["ifname"] for l in links() if l.get("linkinfo", {}).get("info_kind") in ("tun", "macvtap")]
check("no tap or macvtap left", leaked == [], leaked)
print("load: %d ops (%d create+prepare, %d delete; %d refused: pool full) by %d clients in %.1f s: %.0f ops/s"
      % (stats["ops"], stats["created"], stats["deleted"], stats["busy"], CLIENTS, elapsed, stats["ops"] / elapsed),
      flush=True)
