"""ustar headers as archbundle's TypeScript writer (tar-stream) makes them: mode 0644, uid and
gid 0, mtime 0, empty user and group names, octal fields ending in a space (checksum: space and
NUL), so a bundle's bytes depend on its content only."""
BLOCK = 512
END_MARKER = bytes(2 * BLOCK)


def _octal(value: int, width: int, ending: bytes = b" \x00") -> bytes:
    digits = oct(value)[2:].rjust(width - len(ending), "0")
    return digits.encode("ascii") + ending


def _size_field(size: int) -> bytes:
    if size < 8 ** 11:
        return oct(size)[2:].rjust(11, "0").encode("ascii") + b" "
    return b"\x80" + size.to_bytes(11, "big")  # base-256, for 8 GiB and more


def header(name: str, size: int) -> bytes:
    block = bytearray(BLOCK)
    encoded = name.encode("ascii")
    block[0:len(encoded)] = encoded
    block[100:108] = _octal(0o644, 8)
    block[108:116] = _octal(0, 8)
    block[116:124] = _octal(0, 8)
    block[124:136] = _size_field(size)
    block[136:148] = oct(0)[2:].rjust(11, "0").encode("ascii") + b" "
    block[156:157] = b"0"
    block[257:265] = b"ustar\x0000"
    block[329:337] = _octal(0, 8)
    block[337:345] = _octal(0, 8)
    block[148:156] = b" " * 8
    block[148:156] = _octal(sum(block), 8)
    return bytes(block)


def padding(size: int) -> bytes:
    return bytes(-size % BLOCK)
