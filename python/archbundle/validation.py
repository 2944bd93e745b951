"""One bundle file checked for `archbundle validate`, as a result of the TypeScript CLI's shape
(src/node/cli/commands/validate.ts): file, valid, class, tensors, bytes, ms, or the error's
code, message and issues. A file that cannot be opened is E_IO, as in TypeScript; anything
that is not an ArchbundleError is a bug and propagates."""
import errno
import os
import time
from typing import Any, Dict

from .bundle import Bundle
from .errors import ArchbundleError
from .reader import read


def open_bundle(file: str) -> Bundle:
    """archbundle.read, with the file's own failures (missing, unreadable, a folder) as E_IO
    rather than OSError, so that they are told apart from a broken installation."""
    absolute = os.path.abspath(file)
    try:
        with open(absolute, "rb"):
            pass
    except OSError as error:
        raise ArchbundleError("E_IO", f"cannot open bundle {absolute}: {_describe(error)}") from None
    try:
        return read(absolute)
    except OSError as error:
        if error.filename not in (None, absolute):
            raise  # not the bundle's file (a published schema, say): no E_IO
        raise ArchbundleError("E_IO", f"cannot read bundle {absolute}: {_describe(error)}") from None


def validate_file(file: str) -> Dict[str, Any]:
    started = time.perf_counter()

    def ms() -> float:
        return round((time.perf_counter() - started) * 1000, 1)

    try:
        bundle = open_bundle(file)
        result = {"file": file, "valid": True, "class": bundle.class_name, "tensors": len(bundle.weights),
                  "bytes": os.stat(file).st_size}
        return {**result, "ms": ms()}
    except ArchbundleError as error:
        return {"file": file, "valid": False, "ms": ms(),
                "error": {"code": error.code, "message": error.message, "issues": [i.as_dict() for i in error.issues]}}


def _describe(error: OSError) -> str:
    """`ENOENT: no such file or directory`, as Node words it."""
    name = errno.errorcode.get(error.errno or 0)
    reason = (error.strerror or str(error)).lower()
    return f"{name}: {reason}" if name else reason
