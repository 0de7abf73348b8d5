"""The shape of ``document.load``'s cost, and the two parsers under it agreeing.

``load`` reads the text with libyaml's C parser (``ruamel.yaml.clib``) when it is installed and with
ruamel's pure-Python parser otherwise, or where libyaml fails. Checked here:

- both parsers give the same nodes, values, styles, tags and positions, on every file of the
  corpus and on snippets that stress positions (non-ASCII, CRLF, a BOM, several documents,
  properties, empty values, block scalars), and the same errors;
- hostile input is a located ``SourceSyntaxError`` in well under a second: 10,000 levels of flow
  sequences, flow mappings and block nesting; an alias bomb composes to its distinct nodes only;
- the cost grows linearly with the file;
- only the parsing parts of ruamel.yaml are imported, and ruamel.yaml stays whole for anyone else
  in the process; the garbage collector is left as it was found.

Times are generous bounds for a slow, busy machine; ``benchmarks/bench.py`` measures.
"""

from __future__ import annotations

import contextlib
import gc
import re
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest

from valohai_image_lint.sources import SourceSyntaxError
from valohai_image_lint.sources import yaml_document as document
from valohai_image_lint.sources.yaml_document import (
    MAX_DEPTH,
    Document,
    Mapping,
    Node,
    Scalar,
    Sequence,
    load,
)

HAS_LIBYAML = document._get_parts().c_parser is not None  # ruamel.yaml.clib (or clibz) imports
needs_libyaml = pytest.mark.skipif(not HAS_LIBYAML, reason="ruamel.yaml.clib is not installed")
BOTH = pytest.mark.parametrize(
    "libyaml", [pytest.param(True, marks=needs_libyaml, id="libyaml"), pytest.param(False, id="pure")]
)
HOSTILE_SECONDS = 1.0


def _shape(parsed: Document) -> list[object]:
    """Every node in document order, a node met again as a reference to its first visit."""
    out: list[object] = []
    seen: dict[int, int] = {}
    for root in parsed.roots:
        stack: list[Node | None] = [root]
        while stack:
            node = stack.pop()
            if node is None:
                out.append(None)
            elif id(node) in seen:
                out.append(("alias of", seen[id(node)]))
            else:
                seen[id(node)] = len(seen)
                if isinstance(node, Scalar):
                    out.append(("scalar", node.value, node.start, node.end, node.style, node.tag))
                elif isinstance(node, Mapping):
                    out.append(("mapping", node.start, len(node.pairs)))
                    stack.extend(item for pair in reversed(node.pairs) for item in reversed(pair))
                else:
                    out.append(("sequence", node.start, len(node.items)))
                    stack.extend(reversed(node.items))
        out.append("end of document")
    return out


def _outcome(text: str, *, libyaml: bool) -> object:
    try:
        return _shape(load(text, libyaml=libyaml))
    except SourceSyntaxError as exc:
        return ("error", exc.message, exc.line, exc.column)


SNIPPETS = [
    (
        "non-ascii",
        "- step:\n    name: trÄin 😀 日本\n    image: 'pythön:3.9'  # ünïcode\n    command: [é, \"😀\"]\n",
    ),
    ("crlf", "- step:\r\n    name: a\r\n    image: python:3.9\r\n    command: |\r\n      echo 1\r\n"),
    ("cr", "- step:\r    name: a\r    image: python:3.9\r"),
    ("bom", "\ufeff- step: {name: a, image: python:3.9}\n"),
    ("documents", "- step: {name: a}\n---\n- step: {name: b, image: x}\n...\n---\n# only a comment\n"),
    ("empty-values", "- step:\n    name:\n    image: \n    command: [a, , b]\n    x: {a: , b:}\n- \n"),
    ("empty-at-the-end", "- step:\n    name: a\n    image:"),
    ("properties", "- x: &a !!str 1\n  y: !!str &b 2\n  z: *a\n  w: !custom\n  v: &c\n  u: ! x\n"),
    ("tag-then-anchor-empty", "a: !!str &x\nb: *x\n"),
    ("verbatim-tag", "a: !<tag:yaml.org,2002:str> 3.9\n"),
    (
        "block-scalars",
        "a: >-\n  folded\n  text\nb: |2-\n    indented\nc: |\n\n  after a blank\nd: |+\n  keep\n\n",
    ),
    ("quoted", "a: 'it''s'\nb: \"line\\nbreak \\u00e9\"\nc: \"multi\n  line\"\n"),
    ("merge-keys", "base: &base {image: python:3.9}\nstep:\n  <<: *base\n  name: a\n"),
    ("complex-keys", "? [a, b]\n: c\n? {d: e}\n: f\n[g]: h\n"),
    ("comments-between", "a: &x # comment\n  # another\n  value\nb:  # nothing\n\nc: 1\n"),
    ("directives", "%YAML 1.1\n%TAG !e! tag:example.com,2000:\n---\na: !e!thing 1\n"),
    ("recursive-alias", "a: &r [*r, 1]\n"),
    ("flow-over-lines", "- step: {\n    name: a,\n    image: python:3.9\n  }\n"),
    ("nel-in-a-quoted-value", 'a: "x\x85y"\n'),
    # libyaml rejects a `:` in a plain scalar inside a flow mapping; PyYAML and ruamel do not
    ("colon-in-a-flow-mapping", "- step: {name: a, image: python:3.9}\n"),
]

ERRORS = [
    ("unclosed-bracket", "- step: {name: a, image: [python\n"),
    ("unclosed-quote", "- step:\n    image: 'python\n"),
    ("bad-indentation", "- step:\n    name: a\n   image: b\n"),
    ("undefined-alias", "- step:\n    image: *nowhere\n"),
    ("sequence-after-a-mapping", "a: 1\n- b\n"),
    ("control-character", "a: b\x07\n"),
    ("tab-indentation", "- step:\n\tname: a\n"),
    ("tab-in-a-plain-value", "- step:\n    name: a\tb\n"),  # YAML to libyaml, not to PyYAML or ruamel
    ("mapping-in-a-plain-value", "a: b: c\n"),
    ("stray-closing", "a: [b]]\n"),
]


@needs_libyaml
@pytest.mark.parametrize(("name", "text"), SNIPPETS + ERRORS, ids=[name for name, _ in SNIPPETS + ERRORS])
def test_libyaml_and_the_pure_parser_agree(name: str, text: str) -> None:
    assert _outcome(text, libyaml=True) == _outcome(text, libyaml=False)


@needs_libyaml
def test_libyaml_and_the_pure_parser_agree_on_the_corpus(shared_dir: Path) -> None:
    files = sorted(p for p in (shared_dir / "corpus").rglob("*") if p.suffix in (".yaml", ".yml"))
    assert len(files) >= 200
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _outcome(text, libyaml=True) == _outcome(text, libyaml=False), path.name


@needs_libyaml
def test_libyaml_reads_a_config_without_the_pure_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where libyaml is installed it does the work: the pure parser is only for what it rejects."""
    example = (Path(__file__).resolve().parent.parent / "examples" / "valohai.yaml").read_text(
        encoding="utf-8"
    )

    def no_pure_parser(*args: object) -> list[Node | None]:
        raise AssertionError("the pure parser was used")

    monkeypatch.setattr(document, "_compose_pure", no_pure_parser)
    assert load(example).roots
    with pytest.raises(AssertionError, match="pure parser"):
        load("a: [\n")  # an error: the pure parser words it


@pytest.mark.parametrize(("name", "text"), ERRORS, ids=[name for name, _ in ERRORS])
def test_errors_are_syntax_errors(name: str, text: str) -> None:
    with pytest.raises(SourceSyntaxError):
        load(text)


def test_an_empty_value_is_where_the_next_thing_starts() -> None:
    """libyaml and ruamel's pure parser place an empty value differently; both end up here."""
    parsed = load("- step: {name: a, image: }\n- step:\n    image:\n    name: b\n")
    first, second = (item.pairs[0][1] for item in parsed.roots[0].items)  # type: ignore[union-attr]
    assert isinstance(first, Mapping) and isinstance(second, Mapping)
    assert parsed.position(first.pairs[1][1].start) == (1, 26)  # the `}`
    assert parsed.position(second.pairs[0][1].start) == (4, 5)  # `name` on the next line


def test_a_tag_before_an_anchor_is_read() -> None:
    for libyaml in (True, False):
        scalar = load("a: !!str &x 3.9\n", libyaml=libyaml).roots[0].pairs[0][1]  # type: ignore[union-attr]
        assert isinstance(scalar, Scalar)
        assert (scalar.tag, scalar.yaml_type, scalar.start) == ("!!str", "str", 12)


# -- hostile input ---------------------------------------------------------------------------------

DEPTH = 10_000
NESTINGS = [
    ("flow-sequences", "[" * DEPTH + "]" * DEPTH),
    ("flow-sequences-unclosed", "[" * DEPTH),
    ("flow-mappings", "{a: " * DEPTH + "1" + "}" * DEPTH),
    ("flow-mixed", "- image: " + "[{a: " * (DEPTH // 2) + "1" + "}]" * (DEPTH // 2)),
    ("block-sequences", "- " * DEPTH + "x\n"),
    ("block-mappings", "".join(" " * i + "a:\n" for i in range(2 * MAX_DEPTH)) + " " * 2 * MAX_DEPTH + "b\n"),
]


@BOTH
@pytest.mark.parametrize(("name", "text"), NESTINGS, ids=[name for name, _ in NESTINGS])
def test_deep_nesting_is_a_located_error_in_bounded_time(name: str, text: str, libyaml: bool) -> None:
    load("a: 1\n", libyaml=libyaml)  # imports
    started = time.perf_counter()
    with pytest.raises(SourceSyntaxError) as caught:
        load(text, libyaml=libyaml)
    elapsed = time.perf_counter() - started
    assert caught.value.message == f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)"
    assert (caught.value.line, caught.value.column) != (1, 1)  # where the limit was passed
    assert elapsed < HOSTILE_SECONDS, f"{name}: {elapsed:.2f} s"


def test_nesting_up_to_the_limit_is_fine() -> None:
    text = "[" * (MAX_DEPTH - 1) + "1" + "]" * (MAX_DEPTH - 1)
    for libyaml in (True, False):
        node = load(text, libyaml=libyaml).roots[0]
        depth = 0
        while isinstance(node, Sequence):
            node, depth = node.items[0], depth + 1
        assert depth == MAX_DEPTH - 1


def _alias_bomb(levels: int = 10, fan: int = 10) -> str:
    lines = ["- x-laughs:", "    l0: &l0 [lol, lol]"]
    for level in range(1, levels):
        lines.append(f"    l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * fan) + "]")
    lines += ["- step:", "    name: bomb", "    image: python:3.9", f"    extra: *l{levels - 1}"]
    return "\n".join(lines) + "\n"


@BOTH
def test_an_alias_bomb_composes_to_its_distinct_nodes(libyaml: bool) -> None:
    load("a: 1\n", libyaml=libyaml)  # imports
    tracemalloc.start()
    started = time.perf_counter()
    parsed = load(_alias_bomb(), libyaml=libyaml)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    distinct = [entry for entry in _shape(parsed) if isinstance(entry, tuple) and entry[0] != "alias of"]
    assert len(distinct) < 100  # 10**10 leaves if expanded
    assert elapsed < HOSTILE_SECONDS
    assert peak < 5 * 2**20


# -- growth ----------------------------------------------------------------------------------------


def _steps(count: int) -> str:
    step = (
        "- step:\n    name: s{i}\n    image: python:3.{i}\n    command: [a, 'b {{parameters}}']\n"
        "    parameters:\n      - {{name: epochs, type: integer, default: {i}}}\n"
    )
    return "".join(step.format(i=i) for i in range(count))


def _best_of(runs: int, text: str) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        load(text)
        best = min(best, time.perf_counter() - started)
    return best


def test_the_cost_grows_linearly() -> None:
    """Four times the steps cost about four times as much (a quadratic step would cost 16 times)."""
    small, large = _steps(500), _steps(2000)
    _best_of(1, small)
    ratio = _best_of(3, large) / _best_of(3, small)
    assert ratio < 8, f"4x the steps took {ratio:.1f}x the time"


# -- imports and the process -----------------------------------------------------------------------


def _python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout.strip()


@needs_libyaml  # the pure parser is reached through ruamel.yaml.main
def test_only_the_parsing_parts_of_ruamel_are_imported() -> None:
    code = (
        "import sys\n"
        "import valohai_image_lint.sources.yaml_document as d\n"
        "print(sorted(m for m in sys.modules if m.startswith('ruamel')))\n"
        "d.load('- step:\\n    name: a\\n    image: python:3.9\\n')\n"
        "print('ruamel.yaml.main' in sys.modules, 'ruamel.yaml.loader' in sys.modules)\n"
    )
    before, after = _python(code).splitlines()
    assert before == "[]"  # importing the module imports no ruamel at all
    assert after == "False False"


def test_ruamel_yaml_stays_whole_for_everyone_else() -> None:
    code = (
        "import valohai_image_lint.sources.yaml_document as d\n"
        "d.load('a: 1\\n')\n"
        "import ruamel.yaml\n"
        "from ruamel.yaml import YAML\n"
        "print(bool(ruamel.yaml.__version__), YAML(typ='safe').load('a: [1, 2]'))\n"
    )
    assert _python(code) == "True {'a': [1, 2]}"


def test_a_ruamel_imported_first_is_used_as_it_is() -> None:
    code = (
        "import ruamel.yaml\n"
        "import valohai_image_lint.sources.yaml_document as d\n"
        "d.load('a: 1\\n')\n"
        "import sys\n"
        "print(sys.modules['ruamel.yaml'] is ruamel.yaml)\n"
    )
    assert _python(code) == "True"


# Loads a document with every kind of node and property, with each parser, then a text that is not
# YAML; prints the nodes, the error, and whether the parts came from the whole package and libyaml's
# parser was found. REFUSE, when set, makes importing one module fail while ruamel.yaml's __init__
# has not run: a release whose parts cannot be imported without it.
_LOAD_PROBE = """
import sys
REFUSE = {refuse!r}
if REFUSE is not None:
    class Refuse:
        def find_spec(self, name, path=None, target=None):
            parent = sys.modules.get("ruamel.yaml")
            if name == REFUSE[0] and parent is not None and "__version__" not in vars(parent):
                raise {{"ImportError": ImportError, "AttributeError": AttributeError}}[REFUSE[1]](name)
            return None
    sys.meta_path.insert(0, Refuse())

import valohai_image_lint.sources.yaml_document as d
from valohai_image_lint.sources import SourceSyntaxError

TEXT = (
    "---\\nbase: &base {{image: 'python:3.12', tags: [a, \\"b\\", !!str 3, ~]}}\\n"
    "steps:\\n- step:\\n    <<: *base\\n    name: \\u00fcn\\u00efcode\\n    command: |\\n      echo hi\\n"
    "    other: !!str >-\\n      folded\\n    empty:\\n...\\n--- [x, &y y, *y]\\r\\n"
)

def dump(node, seen):
    if node is None or id(node) in seen:
        return node if node is None else ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    if isinstance(node, d.Scalar):
        return repr(node)
    if isinstance(node, d.Mapping):
        return ("map", node.start, [(dump(k, seen), dump(v, seen)) for k, v in node.pairs])
    return ("seq", node.start, [dump(item, seen) for item in node.items])

for libyaml in (True, False):
    seen = {{}}
    print([dump(root, seen) for root in d.load(TEXT, libyaml=libyaml).roots])
try:
    d.load("a: [b\\n  c: d\\n")
except SourceSyntaxError as exc:
    print(exc)
print(d._get_parts().stand_in is None, d._get_parts().c_parser is not None)
"""


@pytest.mark.parametrize(
    "refuse",
    [
        ("ruamel.yaml.events", "ImportError"),
        ("ruamel.yaml.events", "AttributeError"),
        pytest.param(("_ruamel_yaml", "ImportError"), marks=needs_libyaml),
    ],
    ids=["events-import-error", "events-attribute-error", "libyaml-import-error"],
)
def test_where_the_stand_in_cannot_serve_the_whole_package_gives_the_same_document(
    refuse: tuple[str, str],
) -> None:
    expected = _python(_LOAD_PROBE.format(refuse=None)).splitlines()
    assert expected[-1] == f"False {HAS_LIBYAML}"  # the parts came through the stand-in
    found = _python(_LOAD_PROBE.format(refuse=refuse)).splitlines()
    assert found[-1] == f"True {HAS_LIBYAML}"  # ... and here from the whole package, libyaml's parser too
    assert found[:-1] == expected[:-1]
    assert len(expected) == 4 and expected[0] == expected[1] and re.fullmatch(r"\d+:\d+: .+", expected[2])


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize("text", ["a: 1\n", "a: [\n"], ids=["yaml", "error"])
def test_the_garbage_collector_is_left_as_it_was(enabled: bool, text: str) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        with contextlib.suppress(SourceSyntaxError):
            load(text)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
