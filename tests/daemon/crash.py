#!/usr/bin/python3
# The daemon killed at every change point of a port's full lifecycle: for
# each plug type (a tap on a bridge network with macTableManager='libvirt',
# a macvtap on a vepa network) and k = 1, 2, ...: vportd runs with
# VPORT_FAULT=change:K=crash-after (it _exits 99 right after its k-th
# mutating kernel call or store commit), a client drives create+prepare,
# activate, deactivate and delete through the API until the daemon dies.
# (A bridge crbr0 with a veth crb0/crb1 on it and a veth crl0/crl1 are
# made in NETNS and removed.)
# vportd is started again (without faults): its reconcile at start must
# leave a store that agrees with the kernel (Reconcile reports no drift,
# every port in a known state), and deleting what is left must give the
# kernel exactly as it was before the port existed: `ip -j -d link` and
# `bridge -j fdb show`, whole, normalised as tests/netns/lifecycle/
# 07-crash-sweep.sh does (operstate, qdisc and *_timer fields dropped,
# entries the bridge learned on its own port left out).
# Ends when the lifecycle completes without reaching k.
#   crash.py SOCKET NETNS VPORTD
import json
import os
import socket
import subprocess
import sys
import time

import varlink

SOCK, NS, VPORTD = sys.argv[1], sys.argv[2], sys.argv[3]
ADDR = "unix:" + SOCK
MAC = "52:54:00:c7:00:01"
LINKS_JQ = ('del(.[].operstate, .[].qdisc) | walk(if type == "object" then with_entries(select(.key | '
            'endswith("_timer") | not)) else . end)')
# entries learned on crb0 (the bridge's own port, as 07's eth2) come and go by themselves
FDB_JQ = 'map(select(.ifname != "crb0" or .state != "")) | sort_by(.ifname, .mac, (.vlan // 0))'


def check(what, cond, detail=""):
    print(("PASS: " if cond else "FAIL: ") + what + ("" if cond else " (%s)" % detail), flush=True)
    return cond


def jq(filt, text):
    return subprocess.run(["jq", "-cS", filt], input=text, capture_output=True, text=True, check=True).stdout


def kernel_state():
    links = subprocess.run(["ip", "-n", NS, "-j", "-d", "link", "show"], capture_output=True, text=True).stdout
    fdb = subprocess.run(["bridge", "-n", NS, "-j", "fdb", "show"], capture_output=True, text=True).stdout
    return jq(LINKS_JQ, links) + jq(FDB_JQ, fdb)


def diff(a, b):
    """What differs, by link name / FDB entry and field."""
    la, lb = [json.loads(x) for x in a.splitlines()], [json.loads(x) for x in b.splitlines()]
    out = []
    ba, bb = {l["ifname"]: l for l in la[0]}, {l["ifname"]: l for l in lb[0]}
    for n in sorted(set(ba) | set(bb)):
        if n not in ba or n not in bb:
            out.append("%s %s" % ("+" if n in bb else "-", n))
            continue
        for k in sorted(set(ba[n]) | set(bb[n])):
            if ba[n].get(k) != bb[n].get(k):
                out.append("%s.%s: %s -> %s" % (n, k, ba[n].get(k), bb[n].get(k)))
    fa, fb = {json.dumps(e, sort_keys=True) for e in la[1]}, {json.dumps(e, sort_keys=True) for e in lb[1]}
    out += ["fdb -" + e for e in fa - fb] + ["fdb +" + e for e in fb - fa]
    return "; ".join(out)[:1500]


class Daemon:
    def __init__(self, fault=None):
        env = dict(os.environ)
        env.pop("VPORT_FAULT", None)
        if fault:
            env["VPORT_FAULT"] = fault
        if os.path.exists(SOCK):
            os.unlink(SOCK)  # a killed daemon's: nobody must reach it
        self.p = subprocess.Popen(["ip", "netns", "exec", NS, VPORTD, "--socket", SOCK], env=env,
                                  stderr=subprocess.PIPE, text=True)
        for _ in range(500):  # until it listens (or died at start)
            if self.p.poll() is not None:
                return
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(SOCK)
                s.close()
                return
            except OSError:
                time.sleep(0.01)

    def wait(self):
        _, self.err = self.p.communicate()
        return self.p.returncode

    def stop(self):
        self.p.terminate()
        return self.wait()


def lifecycle(net):
    """The whole lifecycle through the API; False if the daemon went away."""
    try:
        with varlink.Client(address=ADDR).open("io.vport") as c:
            u = c.PortCreate(network=net, owner="cvm", mac=MAC, prepare=True)["port"]["uuid"]
            c.PortActivate(uuid=u)
            c.PortDeactivate(uuid=u)
            c.PortDelete(uuid=u)
        return True
    except (OSError, varlink.VarlinkError, varlink.ConnectionError, StopIteration, ValueError):
        return False


def sweep(net):
    base = kernel_state()
    bad = 0
    for k in range(1, 200):
        d = Daemon("change:%d=crash-after" % k)
        if lifecycle(net):
            rc = d.stop()
            check("%s: the lifecycle completes with no change point %d (%d points swept)" % (net, k, k - 1),
                  rc == 0 and k > 1, (rc, d.err))
            check("%s: the lifecycle leaves the kernel as it found it" % net, kernel_state() == base,
                  diff(base, kernel_state()))
            return bad
        rc = d.wait()
        what = "%s, daemon killed after change %d" % (net, k)
        ok = rc == 99 or not check(what + ": exit 99", False, (rc, d.err[-300:]))
        d = Daemon()  # reconcile at start
        with varlink.Client(address=ADDR).open("io.vport") as c:
            r = c.Reconcile()["result"]
            ports = c.PortList()["ports"]
            # A deactivate killed between taking the FDB entry away and
            # committing is an active port without its entry: the drift
            # report says so, and the VM manager's next deactivate or
            # delete finishes it (activate/deactivate are not journaled).
            active = {p["uuid"] for p in ports if p["state"] == "active"}
            drift = [d for d in r["drift"] if not (d["kind"] == "fdb-missing" and d.get("port") in active)]
            ok &= drift == [] or check(what + ": the store agrees with the kernel after restart", False, r)
            ok &= all(p["state"] in ("allocated", "prepared", "active") for p in ports) or \
                check(what + ": ports in known states", False, ports)
            if ports:
                c.PortDelete(owner="cvm")
            ok &= c.PortList()["ports"] == [] or check(what + ": no port left", False, c.PortList())
        rc = d.stop()
        now = kernel_state()
        ok &= now == base or check(what + ": the kernel as before the port existed", False, diff(base, now))
        ok &= rc == 0 or check(what + ": the restarted daemon exits 0", False, (rc, d.err))
        bad += not ok
    check("%s: the sweep ended" % net, False, "no end after 200 change points")
    return bad


def ip(*args):
    subprocess.run(["ip", "-n", NS] + list(args), check=True)


def setup():
    # a bridge of our own with a fixed address: an unset one follows its ports'
    ip("link", "add", "crbr0", "address", "02:00:00:c7:00:fe", "type", "bridge")
    ip("link", "set", "crbr0", "up")
    # and a port of its own that is always there, as a bridge to the wire
    # has: a bridge's first port changes it (tso_max_size, carrier and the
    # IPv6 multicast entries that come with it), whoever adds it
    ip("link", "add", "crb0", "master", "crbr0", "type", "veth", "peer", "name", "crb1")
    ip("link", "set", "crb0", "up")
    ip("link", "set", "crb1", "up")
    ip("link", "add", "crl0", "type", "veth", "peer", "name", "crl1")
    ip("link", "set", "crl0", "up")
    d = Daemon()
    with varlink.Client(address=ADDR).open("io.vport") as c:
        c.NetworkDefine("<network><name>cr-br</name><forward mode='bridge'/>"
                        "<bridge name='crbr0' macTableManager='libvirt'/></network>")
        c.NetworkStart("cr-br")
        c.NetworkDefine("<network><name>cr-vepa</name><forward mode='vepa'><interface dev='crl0'/></forward></network>")
        c.NetworkStart("cr-vepa")
    d.stop()


def teardown():
    d = Daemon()
    with varlink.Client(address=ADDR).open("io.vport") as c:
        for n in ("cr-br", "cr-vepa"):
            c.NetworkDestroy(n)
            c.NetworkUndefine(n)
    d.stop()
    ip("link", "del", "crb0")
    ip("link", "del", "crbr0")
    ip("link", "del", "crl0")


setup()
for net in ("cr-br", "cr-vepa"):
    bad = sweep(net)
    check("%s: after every kill: reconcile at restart, a consistent store, the kernel as before" % net, bad == 0,
          "%d change points failed" % bad)
teardown()
