#!/usr/bin/env python3
"""Point a copy of a JCuda JNI library at a newer soname of the library it wraps.

usage: retarget_soname.py IN OUT OLD NEW      e.g. libcublas.so.12 libcublas.so.13

JCublas2 12.0.0 needs libcublas.so.12 and JCudnn 11.7.0 needs libcudnn.so.8; machines set up
with CUDA 13 and cuDNN 9 have libcublas.so.13 and libcudnn.so.9 only. Both JNI libraries name
the dependency twice: as DT_NEEDED and as the version (GNU symbol versioning) of every symbol
they import from it. Both are the same string in .dynstr, so rewriting it in place (OLD and NEW
must be equally long) retargets both; the version references in .gnu.version_r also carry the
ELF hash of the version name, which glibc compares before the string, so those are rewritten
too. Nothing else changes: whether the newer library still exports the functions we call with
the same ABI is what gpu-check.sh then tests (parity suites), not something this script knows.
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE


def elf_hash(name: bytes) -> int:
    h = 0
    for c in name:
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def sections(data: bytes):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        sys.exit("not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    for i in range(shnum):
        name, kind, _flags, _addr, offset, size, link, _info, _align, _entsize = \
            struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
        yield i, kind, offset, size, link


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2])
    src, dst, old, new = sys.argv[1], sys.argv[2], sys.argv[3].encode(), sys.argv[4].encode()
    if len(old) != len(new):
        sys.exit(f"{old.decode()} and {new.decode()} differ in length: cannot rewrite in place")
    data = bytearray(open(src, "rb").read())
    table = list(sections(data))
    verneed = [s for s in table if s[1] == SHT_GNU_VERNEED]
    if not verneed:
        sys.exit("no .gnu.version_r section")
    _, _, vn_offset, _, dynstr_index = verneed[0]
    dynstr = next(s for s in table if s[0] == dynstr_index)
    str_off, str_size = dynstr[2], dynstr[3]

    strings = bytes(data[str_off:str_off + str_size])
    needle = b"\0" + old + b"\0"
    hits = 0
    at = strings.find(needle)
    while at >= 0:
        start = str_off + at + 1
        data[start:start + len(old)] = new
        hits += 1
        at = strings.find(needle, at + 1)
    if hits == 0:
        sys.exit(f"{src} does not reference {old.decode()}")

    rehashed = 0
    entry = vn_offset
    while True:                       # Elf64_Verneed: version, cnt, file, aux, next
        _version, count, _file, aux, nxt = struct.unpack_from("<HHIII", data, entry)
        at = entry + aux
        for _ in range(count):        # Elf64_Vernaux: hash, flags, other, name, next
            _hash, flags, other, name, aux_next = struct.unpack_from("<IHHII", data, at)
            end = data.index(b"\0", str_off + name)
            if bytes(data[str_off + name:end]) == new:
                struct.pack_into("<IHHII", data, at, elf_hash(new), flags, other, name, aux_next)
                rehashed += 1
            at += aux_next
        if nxt == 0:
            break
        entry += nxt
    open(dst, "wb").write(data)
    print(f"{dst}: {old.decode()} -> {new.decode()} ({hits} string(s), {rehashed} version hash(es))")


if __name__ == "__main__":
    main()
