"""Text as archbundle's TypeScript CLI prints it (src/node/cli/format.ts), so that the Python and
TypeScript commands print the same thing for the same bundle: JSON.stringify (keys in insertion
order, numbers as JavaScript writes them), Number.prototype.toPrecision, en-US thousands and
the CLI's tables. Python's json module writes 1e-05 where JavaScript writes 0.00001, and 1.0
where it writes 1."""
import json
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, List, Optional, Sequence

from .canonical_json import js_number

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def js_string(text: str) -> str:
    """A JSON string literal as JSON.stringify writes it (lone surrogates escaped, the rest kept)."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


def number_text(value: float) -> str:
    """String(value) in JavaScript; JSON.stringify writes null for what is not finite."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and abs(value) < 2 ** 53:
        return str(value)
    return js_number(float(value)) if math.isfinite(value) else "null"


def stringify(value: Any, indent: Optional[int] = None) -> str:
    """JSON.stringify(value, null, indent)."""
    out: List[str] = []
    _write(value, out, "", " " * indent if indent else "")
    return "".join(out)


def _write(value: Any, out: List[str], current: str, step: str) -> None:
    if value is None:
        out.append("null")
    elif isinstance(value, (bool, int, float)):
        out.append(number_text(value))
    elif isinstance(value, str):
        out.append(js_string(value))
    elif isinstance(value, (list, tuple, dict)):
        pairs = list(value.items()) if isinstance(value, dict) else [(None, item) for item in value]
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        if not pairs:
            out.append(opening + closing)
            return
        inner = current + step
        separator = ",\n" + inner if step else ","
        out.append(opening + ("\n" + inner if step else ""))
        for i, (key, item) in enumerate(pairs):
            if i:
                out.append(separator)
            if key is not None:
                out.append(js_string(str(key)) + (": " if step else ":"))
            _write(item, out, inner, step)
        out.append(("\n" + current if step else "") + closing)
    else:
        raise TypeError(f"{type(value).__name__} is not a JSON value")


def to_precision(value: float, digits: int) -> str:
    """Number.prototype.toPrecision(digits) for a finite number: ties round up, as ECMA-262 says
    (Python's formatting rounds them to even), and exponent form below 1e-6 or from 10^digits."""
    if value == 0:
        return "0" if digits == 1 else "0." + "0" * (digits - 1)
    sign = "-" if value < 0 else ""
    exact = Decimal(abs(value))
    exponent = exact.adjusted()
    scaled = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(1 - digits), rounding=ROUND_HALF_UP)
    if scaled >= 10:
        exponent += 1
        scaled = exact.scaleb(-exponent).quantize(Decimal(1).scaleb(1 - digits), rounding=ROUND_HALF_UP)
    significand = str(scaled).replace(".", "")
    if exponent < -6 or exponent >= digits:
        mantissa = significand[0] + ("." + significand[1:] if digits > 1 else "")
        return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    if exponent >= 0:
        whole, fraction = significand[:exponent + 1], significand[exponent + 1:]
        return sign + whole + ("." + fraction if fraction else "")
    return sign + "0." + "0" * (-exponent - 1) + significand


def integer(value: int) -> str:
    """value.toLocaleString('en-US') for an integer."""
    return f"{value:,}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns two spaces apart, the last one unpadded, as the TypeScript CLI's table()."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c if i == len(cells) - 1 else c.ljust(widths[i]) for i, c in enumerate(cells)).rstrip()

    return "\n".join([line(headers)] + [line(r) for r in rows]) + "\n"
