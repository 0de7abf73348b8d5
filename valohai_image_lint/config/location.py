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

from ..reading import folders_up

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

CONFIG_FILES = (".valohai-image-lint.toml", "valohai-image-lint.toml", "pyproject.toml")
TABLE = "tool.valohai-image-lint"
"""The table of ``pyproject.toml`` that holds our settings."""


def mentions_us(path: str) -> bool:
    """Whether a ``pyproject.toml`` may hold our table (True when it cannot be read, so that the
    real read reports the problem)."""
    try:
        with open(path, "rb") as handle:
            text = handle.read().lower()
    except OSError:
        return True
    # Only a table of ours (or a near miss such as [tool.valohai_image_lint]) makes the file worth
    # parsing: a project's own name "valohai-image-lint" does not.
    folded = text.replace(b"_", b"-").replace(b'"', b"").replace(b"'", b"").replace(b" ", b"")
    under_tool = b"[tool]" in folded and b"\nvalohai-image-lint=" in folded
    return b"tool.valohai-image-lint" in folded or under_tool


def candidates_in(folder: str) -> Iterator[str]:
    """The config files in ``folder`` that may hold settings, in the order they are tried."""
    for name in CONFIG_FILES:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate) and (name != "pyproject.toml" or mentions_us(candidate)):
            yield candidate


def first_candidate(linted: str) -> str | None:
    """The config file that most likely applies to ``linted``: the first candidate found going
    up. It is the one ``files`` uses unless that one turns out to hold no settings."""
    for folder in folders_up(os.path.dirname(os.path.abspath(linted))):
        found = next(candidates_in(folder), None)
        if found is not None:
            return found
    return None
