"""The engine: text -> document -> image sites -> parsed references -> rules -> diagnostics."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, NamedTuple

from .config.settings import LintConfig
from .escape import one_line
from .model import Diagnostic, Finding, ImageSite, ParsedSite, Span, StepImage, ValueKind
from .placeholder import find_placeholder
from .reference import ImageRef, InvalidImageReference, parse_image
from .rule import Failure, Rule, RuleOptions, SyntaxProblem
from .rules import ALL_RULES
from .selection import resolve
from .sources import SourceSyntaxError
from .sources.yaml_document import Document, load
from .sources.yaml_sites import find_image_sites

if TYPE_CHECKING:
    from .facts import ImageFacts, LookupKey
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
    return _options(tuple(config.options.items()), config.today)


@lru_cache(maxsize=64)
def _options(settings: tuple[tuple[str, Hashable], ...], today: str | None) -> RuleOptions:
    """Each option the rules declare, as ``read`` makes it from its setting (or default).
    ``today`` is YYYY-MM-DD, validated where it was read."""
    from .config.keys import RULE_OPTIONS

    given = dict(settings)
    values = {option.key: option.read(given.get(option.key, option.default)) for option in RULE_OPTIONS}
    return RuleOptions(MappingProxyType(values), today)


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
        other_fixes=finding.other_fixes,
        uses=site.uses if site is not None else (),
    )


def _dated(config: LintConfig) -> LintConfig:
    """The settings with today's real date when they pin none, as the command line does, so
    the API finds what the CLI finds (VIL302 judges end of life by it)."""
    if config.today is not None:
        return config
    from .command import clock_today

    return config._replace(today=clock_today())


def lint_text(
    text: str,
    path: str = "valohai.yaml",
    config: LintConfig | None = None,
    parse: Parse = parse_image,
    last: LastDocument | None = None,
    matched: set[str] | None = None,
    facts: Mapping[LookupKey, ImageFacts] | None = None,
) -> list[Diagnostic]:
    """Lint the text of one Valohai config; diagnostics sorted by position.

    ``parse`` turns image text into an ``ImageRef`` (``parse_image``, or a cache in front of it).
    ``last`` keeps the document for ``step_images`` in the same run. ``matched`` collects the
    ``per-image-ignores`` patterns that match an image of the file. ``facts`` is what registries
    said of the run's images (an online run: ``lookups``). A bug in a rule, or in
    reading the file, is one VIL999 diagnostic; it never escapes.
    """

    def read() -> Source:
        try:
            document = _load(text, last)
        except SourceSyntaxError as exc:
            length = _line_length(text, exc.line)
            return Source(syntax=SyntaxProblem("yaml", exc.message, exc.line, exc.column, length))
        return Source(sites=find_image_sites(document), document=document)

    settings = _dated(config or LintConfig())
    return _guarded(
        path,
        _YAML.stage,
        lambda found: _run(text, path, settings, parse, _YAML, read, None, found, matched, facts),
    )


def lint_python(
    text: str,
    path: str = "train.py",
    config: LintConfig | None = None,
    parse: Parse = parse_image,
    steps: Mapping[str, StepImage] | None = None,
    matched: set[str] | None = None,
    facts: Mapping[LookupKey, ImageFacts] | None = None,
) -> list[Diagnostic]:
    """Lint the images named by ``valohai.prepare(image=...)`` in a Python file, or in a notebook
    when ``path`` ends in ``.ipynb``; diagnostics sorted by position.

    ``steps`` is what the nearest ``valohai.yaml`` says each step runs in (``step_images``), for
    VIL304; ``None`` when no ``valohai.yaml`` governs the file. Suppression comments work in
    ``.py`` files, not in notebooks.
    """
    notebook = path.lower().endswith(".ipynb")
    language = _NOTEBOOK if notebook else _PYTHON

    def read() -> Source:
        if notebook:
            from .sources.notebook_sites import find_notebook_image_sites as find
        else:
            from .sources.python_sites import find_python_image_sites as find
        try:
            found = find(text)
        except SourceSyntaxError as exc:
            return Source(syntax=SyntaxProblem(language.name, exc.message, exc.line, exc.column))
        return Source(sites=found)

    settings = _dated(config or LintConfig())
    return _guarded(
        path,
        language.stage,
        lambda found: _run(text, path, settings, parse, language, read, steps, found, matched, facts),
    )


class Source(NamedTuple):
    """What a reader made of one file's text: its image sites (and, for YAML, the document), or
    the syntax problem that stopped it."""

    sites: Iterable[ImageSite] = ()
    document: Document | None = None
    syntax: SyntaxProblem | None = None


class _Language(NamedTuple):
    """How the engine treats one kind of file: its name (``rule.LANGUAGES``), the stage named
    when reading it fails, and where its suppression comments are read from (None: nowhere)."""

    name: str
    stage: str
    comments: Callable[[str], list[Suppression]] | None


def _yaml_comments(text: str) -> list[Suppression]:
    from .sources.comments import parse_suppressions

    return parse_suppressions(text)


def _python_comments(text: str) -> list[Suppression]:
    from .sources.comments import parse_python_suppressions

    return parse_python_suppressions(text)


_YAML = _Language("yaml", "reading the YAML", _yaml_comments)
_PYTHON = _Language("python", "reading the Python source", _python_comments)
_NOTEBOOK = _Language("notebook", "reading the Python source", None)


def _run(
    text: str,
    path: str,
    config: LintConfig,
    parse: Parse,
    language: _Language,
    read: Callable[[], Source],
    steps: Mapping[str, StepImage] | None,
    internal: list[Diagnostic],
    matched: set[str] | None = None,
    facts: Mapping[LookupKey, ImageFacts] | None = None,
) -> list[Diagnostic]:
    """One file through the stages: read, then each kind of rule in the order of the data
    (syntax, document, sites, the file's sites together), then ``per-image-ignores``, then
    suppressions."""
    rules = enabled_rules(config)
    source = read()
    if config.per_image_ignores:
        source = source._replace(sites=list(source.sites))
    diagnostics: list[Diagnostic] = []
    if source.syntax is not None:
        for rule in _of_kind(rules, "check_syntax"):
            found = _checked(rule, rule.check_syntax, (source.syntax,), path, internal)
            diagnostics.extend(_diagnostic(rule, finding, path, config) for finding in found)
    else:
        if source.document is not None:
            for rule in _of_kind(rules, "check_document"):
                found = _checked(rule, rule.check_document, (source.document,), path, internal)
                diagnostics.extend(_diagnostic(rule, finding, path, config) for finding in found)
        diagnostics.extend(_check_sites(source.sites, rules, path, config, parse, internal, steps, facts))
    if config.per_image_ignores:
        diagnostics = _ignore_by_image(diagnostics, source.sites, config, parse, matched)
    if config.suppressions and language.comments is not None and SUPPRESSION_MARKER in text:
        diagnostics = _apply_suppressions(language.comments(text), diagnostics, rules, path, config, internal)
    return diagnostics


def _of_kind(rules: tuple[Rule, ...], kind: str) -> list[Rule]:
    return [rule for rule in rules if getattr(rule, kind) is not None]


def _checked(
    rule: Rule,
    check: Callable[..., Iterable[Finding]] | None,
    arguments: tuple[object, ...],
    path: str,
    internal: list[Diagnostic],
    span: Span | None = None,
) -> list[Finding]:
    """The findings of one rule's check (``check`` is one of the rule's fields); none when it
    raises, which is reported in ``internal`` (VIL999) while the other rules go on."""
    assert check is not None
    try:
        return list(check(*arguments))
    except Exception as exc:  # a bug in one rule must not stop the others
        internal.append(_internal(Failure(rule.title, exc, span), path))
        return []


def _line_length(text: str, line: int) -> int | None:
    from .sources.lines import split_lines

    lines = split_lines(text.removeprefix("\ufeff"))
    return len(lines[line - 1]) if 1 <= line <= len(lines) else None


def _guarded(path: str, stage: str, run: Callable[[list[Diagnostic]], list[Diagnostic]]) -> list[Diagnostic]:
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
        internal.append(_internal(Failure(stage, exc), path))
    finally:
        if collecting:
            gc.enable()
    return sorted(diagnostics + internal, key=lambda d: d.sort_key)


def _internal(failure: Failure, path: str) -> Diagnostic:
    """The VIL999 diagnostic of a failure, from the rule of that kind: always reported."""
    (rule,) = _of_kind(ALL_RULES, "check_failure")
    assert rule.check_failure is not None
    finding = rule.check_failure(failure)
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


def _sites(text: str, path: str, last: LastDocument | None = None) -> list[ImageSite]:
    """Every image site of a file, by the reader its name calls for; ``SourceSyntaxError`` when
    the text does not parse."""
    lowered = path.lower()
    if lowered.endswith(".ipynb"):
        from .sources.notebook_sites import find_notebook_image_sites

        return list(find_notebook_image_sites(text))
    if lowered.endswith(".py"):
        from .sources.python_sites import find_python_image_sites

        return list(find_python_image_sites(text))
    return list(find_image_sites(_load(text, last)))


def parsed_sites(
    text: str, path: str, parse: Parse = parse_image, last: LastDocument | None = None
) -> list[ParsedSite]:
    """Every image site a file names, each with its reference parsed (a language server's hover
    finds the one under the cursor); none when the file does not parse (linting it reports why)."""
    try:
        return [parse_site(site, parse) for site in _sites(text, path, last)]
    except SourceSyntaxError:
        return []


def image_refs(
    text: str, path: str, parse: Parse = parse_image, last: LastDocument | None = None
) -> list[ImageRef]:
    """The references of every string image a file names (for the online stage to look up):
    those that parse and hold no template placeholder. None when the file does not parse
    (linting it reports why)."""
    return [
        parsed.ref
        for parsed in parsed_sites(text, path, parse, last)
        if parsed.ref is not None and parsed.placeholder is None
    ]


def site_shape(text: str, path: str) -> tuple[tuple[str, tuple[str, ...], bool], ...] | None:
    """Where a file's images are, for ``--fix`` to check that its edits moved, added or removed
    none: each site's kind, the places that use it and whether it is reached through an alias.
    None when the text does not parse."""
    try:
        return tuple((site.kind.value, site.contexts, site.aliased) for site in _sites(text, path))
    except SourceSyntaxError:
        return None


SUPPRESSION_MARKER = "valohai-image-lint:"


def _ignore_by_image(
    diagnostics: list[Diagnostic],
    sites: Iterable[ImageSite],
    config: LintConfig,
    parse: Parse,
    matched: set[str] | None,
) -> list[Diagnostic]:
    """Drop the diagnostics of the rules ``per-image-ignores`` turns off for their image, and add
    to ``matched`` every pattern that matches an image of the file."""
    from .image_ignores import drop_ignored, matching

    refs: dict[str, ImageRef] = {}
    for site in sites:
        ref = parse_site(site, parse).ref
        if ref is not None:
            refs[ref.canonical] = ref
            if matched is not None:
                matched.update(matching(config.per_image_ignores, ref))
    return drop_ignored(diagnostics, config.per_image_ignores, refs)


def _apply_suppressions(
    suppressions: list[Suppression],
    diagnostics: list[Diagnostic],
    rules: tuple[Rule, ...],
    path: str,
    config: LintConfig,
    internal: list[Diagnostic],
) -> list[Diagnostic]:
    """Drop what ``# valohai-image-lint: ignore[...]`` comments suppress, then run the rules
    that report on the comments themselves (unused or blanket ones), when enabled."""
    from .suppressions import apply_suppressions, rule_resolver

    enabled = {rule.code for rule in rules}
    outcome = apply_suppressions(diagnostics, suppressions, rule_resolver(ALL_RULES), enabled)
    kept = outcome.kept
    for rule in _of_kind(rules, "check_suppressions"):
        found = _checked(rule, rule.check_suppressions, (outcome,), path, internal)
        kept.extend(_diagnostic(rule, finding, path, config) for finding in found)
    return kept


def _check_sites(
    sites: Iterable[ImageSite],
    rules: tuple[Rule, ...],
    path: str,
    config: LintConfig,
    parse: Parse,
    internal: list[Diagnostic],
    steps: Mapping[str, StepImage] | None = None,
    facts: Mapping[LookupKey, ImageFacts] | None = None,
) -> Iterable[Diagnostic]:
    """Every site rule on every site, then every file rule on all of them; a rule that raises
    is reported in ``internal`` (VIL999, at the site it was checking, once per rule and file)
    and the other rules go on."""
    options = rule_options(config)
    if steps is not None or facts is not None:
        options = options._replace(steps=steps, facts=facts)
    site_rules = _of_kind(rules, "check")
    failed: set[str] = set()
    every: list[ParsedSite] = []
    for site in sites:
        parsed = parse_site(site, parse)
        every.append(parsed)
        for rule in site_rules:
            if rule.code in failed:
                continue
            before = len(internal)
            found = _checked(rule, rule.check, (parsed, options), path, internal, site.span)
            if len(internal) > before:
                failed.add(rule.code)
            for finding in found:
                yield _diagnostic(rule, finding, path, config, parsed)
    for rule in _of_kind(rules, "check_file"):
        assert rule.check_file is not None
        try:
            pairs = list(rule.check_file(every, options))
        except Exception as exc:
            internal.append(_internal(Failure(rule.title, exc), path))
            continue
        for parsed, finding in pairs:
            yield _diagnostic(rule, finding, path, config, parsed)


__all__ = ["lint_python", "lint_text", "parse_site", "step_images"]
