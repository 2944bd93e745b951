"""The bundle's tar container (docs/bundle-format.md §1), read as hostile input: POSIX ustar or
GNU magic, regular files only, names without folders, the extension headers other tools write
only where they restate their file's header, and nothing after the end marker but zero padding
to the end of the 10240-byte record. Yields (name, offset, size) for each entry.

This follows the TypeScript reader (src/core/bundle/tar-reader.ts, tar-header.ts, pax.ts) check
for check and in the same order, so that an archive with several defects fails with the same
code in both: an entry's header is checked and handed to `admit` (the caller's name, order and
cap checks) before its bytes are looked at, and the zero padding after an entry is checked only
when the caller asks for the next one."""
import re
from typing import Callable, Iterator, Optional, Tuple

from .errors import BundleError
from .format import MAX_SAFE_INTEGER

BLOCK = 512
RECORD = 20 * BLOCK
MAX_EXTENSION_BYTES = 64 * 1024
# Sizes from 8 GiB (8^11) on do not fit the 11 octal digits of a ustar size field.
OCTAL_SIZE_LIMIT = 8 ** 11

TYPE_NAMES = {
    "1": "hard link", "2": "symbolic link", "3": "character device", "4": "block device", "5": "directory",
    "6": "fifo", "7": "contiguous file", "x": "pax header", "g": "pax global header", "L": "GNU long name",
    "K": "GNU long link", "S": "GNU sparse file", "D": "GNU dumpdir", "M": "GNU multi-volume continuation",
    "V": "GNU volume label",
}

_TIME = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")
_DECIMAL = re.compile(r"[0-9]{1,20}")
_NO_CONTROL = re.compile(r"[^\x00-\x1f\x7f]*")
_OCTAL = re.compile(r"[0-7]{1,12}")
_PLAIN = re.compile(r"[\x21-\x7e]*")


def _type_name(typeflag: str) -> str:
    return TYPE_NAMES.get(typeflag, f"type {typeflag!r}")


def check_path(path: str, where: str = "") -> None:
    """Entry paths are plain file names: the format has no folders, and nothing may escape one."""
    def bad(why: str) -> None:
        raise BundleError("E_ENTRY_PATH", f'bundle entry path {path!r}{f" ({where})" if where else ""} {why}; expected a plain file name such as "arch.json"')
    if not path:
        bad("is empty")
    if path.startswith("/"):
        bad("is absolute")
    if "\\" in path:
        bad("contains a backslash")
    if not _PLAIN.fullmatch(path):
        bad("contains a control, space or non-ASCII character")
    if ".." in path.split("/"):
        bad('contains ".."')
    if "/" in path:
        bad("names a folder")


def _parse_octal(field: bytes) -> Optional[int]:
    text = field.decode("latin-1").rstrip("\0 ").lstrip(" ")
    return int(text, 8) if _OCTAL.fullmatch(text) else None


def _parse_size(field: bytes) -> Optional[int]:
    """Octal digits, or base-256 when the top bit is set (sizes of 8 GiB and more); None when unreadable."""
    if field[0] & 0x80:
        value = int.from_bytes(bytes([field[0] & 0x7F]) + field[1:], "big")
        return value if value <= MAX_SAFE_INTEGER else None
    return _parse_octal(field)


def _c_string(block: bytes, offset: int, length: int) -> str:
    return block[offset:offset + length].split(b"\0", 1)[0].decode("latin-1")


def _header(block: bytes, at: int, first: bool) -> Tuple[str, str, Optional[int], bool]:
    """(typeflag, path, size or None when unreadable, whether the size field is blank)."""
    def not_tar(what: str) -> None:
        raise BundleError("E_NOT_TAR", f"{'bundle is not a tar archive' if first else 'bad tar header'} at offset {at}: {what}")
    magic = block[257:265]
    gnu = magic == b"ustar  \0"
    if magic != b"ustar\x0000" and not gnu:
        not_tar(f"expected the POSIX ustar magic or GNU's, received {magic!r}")
    stored = _parse_octal(block[148:156])
    if stored is None or stored != sum(block[:148]) + 8 * 0x20 + sum(block[156:]):
        not_tar("header checksum does not match")
    typeflag = chr(block[156])
    name = _c_string(block, 0, 100)
    # In a GNU header the ustar prefix area holds atime and ctime (ignored), then the multi-volume
    # offset, sparse map and real size, which only sparse and multi-volume archives use.
    if gnu and any(block[369:500]):
        raise BundleError("E_ENTRY_TYPE", f"bundle entry {name!r} at offset {at} has GNU sparse or multi-volume fields set; only plain regular files are allowed")
    prefix = "" if gnu else _c_string(block, 345, 155)
    size_field = block[124:136]
    return typeflag, f"{prefix}/{name}" if prefix else name, _parse_size(size_field), all(b in (0, 0x20) for b in size_field)


_PAX_KEYS: dict = {
    "mtime": lambda v, w: None if _TIME.fullmatch(v) else 'a time in seconds such as "1700000000.5"',
    "atime": lambda v, w: None if _TIME.fullmatch(v) else 'a time in seconds such as "1700000000.5"',
    "ctime": lambda v, w: None if _TIME.fullmatch(v) else 'a time in seconds such as "1700000000.5"',
    "uid": lambda v, w: None if _DECIMAL.fullmatch(v) else "a decimal id",
    "gid": lambda v, w: None if _DECIMAL.fullmatch(v) else "a decimal id",
    "uname": lambda v, w: None if _NO_CONTROL.fullmatch(v) else "a name without control characters",
    "gname": lambda v, w: None if _NO_CONTROL.fullmatch(v) else "a name without control characters",
    "size": lambda v, w: None if _DECIMAL.fullmatch(v) and int(v) <= MAX_SAFE_INTEGER else "a decimal byte count",
    "path": lambda v, w: check_path(v, w),
}


def parse_pax(data: bytes, at: int) -> dict:
    """The records of a pax header, `"<length> <key>=<value>\\n"`, each checked as it is met."""
    records: dict = {}
    position, index = 0, 1
    while position < len(data):
        def bad(what: str) -> None:
            raise BundleError("E_NOT_TAR", f"bundle pax header at offset {at}, record {index} (byte {position}): {what}")
        digits_end = position
        while digits_end < len(data) and digits_end - position < 10 and 0x30 <= data[digits_end] <= 0x39:
            digits_end += 1
        length_text = data[position:digits_end].decode("latin-1")
        if not re.fullmatch(r"[1-9][0-9]*", length_text) or digits_end >= len(data) or data[digits_end] != 0x20:
            bad(f"expected a decimal length without leading zeros and a space, received {data[position:position + 12]!r}")
        end = position + int(length_text)
        if end > len(data):
            bad(f"its length {length_text} runs past the end of the header's {len(data)} bytes")
        if end < digits_end + 4:
            bad(f'its length {length_text} is too short for "<length> <key>=<value>\\n"')
        if data[end - 1] != 0x0A:
            bad(f"expected the record's {length_text} bytes to end with a newline")
        body = data[digits_end + 1:end - 1]
        eq = body.find(b"=")
        if eq <= 0:
            bad(f'expected "<key>=<value>", received {body[:40]!r}')
        try:
            key, value = body[:eq].decode("utf-8"), body[eq + 1:].decode("utf-8")
        except UnicodeDecodeError:
            bad("expected UTF-8")
        check = _PAX_KEYS.get(key)
        if check is None:
            raise BundleError("E_ENTRY_TYPE", f'bundle pax header at offset {at} has the key {key[:80]!r}; only {", ".join(_PAX_KEYS)} are accepted')
        if key in records:
            bad(f'the key "{key}" appears a second time')
        expected = check(value, f"from the pax header at offset {at}")
        if expected:
            bad(f'"{key}" must be {expected}, received {value[:80]!r}')
        records[key] = value
        position = end
        index += 1
    return {k: int(v) if k == "size" else v for k, v in records.items() if k in ("path", "size")}


def _long_name(data: bytes, at: int) -> str:
    """GNU's long name: the name's bytes and one NUL, as GNU tar and Python write it."""
    nul = data.find(b"\0")
    if nul == -1 or nul != len(data) - 1:
        raise BundleError("E_NOT_TAR", f"bundle GNU long name at offset {at}: expected a name ending in one NUL byte")
    name = data[:nul].decode("latin-1")
    check_path(name, f"from the GNU long name at offset {at}")
    return name


def _resolve(path: str, size: Optional[int], blank: bool, at: int, extension: Optional[dict]) -> int:
    """The size of the regular file whose header is at `at`, given what an extension header said:
    it may only restate the header, except a size of 8 GiB or more with 0 or NULs in the field."""
    check_path(path)
    if extension and "path" in extension and extension["path"] != path:
        raise BundleError("E_ENTRY_PATH", f'bundle entry {path!r} has the path {extension["path"]!r} in the {extension["kind"]} at offset {extension["at"]}; the two must agree')
    stated = extension.get("size") if extension else None
    if stated is None:
        if size is None:
            raise BundleError("E_NOT_TAR", f"bad tar header at offset {at}: entry {path!r} has an unreadable size field")
        return size
    if stated == size or (stated >= OCTAL_SIZE_LIMIT and (blank or size == 0)):
        return stated
    raise BundleError("E_NOT_TAR", f'bundle entry {path!r} has the size {size} in its tar header but {stated} in the {extension["kind"]} at offset {extension["at"]}; the two must agree')


def _read(view: memoryview, at: int, n: int, what: str) -> bytes:
    if at + n > len(view):
        raise BundleError("E_TRUNCATED", f"bundle ends inside {what}: {at + n - len(view)} more bytes expected at offset {len(view)}")
    return bytes(view[at:at + n])


def _skip_padding(view: memoryview, at: int, n: int, after: str) -> int:
    """Writers pad with zeros; anything else there is data no reader looks at, so refuse it."""
    padding = _read(view, at, n, f"the padding of {after}")
    if any(padding):
        offset = next(i for i, b in enumerate(padding) if b)
        raise BundleError("E_NOT_TAR", f"bundle has a non-zero byte (0x{padding[offset]:02x}) at offset {at + offset}, in the zero padding after {after}")
    return at + n


def tar_entries(view: memoryview, admit: Callable[[str, int], None] = lambda name, size: None) -> Iterator[Tuple[str, int, int]]:
    """Every regular file of the archive, in order, as (name, data offset, size). `admit(name,
    size)` runs on each file's header before its bytes are looked at (even whether they are all
    there), as the TypeScript reader checks an entry's name, order and cap first."""
    if len(view) == 0:
        raise BundleError("E_NOT_TAR", "bundle is empty: expected a tar archive")
    position = 0
    count = 0
    while True:
        extension: Optional[dict] = None
        while True:
            at = position
            what = f"the tar header after the {extension['kind']} at offset {extension['at']}" if extension else "a tar header"
            block = _read(view, at, BLOCK, what)
            position += BLOCK
            if not any(block):
                if extension:
                    raise _dangling(extension, "the end-of-archive marker")
                _check_end(view, at)
                return
            typeflag, path, size, blank = _header(block, at, count == 0)
            count += 1
            if typeflag in ("x", "L"):
                # One extension header per file: tools never write two, and two could contradict each other.
                if extension:
                    raise _dangling(extension, f"a {_type_name(typeflag)} at offset {at}")
                kind = _type_name(typeflag)
                if size is None:
                    raise BundleError("E_NOT_TAR", f"bad tar header at offset {at}: the {kind} has an unreadable size field")
                if size > MAX_EXTENSION_BYTES:
                    raise BundleError("E_ENTRY_TOO_LARGE", f"bundle {kind} at offset {at} has {size} bytes, more than the cap of {MAX_EXTENSION_BYTES}")
                data = _read(view, position, size, f"the {kind} at offset {at}")
                position += size
                position = _skip_padding(view, position, -size % BLOCK, f"the {kind} at offset {at}")
                extension = {"kind": kind, "at": at, **(parse_pax(data, at) if typeflag == "x" else {"path": _long_name(data, at)})}
                continue
            if typeflag not in ("0", "\0"):
                if extension:
                    raise _dangling(extension, f"a {_type_name(typeflag)} ({path!r}) at offset {at}")
                raise BundleError("E_ENTRY_TYPE", f"bundle entry {path!r} is a {_type_name(typeflag)}; only regular files are allowed")
            size = _resolve(path, size, blank, at, extension)
            break
        admit(path, size)
        if position + size > len(view):
            raise BundleError("E_TRUNCATED", f"bundle ends inside entry {path!r}: {position + size - len(view)} more bytes expected at offset {len(view)}")
        yield path, position, size
        position += size
        position = _skip_padding(view, position, -size % BLOCK, "a tar entry")


def _dangling(extension: dict, followed_by: str) -> BundleError:
    return BundleError("E_ENTRY_TYPE", f"bundle {extension['kind']} at offset {extension['at']} is followed by {followed_by}; expected the regular file it describes")


def _check_end(view: memoryview, at: int) -> None:
    """After the first zero block at `at`: the second one, then nothing, or only zeros up to the
    end of the tar record the marker ends in (GNU tar and Python fill the last 10240-byte record)."""
    second = _read(view, at + BLOCK, BLOCK, "the tar end-of-archive marker")
    if any(second):
        raise BundleError("E_TRAILING_DATA", f"bundle has a non-zero byte at offset {at + BLOCK + next(i for i, b in enumerate(second) if b)}, inside the tar end-of-archive marker; expected two zero blocks")
    marker_end = at + 2 * BLOCK
    record_end = -(-marker_end // RECORD) * RECORD
    if any(view[marker_end:min(record_end, len(view))]):
        raise BundleError("E_TRAILING_DATA", f"bundle has a non-zero byte after the tar end-of-archive marker (offset {marker_end} on); only zero padding may follow it")
    if len(view) > record_end:
        raise BundleError("E_TRAILING_DATA", f"bundle has bytes after offset {record_end}: the tar end-of-archive marker ends at {marker_end}, and only zero padding up to the next multiple of {RECORD} bytes may follow it")
