"""What every ``--fix`` test checks of a text and its fixed text (tests/test_fix_*.py):

(a) every character outside the image values' spans in the original is kept: the texts between
    the image sites are the same, and difflib's alignment of the two texts changes nothing
    outside an image value's span (its ends included, for an insertion after a value);
(b) the fixed text still reads as YAML: to the linter (no VIL001) and to PyYAML;
(c) the same image sites sit at the same places: kinds, contexts (the YAML paths), aliasing; and
    PyYAML loads the same data once every ``image`` key's value is masked;
(d) fixing the fixed text again changes nothing and finds no fix left to apply.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import yaml

from valohai_image_lint import Diagnostic, LintConfig
from valohai_image_lint.fixing import FixedText, FixPolicy, can_fix, fix_text
from valohai_image_lint.model import ImageSite, ValueKind
from valohai_image_lint.sources.yaml_document import load
from valohai_image_lint.sources.yaml_sites import find_image_sites

UNSAFE = FixPolicy(unsafe=True)
BOM = "\ufeff"


def sites_of(text: str) -> list[ImageSite]:
    return list(find_image_sites(load(text)))


def value_ranges(text: str) -> list[tuple[int, int]]:
    """The character offsets (in ``text``, BOM included) of each string image value."""
    body = text.removeprefix(BOM)
    document = load(text)
    shift = len(text) - len(body)
    return [
        (
            document.offset(s.span.line, s.span.column) + shift,
            document.offset(s.span.end_line, s.span.end_column) + shift,
        )
        for s in find_image_sites(document)
        if s.kind is ValueKind.STRING
    ]


def _outside(text: str) -> list[str]:
    """The pieces of ``text`` between its image values."""
    pieces, position = [], 0
    for start, end in value_ranges(text):
        pieces.append(text[position:start])
        position = end
    pieces.append(text[position:])
    return pieces


def assert_only_values_changed(old: str, new: str) -> None:
    """(a): nothing outside the image values' spans changed."""
    assert _outside(old) == _outside(new)
    ranges = value_ranges(old)
    for tag, i1, i2, j1, j2 in _char_opcodes(old, new):
        assert any(start <= i1 and i2 <= end for start, end in ranges), (
            f"{tag} {old[i1:i2]!r} -> {new[j1:j2]!r} at offset {i1} is outside every image value {ranges}"
        )


def _char_opcodes(old: str, new: str) -> Iterator[tuple[str, int, int, int, int]]:
    """difflib's changes of ``old`` into ``new``, by character, in offsets of the whole texts: the
    lines are aligned first, then the characters of each changed block of lines (fast on big files)."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_starts = [0, *itertools.accumulate(len(line) for line in old_lines)]
    new_starts = [0, *itertools.accumulate(len(line) for line in new_lines)]
    lines = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in lines.get_opcodes():
        if tag == "equal":
            continue
        a, b = old_starts[i1], new_starts[j1]
        chars = difflib.SequenceMatcher(
            None, old[a : old_starts[i2]], new[b : new_starts[j2]], autojunk=False
        )
        for char_tag, c1, c2, d1, d2 in chars.get_opcodes():
            if char_tag != "equal":
                yield char_tag, a + c1, a + c2, b + d1, b + d2


def _masked(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: "<image>" if key == "image" else _masked(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_masked(item) for item in node]
    return node


def _images(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "image":
                yield f"{path}.image", value
            else:
                yield from _images(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _images(item, f"{path}[{index}]")


def pyyaml(text: str) -> list[Any]:
    return list(yaml.safe_load_all(text.removeprefix(BOM)))


def assert_same_structure(old: str, new: str, found_after: list[Diagnostic]) -> None:
    """(b) and (c)."""
    assert not [d for d in found_after if d.code in ("VIL001", "VIL002", "VIL003", "VIL999")], found_after
    before, after = sites_of(old), sites_of(new)
    shape = [(s.kind, s.contexts, s.aliased, s.required, s.quoted) for s in before]
    assert shape == [(s.kind, s.contexts, s.aliased, s.required, s.quoted) for s in after]
    old_data, new_data = pyyaml(old), pyyaml(new)
    assert _masked(old_data) == _masked(new_data)
    assert [path for path, _ in _images(old_data)] == [path for path, _ in _images(new_data)]
    assert all(isinstance(value, str) for _, value in _images(new_data))


def assert_fixed_point(
    new: str, config: LintConfig, relint: Callable[[str], list[Diagnostic]], policy: FixPolicy = UNSAFE
) -> FixedText:
    """(d): a second fix changes nothing, and nothing fixable remains."""
    found = relint(new)
    left = [d for d in found if can_fix(d, config, policy)]
    assert left == [], f"fixes left after --fix: {left}"
    again = fix_text(new, found, config, policy, relint)
    assert (again.text, again.fixed, again.problem) == (new, 0, None)
    return again


def check_fix(
    text: str, config: LintConfig, relint: Callable[[str], list[Diagnostic]], policy: FixPolicy = UNSAFE
) -> FixedText:
    """Fix ``text`` as ``--fix`` does, check (a)-(d), and return the outcome."""
    found = relint(text)
    outcome = fix_text(text, found, config, policy, relint)
    assert outcome.problem is None, outcome.problem
    if any(d.code == "VIL001" for d in found):  # not YAML: nothing to fix in it
        assert (outcome.text, outcome.fixed) == (text, 0)
        return outcome
    assert_only_values_changed(text, outcome.text)
    assert_same_structure(text, outcome.text, relint(outcome.text))
    assert_fixed_point(outcome.text, config, relint, policy)
    return outcome
