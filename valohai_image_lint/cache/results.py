"""A persistent cache of each file's diagnostics, so that a file linted before with the same
text, settings and tool skips parsing and the rules (and their imports): the repeat runs of
pre-commit, CI on unchanged files, an editor's on-save check of an unchanged buffer.

An entry is kept per linted path and linter code, and is valid only for the exact key it was stored under: a
hash of the tool's version and the size and modification time of its own source files (so a
changed rule, even in an editable install, misses), the path, what the settings are made of (the
config file's path and bytes, the command line's options, the date of the run), the file's text,
and any other text the result depends on (for a Python file, its nearest ``valohai.yaml``). The
key is made of those inputs rather than of the resolved settings so that the workspace's first stage can
compute it without parsing TOML or importing the rules. Besides the diagnostics, an entry holds
whether they fail the run and the ``output-format`` of the file's config (``records`` holds the
entries' records and their layout on disk).

The cache lives in ``cache.files.default_directory()`` and follows the reference cache's
contract: a missing, corrupt or unwritable cache is never an error, ``--no-cache`` turns it off,
and writes are atomic (and merge with entries other processes wrote meanwhile). A result holding
an internal error (VIL999) is never stored. This module imports no model until it decodes.
"""

from __future__ import annotations

import os

from .. import __version__
from .files import digest, read_marshal, write_marshal
from .records import StoredDiagnostic, StoredResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..model import Diagnostic
    from ..option_reader import CommandLine

FILE_NAME = "results-v2.marshal"
MAX_ENTRIES = 5_000


def _code_fingerprint() -> str:
    """The size and modification time of every source file of this package: a changed rule
    changes the key, so a development checkout never serves results of older code."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the package, above cache/
    parts: list[str] = [__version__]
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                stack.append(entry.path)
            elif entry.name.endswith(".py"):
                info = entry.stat()
                parts.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(parts)


def _hash(text: str) -> str:
    return digest(text.encode("utf-8", "surrogatepass"), 20).hex()


def settings_key(config_path: str | None, config_bytes: bytes | None, command_line: CommandLine) -> str:
    """What one file's settings are made of, as text: the config file (path and bytes) and what
    the settings take from the command line, the date included."""
    return repr((config_path, config_bytes, *command_line))


class ResultCache:
    """``lookup``/``get``/``put`` a file's result by path and key; ``save`` writes what changed."""

    def __init__(self, directory: str | None) -> None:
        self.path = os.path.join(directory, FILE_NAME) if directory else None
        self._entries: dict[str, object] | None = None  # read on first use
        self._changed: dict[str, object] = {}
        self._code: str | None = None

    @property
    def code(self) -> str:
        if self._code is None:
            self._code = _code_fingerprint()
        return self._code

    def key(self, path: str, text: str, settings: str, extra: str = "") -> str:
        """The key of ``path`` with this text, ``settings_key`` and extra text ("" without a
        cache: nothing is looked up or stored, so nothing is hashed)."""
        if self.path is None:
            return ""
        return _hash("\0".join((self.code, os.path.abspath(path), settings, text, extra)))

    def _slot(self, path: str) -> str:
        """Where a path's entry is kept: one per path and linter code, so that two installs
        sharing the cache (pre-commit's and a virtual environment's) do not evict each other."""
        return _hash(f"{self.code}\0{os.path.abspath(path)}")

    def _load(self) -> dict[str, object]:
        data = read_marshal(self.path) if self.path is not None else None
        return data if isinstance(data, dict) else {}

    def lookup(self, path: str, key: str) -> StoredResult | None:
        """The entry stored for ``path`` under ``key``, as records (no model), or None."""
        if self.path is None:
            return None
        if self._entries is None:
            self._entries = self._load()
        return StoredResult.decode(self._entries.get(self._slot(path)), key)

    def get(self, path: str, key: str) -> list[Diagnostic] | None:
        """The diagnostics stored for ``path`` under ``key``, or None."""
        stored = self.lookup(path, key)
        if stored is None:
            return None
        try:
            return [diagnostic.to_diagnostic(path) for diagnostic in stored.diagnostics]
        except ValueError:
            return None  # written by something else: lint again

    def put(
        self, path: str, key: str, diagnostics: Sequence[Diagnostic], failing: bool, output_format: str | None
    ) -> None:
        from ..model import INTERNAL_ERROR_CODE

        if self.path is None or any(d.code == INTERNAL_ERROR_CODE for d in diagnostics):
            return
        stored = StoredResult(
            key, tuple(StoredDiagnostic.from_diagnostic(d) for d in diagnostics), failing, output_format
        )
        self._changed[self._slot(path)] = stored.encode()

    def save(self) -> None:
        """Merge the new entries into the file as it is now, and replace it atomically."""
        if self.path is None or not self._changed:
            return
        entries = self._load()
        for slot, entry in self._changed.items():
            entries.pop(slot, None)  # to the end: the newest stay when the oldest are dropped
            entries[slot] = entry
        if len(entries) > MAX_ENTRIES:  # the oldest first out: dicts keep insertion order
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        if write_marshal(self.path, entries):
            self._changed.clear()
