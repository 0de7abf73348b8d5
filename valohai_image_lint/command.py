"""What every part of the command line shares, and nothing else: the program's name, its exit
codes, the usage error, the one-line error it prints, the clock it reads, and a quiet end for a
closed pipe. A leaf: it imports nothing of the package at module level, so ``cli``,
``argument_parser`` and ``workspace`` all import it and it imports none of them.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

PROG = "valohai-image-lint"
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
STDIN_NAME = "valohai.yaml"
"""The name standard input (``-``) is linted as when ``--stdin-filename`` does not give one."""


class UsageError(Exception):
    """A command line that cannot be run; ``str()`` is the one-line reason."""


def error(err: TextIO, message: str) -> None:
    """One line on ``err``: a path or value holding a line break or a control character is
    shown escaped, so an error never spans lines or steers the terminal."""
    from .escape import one_line

    err.write(f"{PROG}: error: {one_line(message)}\n")


def clock_today() -> str:
    """The real date, read here so that no rule ever reads the clock."""
    import time

    return time.strftime("%Y-%m-%d")  # the local date, as date.today() gives it


def silence(stream: TextIO) -> None:
    """Point a closed pipe's file descriptor at /dev/null so the interpreter's final flush is quiet."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
