#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xps-echo ADDRESS PORT: dom0's end of tests/integration/xps-stream.c, a TCP
echo server: every byte a connection sends comes back on it, one thread per
connection, until the peer closes it.  Started once per rig boot by
tests/integration/run."""
import socket, threading, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(8)
def echo(c):
    with c:
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
while True:
    c, _ = s.accept()
    threading.Thread(target=echo, args=(c,), daemon=True).start()
