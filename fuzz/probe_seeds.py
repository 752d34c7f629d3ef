#!/usr/bin/env python3
# fuzz/probe_seeds.py: writes seed inputs for the `probe` fuzz target: probe ring records (probe/saker_event.h) framed as [u16 length][record].
import os
import struct
import sys

HDR = "<QIIHHIHHIq6Q"  # struct skp_hdr: 88 bytes
PROC_SIZE = 176        # sizeof(struct skp_proc)
REC_SYSCALL, REC_EXEC, REC_FORK, REC_EXIT = 1, 2, 3, 4
C_ARG0, C_TUPLE, C_FILE, C_PROC, C_ARGS, C_ENV, C_CWD, C_EXEPATH, C_CGROUP, C_FILENAME, C_DATA = \
    0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17


def chunk(cid, payload, flags=0):
    pad = (-len(payload)) % 4
    return struct.pack("<BBH", cid, flags, len(payload)) + payload + b"\0" * pad


def record(kind, nr, ret, args, chunks, tid=4242, pid=4242, ts=1_000_000_000):
    body = b"".join(chunks)
    a = list(args) + [0] * (6 - len(args))
    hdr = struct.pack(HDR, ts, tid, pid, kind, nr, 88 + len(body), 0, len(chunks), 0, ret, *a)
    return hdr + body


def proc(comm=b"bash"):
    p = struct.pack("<11Q", 0, 12, 0, 0x1ffffffffff, 0x1ffffffffff, 1234, 0, 0, 1024, 0x11, 0)
    p += struct.pack("<17I", 4242, 4242, 1, 4242, 4242, 4242, 4242, 4242, 0, 0, 0xffffffff, 0,
                     1000, 200, 0, 0, 0)
    p += comm.ljust(16, b"\0") + b"\0" * 4  # tail padding to 8
    assert len(p) == PROC_SIZE
    return p


def frame(records):
    return b"".join(struct.pack("<H", len(r)) + r for r in records)


def main(out):
    os.makedirs(out, exist_ok=True)
    exe = record(REC_EXEC, 59, 0, [], [
        chunk(C_PROC, proc(b"cat")), chunk(C_ARGS, b"cat\0/etc/shadow\0"), chunk(C_ENV, b"HOME=/root\0"),
        chunk(C_CWD, b"root\0"), chunk(C_EXEPATH, b"cat\0bin\0usr\0"),
        chunk(C_CGROUP, b"cpu\0x\0\0"), chunk(C_FILENAME, b"/usr/bin/cat\0")])
    fork = record(REC_FORK, 56, 0, [0x1200011], [chunk(C_PROC, proc()), chunk(C_ARGS, b"bash\0")], tid=4243)
    opn = record(REC_SYSCALL, 257, 3, [0xffffff9c, 0x1000, 0, 0], [
        chunk(C_ARG0 + 1, b"/etc/shadow\0"), chunk(C_FILE, struct.pack("<QIIII", 77, 0x800001, 1, 0, 0))])
    rd = record(REC_SYSCALL, 0, 5, [3, 0x2000, 4096], [chunk(C_ARG0 + 1, b"root:")])
    conn = record(REC_SYSCALL, 42, 0, [4, 0x3000, 16], [
        chunk(C_ARG0 + 1, struct.pack("<HH4s8x", 2, 0x5000, bytes([10, 0, 0, 1]))),
        chunk(C_TUPLE, bytes([2]) + bytes([127, 0, 0, 1]) + struct.pack("<H", 40000) +
              bytes([10, 0, 0, 1]) + struct.pack("<H", 80))])
    close = record(REC_SYSCALL, 3, 0, [3], [])
    ext = record(REC_EXIT, 0, 0, [], [])
    seeds = {
        "exec_open_read.bin": [exe, opn, rd, close, ext],
        "fork_connect.bin": [fork, conn, close],
        "one_open.bin": [opn],
    }
    for name, recs in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(frame(recs))


if __name__ == "__main__":
    main(sys.argv[1])
