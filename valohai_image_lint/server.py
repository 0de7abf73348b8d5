"""The language server: ``valohai-image-lint server`` speaks LSP over standard input and output, so an
editor shows the problems of ``valohai.yaml`` and of ``valohai.prepare()`` calls as the user types,
and offers the fixes as quick fixes. The one module that imports pygls and lsprotocol (the
``server`` extra: ``pip install 'valohai-image-lint[server]'``).

It keeps one ``workspace.Workspace`` alive (its caches, the config files it has read) and lints an
editor's text through ``Workspace.lint_source``, so a document gets what the command line says of
the same text: the same config discovery (the file's folder upwards), the same engine, the same
size limit. Its parts:

- ``Positions``: the linter's 1-based lines and columns (characters, counted after a UTF-8 BOM on
  the first line) to LSP's 0-based lines and code units (UTF-16 unless the client and server
  agreed on UTF-8 or UTF-32), and back. Lines break at ``\\r\\n``, ``\\r`` and ``\\n``, as LSP says.
- ``Linting``: a workspace and what an editor needs of it (a lint, the fixed text of "fix all",
  the image under the cursor). It is used from one thread only: the server runs every lint on a
  worker thread, so that the event loop (typing, cancellations) never waits for one, and the
  online lookups on a second ``Linting`` in a thread of their own, so that a slow registry never
  delays the offline diagnostics.
- ``ImageLintServer``: the LSP features. Diagnostics on open and save at once, on change after
  ``DEBOUNCE_SECONDS`` of quiet, none on close; code actions (each fix a quick fix, the safe one
  preferred; "fix all" as ``source.fixAll.valohai-image-lint``; a suppression comment); hover on
  an image. A change to a config file or a ``valohai.yaml`` (saved, or seen by the client's file
  watcher) drops the workspaces' settings and lints every open document again.
- ``NotebookLayout``: a notebook opened as a notebook document (LSP 3.17 notebook sync, as VS
  Code and JupyterLab open them): its code cells written back as the ``.ipynb`` text the CLI
  reads, linted under the notebook's path, and each position mapped to its cell, where the
  diagnostics, quick fixes and hovers go.

A rule's page is linked from each diagnostic (``codeDescription``): the page that ``valohai-image-lint
rule CODE`` prints, written as Markdown into the cache folder (``rule-pages/<version>/CODE.md``)
the first time a diagnostic names the rule, and linked as a ``file://`` URL.
"""

from __future__ import annotations

import asyncio
import bisect
import io
import logging
import os
import re
import tempfile
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple, TypeVar

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from . import __version__
from .command import EXIT_CLEAN, PROG, clock_today
from .config.location import CONFIG_FILES
from .edits import BOM
from .model import INTERNAL_ERROR_CODE, Applicability, Diagnostic, Fix, ParsedSite, Severity, Span
from .reading import CONFIG_NAMES, PathError, is_python_source, read_stream
from .sources.lines import split_lines
from .sources.notebook_sites import _json_char_offsets
from .workspace import Workspace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .config.settings import LintConfig
    from .facts import ImageFacts, LookupKey

NOTEBOOK_SYNC = lsp.NotebookDocumentSyncOptions(
    notebook_selector=[
        lsp.NotebookDocumentFilterWithNotebook(
            notebook=lsp.NotebookDocumentFilterNotebookType("jupyter-notebook")
        ),
        lsp.NotebookDocumentFilterWithNotebook(notebook=lsp.NotebookDocumentFilterPattern("**/*.ipynb")),
    ],
    save=True,
)
"""The notebook documents served: Jupyter notebooks, all their cells (so that cells are counted
as in the file), linted as the notebook's ``.ipynb`` text (``NotebookLayout``)."""
DEBOUNCE_SECONDS = 0.15
"""How long a document must be quiet after a change before it is linted."""
FIX_ALL = f"source.fixAll.{PROG}"
FIX_ALL_TITLE = "Fix all safe problems in this file"
WATCHED = frozenset(CONFIG_FILES) | CONFIG_NAMES
"""The files whose change changes other files' diagnostics: config files, and the
``valohai.yaml`` a Python file's VIL304 compares with."""

_SEVERITIES = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}

log = logging.getLogger(__name__)
T = TypeVar("T")


# -- positions -------------------------------------------------------------------------------------


def _units(text: str, encoding: str) -> int:
    """The length of ``text`` in the position encoding's code units."""
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == lsp.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Positions:
    """One text's lines: the linter's positions (1-based line, 1-based character column counted
    after a BOM) to LSP positions (0-based line, 0-based code unit) and back."""

    def __init__(self, text: str, encoding: str = lsp.PositionEncodingKind.Utf16) -> None:
        self.bom = 1 if text.startswith(BOM) else 0
        self.lines = split_lines(text)  # the first one with its BOM, as the client counts it
        self.encoding = encoding

    def position(self, line: int, column: int) -> lsp.Position:
        """The LSP position of a 1-based line and column (past the end: the end of the text)."""
        if line > len(self.lines):
            return self.end()
        text = self.lines[max(line, 1) - 1]
        offset = column - 1 + (self.bom if line == 1 else 0)
        offset = min(max(offset, 0), len(text))
        return lsp.Position(line=max(line, 1) - 1, character=_units(text[:offset], self.encoding))

    def range(self, span: Span) -> lsp.Range:
        return lsp.Range(
            start=self.position(span.line, span.column), end=self.position(span.end_line, span.end_column)
        )

    def end(self) -> lsp.Position:
        return lsp.Position(line=len(self.lines) - 1, character=_units(self.lines[-1], self.encoding))

    def location(self, position: lsp.Position) -> tuple[int, int]:
        """The 1-based line and column of an LSP position (inside the text)."""
        index = min(max(position.line, 0), len(self.lines) - 1)
        text = self.lines[index]
        units = 0
        offset = 0
        for offset, character in enumerate(text):  # noqa: B007 - offset is read after the loop
            if units >= position.character:
                break
            units += _units(character, self.encoding)
        else:
            offset = len(text)
        return index + 1, offset + 1 - (self.bom if index == 0 else 0)


# -- linting an editor's text ----------------------------------------------------------------------


class Problem(NamedTuple):
    """Why a document was not linted (its config cannot be used, it is over the size limit), or
    a bug of ours outside the engine: shown as one diagnostic without a rule's code, unless
    ``code`` names one (VIL999)."""

    message: str
    line: int = 1
    column: int = 1
    code: str | None = None


class Linted(NamedTuple):
    """What linting one text gave: its diagnostics (or the problem that stopped it) and whether
    its settings ask for the online checks (a second lint, with the registries' facts)."""

    text: str
    diagnostics: Sequence[Diagnostic] = ()
    problem: Problem | None = None
    online: bool = False


def lintable(path: str) -> bool:
    """Whether the server lints a document: a ``valohai.yaml``/``valohai.yml``, a Python file or a
    notebook (those that never mention valohai have no images, and get no diagnostics)."""
    return os.path.basename(path) in CONFIG_NAMES or is_python_source(path)


class Linting:
    """A workspace kept for an editor, and what the server asks of it. Not thread-safe: one
    thread uses it."""

    def __init__(self, cache_directory: str | None) -> None:
        self.cache_directory = cache_directory
        self._workspace: Workspace | None = None

    @property
    def workspace(self) -> Workspace:
        """The workspace: a new one on a new day (the date end-of-life rules judge by)."""
        today = clock_today()
        if self._workspace is None or self._workspace.today != today:
            self.forget()
            from .cache.results import ResultCache
            from .option_reader import read_options

            options = read_options([])
            assert options is not None
            self._workspace = Workspace(options, today, self.cache_directory)
            # An editor's texts change with every key: storing each would fill the result cache
            # with texts nobody lints again. The reference and facts caches are kept.
            self._workspace.results = ResultCache(None)
        return self._workspace

    def forget(self) -> None:
        """Drop the settings, the config files read and each ``valohai.yaml``'s steps (a config
        file or a ``valohai.yaml`` changed), having saved what the caches learned."""
        if self._workspace is not None:
            self._workspace.save()
            self._workspace = None

    def config(self, path: str) -> tuple[LintConfig | None, str]:
        return self.workspace.config_for(path)

    def lint(self, path: str, text: str, online: bool = False) -> Linted:
        """The diagnostics of ``text`` as the file at ``path``; online ones only when ``online``
        and the file's settings ask for them (this may wait for the registries)."""
        from .config.errors import ConfigError

        if not lintable(path):
            return Linted(text)
        try:
            config, key = self.config(path)
        except ConfigError as exc:
            return Linted(text, problem=Problem(str(exc)))
        if config is None:
            return Linted(text)  # excluded by the config
        try:
            data = io.BytesIO(text.encode("utf-8", "surrogatepass"))
            read_stream(path, data, config.max_file_size, "the editor's text")
        except PathError as exc:
            return Linted(text, problem=Problem(exc.reason, exc.line or 1, exc.column or 1))
        wants_online = config.online
        if not online:
            config = config._replace(online=False)
        found = self.workspace.lint_source(path, text, config, key)
        return Linted(text, found, online=wants_online)

    def fixed_text(self, path: str, text: str) -> str:
        """``text`` with every safe fix applied (as ``--fix`` applies them, offline), or as it
        was when nothing applies or the fixes would break it."""
        from .fixing import FixPolicy, fix_source

        config, key = self.config(path)
        if config is None or not lintable(path):
            return text
        config = config._replace(online=False)
        found = self.workspace.lint_source(path, text, config, key)
        return fix_source(self.workspace, path, text, found, config, FixPolicy(), key).text

    def site_at(self, path: str, text: str, line: int, column: int) -> tuple[ParsedSite, bool] | None:
        """The image site under a 1-based position, and whether the file's settings are online."""
        from .config.errors import ConfigError
        from .linter import parsed_sites

        if not lintable(path):
            return None
        try:
            config = self.config(path)[0]
        except ConfigError:
            config = None
        for parsed in parsed_sites(text, path, self.workspace.references.parse):
            span = parsed.site.span
            if (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column):
                return parsed, bool(config is not None and config.online)
        return None

    def known_facts(self) -> dict[LookupKey, ImageFacts]:
        return dict(self._workspace.known_facts()) if self._workspace is not None else {}

    def save(self) -> None:
        if self._workspace is not None:
            self._workspace.save()


def rule_page_directory(cache_directory: str | None) -> str:
    """Where the rule pages are written: the cache folder's ``rule-pages/<version>``."""
    base = cache_directory or os.path.join(tempfile.gettempdir(), f"{PROG}-{os.getuid()}")
    return os.path.join(base, "rule-pages", __version__)


def write_rule_page(directory: str, code: str) -> str | None:
    """The ``file://`` URL of a rule's page (``valohai-image-lint rule CODE``), written into
    ``directory`` when it is not there yet; None for a code that names no rule."""
    from .rule_pages import find_rule, page

    rule = find_rule(code)
    if rule is None:
        return None
    path = os.path.join(directory, f"{rule.code}.md")
    text = page(rule)
    try:
        with open(path, encoding="utf-8") as handle:
            current: str | None = handle.read()
    except OSError:
        current = None
    if current != text:
        try:
            os.makedirs(directory, exist_ok=True)
            temporary = f"{path}.{os.getpid()}.tmp"
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(temporary, path)
        except OSError as exc:
            log.warning("cannot write the page of %s: %s", code, exc)
            return None
    url: str | None = from_fs_path(path)
    return url


# -- LSP values ------------------------------------------------------------------------------------


def lsp_diagnostic(
    diagnostic: Diagnostic, positions: Positions, page: Callable[[str], str | None], uri: str = ""
) -> lsp.Diagnostic:
    """``diagnostic`` for the client; an image used in several places (through an anchor or a merge
    key) gets each place as related information."""
    href = page(diagnostic.code)
    related = [
        lsp.DiagnosticRelatedInformation(
            location=lsp.Location(uri=uri, range=positions.range(span)), message=f"used by {context}"
        )
        for context, span in diagnostic.uses
    ]
    return lsp.Diagnostic(
        range=positions.range(diagnostic.span),
        severity=_SEVERITIES[diagnostic.severity],
        code=diagnostic.code,
        code_description=lsp.CodeDescription(href=href) if href is not None else None,
        source=PROG,
        message=diagnostic.message,
        related_information=related or None,
    )


def problem_diagnostic(problem: Problem, positions: Positions) -> lsp.Diagnostic:
    start = positions.position(problem.line, problem.column)
    return lsp.Diagnostic(
        range=lsp.Range(start=start, end=start),
        severity=lsp.DiagnosticSeverity.Error,
        code=problem.code,
        source=PROG,
        message=problem.message,
    )


def text_edits(fix: Fix, positions: Positions) -> list[lsp.TextEdit]:
    return [lsp.TextEdit(range=positions.range(edit.span), new_text=edit.replacement) for edit in fix.edits]


def whole_text_edit(old: str, new: str, positions: Positions) -> lsp.TextEdit:
    """One edit that turns ``old`` into ``new``: the part between their common start and end."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end = 0
    while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
        end += 1
    before = split_lines(old[:start])
    through = split_lines(old[: len(old) - end])
    first = lsp.Position(line=len(before) - 1, character=_units(before[-1], positions.encoding))
    last = lsp.Position(line=len(through) - 1, character=_units(through[-1], positions.encoding))
    return lsp.TextEdit(range=lsp.Range(start=first, end=last), new_text=new[start : len(new) - end])


def _overlaps(one: lsp.Range, other: lsp.Range) -> bool:
    def key(position: lsp.Position) -> tuple[int, int]:
        return position.line, position.character

    return key(one.start) <= key(other.end) and key(other.start) <= key(one.end)


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a code action of ``kind`` answers a request for the kinds ``only`` (None: any)."""
    return only is None or any(kind == asked or kind.startswith(asked + ".") for asked in only)


def hover_text(parsed: ParsedSite, online: bool, facts: Mapping[LookupKey, ImageFacts] | None) -> str:
    """Markdown about an image: its canonical name, tag and digest; online, what the registry
    says (or that it is being asked)."""
    ref = parsed.ref
    value = parsed.site.value or ""
    if ref is None:
        reason = parsed.error or "not an image reference"
        return f"**{PROG}**: {_code(value)} is not a valid image reference: {_plain(reason)}"
    lines = [
        f"**{ref.canonical}**",  # the grammar allows no Markdown but an intraword _
        "",
        f"- tag: {_code(ref.tag)}" if ref.tag is not None else "- tag: none",
        f"- digest: {_code(ref.digest)}" if ref.digest is not None else "- digest: none (not pinned)",
    ]
    if online:
        from .facts import human_size, lookup_key

        found = None if facts is None else facts.get(lookup_key(ref))
        if found is None:
            lines.append("- registry: being looked up; hover again in a moment")
        elif not found.found:
            reason = f": {_plain(found.reason)}" if found.reason else ""
            lines.append(f"- registry: {found.status.value}{reason}")
        else:
            manifest = found.manifest
            digest = found.tag_digest or (manifest.digest if manifest is not None else None)
            if digest is not None:
                lines.append(f"- resolved digest: {_code(digest)}")
            platforms = manifest.platforms if manifest is not None else ()
            if platforms:
                lines.append(f"- platforms: {_plain(', '.join(str(platform) for platform in platforms))}")
            for platform, size in found.platform_sizes:
                lines.append(f"- compressed size ({_plain(platform)}): {human_size(size)}")
            if not found.platform_sizes and manifest is not None and manifest.size is not None:
                lines.append(f"- compressed size: {human_size(manifest.size)}")
    return "\n".join(lines)


def _code(text: str) -> str:
    """``text`` as a Markdown code span, whatever backticks it holds (a fence one longer than its
    longest run), on one line: a value from a file or a registry cannot steer the hover."""
    import re

    from .escape import one_line

    text = one_line(text)
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _plain(text: str) -> str:
    """``text`` with Markdown's punctuation escaped, on one line."""
    import re

    from .escape import one_line

    return re.sub(r"([\\`*_\[\]<>|~#])", r"\\\1", one_line(text))


# -- notebook documents ----------------------------------------------------------------------------


_CELL_LINE = re.compile(r".*?(?:\r\n|\r|\n)|.+", re.DOTALL)
_SOURCE_INDENT = 4  # each source line is written as a JSON string on a line of its own, after 4 spaces


class _SourceLine(NamedTuple):
    cell: int  # the index of the cell in the notebook
    line: int  # 1-based, in the cell
    text: str  # the line, with its line break
    offsets: list[int]  # where each character of ``text`` is written in its JSON string
    length: int  # the length of the JSON string's text, between its quotes


class NotebookLayout:
    """A notebook document (its cells, as the client sent them) written as the ``.ipynb`` text
    the notebook reader lints: every cell in order (so that "cell 3" names the third cell), a
    code cell in Python with its source, a markdown cell or a code cell in another language
    without it; each source line on a JSON line of its own, so that the reader's positions (in
    that text) map back to a cell and a position in it, and a cell's positions map to the text."""

    def __init__(self, cells: Sequence[tuple[str, str, str]]) -> None:
        """``cells``: each cell's URI, kind (``code``, ``markdown`` or ``raw``) and text."""
        import json

        self.uris = [uri for uri, _, _ in cells]
        self.texts = {uri: text for uri, _, text in cells}
        self.rows: dict[int, _SourceLine] = {}  # the 1-based line of the text: the cell line on it
        self.lines: dict[tuple[int, int], int] = {}  # (cell, 1-based line in it): the line of the text
        written = ["{", ' "cells": [']
        for index, (_, kind, text) in enumerate(cells):
            parts = _CELL_LINE.findall(text) if kind == "code" else []
            written += ["  {", f'   "cell_type": "{kind}",', '   "metadata": {},', '   "source": [']
            for number, part in enumerate(parts, start=1):
                raw = json.dumps(part, ensure_ascii=False)
                self.rows[len(written) + 1] = _SourceLine(
                    index, number, part, _json_char_offsets(raw[1:-1]), len(raw) - 2
                )
                self.lines[index, number] = len(written) + 1
                written.append(" " * _SOURCE_INDENT + raw + ("," if number < len(parts) else ""))
            written += ["   ]", "  }" + ("," if index < len(cells) - 1 else "")]
        written += [
            " ],",
            ' "metadata": {"language_info": {"name": "python"}},',
            ' "nbformat": 4,',
            ' "nbformat_minor": 4',
            "}",
        ]
        self.text = "\n".join(written) + "\n"

    def place(self, line: int, column: int) -> tuple[int, int, int] | None:
        """The cell index, 1-based line and column in it of a 1-based position in ``text`` (None
        outside the cells' sources)."""
        row = self.rows.get(line)
        if row is None:
            return None
        written = column - 1 - _SOURCE_INDENT - 1  # in the JSON string, after its quote
        if written >= row.length:
            character = len(row.text)
        elif written <= 0:
            character = 0
        else:
            character = bisect.bisect_right(row.offsets, written) - 1
        return row.cell, row.line, character + 1

    def cell_span(self, span: Span) -> tuple[int, Span] | None:
        """The cell index and the span in it of a span in ``text``; None when it does not start in a
        cell's source. A span that ends in another cell ends at the end of its first cell."""
        start = self.place(span.line, span.column)
        if start is None:
            return None
        end = self.place(span.end_line, span.end_column)
        if end is None or end[0] != start[0]:
            lines = split_lines(self.texts[self.uris[start[0]]])
            end = (start[0], len(lines), len(lines[-1]) + 1)
        return start[0], Span(start[1], start[2], end[1], end[2])

    def text_position(self, cell: int, line: int, column: int) -> tuple[int, int] | None:
        """The 1-based position in ``text`` of a 1-based position in a cell (None: not in its source)."""
        written = self.lines.get((cell, line))
        if written is None:
            return None
        row = self.rows[written]
        character = min(max(column - 1, 0), len(row.text))
        offset = row.offsets[character] if character < len(row.offsets) else row.length
        return written, _SOURCE_INDENT + 1 + offset + 1

    def cell_texts(self, text: str) -> dict[str, str] | None:
        """Each code cell's text in ``text``, a notebook of this layout (as a fix wrote it)."""
        import json

        try:
            notebook = json.loads(text)
        except ValueError:
            return None
        cells = notebook.get("cells") if isinstance(notebook, dict) else None
        if not isinstance(cells, list) or len(cells) != len(self.uris):
            return None
        found: dict[str, str] = {}
        for uri, cell in zip(self.uris, cells, strict=True):
            source = cell.get("source") if isinstance(cell, dict) else None
            if isinstance(source, list) and source and all(isinstance(part, str) for part in source):
                found[uri] = "".join(source)
        return found


# -- the server ------------------------------------------------------------------------------------


class _Document:
    """What the server knows of one open document: its last lint, the lint waiting for the
    typing to pause, and the online lint under way."""

    __slots__ = ("linted", "online_wanted", "pending", "version")

    def __init__(self) -> None:
        self.linted: Linted | None = None
        self.pending: asyncio.Future[None] | None = None
        self.version: int | None = None
        # The text whose online lint is wanted: one queued for an older text is skipped (read on
        # the lookup thread; a reference to a str is read whole)
        self.online_wanted: str | None = None


class ImageLintServer(LanguageServer):
    def __init__(self, debounce: float = DEBOUNCE_SECONDS) -> None:
        super().__init__(
            PROG,
            __version__,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Full,
            notebook_document_sync=NOTEBOOK_SYNC,
        )
        from .cache.files import default_directory

        cache_directory = default_directory()
        self.debounce = debounce
        self.linting = Linting(cache_directory)  # used on ``lint_thread`` only
        self.online = Linting(cache_directory)  # used on ``lookup_thread`` only
        self.lint_thread = ThreadPoolExecutor(1, thread_name_prefix="lint")
        self.lookup_thread = ThreadPoolExecutor(1, thread_name_prefix="lookup")
        self.documents: dict[str, _Document] = {}  # text documents and notebook documents, by URI
        # each open notebook document's cells that have diagnostics published (empty ones too)
        self.notebook_cells: dict[str, set[str]] = {}
        self.facts: dict[LookupKey, ImageFacts] = {}
        self.pages = rule_page_directory(cache_directory)
        self._page_urls: dict[str, str | None] = {}
        self._background: set[asyncio.Future[None]] = set()

    # -- running work off the event loop

    async def on_lint_thread(self, work: Callable[..., T], *arguments: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.lint_thread, work, *arguments)

    async def on_lookup_thread(self, work: Callable[..., T], *arguments: object) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.lookup_thread, work, *arguments)

    def in_background(self, work: Coroutine[object, object, None]) -> None:
        """Run ``work`` as a task of its own, kept until it is done."""
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- documents

    def text_of(self, uri: str) -> str:
        """A document's text; a notebook document's the ``.ipynb`` text of its layout."""
        if uri in self.notebook_cells:
            return self.layout(uri).text
        return self.workspace.get_text_document(uri).source

    def layout(self, uri: str) -> NotebookLayout:
        """An open notebook document's current cells, laid out as a notebook's text."""
        notebook = self.workspace.get_notebook_document(notebook_uri=uri)
        cells: list[tuple[str, str, str]] = []
        for cell in notebook.cells if notebook is not None else ():
            document = self.workspace.get_text_document(cell.document)
            python = (document.language_id or "python").lower() == "python"
            kind = "markdown" if cell.kind == lsp.NotebookCellKind.Markup else "code" if python else "raw"
            cells.append((cell.document, kind, document.source))
        return NotebookLayout(cells)

    def notebook_of(self, cell_uri: str) -> str | None:
        """The URI of the open notebook document that has the cell ``cell_uri``."""
        notebook = self.workspace.get_notebook_document(cell_uri=cell_uri)
        if notebook is None or notebook.uri not in self.notebook_cells:
            return None
        return notebook.uri

    def positions(self, text: str) -> Positions:
        return Positions(text, self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)

    def page_url(self, code: str) -> str | None:
        if code not in self._page_urls or (
            self._page_urls[code] is not None and not os.path.exists(os.path.join(self.pages, f"{code}.md"))
        ):
            self._page_urls[code] = write_rule_page(self.pages, code)
        return self._page_urls[code]

    def schedule(self, uri: str, delay: float) -> None:
        """Lint ``uri`` after ``delay`` seconds, in place of a lint scheduled before."""
        document = self.documents.get(uri)
        if document is None:
            return
        if document.pending is not None:
            document.pending.cancel()
        document.pending = asyncio.ensure_future(self._lint_later(uri, delay))

    async def _lint_later(self, uri: str, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        await self.lint_and_publish(uri)

    async def lint_and_publish(self, uri: str) -> Linted | None:
        """Lint an open document's current text and publish its diagnostics; then, when its
        settings are online, start the online lint, which publishes again when it is done."""
        path = to_fs_path(uri)
        if uri not in self.documents or path is None:
            return None
        text = self.text_of(uri)
        linted = await self.on_lint_thread(self._guarded_lint, self.linting, path, text, False)
        document = self.documents.get(uri)
        if document is None or self.text_of(uri) != text:
            return None  # closed, or changed meanwhile: the change has its own lint
        document.linted = linted
        self.publish(uri, linted)
        if linted.online:
            self.in_background(self._lint_online(uri, path, text))
        return linted

    async def _lint_online(self, uri: str, path: str, text: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        document.online_wanted = text
        done = await self.on_lookup_thread(self._online_lint, document, path, text)
        if done is None:
            return  # a newer text's online lint was queued after this one
        linted, facts = done
        self.facts.update(facts)
        document = self.documents.get(uri)
        if document is None or self.text_of(uri) != text:
            return
        document.linted = linted
        self.publish(uri, linted)

    def _online_lint(
        self, document: _Document, path: str, text: str
    ) -> tuple[Linted, dict[LookupKey, ImageFacts]] | None:
        if document.online_wanted != text:
            return None  # stale: skip its lookups
        linted = self._guarded_lint(self.online, path, text, True)
        return linted, self.online.known_facts()

    def _guarded_lint(self, linting: Linting, path: str, text: str, online: bool) -> Linted:
        """``linting.lint``; a bug of ours that escapes the engine's own guard is one VIL999
        diagnostic and a log message, never a dead server."""
        try:
            return linting.lint(path, text, online)
        except Exception as exc:
            log.exception("linting %s failed", path)
            message = f"internal error while linting: {type(exc).__name__}: {exc}"
            return Linted(text, problem=Problem(message, code=INTERNAL_ERROR_CODE))

    def publish(self, uri: str, linted: Linted) -> None:
        if uri in self.notebook_cells:
            self.publish_notebook(uri, linted)
            return
        positions = self.positions(linted.text)
        found = [lsp_diagnostic(d, positions, self.page_url, uri) for d in linted.diagnostics]
        if linted.problem is not None:
            found.append(problem_diagnostic(linted.problem, positions))
        for diagnostic in linted.diagnostics:
            if diagnostic.code == INTERNAL_ERROR_CODE:
                self.log(lsp.MessageType.Error, f"{to_fs_path(uri)}: {diagnostic.message}")
        if linted.problem is not None and linted.problem.code == INTERNAL_ERROR_CODE:
            self.log(lsp.MessageType.Error, f"{to_fs_path(uri)}: {linted.problem.message}")
        version = self.workspace.get_text_document(uri).version
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=version)
        )

    def publish_notebook(self, uri: str, linted: Linted) -> None:
        """Publish a notebook's diagnostics on its cells, each with its range in its cell; every
        cell gets a publish (an empty one clears it), and so does a cell no longer there."""
        layout = self.layout(uri)
        if layout.text != linted.text:
            return  # changed meanwhile: its own lint publishes
        found: dict[str, list[lsp.Diagnostic]] = {cell: [] for cell in layout.uris}
        for cell, diagnostic, positions in self.cell_diagnostics(layout, linted):
            found[cell].append(lsp_diagnostic(diagnostic, positions, self.page_url, cell))
        if linted.problem is not None and layout.uris:
            problem = linted.problem
            place = layout.place(problem.line, problem.column)
            index, line, column = place if place is not None else (0, 1, 1)
            cell = layout.uris[index]
            shown = problem._replace(line=line, column=column)
            found[cell].append(problem_diagnostic(shown, self.positions(layout.texts[cell])))
            if problem.code == INTERNAL_ERROR_CODE:
                self.log(lsp.MessageType.Error, f"{to_fs_path(uri)}: {problem.message}")
        for diagnostic in linted.diagnostics:
            if diagnostic.code == INTERNAL_ERROR_CODE:
                self.log(lsp.MessageType.Error, f"{to_fs_path(uri)}: {diagnostic.message}")
        gone = self.notebook_cells.get(uri, set()) - set(found)
        self.notebook_cells[uri] = set(found)
        for cell in sorted(gone):
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=cell, diagnostics=[]))
        for cell, diagnostics in found.items():
            version = self.workspace.get_text_document(cell).version
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=cell, diagnostics=diagnostics, version=version)
            )

    def cell_diagnostics(
        self, layout: NotebookLayout, linted: Linted
    ) -> Iterable[tuple[str, Diagnostic, Positions]]:
        """Each diagnostic of a notebook's lint with the cell it is in and its spans in that cell:
        its fixes only when all their edits are in that cell, its uses only those in that cell. One
        outside every cell's source (none is expected) is placed at the start of the first cell."""
        for diagnostic in linted.diagnostics:
            placed = layout.cell_span(diagnostic.span)
            if placed is None:
                if not layout.uris:
                    continue
                placed = (0, Span(1, 1, 1, 1))
            index, span = placed
            cell = layout.uris[index]

            def here(original: Span, index: int = index) -> Span | None:
                mapped = layout.cell_span(original)
                return mapped[1] if mapped is not None and mapped[0] == index else None

            def fix_here(fix: Fix | None) -> Fix | None:
                if fix is None:
                    return None
                edits = []
                for edit in fix.edits:
                    mapped = here(edit.span)
                    if mapped is None:
                        return None
                    edits.append(edit._replace(span=mapped, replacement=_json_unescaped(edit.replacement)))
                return fix._replace(edits=tuple(edits))

            uses = tuple((context, place) for context, use in diagnostic.uses if (place := here(use)))
            others = tuple(fix for fix in map(fix_here, diagnostic.other_fixes) if fix is not None)
            shown = diagnostic._replace(
                span=span, uses=uses, fix=fix_here(diagnostic.fix), other_fixes=others
            )
            yield cell, shown, self.positions(layout.texts[cell])

    def log(self, kind: lsp.MessageType, message: str) -> None:
        self.window_log_message(lsp.LogMessageParams(type=kind, message=message))

    async def current(self, uri: str) -> Linted | None:
        """The lint of the document's current text (linted now if its last lint is older)."""
        document = self.documents.get(uri)
        if document is None:
            return None
        text = self.text_of(uri)
        if document.linted is not None and document.linted.text == text:
            return document.linted
        path = to_fs_path(uri)
        if path is None:
            return None
        linted = await self.on_lint_thread(self._guarded_lint, self.linting, path, text, False)
        if self.text_of(uri) == text:
            document.linted = linted
        return linted

    async def settings_changed(self) -> None:
        """A config file or a ``valohai.yaml`` changed: forget what the workspaces read, and lint
        every open document again."""
        await self.on_lint_thread(self.linting.forget)
        self.facts.clear()  # what registries said under the old settings (credentials, hosts)
        for uri in list(self.documents):
            self.schedule(uri, 0)  # the offline diagnostics first: a slow registry must not hold them
        await self.on_lookup_thread(self.online.forget)

    async def save_caches(self) -> None:
        await self.on_lint_thread(self.linting.save)
        await self.on_lookup_thread(self.online.save)


def _json_unescaped(text: str) -> str:
    """A replacement a fix writes into a notebook's JSON string, as the cell's text has it."""
    if "\\" not in text:
        return text
    import json

    try:
        decoded = json.loads(f'"{text}"')
    except ValueError:
        return text
    return decoded if isinstance(decoded, str) else text


def _watched(path: str | None) -> bool:
    return path is not None and os.path.basename(path) in WATCHED


def build_server(debounce: float = DEBOUNCE_SECONDS) -> ImageLintServer:
    """The server with its features."""
    server = ImageLintServer(debounce)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: ImageLintServer, params: lsp.InitializedParams) -> None:
        workspace = ls.client_capabilities.workspace
        watching = workspace.did_change_watched_files if workspace is not None else None
        if watching is None or not watching.dynamic_registration:
            return  # saves of config files still re-lint
        watchers = [lsp.FileSystemWatcher(glob_pattern=f"**/{name}") for name in sorted(WATCHED)]
        registration = lsp.Registration(
            id=f"{PROG}-watch",
            method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            register_options=lsp.DidChangeWatchedFilesRegistrationOptions(watchers=watchers),
        )
        try:
            await ls.client_register_capability_async(lsp.RegistrationParams(registrations=[registration]))
        except Exception as exc:  # a client that refuses: saves still re-lint
            log.warning("the client did not register the file watchers: %s", exc)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: ImageLintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = to_fs_path(uri)
        if path is None or not lintable(path):
            return
        ls.documents[uri] = _Document()
        ls.schedule(uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: ImageLintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, ls.debounce)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: ImageLintServer, params: lsp.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if _watched(to_fs_path(uri)):
            await ls.settings_changed()  # lints this one too, when it is open
        else:
            ls.schedule(uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: ImageLintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = ls.documents.pop(uri, None)
        if document is None:
            return
        if document.pending is not None:
            document.pending.cancel()
        ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_OPEN)
    async def notebook_did_open(ls: ImageLintServer, params: lsp.DidOpenNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        path = to_fs_path(uri)
        if path is None or not lintable(path):
            return
        ls.documents[uri] = _Document()
        ls.notebook_cells[uri] = set()
        ls.schedule(uri, 0)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CHANGE)
    async def notebook_did_change(ls: ImageLintServer, params: lsp.DidChangeNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, ls.debounce)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_SAVE)
    async def notebook_did_save(ls: ImageLintServer, params: lsp.DidSaveNotebookDocumentParams) -> None:
        ls.schedule(params.notebook_document.uri, 0)

    @server.feature(lsp.NOTEBOOK_DOCUMENT_DID_CLOSE)
    async def notebook_did_close(ls: ImageLintServer, params: lsp.DidCloseNotebookDocumentParams) -> None:
        uri = params.notebook_document.uri
        document = ls.documents.pop(uri, None)
        if document is not None and document.pending is not None:
            document.pending.cancel()
        cells = ls.notebook_cells.pop(uri, set())
        if document is None:
            return
        for cell in sorted(cells | {cell.uri for cell in params.cell_text_documents}):
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=cell, diagnostics=[]))

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: ImageLintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        if any(_watched(to_fs_path(change.uri)) for change in params.changes):
            await ls.settings_changed()

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL]),
    )
    async def code_action(ls: ImageLintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        notebook = ls.notebook_of(uri)
        if notebook is not None:
            return await _notebook_actions(ls, notebook, uri, params)
        linted = await ls.current(uri)
        path = to_fs_path(uri)
        if linted is None or path is None:
            return []
        positions = ls.positions(linted.text)
        only = params.context.only
        actions: list[lsp.CodeAction] = []
        if _wanted(only, lsp.CodeActionKind.QuickFix):
            actions.extend(_quick_fixes(uri, path, linted, params.range, positions, ls.page_url))
        if _wanted(only, FIX_ALL) and any(d.fix is not None for d in linted.diagnostics):
            fixed = await ls.on_lint_thread(ls.linting.fixed_text, path, linted.text)
            if fixed != linted.text and ls.text_of(uri) == linted.text:
                edit = whole_text_edit(linted.text, fixed, positions)
                actions.append(
                    lsp.CodeAction(
                        title=FIX_ALL_TITLE, kind=FIX_ALL, edit=lsp.WorkspaceEdit(changes={uri: [edit]})
                    )
                )
        return actions

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ImageLintServer, params: lsp.HoverParams) -> lsp.Hover | None:
        uri = params.text_document.uri
        notebook = ls.notebook_of(uri)
        if notebook is not None:
            return await _notebook_hover(ls, notebook, uri, params)
        path = to_fs_path(uri)
        if path is None or uri not in ls.documents:
            return None
        text = ls.text_of(uri)
        positions = ls.positions(text)
        line, column = positions.location(params.position)
        found = await ls.on_lint_thread(ls.linting.site_at, path, text, line, column)
        if found is None:
            return None
        parsed, online = found
        _look_up(ls, uri, path, text, parsed, online)
        content = lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=hover_text(parsed, online, ls.facts))
        return lsp.Hover(contents=content, range=positions.range(parsed.site.span))

    @server.feature(lsp.SHUTDOWN)
    async def shutdown(ls: ImageLintServer, params: None) -> None:
        for document in ls.documents.values():
            if document.pending is not None:
                document.pending.cancel()
        await ls.save_caches()

    return server


def _look_up(ls: ImageLintServer, uri: str, path: str, text: str, parsed: ParsedSite, online: bool) -> None:
    """Start the online lint of a document's text for a hover, unless it was asked for already."""
    if online and parsed.ref is not None:
        from .facts import lookup_key

        document = ls.documents.get(uri)
        wanted = document is not None and document.online_wanted == text
        if lookup_key(parsed.ref) not in ls.facts and not wanted:  # not asked yet for this text
            ls.in_background(ls._lint_online(uri, path, text))


async def _notebook_actions(
    ls: ImageLintServer, notebook: str, cell: str, params: lsp.CodeActionParams
) -> list[lsp.CodeAction]:
    """A notebook cell's code actions: each fix of its diagnostics in the range (edits in that
    cell only), and "fix all", which may edit every cell; no suppression comments (a notebook
    takes none)."""
    linted = await ls.current(notebook)
    path = to_fs_path(notebook)
    if linted is None or path is None:
        return []
    layout = ls.layout(notebook)
    if layout.text != linted.text or cell not in layout.texts:
        return []
    only = params.context.only
    actions: list[lsp.CodeAction] = []
    if _wanted(only, lsp.CodeActionKind.QuickFix):
        found = [
            (d, positions) for where, d, positions in ls.cell_diagnostics(layout, linted) if where == cell
        ]
        if found:
            positions = found[0][1]
            in_cell = Linted(layout.texts[cell], [d for d, _ in found])
            actions.extend(_quick_fixes(cell, path, in_cell, params.range, positions, ls.page_url))
    if _wanted(only, FIX_ALL) and any(d.fix is not None for d in linted.diagnostics):
        fixed = await ls.on_lint_thread(ls.linting.fixed_text, path, linted.text)
        texts = layout.cell_texts(fixed) if fixed != linted.text else None
        if texts is not None and ls.text_of(notebook) == linted.text:
            changes = {
                uri: [whole_text_edit(layout.texts[uri], new, ls.positions(layout.texts[uri]))]
                for uri, new in texts.items()
                if new != layout.texts[uri]
            }
            if changes:
                edit = lsp.WorkspaceEdit(changes=changes)
                actions.append(lsp.CodeAction(title=FIX_ALL_TITLE, kind=FIX_ALL, edit=edit))
    return actions


async def _notebook_hover(
    ls: ImageLintServer, notebook: str, cell: str, params: lsp.HoverParams
) -> lsp.Hover | None:
    """Hover on an image in a notebook cell: the site found in the notebook's text."""
    path = to_fs_path(notebook)
    layout = ls.layout(notebook)
    if path is None or cell not in layout.texts:
        return None
    index = layout.uris.index(cell)
    positions = ls.positions(layout.texts[cell])
    at = layout.text_position(index, *positions.location(params.position))
    if at is None:
        return None
    found = await ls.on_lint_thread(ls.linting.site_at, path, layout.text, *at)
    placed = layout.cell_span(found[0].site.span) if found is not None else None
    if found is None or placed is None or placed[0] != index:
        return None
    parsed, online = found
    _look_up(ls, notebook, path, layout.text, parsed, online)
    content = lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=hover_text(parsed, online, ls.facts))
    return lsp.Hover(contents=content, range=positions.range(placed[1]))


def _quick_fixes(
    uri: str,
    path: str,
    linted: Linted,
    wanted: lsp.Range,
    positions: Positions,
    page: Callable[[str], str | None],
) -> Iterable[lsp.CodeAction]:
    """Each fix of the diagnostics the range touches (the rule's chosen fix preferred when it is
    safe), then a suppression comment for each code there."""
    from .suppression_writer import can_add, suppression_edits

    touched = [d for d in linted.diagnostics if _overlaps(positions.range(d.span), wanted)]
    for diagnostic in touched:
        shown = lsp_diagnostic(diagnostic, positions, page, uri)
        fixes = [fix for fix in (diagnostic.fix, *diagnostic.other_fixes) if fix is not None]
        for fix in fixes:
            yield lsp.CodeAction(
                title=fix.title,
                kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[shown],
                edit=lsp.WorkspaceEdit(changes={uri: text_edits(fix, positions)}),
                is_preferred=fix is diagnostic.fix and fix.applicability is Applicability.SAFE,
            )
    if path.lower().endswith(".ipynb"):
        return  # a notebook has no suppression comments
    offered: set[tuple[int, str]] = set()
    for diagnostic in touched:
        if not can_add(diagnostic) or (diagnostic.span.line, diagnostic.code) in offered:
            continue
        offered.add((diagnostic.span.line, diagnostic.code))
        planned = suppression_edits(linted.text, [diagnostic], python=is_python_source(path))
        if not planned.edits:
            continue
        edits = [lsp.TextEdit(range=positions.range(e.span), new_text=e.replacement) for e in planned.edits]
        yield lsp.CodeAction(
            title=f"Suppress {diagnostic.code} on this line",
            kind=lsp.CodeActionKind.QuickFix,
            diagnostics=[lsp_diagnostic(diagnostic, positions, page, uri)],
            edit=lsp.WorkspaceEdit(changes={uri: edits}),
        )


def serve() -> int:
    """Run the server over standard input and output until the client says exit."""
    logging.basicConfig(level=logging.WARNING, format=f"{PROG} server: %(levelname)s: %(message)s")
    server = build_server()
    server.start_io()
    # The protocol says: exit after shutdown is 0, exit without it 1 (pygls's own exit code is
    # lost when it stops the loop from a callback).
    return EXIT_CLEAN if getattr(server.protocol, "_shutdown", False) else 1
