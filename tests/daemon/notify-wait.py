#!/usr/bin/python3
# notify-wait.py NOTIFY_PATH OUT: bind an sd_notify datagram socket, wait for
# READY=1, write the message to OUT and, the moment it arrives, whether the
# daemon's varlink socket (the one in $VPORT_TEST_WORK/run) accepts a
# connection to OUT.connect ("ok" / the error).
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(30)
msg = ""
try:
    while "READY=1" not in msg.split("\n"):
        msg = s.recv(4096).decode()
except socket.timeout:
    msg = "timeout"
state = "ok"
try:
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(os.environ["VPORT_TEST_WORK"] + "/run/io.vport.socket")
    c.close()
except OSError as e:
    state = str(e)
open(out, "w").write(msg + "\n")
open(out + ".connect", "w").write(state + "\n")
