"""A small persistent cache of parsed image references, so that repeat runs (every commit's
pre-commit run, an editor's on-save check) skip importing and compiling the reference grammar.

Entries are keyed by ``files.code_fingerprint()`` (this package's code, the interpreter, the
dependencies' builds: an edited ``reference.py`` or another build of the grammar's library misses)
and the exact image text; installs sharing the cache keep their own entries. The cache lives in
``cache.files.default_directory()``. A missing, corrupt or unwritable cache is never an error:
the run parses as if there were none. ``--no-cache`` (or ``VALOHAI_IMAGE_LINT_NO_CACHE=1``) turns
it off. Saving merges with what other processes wrote meanwhile; the oldest entries go first
past ``MAX_ENTRIES`` or ``files.MAX_FILE_BYTES``.
"""

from __future__ import annotations

import os

from ..reference import ImageRef, InvalidImageReference, parse_image
from .files import (
    MAX_RECORD_BYTES,
    code_fingerprint,
    digest,
    dump_value,
    load_value,
    read_records,
    write_records,
)

FILE_NAME = "references-v2.marshal"
MAX_ENTRIES = 10_000


class ReferenceCache:
    """``parse`` behaves exactly as :func:`parse_image`, answering from the cache when it can.

    An entry is ``[domain, path, tag, digest]`` for a reference, ``[reason]`` for an invalid one."""

    def __init__(self, directory: str | None) -> None:
        self.path = os.path.join(directory, FILE_NAME) if directory else None
        self._loaded: dict[str, bytes] | None = None  # read on first use: a run may parse nothing
        self._new: dict[str, bytes] = {}
        self._prefix: str | None = None

    @property
    def prefix(self) -> str:
        """What every key of this install starts with: a digest of its code's fingerprint."""
        if self._prefix is None:
            self._prefix = digest(code_fingerprint().encode("utf-8", "surrogatepass"), 12).hex() + "\0"
        return self._prefix

    @property
    def _entries(self) -> dict[str, bytes]:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> dict[str, bytes]:
        return (read_records(self.path) if self.path is not None else None) or {}

    def parse(self, text: str) -> ImageRef:
        if self.path is None:
            return parse_image(text)
        key = self.prefix + text
        encoded = self._new.get(key) or self._entries.get(key)
        entry = load_value(encoded) if encoded is not None else None
        if isinstance(entry, list) and len(entry) == 4:
            domain, path, tag, digest = entry
            if (
                isinstance(domain, str)
                and isinstance(path, str)
                and isinstance(tag, (str, type(None)))
                and isinstance(digest, (str, type(None)))
            ):
                return ImageRef(text, domain, path, tag, digest)
        if isinstance(entry, list) and len(entry) == 1 and isinstance(entry[0], str):
            raise InvalidImageReference(text, entry[0])
        try:
            ref = parse_image(text)
        except InvalidImageReference as exc:
            self._remember(key, [exc.reason])
            raise
        self._remember(key, [ref.domain, ref.path, ref.tag, ref.digest])
        return ref

    def _remember(self, key: str, entry: list[str | None]) -> None:
        encoded = dump_value(entry)
        if (
            encoded is not None
            and len(key) * 4 + len(encoded) + 8 <= MAX_RECORD_BYTES
            and len(self._new) < MAX_ENTRIES
        ):
            self._new[key] = encoded

    def save(self) -> None:
        """Merge the new entries into the file as it is now, and replace it atomically."""
        if self.path is None or not self._new:
            return
        entries = self._load()
        for key, entry in self._new.items():
            entries.pop(key, None)  # to the end: the newest stay when the oldest are dropped
            entries[key] = entry
        if len(entries) > MAX_ENTRIES:
            entries = dict(list(entries.items())[-MAX_ENTRIES:])
        if write_records(self.path, entries):
            self._loaded = entries
            self._new.clear()
