"""Which rules run: ``--select``, ``--extend-select`` and ``--ignore`` resolved to rule codes.

A selector is a code (``VIL103``), a code prefix (``VIL1``), a rule name (``latest-tag``) or
``ALL``. Resolution is a pure function over the rule registry, as flake8's decision engine is:
start from ``select`` (or the default set), add ``extend_select``, remove ``ignore``.
"""

from __future__ import annotations

from collections.abc import Iterable

from .rule import Rule


class UnknownSelector(ValueError):
    """A selector that names no rule; ``str()`` names it and suggests the closest known one."""

    def __init__(self, selector: str, suggestion: str | None) -> None:
        hint = f'; did you mean "{suggestion}"?' if suggestion else "; see --list-rules"
        super().__init__(f'unknown rule selector "{selector}"{hint}')


def expand(selector: str, rules: Iterable[Rule]) -> frozenset[str]:
    """The codes a selector names; ``UnknownSelector`` when it names none."""
    rules = tuple(rules)
    text = selector.strip()
    if text.upper() == "ALL":
        return frozenset(rule.code for rule in rules)
    by_name = [rule.code for rule in rules if rule.name == text.lower()]
    if by_name:
        return frozenset(by_name)
    prefix = text.upper()
    codes = frozenset(
        rule.code for rule in rules if prefix.startswith("VIL") and rule.code.startswith(prefix)
    )
    if not codes:
        import difflib

        known = [rule.code for rule in rules] + [rule.name for rule in rules]
        close = difflib.get_close_matches(text, known, n=1)
        raise UnknownSelector(selector, close[0] if close else None)
    return codes


def resolve(
    rules: Iterable[Rule],
    select: Iterable[str] | None = None,
    extend_select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    start: Iterable[str] | None = None,
) -> set[str]:
    """The codes that run: ``select`` (or ``start``, or the default rules, when it is None), plus
    ``extend_select``, less ``ignore``."""
    rules = tuple(rules)
    if select is None:
        enabled = (
            set(start) if start is not None else {rule.code for rule in rules if rule.enabled_by_default}
        )
    else:
        enabled = set()
        for selector in select:
            enabled |= expand(selector, rules)
    for selector in extend_select:
        enabled |= expand(selector, rules)
    for selector in ignore:
        enabled -= expand(selector, rules)
    return enabled
