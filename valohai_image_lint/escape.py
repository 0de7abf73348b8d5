"""Text that stays on one line: what every message, path and error line goes through."""

from __future__ import annotations

_UNSAFE = [
    *range(32),
    127,
    *range(0x80, 0xA0),
    0x200E,
    0x200F,
    0x2028,
    0x2029,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
]
_CONTROL = {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in _UNSAFE} | {
    10: "\\n",
    13: "\\r",
    9: "\\t",
}


def one_line(text: str) -> str:
    """Text that stays one line and cannot steer a terminal: control characters, line and
    paragraph separators and bidirectional controls in values are shown escaped."""
    return text.translate(_CONTROL)
