"""Reading one linted file: a path in, its text or a one-line ``PathError`` out; and where a
file's repository root and nearest ``valohai.yaml`` are.

This is on the path of every run, including one answered wholly from the result cache, so it
imports nothing beyond what the interpreter has loaded at start-up (``os``, ``stat``, ``codecs``).
"""

from __future__ import annotations

import codecs
import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import BinaryIO

MAX_FILE_SIZE = 10 * 1024 * 1024
"""The default limit on a linted file's size, in bytes (``max-file-size``, ``--max-file-size``)."""
CONFIG_NAMES = frozenset({"valohai.yaml", "valohai.yml"})
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
        self.reason = message  # without the path: a language server's diagnostic says it
        self.line = line
        self.column = column


def folders_up(folder: str) -> Iterator[str]:
    """``folder`` (made absolute) and the folders above it, nearest first, up to and including
    the repository root (the nearest folder holding ``.git``), or the file system's root outside
    a repository: the one walk up that finds settings, configs and the root itself."""
    current = os.path.abspath(folder)
    while True:
        yield current
        if os.path.exists(os.path.join(current, ".git")):
            return  # the repository root
        parent = os.path.dirname(current)
        if parent == current:
            return
        current = parent


def repository_root(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` that holds ``.git``."""
    last = list(folders_up(folder))[-1]
    return last if os.path.exists(os.path.join(last, ".git")) else None


def nearest_config(path: str) -> str | None:
    """The ``valohai.yaml`` (or ``valohai.yml``) that governs a file: in its folder or the
    closest folder above it, not above the repository's root. Shown relative to the working
    directory when it lies under it, else absolute."""
    for folder in folders_up(os.path.dirname(os.path.abspath(path))):
        for name in sorted(CONFIG_NAMES):
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                relative = os.path.relpath(candidate)
                return candidate if relative.startswith("..") else relative
    return None


def read_bytes(path: str, max_bytes: int = MAX_FILE_SIZE) -> bytes | None:
    """A file's bytes as ``read_file`` reads them, or None when it cannot be read (a config
    file's bytes for the result cache's key, where the full run reports why)."""
    try:
        return read_file(path, max_bytes)
    except PathError:
        return None


def read_file(path: str, max_bytes: int = MAX_FILE_SIZE) -> bytes:
    """The bytes of a file the tool reads besides the linted ones (a config file, a
    ``.gitignore``), or ``PathError``: ``path: cannot read: reason``. Like a linted file it must
    be a regular file, opened without blocking and read no further than ``max_bytes``, so that
    a FIFO, a device such as ``/dev/zero`` or a huge file committed to a repository can neither
    hang the run nor fill its memory."""
    try:
        data = _read_regular(path, max_bytes)
    except _Refused as refused:
        raise PathError(
            path,
            f"cannot read: {refused.reason}, over the {max_bytes}-byte limit"
            if refused.kind == "too big"
            else f"cannot read: {refused.reason}",
        ) from None
    if len(data) > max_bytes:
        raise PathError(path, f"cannot read: file is more than {max_bytes} bytes, over the limit")
    return data


def nearest_config_text(
    path: str, texts: dict[tuple[str, int], str | None], max_bytes: int
) -> tuple[str, str | None] | None:
    """The ``valohai.yaml`` nearest to a Python file and its text (None when it cannot be read
    within ``max_bytes``: linting it reports why), read once per config and limit into
    ``texts``; None when there is none."""
    config = nearest_config(path)
    if config is None:
        return None
    if (config, max_bytes) not in texts:
        try:
            texts[config, max_bytes] = read_config(config, max_bytes)
        except PathError:
            texts[config, max_bytes] = None
    return config, texts[config, max_bytes]


def nearest_config_key(nearest: tuple[str, str | None] | None) -> str:
    """The part of a Python file's result-cache key that its nearest ``valohai.yaml`` makes:
    none, one that could not be read, or its path and text."""
    if nearest is None:
        return ""
    config, text = nearest
    return f"{config}\0unreadable" if text is None else f"{config}\0text\0{text}"


def read_config(path: str, max_bytes: int = MAX_FILE_SIZE) -> str:
    """The text of a config file, or ``PathError`` with a one-line reason. A file over
    ``max_bytes`` is refused before it is read; so is one that grows past it while being read,
    or one whose size the system does not know (``/proc``) and that turns out bigger."""
    try:
        data = _read_regular(path, max_bytes)
    except _Refused as refused:
        if refused.kind == "not regular":
            raise PathError(path, f"{refused.reason}; not read") from None
        if refused.kind == "too big":
            raise PathError(path, f"{refused.reason}, {_over_the_limit(max_bytes)}") from None
        raise PathError(path, refused.reason) from None
    return _within_the_limit(path, "file", data, max_bytes)


class _Refused(Exception):
    """Why ``_read_regular`` read nothing; ``kind`` is "not regular", "too big" or "unreadable"."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason


_NOT_REGULAR = "not a regular file (a FIFO, socket or device)"


def _read_regular(path: str, max_bytes: int) -> bytes:
    """A regular file's bytes, up to one byte past ``max_bytes`` (the caller refuses a file that
    turns out longer: one whose size the system does not know, or that grew), or ``_Refused``."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _Refused("unreadable", os_reason(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise _Refused("unreadable", "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise _Refused("not regular", _NOT_REGULAR)
    if info.st_size > max_bytes:
        raise _Refused("too big", f"file is {info.st_size} bytes")
    try:
        # Non-blocking, and checked again once open: a FIFO swapped in after the stat above
        # must not hang the run.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                raise _Refused("not regular", _NOT_REGULAR)
            return _read_at_most(handle, max_bytes + 1)
    except OSError as exc:
        raise _Refused("unreadable", os_reason(exc)) from None


def read_stream(
    name: str, stream: BinaryIO, max_bytes: int = MAX_FILE_SIZE, what: str = "standard input"
) -> str:
    """The text of a config read from a stream (standard input, or an editor's text: ``what``)
    under the name ``name``, or ``PathError``: at most ``max_bytes`` are read, and a longer
    stream is refused."""
    try:
        data = _read_at_most(stream, max_bytes + 1)
    except OSError as exc:
        raise PathError(name, os_reason(exc)) from None
    return _within_the_limit(name, what, data, max_bytes)


def _within_the_limit(name: str, what: str, data: bytes, max_bytes: int) -> str:
    """The text of ``data`` (read up to one byte past the limit), or ``PathError`` if it is over."""
    if len(data) > max_bytes:
        raise PathError(name, f"{what} is more than {max_bytes} bytes, {_over_the_limit(max_bytes)}")
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


def os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower() if exc.strerror else str(exc)
