#!/usr/bin/python3
# vportd's own events, seen by a python3-varlink Monitor subscriber: a port
# whose tap or macvtap (or the lower device under it) is deleted behind the
# daemon's back is reported degraded (event, PortGet, PortList); a lower
# device going down is a device-down warning naming the port, and its
# return a device-up; a PF gaining or losing a VF (a fake sysfs tree under
# VPORT_SYSFS_ROOT, the VF's netdev a veth) changes its network's pool at
# once (pool-changed, and the new VF handed out without a restart).
#   events.py SOCKET NETNS CASE
# Prints "PASS: what" / "FAIL: what" lines (tests/daemon/run counts them).
import json
import os
import signal
import subprocess
import sys

import varlink

SOCK, NS, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
ADDR = "unix:" + SOCK


def check(what, cond, detail=""):
    print(("PASS: " if cond else "FAIL: ") + what + ("" if cond else " (%s)" % detail), flush=True)
    return cond


def ip(*args):
    subprocess.run(["ip", "-n", NS] + list(args), check=True)


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, _alarm)


class Monitor:
    """A Monitor subscription; wait(kind) returns the next event of that
    kind (others are kept in seen), or None after 10 s: no event is a
    failure, never a wait that passes by itself."""

    def __init__(self):
        self.client = varlink.Client(address=ADDR)
        self.conn = self.client.open("io.vport")
        self.stream = self.conn.Monitor(_more=True)
        first = next(self.stream)
        check("Monitor subscribed", first["event"]["kind"] == "subscribed", first)
        self.seen = []

    def wait(self, kind, pred=lambda e: True):
        signal.alarm(10)
        try:
            while True:
                e = next(self.stream)["event"]
                self.seen.append(e)
                if e["kind"] == kind and pred(e):
                    return e
        except Timeout:
            return None
        finally:
            signal.alarm(0)

    def close(self):
        self.conn.close()
        self.client.cleanup()


def conn():
    return varlink.Client(address=ADDR).open("io.vport")


def case_tap_gone():
    mon = Monitor()
    with conn() as c:
        c.NetworkDefine("<network><name>ev-br</name><forward mode='bridge'/><bridge name='br0'/></network>")
        c.NetworkStart("ev-br")
        p = c.PortCreate(network="ev-br", owner="evvm", prepare=True)["port"]
        other = c.PortCreate(network="ev-br", owner="evvm2", prepare=True)["port"]
        u, tap = p["uuid"], p["ifname"]
        check("PortGet of a sound port has no degraded", "degraded" not in c.PortGet(u)["port"])
        ip("link", "del", tap)
        e = mon.wait("port-degraded")
        check("tap deleted behind the daemon's back: port-degraded event", e is not None, mon.seen)
        if e:
            check("the event carries the port, naming the tap", e["object"]["uuid"] == u and tap in e["object"]["degraded"], e)
            check("the event has a sequence number", isinstance(e["seq"], int) and e["seq"] > 0, e)
        g = c.PortGet(u)["port"]
        check("PortGet shows it degraded", tap in g.get("degraded", ""), g)
        # the watch reads the ports as a listing does (no XML parse): the
        # event still shows the port as a full read does
        check("the event's port is the port PortGet shows", e is not None and e["object"] == g, (e, g))
        listed = {x["uuid"]: x for x in c.PortList(network="ev-br")["ports"]}
        check("PortList shows it degraded, the other port not",
              "degraded" in listed[u] and "degraded" not in listed[other["uuid"]], listed)
        out = subprocess.run(["ip", "netns", "exec", NS, os.environ["VPORT_BIN"], "--connect=" + SOCK, "port-list",
                              "ev-br"], capture_output=True, text=True)
        row = [l for l in out.stdout.splitlines() if u in l]
        check("vport --connect port-list shows it degraded, with a note naming the tap",
              row and " degraded " in row[0] and tap in out.stderr, (out.stdout, out.stderr))
        check("no port-degraded for the port left alone",
              all(x["object"]["uuid"] != other["uuid"] for x in mon.seen if x["kind"] == "port-degraded"), mon.seen)
        r = c.PortDelete(uuid=u)
        check("a degraded port can be deleted", r["port"]["deleted"] == 1, r)
        # the daemon's own delete of the other port is no degradation; a
        # third port's tap deleted afterwards is the marker: notifications
        # come in order, so its event comes after any for the other port
        c.PortDelete(uuid=other["uuid"])
        marker = c.PortCreate(network="ev-br", owner="evvm5", prepare=True)["port"]
        ip("link", "del", marker["ifname"])
        e = mon.wait("port-degraded", lambda e: e["object"]["uuid"] in (other["uuid"], marker["uuid"]))
        check("a port deleted through the daemon is not reported degraded",
              e is not None and e["object"]["uuid"] == marker["uuid"], mon.seen)
        c.PortDelete(uuid=marker["uuid"])
        c.NetworkDestroy("ev-br")
        c.NetworkUndefine("ev-br")
    mon.close()


def case_lower():
    ip("link", "add", "evlow0", "type", "veth", "peer", "name", "evlow1")
    ip("link", "set", "evlow0", "up")
    mon = Monitor()
    with conn() as c:
        err = None
        try:
            c.NetworkDefine("<network><name>ev-vepa</name><forward mode='vepa'><interface dev='evlow0'/></forward></network>")
        except varlink.VarlinkError as ex:
            err = ex
        if err is not None:
            print("SKIP: direct networks: %s" % err, flush=True)
            return
        c.NetworkStart("ev-vepa")
        p = c.PortCreate(network="ev-vepa", owner="evvm3", prepare=True)["port"]
        q = c.PortCreate(network="ev-vepa", owner="evvm4", prepare=True)["port"]
        u = p["uuid"]
        ip("link", "set", "evlow0", "down")
        e = mon.wait("device-down")
        check("lower device down: device-down warning", e is not None and e["object"]["name"] == "evlow0"
              and e["object"]["severity"] == "warning", mon.seen)
        if e:
            check("device-down names the ports on it", sorted(e["object"]["ports"]) == sorted([u, q["uuid"]]), e)
        ip("link", "set", "evlow0", "up")
        e = mon.wait("device-up")
        check("lower device up again: device-up", e is not None and e["object"]["name"] == "evlow0", mon.seen)
        check("a lower device down is no degradation", "degraded" not in c.PortGet(u)["port"])
        # a macvtap deleted behind the daemon's back
        ip("link", "del", q["ifname"])
        e = mon.wait("port-degraded")
        check("macvtap deleted: port-degraded", e is not None and e["object"]["uuid"] == q["uuid"], mon.seen)
        # the lower device deleted: the kernel takes the macvtap with it
        ip("link", "del", "evlow0")
        e = mon.wait("port-degraded", lambda e: e["object"]["uuid"] == u)
        check("lower device deleted: port-degraded", e is not None and "degraded" in c.PortGet(u)["port"], mon.seen)
        c.PortDelete(uuid=u)
        c.PortDelete(uuid=q["uuid"])
        c.NetworkDestroy("ev-vepa")
        c.NetworkUndefine("ev-vepa")
    mon.close()


def case_pool():
    root, pf = os.environ["VPORT_SYSFS_ROOT"], "0000:01:00.0"
    dev = lambda bdf: "%s/devices/pci0000:00/%s" % (root, bdf)

    def link(target, name):
        os.makedirs(os.path.dirname(name), exist_ok=True)
        if os.path.lexists(name):  # a VF added again after remove_vf()
            os.unlink(name)
        os.symlink(target, name)

    def set_numvfs(n):
        with open(dev(pf) + "/sriov_numvfs", "w") as f:
            f.write("%d\n" % n)

    def add_vf(i, netdev=True):  # what the kernel shows after sriov_numvfs grows by one
        vf = "0000:01:00.%d" % (i + 1)
        os.makedirs(dev(vf) + "/net/vfx%d" % i, exist_ok=True)
        link("../" + pf, dev(vf) + "/physfn")
        link("../" + vf, dev(pf) + "/virtfn%d" % i)
        link("../../../devices/pci0000:00/" + vf, root + "/bus/pci/devices/" + vf)
        link("../../devices/pci0000:00/%s/net/vfx%d" % (vf, i), root + "/class/net/vfx%d" % i)
        link("../../../" + vf, dev(vf) + "/net/vfx%d/device" % i)
        set_numvfs(i + 1)
        if netdev:
            ip("link", "add", "vfx%d" % i, "type", "veth", "peer", "name", "vfx%d-p" % i)

    def remove_vf(i):
        vf = "0000:01:00.%d" % (i + 1)
        for l in (dev(pf) + "/virtfn%d" % i, root + "/bus/pci/devices/" + vf, root + "/class/net/vfx%d" % i):
            os.unlink(l)
        set_numvfs(i)
        ip("link", "del", "vfx%d" % i)

    os.makedirs(dev(pf) + "/net/pfx0")
    link("../../../devices/pci0000:00/" + pf, root + "/bus/pci/devices/" + pf)
    link("../../devices/pci0000:00/%s/net/pfx0" % pf, root + "/class/net/pfx0")
    link("../../../" + pf, dev(pf) + "/net/pfx0/device")
    with open(dev(pf) + "/sriov_totalvfs", "w") as f:
        f.write("4\n")
    ip("link", "add", "pfx0", "type", "veth", "peer", "name", "pfx0-p")
    add_vf(0)
    # a VF netdev that comes under another name and is renamed later (as
    # udev renames a new VF's netdev): made now, so the watch has seen it
    # (under this name) by the time the first pool-changed below arrives
    ip("link", "add", "tmpvf1", "type", "veth", "peer", "name", "tmpvf1-p")
    mon = Monitor()
    with conn() as c:
        c.NetworkDefine("<network><name>pp</name><forward mode='passthrough'><pf dev='pfx0'/></forward></network>")
        c.NetworkStart("pp")
        a = c.PortCreate(network="pp", owner="pa")["port"]
        check("the pool's one VF handed out", a["device"] == "vfx0", a)
        err = None
        try:
            c.PortCreate(network="pp", owner="pb")
        except varlink.VarlinkError as ex:
            err = ex.error()
        check("the pool is exhausted: NoFreeDevice", err == "io.vport.NoFreeDevice", err)
        add_vf(1)
        e = mon.wait("pool-changed")
        check("a VF added: pool-changed 1 -> 2", e is not None and e["object"] == {"name": "pp", "devices": 2, "previous": 1},
              mon.seen)
        b = c.PortCreate(network="pp", owner="pb")["port"]
        check("the new VF handed out without a restart", b["device"] == "vfx1", b)
        c.PortDelete(uuid=b["uuid"])
        remove_vf(1)
        e = mon.wait("pool-changed", lambda e: e["object"]["devices"] == 1)
        check("a VF removed: pool-changed 2 -> 1", e is not None and e["object"]["previous"] == 2, mon.seen)
        devs = [d["device"] for d in c.NetworkGet("pp")["network"]["devices"]]
        check("NetworkGet shows the pool as it is now", devs == ["vfx0"], devs)
        # the watch counts pools again for devices that come, go or are
        # renamed, not for every notification: the rename alone is news
        add_vf(1, netdev=False)
        ip("link", "set", "tmpvf1", "name", "vfx1")
        e = mon.wait("pool-changed", lambda e: e["object"]["devices"] == 2)
        check("a VF's netdev renamed into place: pool-changed 1 -> 2", e is not None and e["object"]["previous"] == 1,
              mon.seen)
        remove_vf(1)
        e = mon.wait("pool-changed", lambda e: e["object"]["devices"] == 1)
        check("and removed again: pool-changed 2 -> 1", e is not None, mon.seen)
        c.PortDelete(uuid=a["uuid"])
        c.NetworkDestroy("pp")
        c.NetworkUndefine("pp")
    mon.close()
    ip("link", "del", "vfx0")
    ip("link", "del", "pfx0")


globals()["case_" + CASE]()
