"""Image sites in Python sources and notebooks: ``valohai.prepare(image=...)`` (sources/python_sites.py, sources/notebook_sites.py)."""

from __future__ import annotations

import json

import pytest

from valohai_image_lint.model import ImageSite, Span, ValueKind
from valohai_image_lint.sources import SourceSyntaxError
from valohai_image_lint.sources.notebook_sites import find_notebook_image_sites
from valohai_image_lint.sources.python_sites import find_python_image_sites

FULLWIDTH = "".join(chr(ord(letter) + 0xFEE0) for letter in "valohai")
P = 'valohai.prepare(step="train", image="python:3.12.1")'  # the image starts at column 38, ends at 51

# (id, source, [(line, column, end_line, end_column, value, step)])
FOUND = [
    ("import-valohai", f"import valohai\n{P}\n", [(2, 38, 2, 51, "python:3.12.1", "train")]),
    ("no-import", f"{P}\n", [(1, 38, 1, 51, "python:3.12.1", "train")]),
    (
        "import-as",
        'import valohai as vh\nvh.prepare(step="train", image="python:3.12.1")\n',
        [(2, 33, 2, 46, "python:3.12.1", "train")],
    ),
    (
        "from-import",
        'from valohai import prepare\nprepare(step="train", image="python:3.12.1")\n',
        [(2, 30, 2, 43, "python:3.12.1", "train")],
    ),
    (
        "from-import-as",
        'from valohai import prepare as p\np(step="train", image="python:3.12.1")\n',
        [(2, 24, 2, 37, "python:3.12.1", "train")],
    ),
    # valohai's __all__ exports prepare.
    (
        "star-import",
        'from valohai import *\nprepare(step="train", image="python:3.12.1")\n',
        [(2, 30, 2, 43, "python:3.12.1", "train")],
    ),
    (
        "import-submodule-binds-valohai",
        'import valohai.inputs\nvalohai.prepare(image="python:3.12.1")\n',
        [(2, 24, 2, 37, "python:3.12.1", None)],
    ),
    (
        "import-inside-function",
        'def main():\n    import valohai as vh\n    vh.prepare(image="python:3.12.1")\n',
        [(3, 23, 3, 36, "python:3.12.1", None)],
    ),
    (
        "inside-function",
        f"import valohai\n\ndef main():\n    {P}\n",
        [(4, 42, 4, 55, "python:3.12.1", "train")],
    ),
    (
        "inside-method",
        "import valohai\n\nclass Job:\n    def run(self):\n"
        "        valohai.prepare(image='python:3.12.1', step='train')\n",
        [(5, 32, 5, 45, "python:3.12.1", "train")],
    ),
    (
        "inside-other-call",
        'import valohai\nprint(valohai.prepare(step="a", image="python:3.12.1"))\n'
        'valohai.prepare(step="b", default_parameters=dict(n=len("x")), image="alpine:3.19")\n',
        [(2, 40, 2, 53, "python:3.12.1", "a"), (3, 71, 3, 82, "alpine:3.19", "b")],
    ),
    (
        "prepare-inside-prepare",
        'valohai.prepare(step="outer", image="a:1", default_inputs=valohai.prepare(step="inner", image="b:2"))\n',
        [(1, 38, 1, 41, "a:1", "outer"), (1, 96, 1, 99, "b:2", "inner")],
    ),
    ("single-quotes", "valohai.prepare(image='python:3.12.1')", [(1, 24, 1, 37, "python:3.12.1", None)]),
    ("raw-string", 'valohai.prepare(image=r"python:3.12.1")', [(1, 25, 1, 38, "python:3.12.1", None)]),
    ("raw-string-backslash", "valohai.prepare(image=R'a\\b')", [(1, 25, 1, 28, "a\\b", None)]),
    ("u-prefix", 'valohai.prepare(image=u"python:3.12.1")', [(1, 25, 1, 38, "python:3.12.1", None)]),
    ("triple-quotes", 'valohai.prepare(image="""python:3.12.1""")', [(1, 26, 1, 39, "python:3.12.1", None)]),
    (
        "triple-quotes-multiline",
        "valohai.prepare(image='''\npython:3.12.1''')",
        [(1, 26, 2, 14, "\npython:3.12.1", None)],
    ),
    # Columns count characters, not UTF-8 bytes (ast's col_offset).
    (
        "unicode-before-call",
        'x = "日本語"; valohai.prepare(image="python:3.12.1")',
        [(1, 35, 1, 48, "python:3.12.1", None)],
    ),
    (
        "astral-before-call",
        'x = "🐍"; valohai.prepare(image="python:3.12.1")',
        [(1, 33, 1, 46, "python:3.12.1", None)],
    ),
    # The span covers the literal as written.
    ("escape", 'valohai.prepare(image="python:3.12.1\\x41")', [(1, 24, 1, 41, "python:3.12.1A", None)]),
    (
        "parenthesized-next-line",
        'valohai.prepare(\n    step="train",\n    image=(\n        "python:3.12.1"\n    ),\n)\n',
        [(4, 10, 4, 23, "python:3.12.1", "train")],
    ),
    (
        "crlf",
        "import valohai\r\n\r\nvalohai.prepare(image='python:3.12.1')\r\n",
        [(3, 24, 3, 37, "python:3.12.1", None)],
    ),
    (
        "cr",
        "import valohai\rvalohai.prepare(image='python:3.12.1')\r",
        [(2, 24, 2, 37, "python:3.12.1", None)],
    ),
    ("bom", "\ufeffvalohai.prepare(image='python:3.12.1')", [(1, 24, 1, 37, "python:3.12.1", None)]),
    (
        "image-before-step",
        'valohai.prepare(image="python:3.12.1", step="train")',
        [(1, 24, 1, 37, "python:3.12.1", "train")],
    ),
    (
        "step-non-literal",
        'valohai.prepare(step=NAME, image="python:3.12.1")',
        [(1, 35, 1, 48, "python:3.12.1", None)],
    ),
    (
        "kwargs-and-literal",
        'valohai.prepare(**extra, image="python:3.12.1")',
        [(1, 33, 1, 46, "python:3.12.1", None)],
    ),
    # Imports are collected flat: any binding of the name to valohai's prepare counts.
    (
        "also-bound-elsewhere",
        'from other import prepare\nfrom valohai import prepare\nprepare(image="x:1")\n',
        [(3, 16, 3, 19, "x:1", None)],
    ),
    ("blank-is-a-site", 'valohai.prepare(image="  ")', [(1, 24, 1, 26, "  ", None)]),
    # Python folds identifiers with NFKC: full-width letters spell `valohai` too.
    (
        "identifier-nfkc",
        f'import {FULLWIDTH}\n{FULLWIDTH}.prepare(image="x:1")',
        [(2, 24, 2, 27, "x:1", None)],
    ),
]

# (id, source): no site.
NOT_FOUND = [
    ("no-image", 'import valohai\nvalohai.prepare(step="train")\n'),
    ("image-none", 'valohai.prepare(step="train", image=None)'),
    ("image-empty-default-applies", 'valohai.prepare(step="train", image="")'),
    ("image-name", "valohai.prepare(step='train', image=IMAGE)"),
    ("image-f-string", 'valohai.prepare(image=f"python:{version}")'),
    ("image-f-string-constant", 'valohai.prepare(image=f"python:3.12.1")'),
    ("image-implicit-concatenation", 'valohai.prepare(image="python:" "3.12.1")'),
    ("image-concatenation-over-lines", 'valohai.prepare(image=(\n    "python:"\n    "3.12.1"\n))'),
    ("image-plus", 'valohai.prepare(image="python:" + "3.12.1")'),
    ("image-bytes", 'valohai.prepare(image=b"python:3.12.1")'),
    ("image-number", "valohai.prepare(image=3.12)"),
    ("image-subscript", 'valohai.prepare(image=os.environ["IMAGE"])'),
    ("image-in-kwargs", 'valohai.prepare(**{"image": "python:3.12.1"})'),
    ("positional", 'valohai.prepare("python:3.12.1")'),
    ("other-module-prepare", 'import valohai\nfrom other import prepare\nprepare(image="x:1")\n'),
    ("other-module-as-valohai", 'import other as valohai\nvalohai.prepare(image="x:1")\n'),
    ("relative-valohai", 'from . import valohai\nvalohai.prepare(image="x:1")\n'),
    ("star-from-other", 'import valohai\nfrom other import *\nprepare(image="x:1")\n'),
    ("local-prepare", 'import valohai\n\ndef prepare(**kw):\n    pass\n\nprepare(image="x:1")\n'),
    ("other-function", 'import valohai\nvalohai.inputs(image="x:1")\nvalohai.utils.prepare(image="x:1")\n'),
    ("attribute-of-other", 'import valohai\nself.valohai.prepare(image="x:1")\n'),
    ("assigned-alias-not-followed", 'import valohai\np = valohai.prepare\np(image="x:1")\n'),
    ("comment-and-string", '# valohai.prepare(image="x:1")\ns = \'valohai.prepare(image="x:1")\'\n'),
    ("no-valohai", 'prepare(image="x:1")\n'),
    # Not Python 3, but it never mentions valohai: not parsed, so not an error here.
    ("broken-without-valohai", 'print "hello"\n'),
    ("empty", ""),
]

# (id, source, line, column, message fragment)
SYNTAX_ERRORS = [
    ("unclosed-call", 'import valohai\nvalohai.prepare(image="x:1"\n', 2, 16, "'(' was never closed"),
    ("unicode-before-error", "import valohai\nx = 'é' + (\n", 2, 11, "'(' was never closed"),
    ("unterminated-string", "import valohai\ns = 'abc\n", 2, 5, "unterminated string literal"),
    ("indentation", "import valohai\nif True:\nvalohai.prepare()\n", 3, 1, "expected an indented block"),
    ("crlf", "import valohai\r\nif True:\r\nvalohai.prepare()\r\n", 3, 1, "expected an indented block"),
    ("bom", "\ufeffimport valohai\nx = [1,\n", 2, 5, "'[' was never closed"),
    ("null-byte", "import valohai\nx = 1\x00\n", 2, 6, "null bytes"),
    ("lone-surrogate", "import valohai\nx = '\udcff'\n", 2, 6, "surrogate"),
    ("nested-parentheses", "import valohai\n" + "(" * 300, 2, 201, "too many nested parentheses"),
    ("nested-too-deep", "import valohai\nx = " + "-" * 100_000 + "1\n", 1, 1, "too deeply nested"),
]


def found(sites: list[ImageSite]) -> list[tuple[int, int, int, int, str | None, str | None]]:
    return [(*s.span, s.value, s.step) for s in sites]


@pytest.mark.parametrize(("source", "expected"), [pytest.param(*row[1:], id=row[0]) for row in FOUND])
def test_found(source: str, expected: list[tuple[int, int, int, int, str, str | None]]) -> None:
    sites = find_python_image_sites(source)
    assert found(sites) == expected
    lines = source.removeprefix("\ufeff").splitlines()
    for python_site in sites:
        site = python_site
        assert site.kind is (ValueKind.STRING if site.value and site.value.strip() else ValueKind.EMPTY)
        assert not site.required and site.quoted
        if site.span.line == site.span.end_line:
            written = lines[site.span.line - 1][site.span.column - 1 : site.span.end_column - 1]
            assert written == site.value or "\\" in written  # as written: escapes differ


@pytest.mark.parametrize("source", [pytest.param(row[1], id=row[0]) for row in NOT_FOUND])
def test_not_found(source: str) -> None:
    assert find_python_image_sites(source) == []


@pytest.mark.parametrize(
    ("source", "line", "column", "fragment"), [pytest.param(*row[1:], id=row[0]) for row in SYNTAX_ERRORS]
)
def test_syntax_error(source: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(SourceSyntaxError) as caught:
        find_python_image_sites(source)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert fragment in caught.value.message
    assert str(caught.value) == f"{line}:{column}: {caught.value.message}"


def test_contexts_name_the_step() -> None:
    source = (
        'import valohai\nvalohai.prepare(step="train", image="a:1")\n'
        'valohai.prepare(image="b:1")\nvalohai.prepare(step=name, image="c:1")\n'
    )
    assert [s.contexts for s in find_python_image_sites(source)] == [
        ('valohai.prepare(step="train")',),
        ("valohai.prepare()",),
        ("valohai.prepare(step=...)",),
    ]


def test_key_line_when_the_value_starts_further_down() -> None:
    source = 'valohai.prepare(\n    image=(\n        "python:3.12.1"\n    ),\n)\n'
    (python_site,) = find_python_image_sites(source)
    assert python_site.span.line == 3 and python_site.key_line == 2
    (same_line,) = find_python_image_sites('valohai.prepare(image="python:3.12.1")')
    assert same_line.key_line is None


def test_value_span_is_verbatim_only_without_escapes() -> None:
    (plain,) = find_python_image_sites('valohai.prepare(image="python:3.12.1")')
    assert plain.value_span(0, 6) == Span(1, 24, 1, 30)
    (escaped,) = find_python_image_sites('valohai.prepare(image="python:3.12.\\x31")')
    assert escaped.value_span(0, 6) is None


# -- notebooks -------------------------------------------------------------------------------------

# As Jupyter writes it: each line of a cell is one JSON string on its own line of the file.
NOTEBOOK = r"""{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "valohai.prepare(image=\"markdown:1\")"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [{"name": "stdout", "output_type": "stream", "text": ["valohai.prepare(image=\"out:1\")\n"]}],
   "source": [
    "import valohai\n",
    "%matplotlib inline\n",
    "valohai.prepare(step=\"train\", image=\"python:3.12.1\")\n"
   ]
  },
  {
   "cell_type": "raw",
   "metadata": {},
   "source": ["valohai.prepare(image='raw:1')"]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "x = \"é\\\"\"; valohai.prepare(step=\"e\", image=\"\u00e9:1\")\n",
    "valohai.prepare(image='''\n",
    "alpine:3.19''')"
   ]
  }
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"""


def test_notebook_positions_point_into_the_file() -> None:
    sites = find_notebook_image_sites(NOTEBOOK)
    assert found(sites) == [
        # `\"` counts two columns: the image starts after 40 characters of JSON text.
        (18, 46, 18, 59, "python:3.12.1", "train"),
        # `x = \"é\\\"\"; ` is 15 characters of JSON text; the escaped image is 8.
        (32, 57, 32, 65, "é:1", "e"),
        # A triple-quoted string: from just after the quotes (the `\n`) to the closing quote.
        (33, 31, 34, 17, "\nalpine:3.19", None),
    ]
    assert [s.contexts for s in sites] == [
        ('valohai.prepare(step="train") in cell 2',),
        ('valohai.prepare(step="e") in cell 4',),
        ("valohai.prepare() in cell 4",),
    ]
    lines = NOTEBOOK.splitlines()
    assert lines[17][45:58] == "python:3.12.1"
    assert lines[31][56:64] == "\\u00e9:1"
    assert lines[32][30:33] == '\\n"' and lines[33][16] == "'"


def nb(
    *cells: tuple[str, str | list[str]], language: str | None = "python", ensure_ascii: bool = False
) -> str:
    """A notebook as Jupyter writes one; a cell source given as a str is split into lines."""
    metadata = {"kernelspec": {"language": language}} if language else {}
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": kind,
                    "metadata": {},
                    "source": source if isinstance(source, list) else source.splitlines(keepends=True),
                }
                for kind, source in cells
            ],
            "metadata": metadata,
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
        ensure_ascii=ensure_ascii,
    )


def code(source: str | list[str]) -> tuple[str, str | list[str]]:
    return ("code", source)


def markdown(source: str) -> tuple[str, str]:
    return ("markdown", source)


IMAGE = 'valohai.prepare(step="s", image="python:3.12.1")'

# (id, notebook text, [(value, step, cell context suffix)])
NOTEBOOK_FOUND = [
    (
        "import-in-earlier-cell",
        nb(code("import valohai as vh\n"), code('vh.prepare(step="s", image="a:1")')),
        [("a:1", "s", "in cell 2")],
    ),
    (
        "markdown-ignored",
        nb(markdown(IMAGE), code("import valohai\n" + IMAGE)),
        [("python:3.12.1", "s", "in cell 2")],
    ),
    ("source-as-one-string", nb(code(["import valohai\n" + IMAGE])), [("python:3.12.1", "s", "in cell 1")]),
    (
        "ascii-escapes",
        nb(code('import valohai\nvalohai.prepare(image="é:1")'), ensure_ascii=True),
        [("é:1", None, "in cell 1")],
    ),
    (
        "line-magics-and-shell",
        nb(
            code(
                "%matplotlib inline\n!pip install valohai-utils\nfiles = !ls\nvalohai?\nimport valohai\n"
                "if True:\n    %time x = 1\n" + IMAGE
            )
        ),
        [("python:3.12.1", "s", "in cell 1")],
    ),
    (
        "python-cell-magic",
        nb(code("%%time\nimport valohai\n" + IMAGE)),
        [("python:3.12.1", "s", "in cell 1")],
    ),
    (
        "other-cell-magic-skipped",
        nb(code("import valohai\n"), code("%%bash\necho valohai.prepare(image='x:1') &&\n"), code(IMAGE)),
        [("python:3.12.1", "s", "in cell 3")],
    ),
    (
        "no-language",
        nb(code("import valohai\n" + IMAGE), language=None),
        [("python:3.12.1", "s", "in cell 1")],
    ),
]

# (id, notebook text)
NOTEBOOK_NOT_FOUND = [
    ("markdown-only", nb(markdown(IMAGE))),
    ("raw-cell", nb(("raw", IMAGE))),
    ("other-language", nb(code("library(valohai)\nvalohai.prepare(image='x:1') <- 1"), language="R")),
    ("no-cells", '{"metadata": {}, "nbformat": 4}'),
    ("not-an-object", "[1, 2, 3]"),
    (
        "nbformat-3",
        '{"worksheets": [{"cells": [{"cell_type": "code", "input": ["valohai.prepare(image=\\"x:1\\")"]}]}]}',
    ),
    ("source-not-strings", '{"cells": [{"cell_type": "code", "source": [1, 2]}]}'),
    ("empty-source", nb(code([]))),
    # A broken cell in a notebook that never mentions valohai is not parsed.
    ("broken-without-valohai", nb(code("print 'hello'\n"))),
    ("no-image", nb(code('import valohai\nvalohai.prepare(step="s")'))),
]

# (id, notebook text, line, column, message fragment)
NOTEBOOK_ERRORS = [
    ("truncated-json", '{"cells": [\n', 2, 1, "invalid notebook JSON: Expecting value"),
    (
        "missing-comma",
        '{\n "cells": []\n "metadata": {}\n}',
        3,
        2,
        "invalid notebook JSON: Expecting ',' delimiter",
    ),
    ("crlf-json", '{\r\n "cells": [\r\n  1,\r\n ]\r\n}', 4, 2, "invalid notebook JSON"),
    ("not-json", "valohai.prepare(image='x:1')", 1, 1, "invalid notebook JSON"),
    ("deep-json", "[" * 100_000, 1, 1, "invalid notebook JSON"),
    # Line 15 of the file holds the cell's line `valohai.prepare(`, whose `(` is never closed.
    (
        "cell-syntax-error",
        nb(code("import valohai\n"), code("x = 1\nvalohai.prepare(\n")),
        15,
        21,
        "cell 2: '(' was never closed",
    ),
    (
        "bash-cell-without-magic",
        nb(code("import valohai\necho hello world\n")),
        8,
        11,
        "cell 1: invalid syntax",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(*row[1:], id=row[0]) for row in NOTEBOOK_FOUND])
def test_notebook_found(text: str, expected: list[tuple[str, str | None, str]]) -> None:
    sites = find_notebook_image_sites(text)
    assert [(s.value, s.step, s.context.rpartition(") ")[2]) for s in sites] == expected
    lines = text.splitlines()
    for python_site in sites:
        span = python_site.span
        written = lines[span.line - 1][span.column - 1 : span.end_column - 1]
        assert json.loads(f'"{written}"') == python_site.value


@pytest.mark.parametrize("text", [pytest.param(row[1], id=row[0]) for row in NOTEBOOK_NOT_FOUND])
def test_notebook_not_found(text: str) -> None:
    assert find_notebook_image_sites(text) == []


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"), [pytest.param(*row[1:], id=row[0]) for row in NOTEBOOK_ERRORS]
)
def test_notebook_error(text: str, line: int, column: int, fragment: str) -> None:
    with pytest.raises(SourceSyntaxError) as caught:
        find_notebook_image_sites(text)
    assert (caught.value.line, caught.value.column) == (line, column)
    assert caught.value.message.startswith(fragment)


def test_notebook_bom_is_not_part_of_line_one() -> None:
    text = "\ufeff" + nb(code("import valohai\n" + IMAGE))
    assert found(find_notebook_image_sites(text)) == found(find_notebook_image_sites(text[1:]))


def test_python_error_position_in_a_notebook_with_escapes() -> None:
    text = nb(code('import valohai\nx = "é" + (\n'), ensure_ascii=True)
    with pytest.raises(SourceSyntaxError) as caught:
        find_notebook_image_sites(text)
    # `    "x = \"\u00e9\" + (\n"`: the `(` is the 18th character of the JSON string's text.
    assert (caught.value.line, caught.value.column) == (8, 23)
    assert text.splitlines()[7][22] == "("
