"""Which files to lint: paths in, the files they name (or a one-line error) out; reading a
file is ``reading``'s.

A file given by path is linted whatever its name (as Python when it ends in ``.py`` or
``.ipynb``). A directory is searched recursively for ``valohai.yaml`` and ``valohai.yml``, and
for the Python files and notebooks in the folder of each config found and below it; a directory
with no config anywhere gives its Python files and notebooks that mention ``valohai`` (a project
that names its images only in ``valohai.prepare()`` calls). The search skips
version-control folders, virtual environments, ``node_modules``, caches, symlinked folders (so
a link loop cannot trap the walk) and whatever the directory's own top-level ``.gitignore``
ignores.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import NamedTuple

from .globs import Glob, InvalidGlob, path_glob
from .reading import CONFIG_NAMES, PathError, is_python_source, os_reason, read_file, repository_root

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "__pycache__",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "site-packages",
        ".eggs",
    }
)


class _Pattern(NamedTuple):
    glob: Glob
    negated: bool
    directory_only: bool


class GitIgnore:
    """The patterns of one ``.gitignore``, matched against paths relative to its folder."""

    def __init__(self, lines: list[str]) -> None:
        self.patterns: list[_Pattern] = []
        for raw in lines:
            line = raw.rstrip("\n\r")
            if not line.endswith("\\ "):
                line = line.rstrip(" ")
            if not line or line.startswith("#"):
                continue
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            if line.startswith("\\"):
                line = line[1:]
            directory_only = line.endswith("/")
            line = line.rstrip("/")
            if not line:
                continue
            try:
                glob = path_glob(line.lstrip("/"), anchored="/" in line)
            except InvalidGlob:
                continue  # a line git would match nothing with (such as [z-a]): nothing to ignore
            self.patterns.append(_Pattern(glob, negated, directory_only))

    @classmethod
    def of_folder(cls, folder: str) -> GitIgnore:
        """The folder's ``.gitignore`` (no patterns when there is none), or ``PathError`` when it
        is there but cannot be read: ``read_file`` reads it (a regular file, without blocking,
        under its size bound), so a FIFO or a link to ``/dev/zero`` committed as ``.gitignore``
        is an error naming it, not a hang."""
        path = os.path.join(folder, ".gitignore")
        if not os.path.exists(path):
            return cls([])
        text = read_file(path).decode("utf-8", errors="replace")
        return cls(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))

    def ignores(self, relative: str, is_dir: bool) -> bool:
        ignored = False
        for pattern in self.patterns:
            if pattern.directory_only and not is_dir:
                continue
            if pattern.glob.matches(relative):
                ignored = not pattern.negated
        return ignored


def path_matches(glob: str, relative: str) -> bool:
    """Whether a ``/``-separated relative path matches a path glob (``*`` within a folder name,
    ``**`` across folders; a glob without ``/`` matches a file or folder name at any depth, and a
    match on a folder covers everything under it)."""
    pattern = _compiled_path_glob(glob)
    parts = relative.split("/")
    return any(pattern.matches("/".join(parts[:end])) for end in range(len(parts), 0, -1))


def _compiled_path_glob(glob: str) -> Glob:
    """A config path glob, compiled; ``\\`` reads as ``/`` (Windows paths); ValueError if invalid."""
    body = glob.strip().replace("\\", "/").removeprefix("./").rstrip("/")
    try:
        return path_glob(body.lstrip("/"), anchored="/" in body)
    except InvalidGlob as exc:
        raise ValueError(f"not a valid glob ({exc.reason})") from None


def check_path_glob(glob: str) -> str | None:
    """Why ``glob`` cannot be used as a path glob, or None."""
    if not glob.strip():
        return "an empty glob"
    try:
        _compiled_path_glob(glob)
    except ValueError as exc:
        return str(exc)
    return None


def _is_virtualenv(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "pyvenv.cfg"))


MAX_DEPTH = 100
"""How many folders deep a directory is searched; deeper folders are reported, not searched."""


def _walk(folder: str, errors: list[PathError], loose: list[str]) -> Iterator[str]:
    """Configs under ``folder`` and the Python files in their folders and below; the other Python
    files and notebooks are added to ``loose``. The top-level ``.gitignore`` is the repository's
    when ``folder`` is inside one (patterns match paths from the repository root), else the
    folder's own. The
    walk keeps its own stack (a deep tree cannot exhaust Python's), and a folder more than
    ``MAX_DEPTH`` levels below ``folder`` is an error naming it."""
    root = repository_root(folder) or os.path.abspath(folder)
    try:
        ignore = GitIgnore.of_folder(root)
    except PathError as exc:
        errors.append(exc)
        ignore = GitIgnore([])
    prefix = os.path.relpath(os.path.abspath(folder), root).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"

    projects: set[str] = set()  # folders at or under a folder holding a config
    stack: list[tuple[str, str, int]] = [(folder, prefix, 0)]  # a folder, its relative path, its depth
    while stack:
        current, relative_dir, depth = stack.pop()
        if depth > MAX_DEPTH:
            errors.append(
                PathError(current, f"folder nested more than {MAX_DEPTH} levels deep; not searched")
            )
            continue
        try:
            dirs, files = _entries(current)
        except OSError as exc:
            errors.append(PathError(exc.filename or current, f"cannot read directory: {os_reason(exc)}"))
            continue
        in_project = os.path.dirname(current) in projects or not CONFIG_NAMES.isdisjoint(files)
        if in_project:
            projects.add(current)
        for name in sorted(files):
            python = is_python_source(name)
            if not (name in CONFIG_NAMES or python) or ignore.ignores(relative_dir + name, is_dir=False):
                continue
            if name in CONFIG_NAMES or in_project:
                yield os.path.normpath(os.path.join(current, name))
            else:
                loose.append(os.path.normpath(os.path.join(current, name)))
        searched = [
            d
            for d in sorted(dirs)
            if d not in SKIP_DIRS
            and not os.path.islink(os.path.join(current, d))
            and not _is_virtualenv(os.path.join(current, d))
            and not ignore.ignores(relative_dir + d, is_dir=True)
        ]
        stack.extend((os.path.join(current, d), f"{relative_dir}{d}/", depth + 1) for d in reversed(searched))


def _entries(folder: str) -> tuple[list[str], list[str]]:
    """The names of the folders (links to folders included, as ``os.walk`` says) and of the
    other entries in ``folder``; OSError when it cannot be listed."""
    dirs: list[str] = []
    files: list[str] = []
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry.name)
    return dirs, files


def _mentions_valohai(path: str) -> bool:
    """Whether a Python file or notebook's text contains ``valohai`` (what the Python reader
    checks before parsing, so the others cost a read, never a parse). A file that cannot be read
    (too big, not a regular file) is not one: in a folder with no config it is not the tool's."""
    try:
        data = read_file(path)
    except PathError:
        return False
    if b"valohai" in data or data.isascii():
        return b"valohai" in data
    from .sources.python_sites import may_name_valohai  # identifiers fold NFKC: fullwidth letters

    return may_name_valohai(data.decode("utf-8", errors="replace"))


def discover(paths: list[str]) -> tuple[list[str], list[PathError]]:
    """The files the given paths name (sorted, each once), and the paths that fail: the configs
    found in a directory and the Python files and notebooks in the folders of those configs and
    below them (in a directory with no config, the Python files and notebooks that mention
    valohai); a file named by path, whatever its name. A directory with nothing to lint is no
    error: it adds no file."""
    found: list[str] = []
    errors: list[PathError] = []
    for path in paths or ["."]:
        if os.path.isdir(path):
            loose: list[str] = []
            configs = list(_walk(path, errors, loose))
            has_config = any(os.path.basename(config) in CONFIG_NAMES for config in configs)
            if not has_config:
                configs.extend(source for source in loose if _mentions_valohai(source))
            found.extend(configs)
        elif os.path.lexists(path):
            found.append(os.path.normpath(path))
        else:
            errors.append(PathError(path, "no such file or directory"))
    return sorted(dict.fromkeys(found)), errors
