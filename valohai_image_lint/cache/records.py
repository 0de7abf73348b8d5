"""The result cache's entries as records, and their ``marshal`` form: the one module that knows
how an entry is laid out on disk.

An entry (``StoredResult``) is what a full run stored for one file: the key it was stored under,
the file's diagnostics (``StoredDiagnostic``, a fix as ``StoredFix``), whether they fail the run,
and the ``output-format`` of the file's config. On disk an entry is the list
``[key, [diagnostic, ...], failing, output_format]``, a diagnostic is
``[[line, column, end_line, end_column], code, name, severity, message, image, canonical, context,
fix, key_line]`` and a fix is ``[title, applicability, [[span, replacement], ...]]``. Decoding
checks every field's type: a value of another shape (written by something else) decodes to None.

The records are plain classes with ``__slots__``, not named tuples, dataclasses or enums: the
cached run reads them, and ``typing``, ``dataclasses`` and ``enum`` would cost it much of its
start-up. Only ``StoredDiagnostic.to_diagnostic``, which the full run calls, imports the model.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..model import Diagnostic, Span

    SpanValue = tuple[int, int, int, int]  # line, column, end line, end column: 1-based


class _Record:
    """Equality and a readable ``repr`` over a record's slots."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, type(self)) and self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable slots: equal records may differ later

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


def _span(value: object) -> SpanValue | None:
    """``[line, column, end_line, end_column]`` as a tuple, or None for anything else."""
    if isinstance(value, list) and len(value) == 4 and all(isinstance(number, int) for number in value):
        line, column, end_line, end_column = value
        return (line, column, end_line, end_column)
    return None


def _span_of(span: Span) -> SpanValue:
    return (span.line, span.column, span.end_line, span.end_column)


def _optional_text(value: object) -> bool:
    return value is None or isinstance(value, str)


class StoredFix(_Record):
    """A stored ``model.Fix``: its title, its applicability's value (``"safe"``/``"unsafe"``) and
    its edits, each a span of the original text and the replacement text."""

    __slots__ = ("applicability", "edits", "title")

    def __init__(self, title: str, applicability: str, edits: tuple[tuple[SpanValue, str], ...]) -> None:
        self.title = title
        self.applicability = applicability
        self.edits = edits

    def encode(self) -> list[object]:
        return [self.title, self.applicability, [[list(span), text] for span, text in self.edits]]

    @classmethod
    def decode(cls, value: object) -> StoredFix | None:
        if not (isinstance(value, list) and len(value) == 3):
            return None
        title, applicability, encoded_edits = value
        if not (isinstance(title, str) and isinstance(applicability, str)):
            return None
        if not isinstance(encoded_edits, list):
            return None
        edits: list[tuple[SpanValue, str]] = []
        for edit in encoded_edits:
            if not (isinstance(edit, list) and len(edit) == 2 and isinstance(edit[1], str)):
                return None
            span = _span(edit[0])
            if span is None:
                return None
            edits.append((span, edit[1]))
        return cls(title, applicability, tuple(edits))


class StoredDiagnostic(_Record):
    """A stored ``model.Diagnostic`` without its path (the entry's path is the file's): the
    severity as its number, the fix as a ``StoredFix``."""

    __slots__ = (
        "canonical",
        "code",
        "context",
        "fix",
        "image",
        "key_line",
        "message",
        "name",
        "severity",
        "span",
    )

    def __init__(
        self,
        span: SpanValue,
        code: str,
        name: str,
        severity: int,
        message: str,
        image: str | None = None,
        canonical: str | None = None,
        context: str | None = None,
        fix: StoredFix | None = None,
        key_line: int | None = None,
    ) -> None:
        self.span = span
        self.code = code
        self.name = name
        self.severity = severity
        self.message = message
        self.image = image
        self.canonical = canonical
        self.context = context
        self.fix = fix
        self.key_line = key_line

    @property
    def line(self) -> int:
        """The 1-based line the diagnostic starts on."""
        return self.span[0]

    @property
    def column(self) -> int:
        """The 1-based column the diagnostic starts at."""
        return self.span[1]

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> StoredDiagnostic:
        fix = diagnostic.fix
        stored_fix = (
            StoredFix(
                fix.title,
                fix.applicability.value,
                tuple((_span_of(edit.span), edit.replacement) for edit in fix.edits),
            )
            if fix is not None
            else None
        )
        return cls(
            _span_of(diagnostic.span),
            diagnostic.code,
            diagnostic.name,
            int(diagnostic.severity),
            diagnostic.message,
            diagnostic.image,
            diagnostic.canonical,
            diagnostic.context,
            stored_fix,
            diagnostic.key_line,
        )

    def to_diagnostic(self, path: str) -> Diagnostic:
        """The ``model.Diagnostic`` of ``path``; ValueError for a severity or applicability this
        version does not know."""
        from ..model import Applicability, Diagnostic, Edit, Fix, Severity, Span

        fix = self.fix
        decoded_fix = None
        if fix is not None:
            edits = tuple(Edit(Span(*span), text) for span, text in fix.edits)
            decoded_fix = Fix(fix.title, edits, Applicability(fix.applicability))
        return Diagnostic(
            path,
            Span(*self.span),
            self.code,
            self.name,
            Severity(self.severity),
            self.message,
            self.image,
            self.canonical,
            self.context,
            decoded_fix,
            self.key_line,
        )

    def encode(self) -> list[object]:
        fix = self.fix.encode() if self.fix is not None else None
        return [
            list(self.span),
            self.code,
            self.name,
            self.severity,
            self.message,
            self.image,
            self.canonical,
            self.context,
            fix,
            self.key_line,
        ]

    @classmethod
    def decode(cls, value: object) -> StoredDiagnostic | None:
        if not (isinstance(value, list) and len(value) == 10):
            return None
        span, code, name, severity, message, image, canonical, context, encoded_fix, key_line = value
        decoded_span = _span(span)
        fix = StoredFix.decode(encoded_fix) if encoded_fix is not None else None
        if (
            decoded_span is None
            or (encoded_fix is not None and fix is None)
            or not (isinstance(code, str) and isinstance(name, str) and isinstance(message, str))
            or not isinstance(severity, int)
            or not (_optional_text(image) and _optional_text(canonical) and _optional_text(context))
            or not (key_line is None or isinstance(key_line, int))
        ):
            return None
        return cls(decoded_span, code, name, severity, message, image, canonical, context, fix, key_line)


class StoredResult(_Record):
    """One file's entry: the ``key`` it was stored under, its ``diagnostics``, whether they are
    ``failing`` (at or above the file's failure threshold) and its config's ``output_format``."""

    __slots__ = ("diagnostics", "failing", "key", "output_format")

    def __init__(
        self, key: str, diagnostics: tuple[StoredDiagnostic, ...], failing: bool, output_format: str | None
    ) -> None:
        self.key = key
        self.diagnostics = diagnostics
        self.failing = failing
        self.output_format = output_format

    def encode(self) -> list[object]:
        return [
            self.key,
            [diagnostic.encode() for diagnostic in self.diagnostics],
            self.failing,
            self.output_format,
        ]

    @classmethod
    def decode(cls, value: object, key: str) -> StoredResult | None:
        """The entry ``value`` holds when it was stored under ``key`` (checked before the
        diagnostics are decoded: a miss costs one comparison), else None."""
        if not (isinstance(value, list) and len(value) == 4 and value[0] == key):
            return None
        _, encoded, failing, output_format = value
        if not (isinstance(encoded, list) and isinstance(failing, bool) and _optional_text(output_format)):
            return None
        diagnostics = []
        for item in encoded:
            diagnostic = StoredDiagnostic.decode(item)
            if diagnostic is None:
                return None
            diagnostics.append(diagnostic)
        return cls(key, tuple(diagnostics), failing, output_format)
