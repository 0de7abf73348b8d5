"""What a rule is: a code, a name, a default severity, a page, and a pure check."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from .model import Finding, ParsedSite, Severity, StepImage

if TYPE_CHECKING:
    from .patterns import ImagePattern


class RuleOptions(NamedTuple):
    """What rules may know beyond the image itself, handed to every check by the engine.

    ``allowed_images`` and ``private_registries`` are the team's patterns (``allowed-images`` and
    ``private-registries`` in the config), already parsed; empty means the rule has nothing to do.
    ``today`` is the date rules about end-of-life judge by: the CLI passes the real date, or the
    one ``--today`` / ``today`` in the config pins; a rule never reads the clock itself.
    ``steps`` is, for a Python file, what the nearest ``valohai.yaml`` says each step runs in
    (by step name); ``None`` for a YAML file or when no ``valohai.yaml`` governs the file.
    """

    allowed_images: tuple[ImagePattern, ...] = ()
    private_registries: tuple[ImagePattern, ...] = ()
    today: str | None = None  # YYYY-MM-DD
    steps: Mapping[str, StepImage] | None = None


Check = Callable[[ParsedSite, RuleOptions], Iterable[Finding]]
# A rule over every image of one file at once (such as "the same repository with two tags"):
# it yields each finding with the site it belongs to.
FileCheck = Callable[[Sequence[ParsedSite], RuleOptions], Iterable[tuple[ParsedSite, Finding]]]


class Rule(NamedTuple):
    """A rule: ``check`` is a pure function of one parsed image site and the options (``None`` for
    the rules the engine reports itself, such as YAML syntax errors). ``doc`` is the rule's page (its module
    docstring). A rule ``enabled_by_default=False`` runs only when selected."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: Check | None = None
    enabled_by_default: bool = True
    check_file: FileCheck | None = None

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}"
