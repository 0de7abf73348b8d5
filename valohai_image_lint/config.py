"""Settings for one run, as the command line (and later, config files) give them."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Severity


@dataclass(frozen=True)
class LintConfig:
    """``select`` None means the default rules; selectors are codes, prefixes, names or ALL."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    failure_threshold: Severity = Severity.WARNING
    severity: dict[str, Severity] = field(default_factory=dict)
