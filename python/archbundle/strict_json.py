"""JSON as the bundle format allows it (docs/bundle-format.md §2): valid UTF-8, nested at most
`max_depth` levels, no duplicate keys (escapes decoded first), none of the keys JavaScript treats
specially, numbers within the range of a double. Python's json module already decodes escapes before keys meet."""
import json
import math
from typing import Any

from .errors import BundleError

FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})


def parse_strict_json(data: bytes, entry: str, max_depth: int = 64) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BundleError("E_JSON_SYNTAX", f"{entry} is not valid UTF-8: byte {error.start}") from None

    def pairs(items):
        seen = {}
        for key, value in items:
            if key in FORBIDDEN_KEYS:
                raise BundleError("E_JSON_FORBIDDEN_KEY", f'{entry} holds the forbidden key "{key}"')
            if key in seen:
                raise BundleError("E_JSON_DUPLICATE_KEY", f'{entry} holds the key "{key}" twice in one object')
            seen[key] = value
        return seen

    def constant(name):
        raise BundleError("E_JSON_SYNTAX", f"{entry} holds {name}, which is not JSON")

    def number(text):
        # JSON numbers are doubles to the TypeScript reader: one past the double range is refused
        # there, so here too, and a long integer is read as the double it rounds to.
        value = float(text)
        if not math.isfinite(value):
            raise BundleError("E_JSON_SYNTAX", f"{entry} holds the number {text[:40]}, out of range")
        return value

    def integer(text):
        return int(text) if len(text) <= 15 else int(number(text))

    _check_depth(text, entry, max_depth)
    try:
        value = json.loads(text, object_pairs_hook=pairs, parse_constant=constant, parse_float=number, parse_int=integer)
    except json.JSONDecodeError as error:
        raise BundleError("E_JSON_SYNTAX", f"{entry} is not valid JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    return value


def _check_depth(text: str, entry: str, max_depth: int) -> None:
    """Counts nesting outside strings before parsing, so a deep document never reaches the
    recursive parser."""
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                raise BundleError("E_JSON_DEPTH", f"{entry} is nested deeper than {max_depth} levels")
        elif char in "]}":
            depth -= 1
