"""The engine: text -> document -> image sites -> parsed references -> rules -> diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from .config import LintConfig
from .escape import one_line
from .model import Diagnostic, Finding, ImageSite, ParsedSite, StepImage, ValueKind
from .placeholder import find_placeholder
from .reference import ImageRef, InvalidImageReference, parse_image
from .rule import Rule, RuleOptions
from .rules import (
    ALL_RULES,
    duplicate_key,
    internal_error,
    invalid_top_level,
    python_syntax_error,
    yaml_syntax_error,
)
from .selection import resolve
from .sources import SourceSyntaxError
from .sources.yaml_document import Document, load
from .sources.yaml_sites import find_duplicate_keys, find_image_sites, find_top_level_problems

if TYPE_CHECKING:
    from .sources.comments import Suppression

Parse = Callable[[str], ImageRef]


def parse_site(site: ImageSite, parse: Parse = parse_image) -> ParsedSite:
    """Attach the parsed reference (or the reason it does not parse) to a string image site."""
    if site.kind is not ValueKind.STRING or site.value is None:
        return ParsedSite(site)
    placeholder = find_placeholder(site.value)
    try:
        return ParsedSite(site, ref=parse(site.value), placeholder=placeholder)
    except InvalidImageReference as exc:
        return ParsedSite(site, error=exc.reason, placeholder=placeholder)


MAX_NAMED_CONTEXTS = 5
def _names(contexts: tuple[str, ...]) -> str:
    shown = ", ".join(contexts[:MAX_NAMED_CONTEXTS])
    rest = len(contexts) - MAX_NAMED_CONTEXTS
    return f"{shown} and {rest} more" if rest > 0 else shown


def rule_options(config: LintConfig) -> RuleOptions:
    """The options every rule receives, built from the settings (patterns parsed once)."""
    return _options(config.allowed_images, config.private_registries, config.today)


@lru_cache(maxsize=64)
def _options(allowed: tuple[str, ...], private: tuple[str, ...], today: str | None) -> RuleOptions:
    """``today`` is YYYY-MM-DD, validated where it was read."""
    if not allowed and not private:
        return RuleOptions(today=today)
    from .patterns import ImagePattern

    return RuleOptions(
        allowed_images=tuple(ImagePattern.parse(text) for text in allowed),
        private_registries=tuple(ImagePattern.parse(text) for text in private),
        today=today,
    )


def enabled_rules(config: LintConfig) -> tuple[Rule, ...]:
    """The rules that run: the config's selection less the rules set "off", then the command
    line's selection on top, less the rules ``per-file-ignores`` names for this file."""
    codes = resolve(ALL_RULES, config.select, config.extend_select, config.ignore)
    codes -= {code for code, level in config.severity.items() if level is None}
    if config.cli_select is not None or config.cli_extend_select or config.cli_ignore:
        codes = resolve(
            ALL_RULES, config.cli_select, config.cli_extend_select, config.cli_ignore, start=codes
        )
    codes -= resolve(ALL_RULES, (), config.path_ignore)
    return tuple(rule for rule in ALL_RULES if rule.code in codes)


def _diagnostic(
    rule: Rule, finding: Finding, path: str, config: LintConfig, parsed: ParsedSite | None = None
) -> Diagnostic:
    message = one_line(finding.message)
    site = parsed.site if parsed else None
    if site is not None and (len(site.contexts) > 1 or site.aliased):
        message += one_line(f" (used by {_names(site.contexts)})")
    ref = parsed.ref if parsed else None
    return Diagnostic(
        path=path,
        span=finding.span,
        code=rule.code,
        name=rule.name,
        severity=config.severity.get(rule.code) or rule.severity,
        message=message,
        image=site.value if site is not None and site.kind is ValueKind.STRING else None,
        canonical=ref.canonical if ref else None,
        context=", ".join(site.contexts) if site is not None else None,
        fix=finding.fix,
        key_line=site.key_line if site is not None else None,
    )


def lint_text(
    text: str,
    path: str = "valohai.yaml",
    config: LintConfig | None = None,
    parse: Parse = parse_image,
    last: LastDocument | None = None,
) -> list[Diagnostic]:
    """Lint the text of one Valohai config; diagnostics sorted by position.

    ``parse`` turns image text into an ``ImageRef`` (``parse_image``, or a cache in front of it).
    ``last`` keeps the document for ``step_images`` in the same run. A bug in a rule, or in
    reading the file, is one VIL999 diagnostic; it never escapes.
    """
    settings = config or LintConfig()
    stage = "reading the YAML"
    return _guarded(path, stage, lambda found: _lint_yaml(text, path, settings, parse, last, found))


def _lint_yaml(
    text: str,
    path: str,
    config: LintConfig,
    parse: Parse,
    last: LastDocument | None,
    internal: list[Diagnostic],
) -> list[Diagnostic]:
    rules = enabled_rules(config)
    diagnostics: list[Diagnostic] = []
    try:
        document = _load(text, last)
    except SourceSyntaxError as exc:
        if yaml_syntax_error.RULE in rules:
            length = _line_length(text, exc.line)
            finding = yaml_syntax_error.finding(exc.message, exc.line, exc.column, length)
            diagnostics.append(_diagnostic(yaml_syntax_error.RULE, finding, path, config))
    else:
        if invalid_top_level.RULE in rules:
            for message, span in find_top_level_problems(document):
                finding = invalid_top_level.finding(message, span)
                diagnostics.append(_diagnostic(invalid_top_level.RULE, finding, path, config))
        if duplicate_key.RULE in rules:
            for key, first_line, span in find_duplicate_keys(document):
                finding = duplicate_key.finding(key, first_line, span)
                diagnostics.append(_diagnostic(duplicate_key.RULE, finding, path, config))
        diagnostics.extend(_check_sites(find_image_sites(document), rules, path, config, parse, internal))
    if config.suppressions and SUPPRESSION_MARKER in text:
        from .sources.comments import parse_suppressions

        diagnostics = _apply_suppressions(parse_suppressions(text), diagnostics, rules, path, config)
    return diagnostics


def lint_python(
    text: str,
    path: str = "train.py",
    config: LintConfig | None = None,
    parse: Parse = parse_image,
    steps: Mapping[str, StepImage] | None = None,
) -> list[Diagnostic]:
    """Lint the images named by ``valohai.prepare(image=...)`` in a Python file, or in a notebook
    when ``path`` ends in ``.ipynb``; diagnostics sorted by position.

    ``steps`` is what the nearest ``valohai.yaml`` says each step runs in (``step_images``), for
    VIL304; ``None`` when no ``valohai.yaml`` governs the file. Suppression comments work in
    ``.py`` files, not in notebooks.
    """
    settings = config or LintConfig()
    stage = "reading the Python source"
    return _guarded(path, stage, lambda found: _lint_python(text, path, settings, parse, steps, found))


def _lint_python(
    text: str,
    path: str,
    config: LintConfig,
    parse: Parse,
    steps: Mapping[str, StepImage] | None,
    internal: list[Diagnostic],
) -> list[Diagnostic]:
    from .sources.notebook_sites import find_notebook_image_sites
    from .sources.python_sites import find_python_image_sites

    rules = enabled_rules(config)
    notebook = path.lower().endswith(".ipynb")
    diagnostics: list[Diagnostic] = []
    try:
        found = (find_notebook_image_sites if notebook else find_python_image_sites)(text)
    except SourceSyntaxError as exc:
        if python_syntax_error.RULE in rules:
            finding = python_syntax_error.finding(exc.message, exc.line, exc.column, notebook)
            diagnostics.append(_diagnostic(python_syntax_error.RULE, finding, path, config))
    else:
        diagnostics.extend(_check_sites(found, rules, path, config, parse, internal, steps))
    if config.suppressions and not notebook and SUPPRESSION_MARKER in text:
        from .sources.comments import parse_python_suppressions

        diagnostics = _apply_suppressions(parse_python_suppressions(text), diagnostics, rules, path, config)
    return diagnostics


def _line_length(text: str, line: int) -> int | None:
    from .sources.lines import split_lines

    lines = split_lines(text.removeprefix("\ufeff"))
    return len(lines[line - 1]) if 1 <= line <= len(lines) else None


def _guarded(
    path: str, stage: str, run: Callable[[list[Diagnostic]], list[Diagnostic]]
) -> list[Diagnostic]:
    """Run one file's lint; an exception that escapes it (a bug) becomes a VIL999 diagnostic.
    VIL999 diagnostics are kept apart so that no selection or suppression drops them.

    The cyclic garbage collector is paused while the file is linted (and restored after): a
    big file makes hundreds of thousands of small objects that live until the file is done and
    are freed by reference counting, and the collector's passes over them were a quarter of the
    time on a 20,000-step file. Between files it runs as usual."""
    import gc

    collecting = gc.isenabled()
    gc.disable()
    internal: list[Diagnostic] = []
    try:
        diagnostics = run(internal)
    except Exception as exc:  # a bug, not the user's input: report it, never a traceback
        diagnostics = []
        internal.append(_internal(internal_error.finding(stage, exc), path))
    finally:
        if collecting:
            gc.enable()
    return sorted(diagnostics + internal, key=lambda d: d.sort_key)


def _internal(finding: Finding, path: str) -> Diagnostic:
    rule = internal_error.RULE
    return Diagnostic(path, finding.span, rule.code, rule.name, rule.severity, one_line(finding.message))


class LastDocument:
    """The last document composed in a run, to compose a ``valohai.yaml`` once when the Python
    files beside it (whose VIL304 needs its steps) are linted in the same run. A run makes one
    and drops it at its end: a big document kept to the interpreter's exit would cost a garbage
    collection over every node. Documents are never changed after composing."""

    def __init__(self) -> None:
        self._document: Document | None = None

    def load(self, text: str) -> Document:
        if self._document is not None and self._document.text == text.removeprefix("\ufeff"):
            return self._document
        self._document = None  # the old one goes before the new one is built
        self._document = load(text)
        return self._document


def _load(text: str, last: LastDocument | None) -> Document:
    return load(text) if last is None else last.load(text)


def step_images(
    text: str, path: str, parse: Parse = parse_image, last: LastDocument | None = None
) -> dict[str, StepImage]:
    """What each named step of a ``valohai.yaml`` runs in (for VIL304), by step name: the string
    images only. Empty when the text is not valid YAML (linting that file reports why)."""
    from .sources.yaml_sites import find_step_images

    try:
        document = _load(text, last)
    except SourceSyntaxError:
        return {}
    images: dict[str, StepImage] = {}
    for name, site in find_step_images(document).items():
        parsed = parse_site(site, parse)
        if site.kind is ValueKind.STRING and site.value is not None:
            canonical = parsed.ref.canonical if parsed.ref is not None else None
            images[name] = StepImage(path, site.span.line, site.span.column, site.value, canonical)
    return images


SUPPRESSION_MARKER = "valohai-image-lint:"


def _apply_suppressions(
    suppressions: list[Suppression],
    diagnostics: list[Diagnostic],
    rules: tuple[Rule, ...],
    path: str,
    config: LintConfig,
) -> list[Diagnostic]:
    """Drop what ``# valohai-image-lint: ignore[...]`` comments suppress; report the comments
    that suppress nothing (VIL901) or name no codes (VIL902), when those rules are enabled."""
    from .rules import blanket_suppression, unused_suppression
    from .suppressions import apply_suppressions, rule_resolver

    enabled = {rule.code for rule in rules}
    kept, unused, blanket = apply_suppressions(diagnostics, suppressions, rule_resolver(ALL_RULES), enabled)
    for rule, findings in ((unused_suppression.RULE, unused), (blanket_suppression.RULE, blanket)):
        if rule in rules:
            kept.extend(_diagnostic(rule, finding, path, config) for finding in findings)
    return kept


def _check_sites(
    sites: Iterable[ImageSite],
    rules: tuple[Rule, ...],
    path: str,
    config: LintConfig,
    parse: Parse,
    internal: list[Diagnostic],
    steps: Mapping[str, StepImage] | None = None,
) -> Iterable[Diagnostic]:
    """Every rule on every site; a rule that raises is reported in ``internal`` (VIL999, at the
    site it was checking, once per rule and file) and the other rules go on."""
    options = rule_options(config)
    if steps is not None:
        options = options._replace(steps=steps)
    site_rules = [rule for rule in rules if rule.check is not None]
    file_rules = [rule for rule in rules if rule.check_file is not None]
    failed: set[str] = set()
    every: list[ParsedSite] = []
    for site in sites:
        parsed = parse_site(site, parse)
        every.append(parsed)
        for rule in site_rules:
            assert rule.check is not None
            if rule.code in failed:
                continue
            try:
                findings = list(rule.check(parsed, options))
            except Exception as exc:  # a bug in one rule must not stop the others
                failed.add(rule.code)
                internal.append(_internal(internal_error.finding(rule.title, exc, site.span), path))
                continue
            for finding in findings:
                yield _diagnostic(rule, finding, path, config, parsed)
    for rule in file_rules:
        assert rule.check_file is not None
        try:
            pairs = list(rule.check_file(every, options))
        except Exception as exc:
            internal.append(_internal(internal_error.finding(rule.title, exc), path))
            continue
        for parsed, finding in pairs:
            yield _diagnostic(rule, finding, path, config, parsed)


__all__ = ["lint_python", "lint_text", "parse_site", "step_images"]
