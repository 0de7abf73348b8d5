"""Text that stays on one line: what every message, path and error line goes through."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import re

_BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
"""The Unicode bidirectional controls (the ``Bidi_Control`` property): they reorder a line on screen."""
UNSAFE = (*range(32), 127, *range(0x80, 0xA0), 0x2028, 0x2029, *_BIDI)
"""The code points no output prints raw: controls, line and paragraph separators, bidi controls."""
_CONTROL = {code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" for code in UNSAFE} | {
    10: "\\n",
    13: "\\r",
    9: "\\t",
}
_json_unsafe: re.Pattern[str] | None = None  # compiled on first use: start-up never pays for it


def one_line(text: str) -> str:
    """Text that stays one line and cannot steer a terminal: control characters, line and
    paragraph separators and bidirectional controls in values are shown escaped."""
    return text.translate(_CONTROL)


def shown_path(path: str) -> str:
    """``path`` as a plain-text line shows it: ``one_line``, with ``./`` in front of a path that
    begins with ``::``, so that no line starting with it is a GitHub Actions workflow command."""
    text = one_line(path)
    return "./" + text if text.startswith("::") else text


def json_text(dumped: str) -> str:
    """JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL, the C1 controls, line and
    paragraph separators and bidirectional controls written as ``\\uXXXX`` escapes (JSON escapes
    the C0 controls itself). They can only occur inside strings there, where the escape is valid
    JSON and decodes to the same string."""
    global _json_unsafe
    if _json_unsafe is None:
        import re

        _json_unsafe = re.compile("[" + "".join(chr(code) for code in UNSAFE if code >= 127) + "]")
    return _json_unsafe.sub(_json_escape, dumped)


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"
