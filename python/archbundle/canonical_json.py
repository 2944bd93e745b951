"""Canonical JSON exactly as archbundle's TypeScript writer makes it (`JSON.stringify` of the
value with keys sorted, two-space indentation, a final newline), so that Python and TypeScript
write the same bytes for the same content. Three things differ from Python's json module:
JavaScript orders integer-like keys first and the rest by UTF-16 code units, prints numbers by
Number.prototype.toString (`1` for 1.0, `1e-7`, `1e+21`), and escapes lone surrogates."""
import json
import math
import re
from typing import Any, List

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical_json(value: Any) -> str:
    out: List[str] = []
    _write(value, out, "")
    return "".join(out) + "\n"


def js_number(value: float) -> str:
    """Number.prototype.toString for a finite double (ECMA-262 Number::toString)."""
    if not math.isfinite(value):
        raise ValueError(f"{value} is not a finite number, which JSON cannot hold")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    mantissa, _, exponent = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    fraction = fraction.rstrip("0") if fraction != "0" else ""
    digits = (whole + fraction).lstrip("0")
    # value = 0.digits × 10^n
    n = len(whole) + int(exponent or 0) if whole != "0" else int(exponent or 0) - (len(fraction) - len(fraction.lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        text = (digits if k == 1 else digits[0] + "." + digits[1:]) + ("e+" if e >= 0 else "e-") + str(abs(e))
    return sign + text


def _key_order(key: str):
    # Object.keys lists array-index keys first, in numeric order, then the rest as sorted.
    if key.isdigit() and key.isascii() and (key == "0" or key[0] != "0") and int(key) < 2 ** 32 - 1:
        return (0, int(key), b"")
    return (1, 0, key.encode("utf-16-be", "surrogatepass"))


def _string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


def _write(value: Any, out: List[str], indent: str) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(str(value) if abs(value) < 2 ** 53 else js_number(float(value)))
    elif isinstance(value, float):
        out.append(js_number(value))
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        out.append("[\n")
        for i, item in enumerate(value):
            out.append(inner)
            _write(item, out, inner)
            out.append(",\n" if i < len(value) - 1 else "\n")
        out.append(indent + "]")
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        keys = sorted(value, key=_key_order)
        out.append("{\n")
        for i, key in enumerate(keys):
            out.append(inner + _string(key) + ": ")
            _write(value[key], out, inner)
            out.append(",\n" if i < len(keys) - 1 else "\n")
        out.append(indent + "}")
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON value")
