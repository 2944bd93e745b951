"""One bundle file checked for `archbundle validate`, as a result of the TypeScript CLI's shape
(src/node/cli/commands/validate.ts): file, valid, class, tensors, bytes, ms, or the error's
code, message and issues. A file that cannot be read is E_IO, as in TypeScript; anything that
is not an ArchbundleError is a bug or a broken installation and propagates."""
import errno
import os
import time
from typing import Any, Dict, Tuple

from .bundle import Bundle
from .errors import ArchbundleError
from .reader import file_view, read


def open_bundle(file: str) -> Tuple[Bundle, int]:
    """The checked bundle and the file's size. Only reading the file is E_IO (missing,
    unreadable, a folder); archbundle.read then gets the bytes, so that an OSError from it (a
    published schema not found, say) is a broken installation, not a bad bundle."""
    absolute = os.path.abspath(file)
    try:
        handle = open(absolute, "rb")
    except OSError as error:
        raise ArchbundleError("E_IO", f"cannot open bundle {absolute}: {_describe(error)}") from None
    with handle:
        try:
            data = file_view(handle)
        except OSError as error:
            raise ArchbundleError("E_IO", f"cannot read bundle {absolute}: {_describe(error)}") from None
    return read(data), len(data)


def validate_file(file: str) -> Dict[str, Any]:
    started = time.perf_counter()

    def ms() -> float:
        return round((time.perf_counter() - started) * 1000, 1)

    try:
        bundle, size = open_bundle(file)
        result = {"file": file, "valid": True, "class": bundle.class_name, "tensors": len(bundle.weights), "bytes": size}
        return {**result, "ms": ms()}
    except ArchbundleError as error:
        return {"file": file, "valid": False, "ms": ms(),
                "error": {"code": error.code, "message": error.message, "issues": [i.as_dict() for i in error.issues]}}


def _describe(error: OSError) -> str:
    """`ENOENT: no such file or directory`, as Node words it."""
    name = errno.errorcode.get(error.errno or 0)
    reason = (error.strerror or str(error)).lower()
    return f"{name}: {reason}" if name else reason
