"""Writing a file back: ``replace_text`` writes new bytes over a file the user owns, all or nothing.

The new bytes go to a temporary file in the same folder (so the rename stays on one file system),
are flushed to disk, take the old file's permission bits, and replace it with ``os.replace``: a
reader sees the old file or the new one, never half of one. A symbolic link stays a link: its
target (resolved to the end of the chain) is the file rewritten. A file that is not a regular
file, a read-only file, or a failed write is a ``WriteError`` with a one-line reason, and the
file is left as it was (the temporary file removed). ``--add-suppressions`` uses it, and ``--fix``
will.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

from .reading import os_reason


class WriteError(Exception):
    """A file that could not be written; ``str()`` names it and says why. Nothing was changed."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}; not written")
        self.path = path
        self.reason = reason


def replace_text(path: str, data: bytes) -> None:
    """Replace the contents of the file at ``path`` (or of a symlink's target) with ``data``."""
    target = os.path.realpath(path)
    try:
        status = os.stat(target)
    except OSError as exc:
        raise WriteError(path, os_reason(exc)) from None
    if not stat.S_ISREG(status.st_mode):
        raise WriteError(path, "not a regular file")
    mode = stat.S_IMODE(status.st_mode)
    if not mode & stat.S_IWUSR or not os.access(target, os.W_OK):
        raise WriteError(path, "the file is read-only")
    folder = os.path.dirname(target) or "."
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder
        )
    except OSError as exc:
        raise WriteError(path, f"cannot create a file beside it: {os_reason(exc)}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise WriteError(path, os_reason(exc)) from None
