"""Which files to lint, and reading them: paths in, (path, text) or a one-line error out.

A file given by path is linted whatever its name (as Python when it ends in ``.py`` or
``.ipynb``). A directory is searched recursively for ``valohai.yaml`` and ``valohai.yml``, and
for the Python files and notebooks in the folder of each config found and below it, skipping
version-control folders, virtual environments, ``node_modules``, caches, symlinked folders (so
a link loop cannot trap the walk) and whatever the directory's own top-level ``.gitignore``
ignores.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from collections.abc import Iterator
from functools import lru_cache
from typing import BinaryIO, NamedTuple

from .config import MAX_FILE_SIZE

CONFIG_NAMES = frozenset({"valohai.yaml", "valohai.yml"})
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
MAX_BYTES = MAX_FILE_SIZE  # the default limit, under the name this module has always used
PYTHON_SUFFIXES = (".py", ".ipynb")
"""The files read as Python (the second as a notebook), in any case."""


def is_python_source(path: str) -> bool:
    """Whether ``path`` names a Python file or a notebook, by its suffix."""
    return path.lower().endswith(PYTHON_SUFFIXES)


class PathError(Exception):
    """A path that cannot be linted; ``str()`` is the one-line message naming it."""

    def __init__(self, path: str, message: str, line: int | None = None, column: int | None = None) -> None:
        where = f"{path}:{line}:{column}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path


class _Pattern(NamedTuple):
    regex: re.Pattern[str]
    negated: bool
    directory_only: bool


def _glob_to_regex(glob: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(glob):
        ch = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("/**", i) and i + 3 == len(glob):
            out.append("/.*")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = glob.find("]", i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                body = glob[i + 1 : end].replace("\\", "\\\\")
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = end
        elif ch == "\\" and i + 1 < len(glob):
            i += 1
            out.append(re.escape(glob[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


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
            anchored = "/" in line
            body = _glob_to_regex(line.lstrip("/"))
            prefix = "" if anchored else "(?:.*/)?"
            try:
                regex = re.compile(f"{prefix}{body}")
            except re.error:
                continue  # a line git would match nothing with (such as [z-a]): nothing to ignore
            self.patterns.append(_Pattern(regex, negated, directory_only))

    @classmethod
    def of_folder(cls, folder: str) -> GitIgnore:
        try:
            with open(os.path.join(folder, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                return cls(handle.readlines())
        except OSError:
            return cls([])

    def ignores(self, relative: str, is_dir: bool) -> bool:
        ignored = False
        for pattern in self.patterns:
            if pattern.directory_only and not is_dir:
                continue
            if pattern.regex.fullmatch(relative):
                ignored = not pattern.negated
        return ignored


def path_matches(glob: str, relative: str) -> bool:
    """Whether a ``/``-separated relative path matches a path glob (``*`` within a folder name,
    ``**`` across folders; a glob without ``/`` matches a file or folder name at any depth, and a
    match on a folder covers everything under it)."""
    pattern = _compiled_path_glob(glob)
    parts = relative.split("/")
    return any(pattern.fullmatch("/".join(parts[:end])) for end in range(len(parts), 0, -1))


@lru_cache(maxsize=256)
def _compiled_path_glob(glob: str) -> re.Pattern[str]:
    """A config path glob as a regex; ``\\`` reads as ``/`` (Windows paths); ValueError if invalid."""
    body = glob.strip().replace("\\", "/").removeprefix("./").rstrip("/")
    anchored = "/" in body
    prefix = "" if anchored else "(?:.*/)?"
    try:
        return re.compile(prefix + _glob_to_regex(body.lstrip("/")))
    except re.error as exc:
        raise ValueError(f"not a valid glob ({exc.msg})") from None


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


def repository_root(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` that holds ``.git``."""
    current = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _walk(folder: str, errors: list[PathError]) -> Iterator[str]:
    """Configs under ``folder``; the top-level ``.gitignore`` is the repository's when ``folder``
    is inside one (patterns match paths from the repository root), else the folder's own."""
    root = repository_root(folder) or os.path.abspath(folder)
    ignore = GitIgnore.of_folder(root)
    prefix = os.path.relpath(os.path.abspath(folder), root).replace(os.sep, "/")
    prefix = "" if prefix == "." else prefix + "/"

    def unreadable(exc: OSError) -> None:
        errors.append(PathError(exc.filename or folder, f"cannot read directory: {_os_reason(exc)}"))

    projects: set[str] = set()  # folders at or under a folder holding a config
    for current, dirs, files in os.walk(folder, onerror=unreadable):
        relative_dir = prefix + os.path.relpath(current, folder)
        relative_dir = relative_dir.replace(os.sep, "/")
        relative_dir = prefix if relative_dir == prefix + "." else relative_dir + "/"
        in_project = os.path.dirname(current) in projects or not CONFIG_NAMES.isdisjoint(files)
        if in_project:
            projects.add(current)
        dirs[:] = sorted(
            d
            for d in dirs
            if d not in SKIP_DIRS
            and not os.path.islink(os.path.join(current, d))
            and not _is_virtualenv(os.path.join(current, d))
            and not ignore.ignores(relative_dir + d, is_dir=True)
        )
        for name in sorted(files):
            wanted = name in CONFIG_NAMES or (in_project and is_python_source(name))
            if wanted and not ignore.ignores(relative_dir + name, is_dir=False):
                yield os.path.normpath(os.path.join(current, name))


def discover(paths: list[str]) -> tuple[list[str], list[PathError]]:
    """The files the given paths name (sorted, each once), and the paths that fail: the configs
    found in a directory and the Python files and notebooks in the folders of those configs and
    below them; a file named by path, whatever its name."""
    found: list[str] = []
    errors: list[PathError] = []
    for path in paths or ["."]:
        if os.path.isdir(path):
            before = len(errors)
            configs = list(_walk(path, errors))
            has_config = any(os.path.basename(config) in CONFIG_NAMES for config in configs)
            if not has_config and paths and len(errors) == before:
                errors.append(PathError(path, "no valohai.yaml or valohai.yml found in this directory"))
            found.extend(configs)
        elif os.path.lexists(path):
            found.append(os.path.normpath(path))
        else:
            errors.append(PathError(path, "no such file or directory"))
    return sorted(dict.fromkeys(found)), errors


def nearest_config(path: str) -> str | None:
    """The ``valohai.yaml`` (or ``valohai.yml``) that governs a file: in its folder or the
    closest folder above it, not above the repository's root. Shown relative to the working
    directory when it lies under it, else absolute."""
    folder = os.path.dirname(os.path.abspath(path))
    root = repository_root(folder)
    while True:
        for name in sorted(CONFIG_NAMES):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                relative = os.path.relpath(candidate)
                return candidate if relative.startswith("..") else relative
        parent = os.path.dirname(folder)
        if folder == root or parent == folder:
            return None
        folder = parent


def read_config(path: str, max_bytes: int = MAX_BYTES) -> str:
    """The text of a config file, or ``PathError`` with a one-line reason. A file over
    ``max_bytes`` is refused before it is read; so is one that grows past it while being read,
    or one whose size the system does not know (``/proc``) and that turns out bigger."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise PathError(path, _os_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise PathError(path, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise PathError(path, "not a regular file (a FIFO, socket or device); not read")
    if info.st_size > max_bytes:
        raise PathError(path, f"file is {info.st_size} bytes, {_over_the_limit(max_bytes)}")
    try:
        # Non-blocking, and checked again once open: a FIFO swapped in after the stat above
        # must not hang the run.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise PathError(path, "not a regular file (a FIFO, socket or device); not read")
            data = _read_at_most(handle, max_bytes + 1)
    except OSError as exc:
        raise PathError(path, _os_reason(exc)) from None
    if len(data) > max_bytes:
        raise PathError(path, f"file is more than {max_bytes} bytes, {_over_the_limit(max_bytes)}")
    return decode_config(path, data)


def read_stream(name: str, stream: BinaryIO, max_bytes: int = MAX_BYTES) -> str:
    """The text of a config read from a stream (standard input) under the name ``name``, or
    ``PathError``: at most ``max_bytes`` are read, and a longer stream is refused."""
    try:
        data = _read_at_most(stream, max_bytes + 1)
    except OSError as exc:
        raise PathError(name, _os_reason(exc)) from None
    if len(data) > max_bytes:
        raise PathError(name, f"standard input is more than {max_bytes} bytes, {_over_the_limit(max_bytes)}")
    return decode_config(name, data)


def _over_the_limit(max_bytes: int) -> str:
    how = "raise max-file-size in the config or --max-file-size"
    return f"over the {max_bytes}-byte limit; not linted ({how})"


def _read_at_most(handle: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes, read in pieces, so that a large limit never becomes one large buffer."""
    pieces: list[bytes] = []
    remaining = size
    while remaining > 0:
        piece = handle.read(min(remaining, 1 << 20))
        if not piece:
            break
        pieces.append(piece)
        remaining -= len(piece)
    return b"".join(pieces)


_WIDE_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _is_wide_encoding(data: bytes) -> bool:
    """UTF-16 or UTF-32: a byte-order mark, or (as the YAML spec detects an encoding) an ASCII
    first character next to NUL bytes, such as ``- `` saved as UTF-16 without a BOM."""
    if data.startswith(_WIDE_BOMS):
        return True
    head = data[:4]
    if len(head) < 2:
        return False
    ascii_first = [byte in b"\t\n\r" or 0x20 <= byte < 0x7F for byte in head]
    return (
        (ascii_first[0] and head[1] == 0)  # UTF-16LE or UTF-32LE
        or (head[0] == 0 and ascii_first[1])  # UTF-16BE
        or (len(head) == 4 and head[:3] == b"\x00\x00\x00" and ascii_first[3])  # UTF-32BE
    )


def decode_config(path: str, data: bytes) -> str:
    """The text of a config's bytes, or ``PathError`` located where they stop being UTF-8 text."""
    if _is_wide_encoding(data):
        raise PathError(path, "file is UTF-16 or UTF-32 encoded; save it as UTF-8", 1, 1)
    if b"\x00" in data:
        offset = data.index(b"\x00")
        line, column = _byte_position(data, offset)
        raise PathError(path, "binary file (NUL byte); not a YAML config", line, column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        raise PathError(
            path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", line, column
        ) from None


def _byte_position(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    line_start = max(before.rfind(b"\n"), before.rfind(b"\r")) + 1
    column = len(before[line_start:].decode("utf-8", errors="replace")) + 1
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1, column


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)
