"""Where a linted file's config file may be, found by name without parsing TOML.

A file's settings come from the first folder, from its own upwards, that holds a config file;
the search stops at the repository root (the folder holding ``.git``), since settings above it
belong to someone else. In a folder the names are tried in ``CONFIG_FILES`` order, and a
``pyproject.toml`` counts only when it mentions our table (most are not ours). ``files``
parses what this finds; a run answered from the result cache uses the first candidate as is.
It imports nothing beyond what the interpreter has loaded at start-up.
"""

from __future__ import annotations

import os

from ..reading import PathError, folders_up, read_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

CONFIG_FILES = (".valohai-image-lint.toml", "valohai-image-lint.toml", "pyproject.toml")
TABLE = "tool.valohai-image-lint"
"""The table of ``pyproject.toml`` that holds our settings."""


_NAME = b"valohai-image-lint"
_BARE_KEY = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789-")
_BARE_KEYS = frozenset(bytes([byte]) for byte in _BARE_KEY)
_BLANK = b" \t"


def mentions_us(path: str) -> bool:
    """Whether a ``pyproject.toml`` may hold our table: True when our name (or a near miss such
    as ``valohai_image_lint``) is a key anywhere, in any TOML spelling (a table header, a dotted
    key, an inline table, quoted or not), or when the file has escapes, which could spell it;
    and True when it cannot be read, so that the real read reports the problem. A project's
    own name, or a dependency, ``"valohai-image-lint"``, is a value and does not count. A wrong
    True costs a parse (and, in a run answered from the result cache, a miss), never a setting."""
    try:
        text = read_file(path).lower()
    except PathError:
        return True
    if b"\\u" in text or b"\\x" in text:
        return True  # an escape may spell our name in a quoted key
    if b"valohai" not in text:
        return False
    folded = text.replace(b"_", b"-")
    return any(_is_a_key(folded, at) for at in _occurrences(folded))


def _occurrences(folded: bytes) -> Iterator[int]:
    at = folded.find(_NAME)
    while at >= 0:
        yield at
        at = folded.find(_NAME, at + 1)


def _is_a_key(folded: bytes, at: int) -> bool:
    """Whether our name at ``at`` may be a key of the ``tool`` table: after ``tool.`` (a table
    header, even a broken one, or a dotted key), a key in an inline table on a line naming
    ``tool``, or a key under ``[tool]`` or at the top level. In doubt it is; in a string value
    (a project's name, a dependency, a module path) it is not."""
    start, end = at, at + len(_NAME)
    before = folded[at - 1 : at]
    if before in (b'"', b"'"):
        if folded[end : end + 1] != before:
            return False  # a longer string, such as "valohai-image-lint>=1.0"
        start, end = start - 1, end + 1
    elif (before and before[0] in _BARE_KEY) or folded[end : end + 1] in _BARE_KEYS:
        return False  # a longer bare key, such as my-valohai-image-lint
    line_start = folded.rfind(b"\n", 0, start) + 1
    prefix = folded[line_start:start].rstrip(_BLANK)
    if prefix.endswith(b"."):
        segment = prefix[:-1].rstrip(_BLANK).rstrip(b"\"'")
        return segment.endswith(b"tool") and segment[-5:-4] not in _BARE_KEYS
    rest = folded[end : end + 64].lstrip(_BLANK)
    if not (rest.startswith(b".") or (rest.startswith(b"=") and not rest.startswith(b"=="))):
        return False  # a value
    if prefix.endswith(b"="):
        return False
    if b"tool" in prefix:
        return True  # a key in an inline table: tool = { valohai-image-lint = {...} }
    # A key at the start of a line (or in an inline table that spans lines: TOML 1.1) counts
    # under [tool], or at the top level, where an inline table of tool may have begun above.
    return _table_header(folded, line_start).translate(None, b" \t\"'") in (b"", b"[tool]")


def _table_header(folded: bytes, line_start: int) -> bytes:
    """The table header (``[name]``, up to its first ``]``) that the line at ``line_start`` is
    under; empty at the top level."""
    end = line_start
    while end > 0:
        start = folded.rfind(b"\n", 0, end - 1) + 1
        line = folded[start:end].lstrip(_BLANK)
        if line.startswith(b"["):
            return line[: line.find(b"]") + 1]
        end = start
    return b""


def candidates_in(folder: str) -> Iterator[str]:
    """The config files in ``folder`` that may hold settings, in the order they are tried. A
    file of ours that is there but is not a regular file (a FIFO, a dangling link) counts:
    reading it says why it cannot be used. A ``pyproject.toml`` counts only when it is a file
    that mentions our table."""
    for name in CONFIG_FILES:
        candidate = os.path.join(folder, name)
        if name == "pyproject.toml":
            if os.path.isfile(candidate) and mentions_us(candidate):
                yield candidate
        elif os.path.lexists(candidate) and not os.path.isdir(candidate):
            yield candidate


def first_candidate(linted: str) -> str | None:
    """The config file that most likely applies to ``linted``: the first candidate found going
    up. It is the one ``files`` uses unless that one turns out to hold no settings."""
    for folder in folders_up(os.path.dirname(os.path.abspath(linted))):
        found = next(candidates_in(folder), None)
        if found is not None:
            return found
    return None
