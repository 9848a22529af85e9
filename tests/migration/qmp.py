#!/usr/bin/python3
"""Minimal QMP client for the migration tier.

  qmp.py SOCKET COMMAND [JSON-ARGS]   run one command, print its "return" as JSON
  qmp.py SOCKET wait-status STATUS [TIMEOUT_S]   poll query-status until STATUS
  qmp.py SOCKET wait-migration [TIMEOUT_S]       poll query-migrate until completed;
                                                 print the final query-migrate
"""
import json
import socket
import sys
import time


class Qmp:
    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(200):
            try:
                self.s.connect(path)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("qmp: cannot connect to %s" % path)
        self.f = self.s.makefile("rw")
        self.f.readline()  # greeting
        self.cmd("qmp_capabilities")

    def cmd(self, name, args=None):
        msg = {"execute": name}
        if args:
            msg["arguments"] = args
        self.f.write(json.dumps(msg) + "\n")
        self.f.flush()
        while True:
            r = json.loads(self.f.readline())
            if "return" in r:
                return r["return"]
            if "error" in r:
                raise SystemExit("qmp %s: %s" % (name, r["error"].get("desc")))


def main():
    q = Qmp(sys.argv[1])
    what = sys.argv[2]
    if what == "wait-status":
        deadline = time.time() + float(sys.argv[4] if len(sys.argv) > 4 else 60)
        while q.cmd("query-status")["status"] != sys.argv[3]:
            if time.time() > deadline:
                raise SystemExit("qmp: status never became %s" % sys.argv[3])
            time.sleep(0.02)
        return
    if what == "wait-migration":
        deadline = time.time() + float(sys.argv[3] if len(sys.argv) > 3 else 120)
        while True:
            m = q.cmd("query-migrate")
            if m.get("status") in ("completed", "failed", "cancelled"):
                print(json.dumps(m))
                if m["status"] != "completed":
                    raise SystemExit("qmp: migration %s" % m["status"])
                return
            if time.time() > deadline:
                raise SystemExit("qmp: migration did not complete")
            time.sleep(0.01)
    args = json.loads(sys.argv[3]) if len(sys.argv) > 3 else None
    print(json.dumps(q.cmd(what, args)))


main()
