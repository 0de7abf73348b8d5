"""``reporters.statistics``: counts per rule, most frequent first and ties in code order, in each
format that can hold them."""

from __future__ import annotations

import io

import pytest

from valohai_image_lint.model import Diagnostic, Severity, Span
from valohai_image_lint.reporters.statistics import STATISTICS_FORMATS, write_statistics


def _found(code: str, name: str) -> Diagnostic:
    return Diagnostic("v.yaml", Span(1, 1, 1, 2), code, name, Severity.WARNING, "m")


FOUND = [
    _found("VIL301", "non-minimal-image"),
    _found("VIL103", "latest-tag"),
    _found("VIL301", "non-minimal-image"),
    _found("VIL102", "missing-tag"),
]
PLAIN = "     2  VIL301  non-minimal-image\n     1  VIL102  missing-tag\n     1  VIL103  latest-tag\n"
EXPECTED = {
    "json": '[\n  {\n    "code": "VIL301",\n    "name": "non-minimal-image",\n    "count": 2\n  },\n'
    '  {\n    "code": "VIL102",\n    "name": "missing-tag",\n    "count": 1\n  },\n'
    '  {\n    "code": "VIL103",\n    "name": "latest-tag",\n    "count": 1\n  }\n]\n',
    "json-lines": '{"code": "VIL301", "name": "non-minimal-image", "count": 2}\n'
    '{"code": "VIL102", "name": "missing-tag", "count": 1}\n'
    '{"code": "VIL103", "name": "latest-tag", "count": 1}\n',
}


@pytest.mark.parametrize("output_format", STATISTICS_FORMATS)
def test_counts_per_rule_in_each_format(output_format: str) -> None:
    stream = io.StringIO()
    write_statistics(FOUND, output_format, stream)
    assert stream.getvalue() == EXPECTED.get(output_format, PLAIN)


@pytest.mark.parametrize("output_format", STATISTICS_FORMATS)
def test_nothing_found(output_format: str) -> None:
    stream = io.StringIO()
    write_statistics([], output_format, stream)
    assert stream.getvalue() == {"json": "[]\n"}.get(output_format, "")
