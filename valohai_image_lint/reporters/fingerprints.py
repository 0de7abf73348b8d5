"""Fingerprints that follow a finding across unrelated edits, for SARIF and GitLab Code Quality.

A fingerprint is a digest of the file's POSIX path relative to the report's root, the rule code,
the image text (or, when there is no image, the message with its ``line N``/``column N`` numbers
blanked) and the finding's occurrence: its 0-based index among the findings with the same path,
code and image, in file order. The line and column are left out, so inserting a comment or a step
above a finding keeps its fingerprint; two identical findings in one file still differ.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from pathlib import PurePath

from ..model import Diagnostic

VERSION = "v1"  # change when the digest's input changes, so consumers see new fingerprints
_POSITION = re.compile(r"\b(line|column) \d+")


def relative_path(path: str, root: str = ".") -> str:
    """``path`` relative to ``root`` with POSIX separators (``..`` parts when it lies outside;
    absolute when no relative path exists, as across drives on Windows)."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(root))
    except ValueError:
        return PurePath(absolute).as_posix()
    return PurePath(relative).as_posix()


def _identity(diagnostic: Diagnostic, root: str) -> tuple[str, str, str]:
    subject = diagnostic.image if diagnostic.image is not None else _POSITION.sub(r"\1 #", diagnostic.message)
    return relative_path(diagnostic.path, root), diagnostic.code, subject


def fingerprint(diagnostic: Diagnostic, occurrence: int, root: str = ".") -> str:
    """The fingerprint of ``diagnostic``, the ``occurrence``-th (0-based) finding of its kind."""
    path, code, subject = _identity(diagnostic, root)
    text = "\0".join((VERSION, path, code, subject, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def fingerprints(diagnostics: Sequence[Diagnostic], root: str = ".") -> list[str]:
    """The fingerprint of each diagnostic, in the order given; occurrences count in file order."""
    order = sorted(range(len(diagnostics)), key=lambda i: diagnostics[i].sort_key)
    seen: dict[tuple[str, str, str], int] = {}
    result = [""] * len(diagnostics)
    for index in order:
        identity = _identity(diagnostics[index], root)
        occurrence = seen.get(identity, 0)
        seen[identity] = occurrence + 1
        result[index] = fingerprint(diagnostics[index], occurrence, root)
    return result
