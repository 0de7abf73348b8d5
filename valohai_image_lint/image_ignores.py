"""``per-image-ignores``: rules turned off for the images that match a pattern, for a team's own
images whose tag scheme the linter cannot know (``"docker.io/acme/**" = ["VIL104"]``).

Patterns are ``patterns.ImagePattern`` globs over canonical names, as ``allowed-images`` writes
them; the rules are selectors (codes, prefixes, names). A diagnostic is dropped when its image
(``Diagnostic.canonical``) matches a pattern that lists its code. ``ImageIgnores.matched`` collects
the patterns that matched any image of a file, so that the run can name the unused ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from .model import Diagnostic
from .patterns import ImagePattern
from .reference import ImageRef
from .rules import ALL_RULES
from .selection import resolve

Table = tuple[tuple[str, tuple[str, ...]], ...]  # (pattern, selectors), as the config writes them


@lru_cache(maxsize=16)
def compiled(table: Table) -> tuple[tuple[ImagePattern, frozenset[str]], ...]:
    """Each pattern parsed, with the codes its selectors name (validated where the config was read)."""
    return tuple((ImagePattern.parse(text), frozenset(resolve(ALL_RULES, codes))) for text, codes in table)


def matching(table: Table, ref: ImageRef) -> list[str]:
    """The patterns (as written) that match ``ref``."""
    return [pattern.text for pattern, _ in compiled(table) if pattern.matches(ref)]


def drop_ignored(
    diagnostics: Sequence[Diagnostic], table: Table, refs: dict[str, ImageRef]
) -> list[Diagnostic]:
    """The diagnostics whose image no pattern ignores their code for; ``refs`` maps canonical
    names to their parsed references."""
    rows = compiled(table)
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        ref = refs.get(diagnostic.canonical) if diagnostic.canonical else None
        if ref is not None and any(diagnostic.code in codes and p.matches(ref) for p, codes in rows):
            continue
        kept.append(diagnostic)
    return kept


def unused(table: Table, matched: Iterable[str]) -> list[str]:
    """The patterns of ``table`` not in ``matched``, in the order written."""
    seen = set(matched)
    return [text for text, _ in table if text not in seen]
