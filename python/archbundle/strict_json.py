"""JSON as the bundle format allows it (docs/bundle-format.md §2): valid UTF-8, nested at most
`max_depth` levels, no duplicate keys (escapes decoded first), none of the keys JavaScript treats
specially, numbers within the range of a double.

A document with several of these faults fails with the code of the first one in reading order,
as in the TypeScript reader's parser (src/core/bundle/strict-json.ts). Python's json module is
the fast path for documents that pass; any that does not is read again by `_Parser`, a port of
that parser, which finds the first fault as it would."""
import json
import math
import re
from typing import Any, Dict, List

from .errors import BundleError

FORBIDDEN_KEYS = frozenset({"__proto__", "constructor", "prototype"})

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_PLAIN_CHARS = re.compile(r'[^"\\\x00-\x1f]*')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
# a string (to its closing quote, or to the end when there is none: linear, never rescanned) or a bracket
_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.S)
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WHITESPACE = " \t\n\r"


class _Refused(Exception):
    """The fast path met something it does not decide on; the port of the TypeScript parser does."""


def _number(text: str, fail) -> Any:
    """A JSON number as JavaScript reads it: a double, so one past the double range is refused,
    and one with an integer value is an integer however it is written (`2.0`, `2e0`): an int
    here, so that an argument JavaScript takes as the integer 2 is 2 for Python's code too."""
    value = float(text)
    if not math.isfinite(value):
        fail()
    return int(value) if value.is_integer() else value


def parse_strict_json(data: bytes, entry: str, max_depth: int = 64) -> Any:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BundleError("E_JSON_SYNTAX", f"{entry} is not valid UTF-8: byte {error.start}") from None
    try:
        return _fast(text, max_depth)
    except (_Refused, json.JSONDecodeError, ValueError, RecursionError):
        try:
            return _Parser(text, entry, max_depth).document()
        except RecursionError:  # a depth cap raised past what Python's stack allows
            raise BundleError("E_JSON_DEPTH", f"{entry} is nested deeper than this Python can parse") from None


def _fast(text: str, max_depth: int) -> Any:
    def pairs(items):
        seen: Dict[str, Any] = {}
        for key, value in items:
            if key in FORBIDDEN_KEYS or key in seen:
                raise _Refused()
            seen[key] = value
        return seen

    def refuse(*_):
        raise _Refused()

    depth = 0
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > max_depth:
                raise _Refused()
        elif char in "]}":
            depth -= 1
    return json.loads(text, object_pairs_hook=pairs, parse_constant=refuse,
                      parse_float=lambda t: _number(t, refuse), parse_int=lambda t: _number(t, refuse))


class _Parser:
    """src/core/bundle/strict-json.ts's parser, step for step: the first fault met is the error."""

    def __init__(self, text: str, entry: str, max_depth: int):
        self.text, self.entry, self.max_depth, self.at = text, entry, max_depth, 0

    def fail(self, code: str, what: str, at: int = -1) -> None:
        at = self.at if at < 0 else at
        received = json.dumps(self.text[at:at + 12]) if at < len(self.text) else "end of input"
        raise BundleError(code, f"{self.entry}: {what} at character {at}, received {received}")

    def document(self) -> Any:
        self.space()
        value = self.value(1)
        self.space()
        if self.at != len(self.text):
            self.fail("E_JSON_SYNTAX", "unexpected text after the JSON value")
        return value

    def value(self, depth: int) -> Any:
        c = self.text[self.at:self.at + 1]
        if c == "{":
            return self.object(depth)
        if c == "[":
            return self.array(depth)
        if c == '"':
            return self.string()
        for word, value in (("true", True), ("false", False), ("null", None)):
            if c == word[0]:
                if not self.text.startswith(word, self.at):
                    self.fail("E_JSON_SYNTAX", "unexpected character")
                self.at += len(word)
                return value
        match = _NUMBER.match(self.text, self.at)
        if not match:
            self.fail("E_JSON_SYNTAX", "unexpected character")
        self.at = match.end()
        return _number(match.group(), lambda: self.fail("E_JSON_SYNTAX", "number out of range"))

    def object(self, depth: int) -> Dict[str, Any]:
        self.enter(depth)
        self.at += 1
        result: Dict[str, Any] = {}
        self.space()
        if self.text[self.at:self.at + 1] == "}":
            self.at += 1
            return result
        while True:
            self.space()
            if self.text[self.at:self.at + 1] != '"':
                self.fail("E_JSON_SYNTAX", "expected a string key")
            key_at = self.at
            key = self.string()
            if key in FORBIDDEN_KEYS:
                self.fail("E_JSON_FORBIDDEN_KEY", f'forbidden key "{key}"', key_at)
            if key in result:
                self.fail("E_JSON_DUPLICATE_KEY", f'duplicate key "{key}"', key_at)
            self.space()
            self.expect(":")
            self.space()
            result[key] = self.value(depth + 1)
            self.space()
            if self.text[self.at:self.at + 1] == ",":
                self.at += 1
                continue
            self.expect("}")
            return result

    def array(self, depth: int) -> List[Any]:
        self.enter(depth)
        self.at += 1
        result: List[Any] = []
        self.space()
        if self.text[self.at:self.at + 1] == "]":
            self.at += 1
            return result
        while True:
            self.space()
            result.append(self.value(depth + 1))
            self.space()
            if self.text[self.at:self.at + 1] == ",":
                self.at += 1
                continue
            self.expect("]")
            return result

    def string(self) -> str:
        start = self.at + 1
        self.at = start
        parts: List[str] = []
        while True:
            match = _PLAIN_CHARS.match(self.text, self.at)
            parts.append(match.group())
            self.at = match.end()
            if self.at >= len(self.text):
                self.fail("E_JSON_SYNTAX", "unterminated string", start - 1)
            c = self.text[self.at]
            if c == '"':
                self.at += 1
                out = "".join(parts)
                # JavaScript strings are UTF-16: an escaped surrogate pair is the character it encodes
                if any("\ud800" <= ch <= "\udfff" for ch in out):
                    out = out.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
                return out
            if c < " ":
                self.fail("E_JSON_SYNTAX", "control character in string")
            escape = self.text[self.at + 1:self.at + 2]
            self.at += 2
            if escape in _ESCAPES:
                parts.append(_ESCAPES[escape])
            elif escape == "u":
                digits = self.text[self.at:self.at + 4]
                if not _HEX4.fullmatch(digits):
                    self.fail("E_JSON_SYNTAX", "bad \\u escape")
                parts.append(chr(int(digits, 16)))
                self.at += 4
            else:
                self.fail("E_JSON_SYNTAX", "bad escape", self.at - 2)

    def enter(self, depth: int) -> None:
        if depth > self.max_depth:
            self.fail("E_JSON_DEPTH", f"nesting deeper than {self.max_depth} levels")

    def expect(self, c: str) -> None:
        if self.text[self.at:self.at + 1] != c:
            self.fail("E_JSON_SYNTAX", f'expected "{c}"')
        self.at += 1

    def space(self) -> None:
        while self.at < len(self.text) and self.text[self.at] in _WHITESPACE:
            self.at += 1
