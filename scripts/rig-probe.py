#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""rig-probe.py IP LOG: the downtime probe of `scripts/rig probe`, run in dom0.

Sends an ICMP echo request to IP every 20 ms and writes one line per reply
(its time, seconds) to LOG; the longest gap between replies is the downtime
dom0 sees.  Runs until killed."""
import socket
import struct
import sys
import time

PERIOD = 0.02
IDENT = 4242


def csum(b):
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    t = (t >> 16) + (t & 0xffff)
    return ~(t + (t >> 16)) & 0xffff


def main(dst, path):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(PERIOD)
    out = open(path, "w", buffering=1)
    seq = 0
    while True:
        seq = (seq + 1) & 0xffff
        h = struct.pack("!BBHHH", 8, 0, 0, IDENT, seq) + b"xps-probe!"  # even length
        h = h[:2] + struct.pack("!H", csum(h)) + h[4:]
        try:
            s.sendto(h, (dst, 0))   # fails while the guest's address has no neighbour
        except OSError:
            pass
        end = time.time() + PERIOD
        while time.time() < end:
            try:
                r = s.recv(256)
            except OSError:     # socket.timeout included
                break
            if len(r) >= 28 and r[20] == 0 and struct.unpack("!H", r[24:26])[0] == IDENT:
                out.write("%.3f\n" % time.time())
        time.sleep(max(0, end - time.time()))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: rig-probe.py IP LOG")
    main(sys.argv[1], sys.argv[2])
