#!/usr/bin/env python3
# sdcheck.py - a checker for Windows security descriptors (self-relative, in hex) written from
# the rules in Microsoft's documentation ([MS-DTYP] 2.4.6, 2.4.4.1; "ACE inheritance rules"),
# independent of the code under test.
#
#   sdcheck.py inherit file|dir PARENT_HEX CHILD_HEX
#       CHILD's DACL is what a new file or folder inherits from PARENT's DACL, and its owner
#       and group are BUILTIN\Administrators (S-1-5-32-544).
import struct
import sys

OI, CI, NP, IO, INHERITED = 0x01, 0x02, 0x04, 0x08, 0x10
SE_DACL_AUTO_INHERITED = 0x0400


def sid_str(b, off):
    rev, n = b[off], b[off + 1]
    auth = int.from_bytes(b[off + 2:off + 8], "big")
    subs = struct.unpack_from("<%dI" % n, b, off + 8)
    return "S-%d-%d" % (rev, auth) + "".join("-%d" % s for s in subs)


def parse(h):
    b = bytes.fromhex(h)
    rev, _, control, owner, group, sacl, dacl = struct.unpack_from("<BBHIIII", b, 0)
    aces = []
    if dacl:
        _, _, size, count, _ = struct.unpack_from("<BBHHH", b, dacl)
        off = dacl + 8
        for _ in range(count):
            typ, flags, asize = struct.unpack_from("<BBH", b, off)
            mask = struct.unpack_from("<I", b, off + 4)[0]
            aces.append((typ, flags, mask, sid_str(b, off + 8)))
            off += asize
    return {
        "control": control,
        "owner": sid_str(b, owner) if owner else None,
        "group": sid_str(b, group) if group else None,
        "aces": aces,
    }


def inherited(parent, is_dir):
    auto = INHERITED if parent["control"] & SE_DACL_AUTO_INHERITED else 0
    out = []
    for typ, flags, mask, sid in parent["aces"]:
        if is_dir and flags & CI:
            f = flags & ~INHERITED & ~IO
            if flags & NP:
                f &= ~(OI | CI | NP)
            out.append((typ, f | auto, mask, sid))
        elif is_dir and flags & OI and not flags & NP:
            out.append((typ, (flags & ~INHERITED) | IO | auto, mask, sid))
        elif not is_dir and flags & OI:
            out.append((typ, auto, mask, sid))
    return out


def main():
    if len(sys.argv) != 5 or sys.argv[1] != "inherit" or sys.argv[2] not in ("file", "dir"):
        sys.exit("usage: sdcheck.py inherit file|dir PARENT_HEX CHILD_HEX")
    parent, child = parse(sys.argv[3]), parse(sys.argv[4])
    want = inherited(parent, sys.argv[2] == "dir")
    admins = "S-1-5-32-544"
    ok = True
    if child["owner"] != admins or child["group"] != admins:
        print("owner/group %s/%s, expected %s" % (child["owner"], child["group"], admins))
        ok = False
    if sorted(child["aces"]) != sorted(want):
        print("ACEs %s, expected %s" % (child["aces"], want))
        ok = False
    sys.exit(0 if ok else 1)


main()
