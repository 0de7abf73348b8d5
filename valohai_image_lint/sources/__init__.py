"""The readers: text in, nodes and image sites (with 1-based positions) out. They read no files.

- ``lines``: ``LineIndex`` (character offsets to and from 1-based positions) and ``split_lines``,
  the one way the linter counts lines.
- ``yaml_document``: ``load``, a YAML text as ``Document`` of our own nodes; the one module that
  knows ruamel.yaml.
- ``yaml_sites``: the image sites, top-level problems and duplicate keys of a ``Document``.
- ``python_sites``: the image sites of a Python source, its ``valohai.prepare(image=...)`` calls.
- ``notebook_sites``: the same in a Jupyter notebook's code cells, placed in the notebook file.
- ``comments``: suppression comments (``# valohai-image-lint: ignore[...]``) in YAML and Python.

A text that is not what its reader expects raises ``SourceSyntaxError``, defined here.
"""

from __future__ import annotations


class SourceSyntaxError(Exception):
    """A text its reader cannot parse (YAML, Python, a notebook's JSON or one of its cells): the
    message and the 1-based line and column of the problem."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column
