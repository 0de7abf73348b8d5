"""A small persistent cache of parsed image references, so that repeat runs (every commit's
pre-commit run, an editor's on-save check) skip importing and compiling the reference grammar.

Entries are keyed by the exact image text; the file name carries the tool version, so an
upgrade starts a fresh cache. The cache lives in ``cache.files.default_directory()``. A missing, corrupt
or unwritable cache is never an error: the run parses as if there were none. ``--no-cache`` (or
``VALOHAI_IMAGE_LINT_NO_CACHE=1``) turns it off.
"""

from __future__ import annotations

import os

from .. import __version__
from ..reference import ImageRef, InvalidImageReference, parse_image
from .files import read_marshal, write_marshal

MAX_ENTRIES = 10_000
_Entry = list[str | None] | dict[str, str]


class ReferenceCache:
    """``parse`` behaves exactly as :func:`parse_image`, answering from the cache when it can."""

    def __init__(self, directory: str | None) -> None:
        self.path = os.path.join(directory, f"references-{__version__}.marshal") if directory else None
        self._loaded: dict[str, _Entry] | None = None  # read on first use: a run may parse nothing
        self._dirty = False

    @property
    def _entries(self) -> dict[str, _Entry]:
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def _load(self) -> dict[str, _Entry]:
        data = read_marshal(self.path) if self.path is not None else None
        entries = data.get("entries") if isinstance(data, dict) else None
        return entries if isinstance(entries, dict) else {}

    def parse(self, text: str) -> ImageRef:
        entry = self._entries.get(text)
        if isinstance(entry, list) and len(entry) == 4:
            domain, path, tag, digest = entry
            if (
                isinstance(domain, str)
                and isinstance(path, str)
                and isinstance(tag, (str, type(None)))
                and isinstance(digest, (str, type(None)))
            ):
                return ImageRef(text, domain, path, tag, digest)
        if isinstance(entry, dict) and isinstance(entry.get("error"), str):
            raise InvalidImageReference(text, entry["error"])
        try:
            ref = parse_image(text)
        except InvalidImageReference as exc:
            self._remember(text, {"error": exc.reason})
            raise
        self._remember(text, [ref.domain, ref.path, ref.tag, ref.digest])
        return ref

    def _remember(self, text: str, entry: _Entry) -> None:
        if self.path is not None and len(self._entries) < MAX_ENTRIES:
            self._entries[text] = entry
            self._dirty = True

    def save(self) -> None:
        """Write new entries atomically (a temporary file renamed over the old one)."""
        if self.path is None or not self._dirty:
            return
        if write_marshal(self.path, {"version": __version__, "entries": self._entries}):
            self._dirty = False
