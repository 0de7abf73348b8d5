"""A persistent cache of each file's diagnostics, so that a file linted before with the same
text, settings and tool skips parsing and the rules (and their imports): the repeat runs of
pre-commit, CI on unchanged files, an editor's on-save check of an unchanged buffer.

An entry is kept per linted path and linter code, and is valid only for the exact key it was stored under: a
hash of ``files.code_fingerprint()`` (the tool's version and the size and modification time of its
own source files, so that a changed rule, even in an editable install, misses; the interpreter's
version; the installed build of each dependency), the path, what the settings are made of (the
config file's path and bytes, the command line's options, the date of the run), the file's text,
and any other text the result depends on (for a Python file, its nearest ``valohai.yaml``). The
key is made of those inputs rather than of the resolved settings so that the workspace's first stage can
compute it without parsing TOML or importing the rules. Besides the diagnostics, an entry holds
whether they fail the run and the ``output-format`` of the file's config (``records`` holds the
entries' records and their layout on disk).

The cache lives in ``cache.files.default_directory()`` and follows the reference cache's
contract: a missing, corrupt or unwritable cache is never an error, ``--no-cache`` turns it off,
and writes are atomic (and merge with entries other processes wrote meanwhile). A result holding
an internal error (VIL999) is never stored, nor one over ``files.MAX_RECORD_BYTES``; the oldest
entries go first past ``MAX_ENTRIES`` or ``files.MAX_FILE_BYTES``. Each entry is decoded only
when it is looked up. This module imports no model until it decodes.
"""

from __future__ import annotations

import os

from .files import (
    MAX_RECORD_BYTES,
    code_fingerprint,
    digest,
    dump_value,
    load_value,
    read_records,
    write_records,
)
from .records import StoredDiagnostic, StoredResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..model import Diagnostic
    from ..option_reader import CommandLine

FILE_NAME = "results-v3.marshal"
MAX_ENTRIES = 5_000


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
        self._entries: dict[str, bytes] | None = None  # read on first use
        self._changed: dict[str, bytes] = {}
        self._code: str | None = None

    @property
    def code(self) -> str:
        if self._code is None:
            self._code = code_fingerprint()
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

    def _load(self) -> dict[str, bytes]:
        return (read_records(self.path) if self.path is not None else None) or {}

    def lookup(self, path: str, key: str) -> StoredResult | None:
        """The entry stored for ``path`` under ``key``, as records (no model), or None."""
        if self.path is None:
            return None
        if self._entries is None:
            self._entries = self._load()
        encoded = self._entries.get(self._slot(path))
        return StoredResult.decode(load_value(encoded), key) if encoded is not None else None

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
        """Keep the result for ``save``; one that holds an internal error is not kept, nor one
        too big to store (over ``files.MAX_RECORD_BYTES``)."""
        from ..model import INTERNAL_ERROR_CODE

        if self.path is None or any(d.code == INTERNAL_ERROR_CODE for d in diagnostics):
            return
        stored = StoredResult(
            key, tuple(StoredDiagnostic.from_diagnostic(d) for d in diagnostics), failing, output_format
        )
        encoded = dump_value(stored.encode())
        slot = self._slot(path)
        if encoded is not None and len(encoded) + len(slot) + 8 <= MAX_RECORD_BYTES:
            self._changed[slot] = encoded
        else:
            self._changed.pop(slot, None)

    def save(self) -> None:
        """Merge the new entries into the file as it is now, and replace it atomically (the
        oldest dropped past ``MAX_ENTRIES`` or ``files.MAX_FILE_BYTES``)."""
        if self.path is None or not self._changed:
            return
        entries = self._load()
        for slot, entry in self._changed.items():
            entries.pop(slot, None)  # to the end: the newest stay when the oldest are dropped
            entries[slot] = entry
        if len(entries) > MAX_ENTRIES:  # the oldest first out: dicts keep insertion order
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        if write_records(self.path, entries):
            self._changed.clear()
