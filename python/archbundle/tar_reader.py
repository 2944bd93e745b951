"""The bundle's tar container (docs/bundle-format.md §1), read as hostile input: POSIX ustar or
GNU magic, regular files only, names without folders, the extension headers other tools write
only where they restate their file's header, and nothing after the end marker but zero padding
to the end of the 10240-byte record. Yields (name, offset, size) for each entry."""
from typing import Iterator, Tuple

from .errors import BundleError

BLOCK = 512
RECORD = 10240
MAX_EXTENSION_BYTES = 64 * 1024
PAX_IGNORED = {"mtime", "atime", "ctime", "uid", "gid", "uname", "gname"}


def _octal(field: bytes, what: str, at: int) -> int:
    if field[0] & 0x80:  # base-256, for sizes of 8 GiB and more
        value = int.from_bytes(field, "big") & ~(0x80 << (8 * (len(field) - 1)))
        return value
    text = field.split(b"\0", 1)[0].strip(b" ")
    if not text or any(c not in b"01234567" for c in text):
        raise BundleError("E_NOT_TAR", f"bad tar header at offset {at}: {what} field is not octal: {field!r}")
    return int(text, 8)


def _check_name(name: str, at: int) -> None:
    if (not name or name.startswith("/") or "/" in name or "\\" in name or name in (".", "..")
            or any(ord(c) > 126 or ord(c) < 32 for c in name)):
        raise BundleError("E_ENTRY_PATH", f'bundle entry name "{name!r}" at offset {at} is not a plain file name (no folder, "/", "..", backslash or non-ASCII)')


def _header(block: bytes, at: int) -> Tuple[str, str, int, bool]:
    magic = block[257:265]
    gnu = magic == b"ustar  \0"
    if magic != b"ustar\x0000" and not gnu:
        raise BundleError("E_NOT_TAR", f"bundle is not a tar archive at offset {at}: expected the ustar or GNU magic, received {magic!r}")
    stored = _octal(block[148:156], "checksum", at)
    if stored != sum(block[:148]) + 8 * 32 + sum(block[156:]):
        raise BundleError("E_NOT_TAR", f"bad tar header at offset {at}: checksum mismatch")
    name = block[0:100].split(b"\0", 1)[0]
    if gnu:
        if any(block[369:]) and any(block[369:500]):
            raise BundleError("E_ENTRY_TYPE", f"bundle entry at offset {at} has GNU sparse or multi-volume fields set")
    else:
        prefix = block[345:500].split(b"\0", 1)[0]
        if prefix:
            name = prefix + b"/" + name
    typeflag = chr(block[156]) if block[156] else "0"
    size_field = block[124:136]
    blank = all(b in (0, 0x20) for b in size_field)
    size = 0 if blank else _octal(size_field, "size", at)
    try:
        text = name.decode("ascii")
    except UnicodeDecodeError:
        text = name.decode("latin-1")
    return text, typeflag, size, blank


def _pax(data: bytes, at: int) -> dict:
    records = {}
    position = 0
    while position < len(data):
        space = data.find(b" ", position)
        length_text = data[position:space] if space > 0 else b""
        if not length_text.isdigit() or (len(length_text) > 1 and length_text[:1] == b"0"):
            raise BundleError("E_NOT_TAR", f"malformed pax record at offset {at + position}")
        end = position + int(length_text)
        record = data[space + 1:end]
        if end > len(data) or not record.endswith(b"\n") or b"=" not in record:
            raise BundleError("E_NOT_TAR", f"malformed pax record at offset {at + position}")
        key, value = record[:-1].split(b"=", 1)
        try:
            key_text, value_text = key.decode("utf-8"), value.decode("utf-8")
        except UnicodeDecodeError:
            raise BundleError("E_NOT_TAR", f"pax record at offset {at + position} is not UTF-8") from None
        if key_text in records:
            raise BundleError("E_NOT_TAR", f'pax key "{key_text}" appears twice at offset {at}')
        records[key_text] = value_text
        position = end
    for key in records:
        if key not in PAX_IGNORED and key not in ("path", "size"):
            raise BundleError("E_ENTRY_TYPE", f'pax header at offset {at} holds the key "{key}", which a bundle may not use')
    return records


def tar_entries(view: memoryview) -> Iterator[Tuple[str, int, int]]:
    """Every regular file of the archive, in order, as (name, data offset, size)."""
    position = 0
    total = len(view)
    if total == 0:
        raise BundleError("E_NOT_TAR", "bundle is empty: not a tar archive")
    pending = None  # what an extension header said about the next file
    while True:
        if position + BLOCK > total:
            raise BundleError("E_TRUNCATED", f"bundle ends at offset {total}, inside a tar header or before the end marker")
        block = bytes(view[position:position + BLOCK])
        if not any(block):
            if pending is not None:
                raise BundleError("E_ENTRY_TYPE", f"extension header before offset {position} is followed by the end marker, not a regular file")
            _check_end(view, position)
            return
        name, typeflag, size, blank = _header(block, position)
        if typeflag == "0" and pending is not None:
            _check_name(name, position)
            size = _apply_extension(pending, name, size, blank, position)
            pending = None
        data_at = position + BLOCK
        if data_at + size > total:
            raise BundleError("E_TRUNCATED", f'bundle ends inside entry "{name}" (offset {data_at}, {size} bytes)')
        padded = data_at + (size + BLOCK - 1) // BLOCK * BLOCK
        if padded > total:
            raise BundleError("E_TRUNCATED", f'bundle ends inside the padding of entry "{name}"')
        if any(view[data_at + size:padded]):
            raise BundleError("E_NOT_TAR", f'non-zero byte in the padding after entry "{name}"')
        if typeflag in ("x", "L"):
            if pending is not None:
                raise BundleError("E_ENTRY_TYPE", f"extension header at offset {position} follows another extension header")
            if size > MAX_EXTENSION_BYTES:
                raise BundleError("E_ENTRY_TOO_LARGE", f"extension header at offset {position} is {size} bytes, more than {MAX_EXTENSION_BYTES}")
            data = bytes(view[data_at:data_at + size])
            if typeflag == "x":
                pending = _pax(data, position)
            else:
                if not data.endswith(b"\0"):
                    raise BundleError("E_NOT_TAR", f"GNU long name at offset {position} does not end in a NUL")
                pending = {"path": data[:-1].decode("latin-1")}
        elif typeflag == "0":
            _check_name(name, position)
            yield name, data_at, size
        else:
            raise BundleError("E_ENTRY_TYPE", f'bundle entry "{name}" at offset {position} is not a regular file (type {typeflag!r})')
        position = padded


def _apply_extension(pending: dict, name: str, size: int, blank: bool, at: int) -> int:
    if "path" in pending:
        _check_name(pending["path"], at)
        if pending["path"] != name:
            raise BundleError("E_ENTRY_PATH", f'extension header names "{pending["path"]}" but the header at offset {at} names "{name}"')
    if "size" in pending:
        stated = pending["size"]
        if not stated.isdigit() or (int(stated) != size and not (blank and int(stated) >= 8 ** 11)):
            raise BundleError("E_NOT_TAR", f'pax size {stated} disagrees with the header\'s size {size} at offset {at}')
        return int(stated)
    return size


def _check_end(view: memoryview, position: int) -> None:
    marker_end = position + 2 * BLOCK
    if marker_end > len(view):
        raise BundleError("E_TRUNCATED", "bundle ends inside the end marker")
    if any(view[position:len(view)]):
        raise BundleError("E_TRAILING_DATA", f"non-zero data after the end marker at offset {position}")
    if len(view) > (marker_end + RECORD - 1) // RECORD * RECORD:
        raise BundleError("E_TRAILING_DATA", f"bundle goes on past the tar record the end marker ends in ({len(view)} bytes)")
