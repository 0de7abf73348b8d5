"""valohai-image-lint: lint the Docker images named in valohai.yaml.

Public API: :func:`parse_image`, :class:`ImageRef`, :class:`InvalidImageReference`,
:func:`lint_text`, :class:`Diagnostic`, :class:`LintConfig`. Names are imported on first use so
that ``import valohai_image_lint`` stays cheap.
"""

from __future__ import annotations

__version__ = "0.1.0"

TYPE_CHECKING = False  # not typing's: importing typing costs every run more than the rest of it
if TYPE_CHECKING:
    from typing import Any

    from .config.settings import LintConfig
    from .linter import lint_text
    from .model import Diagnostic, Severity, Span
    from .reference import ImageRef, InvalidImageReference, parse_image

_LAZY = {
    "parse_image": "reference",
    "ImageRef": "reference",
    "InvalidImageReference": "reference",
    "lint_text": "linter",
    "LintConfig": "config.settings",
    "Diagnostic": "model",
    "Severity": "model",
    "Span": "model",
}

__all__ = [
    "Diagnostic",
    "ImageRef",
    "InvalidImageReference",
    "LintConfig",
    "Severity",
    "Span",
    "__version__",
    "lint_text",
    "parse_image",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'valohai_image_lint' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
