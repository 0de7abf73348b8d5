"""What a rule is: a code, a name, a default severity, a page, and a pure check of one kind.

The kinds, each a field of ``Rule`` (a rule fills exactly one):

- ``check``: one image site (its reference parsed) -> findings;
- ``check_file``: every image site of one file at once -> (site, finding) pairs;
- ``check_document``: one YAML document (the node model of ``document``) -> findings;
- ``check_syntax``: a file its reader could not parse (``SyntaxProblem``) -> findings;
- ``check_suppressions``: what a file's suppression comments did (``SuppressionOutcome``) -> findings;
- ``check_failure``: an exception inside the engine or a rule (``Failure``) -> findings.

The engine runs the kinds in the order of the data (syntax, document, sites, file, suppressions)
and never names a rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from .model import Diagnostic, Finding, ParsedSite, Severity, Span, StepImage

if TYPE_CHECKING:
    from .config.option import Option
    from .facts import ImageFacts, LookupKey
    from .sources.yaml_document import Document

T = TypeVar("T")
_NO_VALUES: Mapping[str, Any] = MappingProxyType({})


class RuleOptions(NamedTuple):
    """What rules may know beyond the image itself, handed to every check by the engine.

    ``values`` holds the options the rules declare (``Rule.options``), by key, as each option's
    ``read`` made them (patterns already parsed); a rule reads one with ``get``, which gives the
    option's default when it is not there.
    ``today`` is the date rules about end-of-life judge by: the CLI passes the real date, or the
    one ``--today`` / ``today`` in the config pins; a rule never reads the clock itself.
    ``facts`` is, in an online run, what the registries said about every image of the run, by
    lookup (``facts_for`` finds a site's); None offline.
    ``steps`` is, for a Python file, what the nearest ``valohai.yaml`` says each step runs in
    (by step name); ``None`` for a YAML file or when no ``valohai.yaml`` governs the file.
    """

    values: Mapping[str, Any] = _NO_VALUES
    today: str | None = None  # YYYY-MM-DD
    steps: Mapping[str, StepImage] | None = None
    facts: Mapping[LookupKey, ImageFacts] | None = None

    def facts_for(self, parsed: ParsedSite) -> ImageFacts | None:
        """What the registry said about this site's image, in an online run; None offline, or
        when the site holds no reference to ask about."""
        if self.facts is None or parsed.ref is None or parsed.placeholder is not None:
            return None
        from .facts import lookup_key

        return self.facts.get(lookup_key(parsed.ref))

    def get(self, option: Option[T]) -> T:
        """The value of ``option`` for this run."""
        if option.key in self.values:
            value: T = self.values[option.key]
            return value
        return option.read(option.default)


class SyntaxProblem(NamedTuple):
    """A file its reader could not parse: the reader (``LANGUAGES``), the parser's message, the
    1-based position it points at, and the length of that line (None when past the text)."""

    language: str
    message: str
    line: int
    column: int
    line_length: int | None = None


LANGUAGES = ("yaml", "python", "notebook")


class Failure(NamedTuple):
    """An exception that escaped the engine or a rule: where (a stage or a rule's title), the
    exception, and the span being checked (None: the file as a whole)."""

    where: str
    error: BaseException
    span: Span | None = None


class UnusedCode(NamedTuple):
    """One code of a suppression comment that suppressed nothing (or names no rule): the
    comment's span, the code as written, the rule code it names (None: none), and whether the
    comment is ``ignore-file``."""

    span: Span
    written: str
    code: str | None
    file_level: bool


class BlanketComment(NamedTuple):
    """A suppression comment that names no codes: its span, whether it is ``ignore-file``, and
    the codes reported on the line it targets (in the file, for ``ignore-file``), to suggest."""

    span: Span
    file_level: bool
    codes: tuple[str, ...]
    unbracketed: tuple[str, ...] = ()  # codes the comment wrote without brackets (ignore VIL103)


class SuppressionOutcome(NamedTuple):
    """What a file's suppression comments did: the diagnostics they left, and the comments (or
    codes in them) to report, in the order of the comments."""

    kept: list[Diagnostic]
    unused: list[UnusedCode]
    blanket: list[BlanketComment]


Check = Callable[[ParsedSite, RuleOptions], Iterable[Finding]]
# A rule over every image of one file at once (such as "the same repository with two tags"):
# it yields each finding with the site it belongs to.
FileCheck = Callable[[Sequence[ParsedSite], RuleOptions], Iterable[tuple[ParsedSite, Finding]]]
DocumentCheck = Callable[["Document"], Iterable[Finding]]
SyntaxCheck = Callable[[SyntaxProblem], Iterable[Finding]]
SuppressionCheck = Callable[[SuppressionOutcome], Iterable[Finding]]
FailureCheck = Callable[[Failure], Finding]

KINDS = ("check", "check_file", "check_document", "check_syntax", "check_suppressions", "check_failure")
"""The fields of ``Rule`` that hold a check, one per kind."""


class Rule(NamedTuple):
    """A rule: exactly one of the ``check*`` fields (see ``KINDS``) holds its pure check. ``doc``
    is the rule's page (its module docstring). A rule ``enabled_by_default=False`` runs only when
    selected."""

    code: str
    name: str
    severity: Severity
    summary: str
    doc: str
    check: Check | None = None
    enabled_by_default: bool = True
    check_file: FileCheck | None = None
    check_document: DocumentCheck | None = None
    check_syntax: SyntaxCheck | None = None
    check_suppressions: SuppressionCheck | None = None
    check_failure: FailureCheck | None = None
    options: tuple[Option[Any], ...] = ()  # the config options the checks read (options.get)

    @property
    def title(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def kind(self) -> str:
        """The field that holds this rule's check (one of ``KINDS``)."""
        return next(kind for kind in KINDS if getattr(self, kind) is not None)
