#!/usr/bin/python3
# Drives every io.vport method of a running vportd through Debian's
# python3-varlink (an independent client), checking replies, error names and
# the kernel state in the namespace; then hostile input over a raw socket.
#   drive.py SOCKET NETNS CASE
# Prints "PASS: what" / "FAIL: what" / "SKIP: what" lines (tests/daemon/run counts them).
import json
import os
import socket
import subprocess
import sys

import varlink

SOCK, NS, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
ADDR = "unix:" + SOCK


def check(what, cond, detail=""):
    print(("PASS: " if cond else "FAIL: ") + what + ("" if cond else " (%s)" % detail), flush=True)
    return cond


def ip_json(*args):
    out = subprocess.run(["ip", "-n", NS, "-j"] + list(args), capture_output=True, text=True)
    return json.loads(out.stdout or "[]")


def link(name):
    links = [l for l in ip_json("-d", "link", "show") if l.get("ifname") == name]
    return links[0] if links else None


def conn():
    return varlink.Client(address=ADDR).open("io.vport")


def error_of(fn, *a, **kw):
    """The varlink error name and parameters a call ends with, or (None, reply)."""
    try:
        return None, fn(*a, **kw)
    except varlink.VarlinkError as e:
        return e.error(), e.parameters()


def expect_error(what, name, fn, *a, **kw):
    err, params = error_of(fn, *a, **kw)
    check("%s: %s" % (what, name), err == name, "got %s %s" % (err, params))
    return params


# ---- raw wire: what a hostile or broken client sends ----
def raw_connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(SOCK)
    return s


def raw_recv(s):
    """One NUL-terminated reply, or None if the daemon closed the connection."""
    buf = b""
    while not buf.endswith(b"\0"):
        try:
            k = s.recv(65536)
        except ConnectionResetError:
            return None
        if not k:
            return None
        buf += k
    return json.loads(buf[:-1])


def raw_call(s, msg):
    s.sendall(msg if isinstance(msg, bytes) else json.dumps(msg).encode() + b"\0")
    return raw_recv(s)


def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True


def still_serving(what):
    with varlink.Client(address=ADDR).open("org.varlink.service") as svc:
        info = svc.GetInfo()
    check("%s: the daemon still serves others" % what, "io.vport" in info["interfaces"], info)


BR_XML = "<network><name>br-net</name><forward mode='bridge'/><bridge name='br0' macTableManager='libvirt'/></network>"
MAC = "52:54:00:aa:bb:01"


def case_service():
    with varlink.Client(address=ADDR).open("org.varlink.service") as svc:
        info = svc.GetInfo()
        check("GetInfo lists io.vport and org.varlink.service",
              set(info["interfaces"]) == {"io.vport", "org.varlink.service"}, info)
        check("GetInfo names vportd and its version", info["product"] == "vportd" and info["version"], info)
        desc = svc.GetInterfaceDescription("io.vport")["description"]
        iface = varlink.Interface(desc)  # the library's own IDL parser
        kinds = {n: type(m).__name__ for n, m in iface.members.items()}
        methods = {n for n, k in kinds.items() if k == "_Method"}
        want = {"NetworkDefine", "NetworkUndefine", "NetworkStart", "NetworkDestroy", "NetworkSetAutostart",
                "NetworkList", "NetworkGet", "NetworkGetXML", "PortCreate", "PortPrepare", "PortActivate",
                "PortDeactivate", "PortDelete", "PortList", "PortGet", "PortGetXML", "VFList", "VFSetMAC",
                "Reconcile", "Monitor"}
        check("io.vport description parses and declares every method", want <= methods, want - methods)
        errors = {"NoFreeDevice", "InvalidArgument", "DeviceBusy", "NotFound", "StaleGeneration",
                  "PermissionDenied", "StateDamaged", "InvalidMessage", "MessageTooLarge"}
        declared = {n for n, k in kinds.items() if k == "_Error"}
        check("io.vport declares the error names", errors <= declared, errors - declared)
        svcdesc = svc.GetInterfaceDescription("org.varlink.service")["description"]
        check("org.varlink.service description parses", "GetInfo" in varlink.Interface(svcdesc).members)
        expect_error("GetInterfaceDescription of an unknown interface", "org.varlink.service.InterfaceNotFound",
                     svc.GetInterfaceDescription, "com.example.nothing")


def case_network():
    with conn() as c:
        r = c.NetworkDefine(BR_XML)
        check("NetworkDefine answers {network: {name}}", r["network"] == {"name": "br-net"}, r)
        nets = c.NetworkList()["networks"]
        check("NetworkList shows it inactive", [n["name"] for n in nets] == ["br-net"] and not nets[0]["active"], nets)
        r = c.NetworkSetAutostart("br-net", True)
        check("NetworkSetAutostart true", r["network"] == {"name": "br-net", "autostart": True}, r)
        check("NetworkGet shows autostart", c.NetworkGet("br-net")["network"]["autostart"] is True)
        c.NetworkSetAutostart("br-net", False)
        check("NetworkSetAutostart false", c.NetworkGet("br-net")["network"]["autostart"] is False)
        xml = c.NetworkGetXML("br-net")
        check("NetworkGetXML returns the definition", "<bridge name=\"br0\"" in xml["xml"] and xml["name"] == "br-net", xml)
        r = c.NetworkStart("br-net")
        check("NetworkStart", r["network"] == {"name": "br-net", "active": True}, r)
        expect_error("NetworkStart twice", "io.vport.AlreadyActive", c.NetworkStart, "br-net")
        p = expect_error("NetworkGet of an undefined network", "io.vport.NotFound", c.NetworkGet, "nope")
        check("the error names the object", p.get("object") == {"kind": "network", "name": "nope"}, p)
        check("the error carries a message and the errno name", p.get("code") == "ENOENT" and "nope" in p.get("message", ""), p)
        expect_error("NetworkDefine of a broken document", "io.vport.InvalidArgument", c.NetworkDefine, "<network>")
        expect_error("NetworkDefine of a network of another mode", "io.vport.InvalidArgument",
                     c.NetworkDefine, "<network><name>x</name><forward mode='nat'/></network>")


def case_port():
    with conn() as c:
        port = c.PortCreate(network="br-net", owner="vm1", mac=MAC)["port"]
        u = port["uuid"]
        check("PortCreate: allocated, with the caller as creator (root)",
              port["state"] == "allocated" and port["creator_uid"] == 0 and port["mac"] == MAC, port)
        check("PortCreate: generation 1", port["generation"] == 1, port)
        check("PortGet = PortCreate's port", c.PortGet(u)["port"] == port)
        check("PortList by network", [p["uuid"] for p in c.PortList(network="br-net")["ports"]] == [u])
        check("PortList by owner", [p["uuid"] for p in c.PortList(owner="vm1")["ports"]] == [u])
        check("PortList of another owner is empty", c.PortList(owner="vm2")["ports"] == [])
        xml = c.PortGetXML(u)
        check("PortGetXML", "<networkport>" in xml["xml"] and u in xml["xml"], xml)
        p = c.PortPrepare(u)["port"]
        tap = p.get("ifname")
        check("PortPrepare: prepared with a tap", p["state"] == "prepared" and tap, p)
        l = link(tap) or {}
        check("PortPrepare: the tap exists, down, in br0", l and "UP" not in l.get("flags", []) and l.get("master") == "br0", l)
        p = c.PortActivate(uuid=u)["port"]
        l = link(tap) or {}
        check("PortActivate: active, tap up", p["state"] == "active" and "UP" in l.get("flags", []), (p, l))
        fdb = json.loads(subprocess.run(["bridge", "-n", NS, "-j", "fdb", "show", "dev", tap],
                                        capture_output=True, text=True).stdout or "[]")
        check("PortActivate: the guest MAC in br0's FDB", any(e.get("mac") == MAC for e in fdb), fdb)
        gen = p["generation"]
        expect_error("PortDeactivate with a stale generation", "io.vport.StaleGeneration",
                     c.PortDeactivate, uuid=u, generation=gen - 1)
        check("a refused deactivate changed nothing", c.PortGet(u)["port"]["state"] == "active")
        p = c.PortDeactivate(uuid=u, generation=gen)["port"]
        check("PortDeactivate at the current generation", p["state"] == "prepared" and p["generation"] == gen + 1, p)
        r = c.PortActivate(owner="vm1")
        check("PortActivate by owner", r["owner"] == {"owner": "vm1", "activated": 1}, r)
        expect_error("NetworkDestroy while a port is active", "io.vport.DeviceBusy", c.NetworkDestroy, "br-net")
        r = c.PortDeactivate(owner="vm1")
        check("PortDeactivate by owner", r["owner"] == {"owner": "vm1", "deactivated": 1}, r)
        expect_error("PortDeactivate with both uuid and owner", "io.vport.InvalidArgument",
                     c.PortDeactivate, uuid=u, owner="vm1")
        expect_error("PortDelete with neither uuid nor owner", "io.vport.InvalidArgument", c.PortDelete)
        expect_error("PortDelete by owner with a generation", "io.vport.InvalidArgument",
                     c.PortDelete, owner="vm1", generation=1)
        expect_error("PortDelete with generation 0", "org.varlink.service.InvalidParameter",
                     c.PortDelete, uuid=u, generation=0)
        g = c.PortGet(u)["port"]["generation"]
        expect_error("PortDelete with a stale generation", "io.vport.StaleGeneration", c.PortDelete, uuid=u, generation=g - 1)
        check("a refused delete keeps the tap", link(tap) is not None)
        r = c.PortDelete(uuid=u, generation=g)
        check("PortDelete", r["port"] == {"uuid": u, "deleted": 1}, r)
        check("PortDelete: the tap is gone", link(tap) is None, link(tap))
        expect_error("PortGet of a deleted port", "io.vport.NotFound", c.PortGet, u)
        c.PortCreate(network="br-net", owner="vm3", prepare=True)
        c.PortCreate(network="br-net", owner="vm3", prepare=True)
        r = c.PortDelete(owner="vm3")
        check("PortDelete by owner", r["owner"] == {"owner": "vm3", "deleted": 2}, r)
        check("a port without <port isolated> has no isolated field", "isolated" not in port, port)
        iso = ("<networkport><uuid>7d3c1c0e-4f5a-4c1e-9a35-3c2b8f0e6a02</uuid><owner><name>vm4</name>"
               "<uuid>2f1e4c8a-9b7d-4e6f-8a1c-5d3b2e7f9c05</uuid></owner><mac address='52:54:00:aa:bb:04'/>"
               "<port isolated='yes'/></networkport>")
        p = c.PortCreate(network="br-net", xml=iso)["port"]
        check("PortCreate of <port isolated='yes'>: isolated true, as the CLI's --json", p.get("isolated") is True, p)
        check("PortGet keeps isolated", c.PortGet(p["uuid"])["port"].get("isolated") is True)
        c.PortDelete(uuid=p["uuid"])
        check("no tap left in br0", [x["ifname"] for x in ip_json("link", "show", "master", "br0")] == [])
        expect_error("PortCreate with a bad vlan", "io.vport.InvalidArgument", c.PortCreate, network="br-net", vlan=5000)


def case_destroy():
    with conn() as c:
        c.PortCreate(network="br-net", owner="vm4", prepare=True)
        r = c.NetworkDestroy("br-net")
        check("NetworkDestroy tears its ports down", r["network"]["destroyed"] and len(r["network"]["ports"]) == 1, r)
        expect_error("PortCreate on an inactive network", "io.vport.NetworkInactive", c.PortCreate, network="br-net")
        r = c.NetworkUndefine("br-net")
        check("NetworkUndefine", r["network"] == {"name": "br-net", "defined": False}, r)
        check("NetworkList is empty again", c.NetworkList()["networks"] == [])
        check("br0 itself is left alone (not vport's)", link("br0") is not None)


def case_pool():
    """A direct passthrough network with one device: the second port finds none free."""
    with conn() as c:
        xml = "<network><name>pt</name><forward mode='passthrough'><interface dev='dum0'/></forward></network>"
        err, r = error_of(c.NetworkDefine, xml)
        if err == "io.vport.InvalidArgument" and "macvtap" in json.dumps(r):
            print("SKIP: NoFreeDevice: this build has no macvtap", flush=True)
            return
        c.NetworkStart("pt")
        c.PortCreate(network="pt", owner="a")
        expect_error("PortCreate on an exhausted pool", "io.vport.NoFreeDevice", c.PortCreate, network="pt", owner="b")
        c.NetworkDestroy("pt")
        c.NetworkUndefine("pt")


def case_vf_reconcile():
    with conn() as c:
        err, _ = error_of(c.VFList, "lo")
        check("VFList of a device that is no PF: an io.vport error", err is not None and err.startswith("io.vport."), err)
        err, _ = error_of(c.VFSetMAC, vf="0000:ff:1f.7", mac="52:54:00:00:00:01")
        check("VFSetMAC of a VF that does not exist: an io.vport error", err is not None and err.startswith("io.vport."), err)
        r = c.Reconcile()["result"]
        check("Reconcile: {handled, repaired, drift}", isinstance(r["handled"], int) and r["repaired"] == []
              and r["drift"] == [], r)


def case_monitor():
    with varlink.Client(address=ADDR) as client:
        mon = client.open("io.vport")
        stream = mon.Monitor(_more=True)
        first = next(stream)
        check("Monitor: first reply says subscribed", first["event"]["kind"] == "subscribed", first)
        with conn() as c:
            c.NetworkDefine(BR_XML.replace("br-net", "mon-net"))
            c.NetworkSetAutostart("mon-net", True)
            c.NetworkUndefine("mon-net")
        evs = [next(stream)["event"] for _ in range(3)]
        check("Monitor: one event per change, in order",
              [e["kind"] for e in evs] == ["network-defined", "network-autostart", "network-undefined"], evs)
        check("Monitor: increasing sequence numbers", evs[0]["seq"] < evs[1]["seq"] < evs[2]["seq"], evs)
        check("Monitor: events carry the object", evs[1]["object"] == {"name": "mon-net", "autostart": True}, evs)
    with conn() as c:
        expect_error("Monitor without more", "org.varlink.service.ExpectedMore", c.Monitor)


def case_params():
    s = raw_connect()
    r = raw_call(s, {"method": "io.vport.NoSuchMethod"})
    check("unknown method: MethodNotFound naming it", r.get("error") == "org.varlink.service.MethodNotFound"
          and r["parameters"]["method"] == "io.vport.NoSuchMethod", r)
    r = raw_call(s, {"method": "io.vport.PortGet", "parameters": {}})
    check("missing parameter: InvalidParameter naming it", r.get("error") == "org.varlink.service.InvalidParameter"
          and r["parameters"]["parameter"] == "uuid", r)
    r = raw_call(s, {"method": "io.vport.PortGet", "parameters": {"uuid": 5}})
    check("wrong type: InvalidParameter", r.get("error") == "org.varlink.service.InvalidParameter", r)
    r = raw_call(s, {"method": "io.vport.PortGet", "parameters": {"uuid": "not-a-uuid"}})
    check("malformed UUID: InvalidParameter", r.get("error") == "org.varlink.service.InvalidParameter", r)
    r = raw_call(s, {"method": "io.vport.PortCreate", "parameters": {"network": "br-net", "vlan": "7"}})
    check("vlan as a string: InvalidParameter vlan", r.get("parameters", {}).get("parameter") == "vlan", r)
    r = raw_call(s, {"method": "io.vport.NetworkGet", "parameters": {"name": "a/b"}})
    check("a network name with '/': InvalidParameter", r.get("error") == "org.varlink.service.InvalidParameter", r)
    r = raw_call(s, {"method": "io.vport.NetworkGet", "parameters": {"name": "x\u0001y"}})
    check("a name with a control character: InvalidParameter", r.get("error") == "org.varlink.service.InvalidParameter", r)
    r = raw_call(s, {"method": "io.vport.PortCreate", "parameters": {"network": "n", "mac": "zz"}})
    check("malformed MAC: InvalidParameter mac", r.get("parameters", {}).get("parameter") == "mac", r)
    r = raw_call(s, {"method": "io.vport.NetworkList", "parameters": {"bogus": 1}})
    check("unknown parameter: InvalidParameter naming it", r.get("parameters", {}).get("parameter") == "bogus", r)
    s.sendall(json.dumps({"method": "io.vport.NetworkList", "oneway": True}).encode() + b"\0")
    r = raw_call(s, {"method": "org.varlink.service.GetInfo"})
    check("oneway: no reply, the next call answered in order", r.get("parameters", {}).get("product") == "vportd", r)
    s.close()


def case_hostile():
    s = raw_connect()
    r = raw_call(s, b'{"method": "io.vport.NetworkList", "param\0')
    check("truncated JSON: InvalidMessage", r and r.get("error") == "io.vport.InvalidMessage", r)
    check("truncated JSON: connection closed", closed(s))
    still_serving("truncated JSON")
    for bad, what in ((b'[1,2]\0', "not an object"), (b'{"method": 5}\0', "method not a string"),
                      (b'{"method": "x"}\0', "method without interface"),
                      (b'{"method": "io.vport.NetworkList", "parameters": []}\0', "parameters not an object"),
                      (b'{"method": "io.vport.NetworkList", "more": "yes"}\0', "more not a boolean"),
                      (b'\xff\xfe\0', "not UTF-8 JSON")):
        s = raw_connect()
        r = raw_call(s, bad)
        check("%s: InvalidMessage" % what, r and r.get("error") == "io.vport.InvalidMessage", r)
    still_serving("malformed calls")
    s = raw_connect()
    big = b'{"method": "io.vport.NetworkDefine", "parameters": {"xml": "' + b"x" * (16 << 20)
    try:
        s.sendall(big)
    except (BrokenPipeError, ConnectionResetError):
        pass
    r = raw_recv(s)
    check("16 MiB message: MessageTooLarge (or closed)", r is None or r.get("error") == "io.vport.MessageTooLarge", r)
    check("16 MiB message: connection closed", r is None or closed(s))
    still_serving("16 MiB message")
    # a call is read as the connection is accepted when it is there
    # already (every call above), and through the loop when it comes later:
    # this client is accepted (and found silent) while others are served
    late = raw_connect()
    still_serving("a client connected and silent")
    r = raw_call(late, {"method": "org.varlink.service.GetInfo"})
    check("a call sent after the connection was accepted is answered",
          r is not None and "io.vport" in r.get("parameters", {}).get("interfaces", []), r)
    late.close()
    # a client that stalls half-way through a message blocks nobody
    slow = raw_connect()
    slow.sendall(b'{"method": "org.varlink.service.Get')
    still_serving("a client stalled mid-message")
    slow.close()
    # a client that asks for a lot and leaves without reading the replies
    s = raw_connect()
    # (few enough requests that they fit the socket buffer: past 64 KiB of
    # unread replies the daemon stops reading from a client)
    s.sendall(b"".join(json.dumps({"method": "org.varlink.service.GetInterfaceDescription",
                                   "parameters": {"interface": "io.vport"}}).encode() + b"\0" for _ in range(200)))
    s.close()
    still_serving("a client that left mid-reply")
    idle = [raw_connect() for _ in range(300)]
    still_serving("300 idle clients")
    for i in idle:
        i.close()
    still_serving("idle clients gone")


def case_nonroot():
    """Run as uid 65534 (in the socket's group): its own ports yes, root's no."""
    with conn() as c:
        c.NetworkDefine(BR_XML)
        c.NetworkStart("br-net")
        root_port = c.PortCreate(network="br-net", owner="rootvm")["port"]["uuid"]
    with open(os.environ["VPORT_TEST_WORK"] + "/root-port", "w") as f:
        f.write(root_port)


def case_nonroot_client():
    root_port = open(os.environ["VPORT_TEST_WORK"] + "/root-port").read()
    check("running as uid 65534", os.getuid() == 65534, os.getuid())
    with conn() as c:
        check("a group member can read: PortList", len(c.PortList()["ports"]) == 1)
        p = expect_error("deleting root's port", "io.vport.PermissionDenied", c.PortDelete, uuid=root_port)
        check("PermissionDenied names the port", p.get("object", {}).get("name") == root_port, p)
        expect_error("deactivating root's port", "io.vport.PermissionDenied", c.PortDeactivate, uuid=root_port)
        expect_error("preparing root's port", "io.vport.PermissionDenied", c.PortPrepare, uuid=root_port)
        expect_error("root's VM by owner", "io.vport.PermissionDenied", c.PortDelete, owner="rootvm")
        expect_error("starting a network", "io.vport.PermissionDenied", c.NetworkStart, "br-net")
        expect_error("destroying a network", "io.vport.PermissionDenied", c.NetworkDestroy, "br-net")
        expect_error("Reconcile", "io.vport.PermissionDenied", c.Reconcile)
        mine = c.PortCreate(network="br-net", owner="myvm", prepare=True)["port"]
        check("its own port records it as creator", mine["creator_uid"] == 65534, mine)
        c.PortActivate(uuid=mine["uuid"])
        expect_error("activating root's VM by owner", "io.vport.PermissionDenied", c.PortActivate,
                     owner="rootvm")
        r = c.PortDeactivate(owner="myvm")
        check("it may deactivate its own VM by owner", r["owner"]["deactivated"] == 1, r)
        r = c.PortActivate(owner="myvm")
        check("it may activate its own VM by owner", r["owner"]["activated"] == 1, r)
        r = c.PortDelete(uuid=mine["uuid"])
        check("it may delete its own port", r["port"]["deleted"] == 1, r)


def case_outsider():
    try:
        raw_connect()
        check("a caller outside the socket's group cannot connect", False, "connected")
    except PermissionError:
        check("a caller outside the socket's group cannot connect (EACCES)", True)


def case_cleanup_nonroot():
    with conn() as c:
        c.NetworkDestroy("br-net")
        c.NetworkUndefine("br-net")


globals()["case_" + CASE]()
