"""The values that flow through the linter: spans, image sites, findings and diagnostics.

Every position here is 1-based, in lines and in characters (code points) within a line, and
``end_column`` is exclusive: it is the column just after the last character, as in SARIF and ruff.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .reference import ImageRef


INTERNAL_ERROR_CODE = "VIL999"
"""The code of internal-error, which the CLI and the result cache recognise without importing
the rules."""


class Severity(enum.IntEnum):
    """How serious a finding is; ordered so that ``>=`` compares against a threshold."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> Severity:
        try:
            return cls[label.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {label!r}; expected error, warning or info") from None


class Span(NamedTuple):
    """A region of a file: 1-based ``line``/``column`` of the first character, exclusive end."""

    line: int
    column: int
    end_line: int
    end_column: int


class Applicability(enum.Enum):
    SAFE = "safe"
    UNSAFE = "unsafe"


class Edit(NamedTuple):
    """Replace the text of ``span`` in the original file with ``replacement``."""

    span: Span
    replacement: str


class Fix(NamedTuple):
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability


class ValueKind(enum.Enum):
    """What sits where an image should be."""

    STRING = "string"
    MISSING = "missing"  # no image key at all
    EMPTY = "empty"  # an image key with an empty or blank value
    NON_STRING = "non-string"


class ImageSite(NamedTuple):
    """One place in a config that names an image, with what the YAML says there.

    ``span`` covers the image text (after any quote) or, for a missing image, the key of the
    item that lacks one. ``contexts`` lists every site that uses this value: more than one when
    the value is an anchor used through aliases or merge keys; the first is where it is written.
    ``type_name`` describes a non-string value (``float``, ``bool``, ``null``, ``list``...).
    ``aliased`` says the value is written elsewhere (an anchor) than at the image key using it.
    """

    kind: ValueKind
    span: Span
    contexts: tuple[str, ...]
    value: str | None = None
    type_name: str | None = None
    quoted: bool = False
    required: bool = True
    aliased: bool = False  # reached through an alias: written elsewhere than at its image key
    key_line: int | None = None  # the line of the `image:` key, when the value starts further down
    step: str | None = None  # in Python: the step a `valohai.prepare(step="...")` call names
    # A value used in several places (an anchor's aliases, merge keys): each place that uses it and
    # where (the `image` key there, or the mapping that merges it in); empty for a single use.
    uses: tuple[tuple[str, Span], ...] = ()

    @property
    def context(self) -> str:
        return self.contexts[0]

    def value_span(self, start: int, length: int) -> Span | None:
        """The file span of ``value[start:start + length]``, for a fix's edit; None unless the file
        holds the value verbatim on one line (no quotes' escapes, no folding), so columns index it."""
        span = self.span
        verbatim = self.value is not None and span.end_column - span.column == len(self.value)
        if not verbatim or span.line != span.end_line:
            return None
        return Span(span.line, span.column + start, span.line, span.column + start + length)


class ParsedSite(NamedTuple):
    """An image site with its reference parsed: what every image rule receives.

    ``ref`` is set when the value is a valid reference; ``error`` holds the reason otherwise.
    ``placeholder`` names the template syntax found in the value, if any.
    """

    site: ImageSite
    ref: ImageRef | None = None
    error: str | None = None
    placeholder: str | None = None

    def tag_span(self) -> Span | None:
        """The file span of the tag in the value, for a fix that writes another; None without a
        tag, or unless the file holds the value verbatim (``ImageSite.value_span``)."""
        ref = self.ref
        if ref is None or ref.tag is None or ref.raw != self.site.value:
            return None
        name = ref.raw.partition("@")[0]
        return self.site.value_span(len(name) - len(ref.tag), len(ref.tag))

    def digest_span(self) -> Span | None:
        """The file span of the digest after ``@`` in the value, for a fix that re-pins it; None
        without a digest, or unless the file holds the value verbatim (``ImageSite.value_span``)."""
        raw = self.ref.raw if self.ref is not None else ""
        at = raw.rfind("@")
        if at < 0 or raw != self.site.value:
            return None
        return self.site.value_span(at + 1, len(raw) - at - 1)


class StepImage(NamedTuple):
    """What ``valohai.yaml`` says a step runs in, for comparing with a Python file's
    ``valohai.prepare(step=..., image=...)``: the file, where the image is written, its text and
    its canonical form (``None`` when it does not parse)."""

    path: str
    line: int
    column: int
    value: str
    canonical: str | None


class Finding(NamedTuple):
    """What a rule reports: the engine adds the code, name, severity and path."""

    message: str
    span: Span
    fix: Fix | None = None
    other_fixes: tuple[
        Fix, ...
    ] = ()  # offered besides ``fix`` (an editor's quick fixes); --fix applies ``fix``


class Diagnostic(NamedTuple):
    """A finding attached to a rule and a file, ready for a reporter."""

    path: str
    span: Span
    code: str
    name: str
    severity: Severity
    message: str
    image: str | None = None
    canonical: str | None = None
    context: str | None = None
    fix: Fix | None = None
    key_line: int | None = None  # where a suppression may also sit
    other_fixes: tuple[Fix, ...] = ()  # the finding's other fixes (online ones: never cached)
    uses: tuple[tuple[str, Span], ...] = ()  # the image's places of use, when several (ImageSite.uses)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.span.line, self.span.column, self.code)
