#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""xs-requests.py NODE PAIRS: dom0 writes PAIRS "prepare"/"abort" pairs to
NODE (a guest's control/shutdown), each request waiting only until the guest
acknowledges it (NODE reads "" again, seen through a watch, 30 s at most).

Run in dom0 by tests/integration/run (lean-request-order): one process and
one xenstore connection for all the requests, where xenstore-write and
xenstore-read would start one process per access (about 85 ms each under
TCG).  Prints "pairs=PAIRS", or "pair I: control/shutdown still [VALUE]" and
exits 1; a usage error exits 2."""
import ctypes
import select
import sys
import time

ACK_S = 30


def main(argv):
    if len(argv) != 3 or not argv[1].startswith("/") or not argv[2].isdigit() or not 0 < int(argv[2]) <= 1000:
        sys.stderr.write("usage: xs-requests.py NODE PAIRS (PAIRS 1..1000)\n")
        return 2
    node, pairs = argv[1].encode(), int(argv[2])
    libc = ctypes.CDLL("libc.so.6")
    xs = ctypes.CDLL("libxenstore.so.4", use_errno=True)
    xs.xs_open.restype = ctypes.c_void_p
    xs.xs_open.argtypes = [ctypes.c_ulong]
    xs.xs_read.restype = ctypes.c_void_p
    xs.xs_read.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint)]
    xs.xs_write.restype = ctypes.c_bool
    xs.xs_write.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
    xs.xs_watch.restype = ctypes.c_bool
    xs.xs_watch.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    xs.xs_fileno.argtypes = [ctypes.c_void_p]
    xs.xs_check_watch.restype = ctypes.c_void_p
    xs.xs_check_watch.argtypes = [ctypes.c_void_p]
    libc.free.argtypes = [ctypes.c_void_p]

    h = xs.xs_open(0)
    if not h:
        sys.stderr.write("xs-requests.py: cannot open xenstore\n")
        return 1

    def read():
        n = ctypes.c_uint()
        p = xs.xs_read(h, 0, node, ctypes.byref(n))
        if not p:
            return None
        v = ctypes.string_at(p, n.value).decode(errors="replace")
        libc.free(p)
        return v

    if not xs.xs_watch(h, node, b"xps"):
        sys.stderr.write("xs-requests.py: cannot watch %s\n" % argv[1])
        return 1
    fd = xs.xs_fileno(h)

    def acked():
        end = time.monotonic() + ACK_S
        while True:
            v = read()
            if v == "":
                return True
            left = end - time.monotonic()
            if v is None or left <= 0:
                return False
            # a watch event says NODE changed: drain them, then read again
            if select.select([fd], [], [], left)[0]:
                while True:
                    ev = xs.xs_check_watch(h)
                    if not ev:
                        break
                    libc.free(ev)

    for i in range(1, pairs + 1):
        for req in (b"prepare", b"abort"):
            if not xs.xs_write(h, 0, node, req, len(req)) or not acked():
                print("pair %d: control/shutdown still [%s]" % (i, read()))
                return 1
    print("pairs=%d" % pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
