"""Applying suppression comments: ``apply_suppressions`` drops the diagnostics that
``# valohai-image-lint: ignore[...]`` comments suppress and says which comments suppressed
nothing (``SuppressionOutcome``), which the rules VIL901 (unused-suppression) and VIL902
(blanket-suppression) turn into findings. The comments, their grammar and where each applies
are read by ``sources.comments``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence

from .model import Diagnostic
from .rule import BlanketComment, Rule, SuppressionOutcome, UnusedCode
from .rules import blanket_suppression, unused_suppression
from .sources.comments import Suppression

Resolve = Callable[[str], str | None]


def rule_resolver(rules: Iterable[Rule]) -> Resolve:
    """A ``resolve`` for ``apply_suppressions``: a rule code (any case) or name -> its code."""
    by_code: dict[str, str] = {}
    by_name: dict[str, str] = {}
    for rule in rules:
        by_code[rule.code.upper()] = rule.code
        by_name[rule.name.lower()] = rule.code

    def resolve(written: str) -> str | None:
        return by_code.get(written.upper()) or by_name.get(written.lower())

    return resolve


_FILE = 0  # the target of ``ignore-file`` in a key; lines count from 1
_META = frozenset({unused_suppression.RULE.code, blanket_suppression.RULE.code})
Key = tuple[int, str]  # (target line or _FILE, rule code)


def apply_suppressions(
    diagnostics: Sequence[Diagnostic],
    suppressions: Sequence[Suppression],
    resolve: Resolve,
    enabled: Collection[str] | None = None,
) -> SuppressionOutcome:
    """The diagnostics kept, and the comments VIL901 and VIL902 report.

    A diagnostic is suppressed when a line suppression targets ``diagnostic.span.line`` (or
    ``diagnostic.key_line``, the line of its ``image:`` key when the value starts on a later line)
    and lists its code (or rule name), or an ``ignore-file`` lists it. A code of a rule that is not
    in ``enabled`` (when given) is never reported unused: the comment is right where the rule runs.
    Every suppression that lists it counts as used. What is reported is in the order of the
    comments (and, within a comment, of its codes):

    - VIL901, one per code: a code ``resolve`` does not know, or a known code whose entry
      suppressed nothing (a rule that is not enabled suppresses nothing either);
    - VIL902, one per suppression without codes; its message names the codes reported on the
      target line (or in the file, for ``ignore-file``).

    VIL901 and VIL902 reports are themselves suppressible, by an ``ignore-file[VIL901]`` or by a
    line suppression that targets the comment's line, but never by the suppression they report
    on. A VIL901 or VIL902 entry that suppressed nothing is reported and cannot be suppressed:
    that stops the regress.

    Linear in the diagnostics, suppressions and codes: only dict lookups and counters.
    """
    resolved: list[list[tuple[str, str | None]]] = []
    targets: list[int | None] = []
    held: list[frozenset[Key]] = []
    holders: Counter[Key] = Counter()  # how many suppressions list each key
    for suppression in suppressions:
        target = _FILE if suppression.file_level else suppression.target_line
        entries = [(written, resolve(written)) for written in suppression.codes]
        keys = (
            frozenset((target, code) for _, code in entries if code is not None)
            if target is not None
            else frozenset()
        )
        holders.update(keys)
        resolved.append(entries)
        targets.append(target)
        held.append(keys)

    hits: Counter[Key] = Counter()  # how many diagnostics or findings each key suppressed
    excluded: Counter[tuple[Key, int]] = Counter()  # hits a suppression may not count: its own
    codes_on_line: dict[int, set[str]] = {}
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        codes_on_line.setdefault(diagnostic.span.line, set()).add(diagnostic.code)
        suppressed = False
        lines = {diagnostic.span.line, diagnostic.key_line or diagnostic.span.line}
        for key in (*((line, diagnostic.code) for line in lines), (_FILE, diagnostic.code)):
            if holders[key]:
                hits[key] += 1
                suppressed = True
        if not suppressed:
            kept.append(diagnostic)
    codes_in_file = set().union(*codes_on_line.values()) if codes_on_line else set()

    def not_running(code: str) -> bool:
        return enabled is not None and code not in enabled

    def used(index: int, code: str) -> bool:
        target = targets[index]
        if target is None:
            return False
        key = (target, code)
        return hits[key] - excluded[(key, index)] > 0

    def suppressed_by_another(index: int, code: str) -> bool:
        """Whether a suppression other than ``index`` suppresses a finding on its comment."""
        suppressed = False
        for key in ((suppressions[index].span.line, code), (_FILE, code)):
            if holders[key] - int(key in held[index]) > 0:
                hits[key] += 1
                excluded[(key, index)] += 1
                suppressed = True
        return suppressed

    unused_code = unused_suppression.RULE.code
    blanket_code = blanket_suppression.RULE.code
    blanket: list[BlanketComment] = []
    first_pass: dict[tuple[int, int], UnusedCode] = {}
    for index, suppression in enumerate(suppressions):
        if not suppression.codes:
            target = targets[index]
            if suppression.file_level:
                shown = codes_in_file
            else:
                shown = codes_on_line.get(target, set()) if target is not None else set()
            if not suppressed_by_another(index, blanket_code):
                codes = tuple(sorted(shown - _META))
                blanket.append(
                    BlanketComment(suppression.span, suppression.file_level, codes, suppression.unbracketed)
                )
        for position, (written, code) in enumerate(resolved[index]):
            if code in _META or (code is not None and (used(index, code) or not_running(code))):
                continue
            if not suppressed_by_another(index, unused_code):
                entry = UnusedCode(suppression.span, written, code, suppression.file_level)
                first_pass[(index, position)] = entry

    unused: list[UnusedCode] = []
    for index, suppression in enumerate(suppressions):
        for position, (written, code) in enumerate(resolved[index]):
            if code in _META:
                if code is not None and not used(index, code):
                    unused.append(UnusedCode(suppression.span, written, code, suppression.file_level))
            elif (index, position) in first_pass:
                unused.append(first_pass[(index, position)])
    return SuppressionOutcome(kept, unused, blanket)


__all__ = ["apply_suppressions", "rule_resolver"]
