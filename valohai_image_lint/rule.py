"""What a rule is: a code, a name, a default severity, a page, and a pure check."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .model import Finding, ParsedSite, Severity, StepImage

if TYPE_CHECKING:
    from .config.option import Option

T = TypeVar("T")
_NO_VALUES: Mapping[str, Any] = MappingProxyType({})


class RuleOptions(NamedTuple):
    """What rules may know beyond the image itself, handed to every check by the engine.

    ``values`` holds the options the rules declare (``Rule.options``), by key, as each option's
    ``read`` made them (patterns already parsed); a rule reads one with ``get``, which gives the
    option's default when it is not there.
    ``today`` is the date rules about end-of-life judge by: the CLI passes the real date, or the
    one ``--today`` / ``today`` in the config pins; a rule never reads the clock itself.
    ``steps`` is, for a Python file, what the nearest ``valohai.yaml`` says each step runs in
    (by step name); ``None`` for a YAML file or when no ``valohai.yaml`` governs the file.
    """

    values: Mapping[str, Any] = _NO_VALUES
    today: str | None = None  # YYYY-MM-DD
    steps: Mapping[str, StepImage] | None = None

    def get(self, option: Option[T]) -> T:
        """The value of ``option`` for this run."""
        if option.key in self.values:
            value: T = self.values[option.key]
            return value
        return option.read(option.default)


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
    options: tuple[Option[Any], ...] = ()  # the config options the checks read (options.get)

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}"
