"""The workspace: one object that owns what lint runs need, and runs them.

It holds the settings (the command line's, and the config files found for each linted file),
the readers' results (each file's text, each Python file's nearest ``valohai.yaml``), the caches
(results and parsed references), the last document composed and each ``valohai.yaml``'s step
images (for VIL304). It takes paths, standard input or a text from an editor, and returns
diagnostics (``RunResult``); reporting them is the caller's. The command line makes one per
process; a long-running client (a language server) can keep one and lint changed texts through
``lint_source``.

A run goes through its stages in the data's order:

1. ``answer_from_cache``: when every file named has an entry in the result cache under the key
   the full run would compute, its answer, before anything heavy is imported (this module
   imports only what the interpreter has loaded at start-up, and lean modules of the package);
2. ``lint_paths`` / ``lint_stream``: paths -> texts -> sources -> sites -> rules -> diagnostics,
   file by file through ``linter``, reusing what the first stage read (the texts, the nearest
   ``valohai.yaml`` texts, the loaded result cache and the code's fingerprint);
3. ``save``: the caches written back.

A first stage that cannot answer (a command line it does not read, a directory, standard input,
an output format other than concise, GitHub annotations, a file it cannot read, a config for the
current folder that no linted file uses, any miss) returns None, and the full run does the work,
reporting any error itself. A wrong guess can only cost a miss: the key holds the config file's
path and bytes, the options, the date, the file's text and the code's fingerprint, so an entry
found was stored by a full run of the same inputs, which validated them. The first stage never
writes the cache.
"""

from __future__ import annotations

import os

from .cache.files import default_directory
from .cache.results import ResultCache, settings_key
from .config.location import first_candidate
from .option_reader import settings_options
from .reading import (
    MAX_FILE_SIZE,
    PathError,
    is_python_source,
    nearest_config_key,
    nearest_config_text,
    read_bytes,
    read_config,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, BinaryIO, TextIO

    from .cache.references import ReferenceCache
    from .config.files import ConfigFinder, FileSettings
    from .config.settings import LintConfig
    from .facts import ImageFacts, LookupKey
    from .linter import LastDocument
    from .lookups import Lookups, Wanted
    from .model import Diagnostic, StepImage
    from .option_reader import CommandLine


class RunResult:
    """What a run found: the diagnostics (sorted), every file linted (clean ones too), the text of
    each file with findings, the one-line problems (unreadable files, bad configs), whether a
    finding reaches its file's failure threshold, and whether a bug of ours (VIL999) showed."""

    __slots__ = ("broken", "diagnostics", "facts", "failing", "linted", "problems", "sources", "warnings")

    def __init__(self) -> None:
        self.diagnostics: list[Diagnostic] = []
        self.linted: list[str] = []
        self.sources: dict[str, str] = {}
        self.problems: list[str] = []
        self.warnings: list[str] = []  # one line each, on stderr; the exit code does not change
        self.failing = False
        self.broken = False
        self.facts: dict[str, ImageFacts] = {}  # online: what registries said, by canonical reference


class Workspace:
    """Owns a lint run (or many, for a long-running client); see the module's docstring.

    ``options`` is what the command line says (``option_reader.Options`` or argparse's namespace, with
    the same names); ``today`` the real date, which the settings pin unless told otherwise;
    ``cache_directory`` where the caches live (None: no cache).
    """

    def __init__(self, options: Any, today: str, cache_directory: str | None) -> None:
        self.options = options
        self.today = today
        self.cache_directory = cache_directory
        self.results = ResultCache(cache_directory)
        self.command_line: CommandLine = settings_options(options, today)
        self._texts: dict[tuple[str, int], str | PathError] = {}  # each file read once per limit
        self._yaml_texts: dict[tuple[str, int], str | None] = {}  # nearest valohai.yaml per limit
        # The full run's parts, made when it first needs them:
        self._finder: ConfigFinder | None = None
        self._fixed: FileSettings | None = None  # --config's, or --isolated's none, for every file
        self._resolved: dict[str | None, tuple[LintConfig, str]] = {}  # per config file
        self._steps: dict[str, Mapping[str, StepImage]] = {}  # per valohai.yaml
        self._references: ReferenceCache | None = None
        self._last: LastDocument | None = None
        self._image_matched: dict[str | None, set[str]] = {}  # per-image-ignores matched, per config
        self._lookups: Lookups | None = None  # the online stage, made when a file's settings ask for it
        self.progress: TextIO | None = None  # where the online stage shows progress (a terminal's stderr)
        self._run_keys: dict[str, LookupKey] = {}  # the current run's lookups, by canonical reference
        self._looked_up: dict[str, str] = {}  # this run's texts whose images _look_up asked about

    @classmethod
    def for_options(cls, options: Any, today: str) -> Workspace:
        """The workspace of a command line, with the user's cache unless ``--no-cache``."""
        return cls(options, today, None if options.no_cache else default_directory())

    # -- stage 1: the answer of the result cache ---------------------------------------------------

    def answer_from_cache(self, out: TextIO, err: TextIO) -> int | None:
        """The exit code of the run, having printed its output, or None when the cache cannot
        answer (see the module's docstring). It imports nothing heavy."""
        options = self.options
        if options.statistics or options.list_rules or options.show_settings is not None:
            return None
        if not options.paths or "-" in options.paths or options.stdin_filename is not None:
            return None  # the current folder (discovery's), standard input
        if options.config is not None and options.isolated:
            return None  # a usage error
        chosen_format = options.output_format
        if chosen_format is None and os.environ.get("GITHUB_ACTIONS") == "true":
            return None  # the full run adds GitHub annotations
        if self.results.path is None or chosen_format not in (None, "concise"):
            return None
        if any(os.path.isdir(path) or not os.path.lexists(path) for path in options.paths):
            return None  # as discovery judges the paths as given: `valohai.yaml/` is no file
        max_bytes = options.max_file_size or MAX_FILE_SIZE
        settings: dict[str | None, str] = {}
        output_formats: dict[str | None, str | None] = {}  # per config file used, from its entries
        rows: list[tuple[str, int, int, str, str, int]] = []
        failing = False
        for path in sorted(dict.fromkeys(os.path.normpath(path) for path in options.paths)):
            config = self._config_candidate(path)
            if config not in settings:
                settings[config] = self._settings_key(config, read_bytes(config) if config else None)
            text = self._read(path, max_bytes)
            if isinstance(text, PathError):
                return None
            nearest = self._nearest(path, max_bytes)
            if nearest is not None and nearest[1] is None:
                return None  # unreadable under the default limit, which a config may raise
            key = self.results.key(path, text, settings[config], nearest_config_key(nearest))
            stored = self.results.lookup(path, key)
            if stored is None:
                return None  # a miss, or an entry written by something else: the full run lints again
            for found in stored.diagnostics:
                rows.append((path, found.line, found.column, found.code, found.message, found.severity))
            failing = failing or stored.failing
            output_formats[config] = stored.output_format
        here = self._config_candidate(os.path.join(os.getcwd(), "valohai.yaml"))
        if here is not None and here not in output_formats:
            return None  # the full run reads (and checks) that config for its output-format
        if (chosen_format or output_formats.get(here) or "concise") != "concise":
            return None
        _write_concise(rows, out, err)
        return 1 if failing and not options.exit_zero else 0

    def _config_candidate(self, path: str) -> str | None:
        """The config file that most likely applies to ``path``, found by name (stage 1)."""
        fixed: str | None = self.options.config
        if fixed is not None:
            return os.path.abspath(fixed)
        return None if self.options.isolated else first_candidate(path)

    def _settings_key(self, config: str | None, raw: bytes | None) -> str:
        return settings_key(config, raw, self.command_line)

    def _read(self, path: str, max_bytes: int) -> str | PathError:
        """A linted file's text, or why it cannot be read, read once per size limit."""
        if (path, max_bytes) not in self._texts:
            try:
                self._texts[path, max_bytes] = read_config(path, max_bytes)
            except PathError as exc:
                self._texts[path, max_bytes] = exc
        return self._texts[path, max_bytes]

    def _nearest(self, path: str, max_bytes: int) -> tuple[str, str | None] | None:
        """A Python file's nearest ``valohai.yaml`` and its text; None for other files."""
        return nearest_config_text(path, self._yaml_texts, max_bytes) if is_python_source(path) else None

    # -- stage 2: the full run ---------------------------------------------------------------------

    def load_config(self) -> None:
        """Read ``--config`` (or take ``--isolated``'s none) for every file; ``ConfigError``
        when that file cannot be used."""
        from .config.files import ConfigFinder, FileSettings

        self._finder = ConfigFinder()
        if self.options.config:
            self._fixed = self._finder.load(self.options.config)
        elif self.options.isolated:
            self._fixed = FileSettings(None)

    def settings_for(self, path: str) -> FileSettings:
        """The config file's settings that govern ``path``; ``ConfigError`` when it is unusable."""
        if self._finder is None:
            self.load_config()
        assert self._finder is not None
        return self._fixed if self._fixed is not None else self._finder.for_file(path)

    def config_for(self, path: str) -> tuple[LintConfig | None, str]:
        """The settings for linting ``path`` (None: excluded) and the result cache's key of them;
        ``ConfigError`` when its config file is unusable."""
        from .config.resolve import for_path, resolve

        settings = self.settings_for(path)
        if settings.path not in self._resolved:
            config = resolve(settings, self.command_line)[0]
            self._resolved[settings.path] = (config, self._settings_key(settings.path, settings.raw))
        config, key = self._resolved[settings.path]
        return for_path(config, path), key

    def lint_paths(self, paths: Sequence[str]) -> RunResult:
        """Lint what ``paths`` name (folders searched as discovery says)."""
        from .discovery import discover

        files, errors = discover(list(paths))
        result = RunResult()
        result.problems.extend(str(error) for error in errors)
        self._prepare(files)
        self._image_matched.clear()
        self._look_up(files)
        for path in files:
            self._lint_file(path, None, result)
        self._unused_image_ignores(result)
        return self._finish(result)

    def _unused_image_ignores(self, result: RunResult) -> None:
        """A warning for each ``per-image-ignores`` pattern that matched no image of the files
        linted under its config file."""
        from .escape import shown_path
        from .image_ignores import unused

        for config_path, matched in self._image_matched.items():
            if config_path is None:
                continue  # per-image-ignores come from config files only
            config = self._resolved[config_path][0]
            relative = os.path.relpath(config_path)
            where = shown_path(config_path if relative.startswith("..") else relative)
            for pattern in unused(config.per_image_ignores, matched):
                result.warnings.append(
                    f'{where}: per-image-ignores "{pattern}" matched no image in the files linted'
                )

    def lint_stream(self, path: str, stream: BinaryIO) -> RunResult:
        """Lint standard input (``stream``) as if it were the file at ``path`` (editors)."""
        result = RunResult()
        self._prepare([path])
        self._lint_file(path, stream, result)
        return self._finish(result)

    def _prepare(self, paths: Sequence[str]) -> None:
        if self._last is None and any(is_python_source(path) for path in paths):
            from .linter import LastDocument

            self._last = LastDocument()  # Python files need a valohai.yaml's steps too

    def _finish(self, result: RunResult) -> RunResult:
        result.diagnostics.sort(key=lambda d: d.sort_key)
        if self._lookups is not None:
            known = self._lookups.known
            result.facts = {name: known[key] for name, key in self._run_keys.items() if key in known}
            result.warnings.extend(dict.fromkeys(self._lookups.warnings))
            self._lookups.warnings.clear()
        self._run_keys = {}
        self._looked_up = {}
        self._last = None  # a big document kept to the end would cost a collection over its nodes
        return result

    def _lint_file(self, path: str, stream: BinaryIO | None, result: RunResult) -> None:
        from .config.errors import ConfigError

        try:
            config, key = self.config_for(path)
        except ConfigError as exc:
            result.problems.append(str(exc))
            return
        if config is None:
            return  # excluded by the config
        if stream is not None:
            from .reading import read_stream

            try:
                text: str | PathError = read_stream(path, stream, config.max_file_size)
            except PathError as exc:
                text = exc
        else:
            text = self._read(path, config.max_file_size)
        if isinstance(text, PathError):
            result.problems.append(str(text))
            return
        found = self.lint_source(path, text, config, key)
        result.linted.append(path)
        if found:
            result.sources[path] = text
        from .model import INTERNAL_ERROR_CODE

        result.failing = result.failing or any(d.severity >= config.failure_threshold for d in found)
        result.broken = result.broken or any(d.code == INTERNAL_ERROR_CODE for d in found)
        result.diagnostics.extend(found)

    def lint_source(
        self, path: str, text: str, config: LintConfig | None = None, key: str | None = None
    ) -> list[Diagnostic]:
        """The diagnostics of ``text`` as the file at ``path``, from the result cache when it has
        them (and stored there otherwise). ``config`` and ``key`` (what ``config_for`` gives)
        default to what the config files say for ``path``; an excluded path gives none."""
        if config is None or key is None:
            config, key = self.config_for(path)
            if config is None:
                return []
        nearest = self._nearest(path, config.max_file_size)
        entry = self.results.key(path, text, key, nearest_config_key(nearest))
        # per-image-ignores: linted each time, to learn which patterns match an image (the result
        # cache keeps no images), and so never stored, so that stage 1 never answers for it.
        # Online: linted each time too, with facts no older than the facts cache's TTL.
        by_image = bool(config.per_image_ignores)
        matched = self._image_matched.setdefault(self.settings_for(path).path, set()) if by_image else None
        facts = self._facts_of(path, text, config) if config.online else None
        uncached = by_image or config.online
        cached = None if uncached else self.results.get(path, entry)
        if cached is not None:
            return cached
        from . import linter

        parse = self.references.parse
        if is_python_source(path):
            steps = None
            if nearest is not None and nearest[1] is not None:
                if nearest[0] not in self._steps:
                    self._steps[nearest[0]] = linter.step_images(nearest[1], nearest[0], parse, self._last)
                steps = self._steps[nearest[0]]
            found = linter.lint_python(text, path, config, parse, steps, matched, facts)
        else:
            found = linter.lint_text(text, path, config, parse, self._last, matched, facts)
        if uncached:
            return found
        fails = any(d.severity >= config.failure_threshold for d in found)
        self.results.put(path, entry, found, fails, self.settings_for(path).values.get("output-format"))
        return found

    # -- the online stage --------------------------------------------------------------------------

    def _look_up(self, paths: Sequence[str]) -> None:
        """Ask the registries about every image of the files whose settings are online, at once
        (each distinct reference once, in parallel), before any file is linted."""
        from .config.errors import ConfigError

        wanted: dict[LookupKey, Wanted] = {}
        for path in paths:
            try:
                config = self.config_for(path)[0]
            except ConfigError:
                continue  # linting the file reports it
            if config is None or not config.online:
                continue
            text = self._read(path, config.max_file_size)
            if not isinstance(text, PathError):
                self._wanted(path, text, config, wanted)
                self._looked_up[path] = text
        if wanted:
            self._resolve(wanted)

    def _facts_of(self, path: str, text: str, config: LintConfig) -> Mapping[LookupKey, ImageFacts]:
        """The facts of the images in ``text``: those ``_look_up`` asked for this run, or asked now
        (an editor's text, standard input, a fixed text)."""
        if self._lookups is not None and self._looked_up.get(path) == text:
            return self._lookups.known
        wanted: dict[LookupKey, Wanted] = {}
        self._wanted(path, text, config, wanted)
        return self._resolve(wanted)

    def _wanted(self, path: str, text: str, config: LintConfig, wanted: dict[LookupKey, Wanted]) -> None:
        from .config.keys import KEYS
        from .facts import lookup_key
        from .lighter import lighter_image
        from .linter import image_refs
        from .lookups import Wanted
        from .reference import InvalidImageReference

        platforms_option = KEYS["platforms"]
        platforms = platforms_option.read(config.options.get("platforms", platforms_option.default))
        parse = self.references.parse
        for ref in image_refs(text, path, parse, self._last):
            key = lookup_key(ref)
            wanted.setdefault(key, Wanted(config.registry, platforms))
            self._run_keys[ref.canonical] = key
            for endpoint in (False, True):  # its lighter variant too, to compare sizes (VIL301)
                suggestion = lighter_image(ref, ref.raw, endpoint)
                if suggestion is not None and suggestion.image is not None:
                    try:
                        lighter = parse(suggestion.image)
                    except InvalidImageReference:
                        continue
                    wanted.setdefault(lookup_key(lighter), Wanted(config.registry, platforms))

    def known_facts(self) -> Mapping[LookupKey, ImageFacts]:
        """What the registries said of the images looked up so far (none before an online lint):
        a language server's hover reads it."""
        return self._lookups.known if self._lookups is not None else {}

    def _resolve(self, wanted: Mapping[LookupKey, Wanted]) -> Mapping[LookupKey, ImageFacts]:
        if self._lookups is None:
            from .lookups import Lookups

            self._lookups = Lookups(self.cache_directory, self.progress)
        return self._lookups.resolve(wanted)

    @property
    def references(self) -> ReferenceCache:
        if self._references is None:
            from .cache.references import ReferenceCache

            self._references = ReferenceCache(self.cache_directory)
        return self._references

    # -- stage 3 -----------------------------------------------------------------------------------

    def save(self) -> None:
        """Write what the caches learned."""
        if self._references is not None:
            self._references.save()
        if self._lookups is not None:
            self._lookups.save()
        self.results.save()


def _write_concise(rows: list[tuple[str, int, int, str, str, int]], out: TextIO, err: TextIO) -> None:
    """The concise lines in the full run's order (path, line, column, code; ties as stored)."""
    from .command import silence
    from .plain_text import concise_line, summary

    rows.sort(key=lambda row: row[:4])
    try:
        out.writelines(concise_line(*row[:5]) + "\n" for row in rows)
        out.flush()
    except BrokenPipeError:
        silence(out)
    if rows:
        err.write(summary((row[5] for row in rows), len({row[0] for row in rows})))
