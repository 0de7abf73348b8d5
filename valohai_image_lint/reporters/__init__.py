"""Output formats, keyed by name; each is a small module imported only when chosen."""

from __future__ import annotations

from collections.abc import Sequence
from importlib import import_module
from typing import Protocol, TextIO

from ..model import Diagnostic

FORMATS: dict[str, str] = {
    "concise": "concise",
    "json": "json",
}


class Reporter(Protocol):
    def write(self, diagnostics: Sequence[Diagnostic], stream: TextIO) -> None: ...


def get_reporter(name: str) -> Reporter:
    module = import_module(f".{FORMATS[name]}", __name__)
    reporter: Reporter = module.REPORTER
    return reporter
