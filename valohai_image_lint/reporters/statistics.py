"""``--statistics``: instead of the findings, how many each rule found, most frequent first (ties
in code order). The plain formats print a ``count  code  name`` line per rule; JSON prints a list
of objects with ``code``, ``name`` and ``count``, and JSON Lines one such object a line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from ..model import Diagnostic

STATISTICS_FORMATS = ("concise", "full", "pylint", "grouped", "json", "json-lines")
"""The output formats the statistics are printed in; any other is a usage error."""


def write_statistics(diagnostics: Sequence[Diagnostic], output_format: str, stream: TextIO) -> None:
    """Findings per rule, most frequent first (ties in code order), in ``output_format``."""
    counts = Counter((d.code, d.name) for d in diagnostics)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0][0]))
    items = [{"code": code, "name": name, "count": count} for (code, name), count in rows]
    if output_format in ("json", "json-lines"):
        import json  # only here: a run that prints no JSON does not pay for it

        if output_format == "json":
            json.dump(items, stream, indent=2)
            stream.write("\n")
        else:
            stream.writelines(json.dumps(item) + "\n" for item in items)
        return
    for (code, name), count in rows:
        stream.write(f"{count:>6}  {code}  {name}\n")
