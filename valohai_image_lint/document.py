"""YAML documents with positions: the one module that knows ruamel.yaml.

ruamel composes the text into a node graph; we copy that graph into small node types of our
own (``Scalar``, ``Mapping``, ``Sequence``) that carry character offsets of their values, so
that nothing downstream depends on ruamel. Aliases stay aliases: a node reached twice is the
same object, so an alias bomb costs what its distinct nodes cost and a value used through an
anchor can be reported once.

Plain scalars are typed with YAML 1.1 rules, as PyYAML's ``safe_load`` (which Valohai's own
tooling uses) types them: ``image: yes`` is a bool and ``image: 3.9`` a float there.
"""

from __future__ import annotations

import bisect
import re
import warnings

from .model import Span


class YamlSyntaxError(Exception):
    """The text is not YAML: ``message`` and the 1-based position of the problem."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column


class Scalar:
    """A scalar: its text (``value``), character offsets of the value itself, its style (plain,
    single, double, literal, folded) and the explicit tag as written (``!!str``), if any."""

    __slots__ = ("end", "start", "style", "tag", "value")

    def __init__(self, value: str, start: int, end: int, style: str, tag: str | None = None) -> None:
        self.value, self.start, self.end, self.style, self.tag = value, start, end, style, tag

    def __repr__(self) -> str:
        return f"Scalar({self.value!r}, {self.start}, {self.end}, {self.style!r}, {self.tag!r})"

    @property
    def yaml_type(self) -> str:
        """``str``, ``null``, ``bool``, ``int``, ``float`` or ``timestamp`` (YAML 1.1), or the tag."""
        if self.tag is not None:
            short = self.tag.removeprefix("!<").removesuffix(">").removeprefix("tag:yaml.org,2002:")
            short = short.removeprefix("!!")
            return "str" if short in ("str", "!") else short
        if self.style != "plain":
            return "str"
        return _resolve_plain(self.value)


class Mapping:
    """A mapping: where it starts, and its pairs in the order written (keys may repeat)."""

    __slots__ = ("pairs", "start")

    def __init__(self, start: int, pairs: list[tuple[Node, Node]] | None = None) -> None:
        self.start = start
        self.pairs: list[tuple[Node, Node]] = pairs if pairs is not None else []


class Sequence:
    """A sequence: where it starts, and its items."""

    __slots__ = ("items", "start")

    def __init__(self, start: int, items: list[Node] | None = None) -> None:
        self.start = start
        self.items: list[Node] = items if items is not None else []


Node = Scalar | Mapping | Sequence

_YAML11_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("null", re.compile(r"~|null|Null|NULL|")),
    ("bool", re.compile(r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF")),
    (
        "int",
        re.compile(
            r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
            r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"
        ),
    ),
    (
        "float",
        re.compile(
            r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
        ),
    ),
    (
        "timestamp",
        re.compile(
            r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}"
            r":[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?"
        ),
    ),
)


def _resolve_plain(value: str) -> str:
    for name, pattern in _YAML11_TYPES:
        if pattern.fullmatch(value):
            return name
    return "str"


# Lines as editors, grep and git count them: NEL, LS and PS do not end a line there.
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
_STYLES = {None: "plain", "": "plain", "'": "single", '"': "double", "|": "literal", ">": "folded"}


class Document:
    """A whole file: its text (BOM removed) and the root node of each YAML document in it."""

    def __init__(self, text: str, roots: list[Node | None]) -> None:
        self.text = text
        self.roots = roots
        self._line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(max(end, start))
        return Span(line, column, end_line, end_column)

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        match = _LINE_BREAK.search(self.text, start)
        return self.text[start : match.start() if match else len(self.text)]


def split_lines(text: str) -> list[str]:
    """Lines as editors count them (``\\r\\n``, ``\\r``, ``\\n``): the lines positions refer to."""
    return _LINE_BREAK.split(text)


def _value_start(text: str, offset: int) -> tuple[int, str | None]:
    """Skip node properties (``&anchor``, ``!tag``), spaces and comments that ruamel includes in
    a node's start mark; return the offset of the value itself and the explicit tag, if any."""
    tag = None
    n = len(text)
    while offset < n:
        ch = text[offset]
        if ch in " \t\r\n\ufeff":
            offset += 1
        elif ch == "#":
            while offset < n and text[offset] not in "\r\n":
                offset += 1
        elif ch in "&!":
            end = offset
            if text.startswith("!<", offset):  # a verbatim tag: !<tag:yaml.org,2002:str>
                close = text.find(">", offset)
                end = close + 1 if close != -1 else n
            while end < n and text[end] not in " \t\r\n,]}":
                end += 1
            if ch == "!":
                tag = text[offset:end]
            offset = end
        else:
            break
    return offset, tag


def _block_content_start(text: str, offset: int) -> int:
    """The first content character of a block scalar whose header (``|``, ``>-``...) is at ``offset``."""
    match = _LINE_BREAK.search(text, offset)
    if match is None:
        return len(text)
    offset = match.end()
    while True:
        line_end = _LINE_BREAK.search(text, offset)
        stop = line_end.start() if line_end else len(text)
        content = offset + len(text[offset:stop]) - len(text[offset:stop].lstrip(" "))
        if content < stop or line_end is None:
            return content
        offset = line_end.end()


class _Converter:
    def __init__(self, text: str) -> None:
        self.text = text
        # Keyed by id() of ruamel's node, which is kept alive beside ours: ruamel frees a
        # document's nodes before composing the next, and a freed id may be reused.
        self.memo: dict[int, tuple[object, Node]] = {}

    def convert(self, node: object) -> Node:
        from ruamel.yaml.nodes import MappingNode, ScalarNode

        known = self.memo.get(id(node))
        if known is not None:
            return known[1]
        mark_start = node.start_mark.index  # type: ignore[attr-defined]
        start, tag = _value_start(self.text, mark_start)
        result: Node
        if isinstance(node, ScalarNode):
            style = _STYLES.get(node.style, "plain")
            end = node.end_mark.index
            if style == "plain" and not node.value:
                # Nothing but properties (`image: !custom`) or nothing at all: point at them.
                start = mark_start
                end = mark_start + len(tag) if tag else mark_start
            elif style in ("single", "double"):
                start, end = start + 1, end - 1
            elif style in ("literal", "folded"):
                start, end = self._block_value_span(start, node.value)
            result = Scalar(node.value, start, end, style, tag)
            self.memo[id(node)] = (node, result)
        elif isinstance(node, MappingNode):
            mapping = Mapping(start)
            self.memo[id(node)] = (node, mapping)
            mapping.pairs = [(self.convert(k), self.convert(v)) for k, v in node.value]
            result = mapping
        else:
            sequence = Sequence(start)
            self.memo[id(node)] = (node, sequence)
            sequence.items = [self.convert(item) for item in node.value]  # type: ignore[attr-defined]
            result = sequence
        return result

    def _block_value_span(self, header: int, value: str) -> tuple[int, int]:
        """The first line of a block scalar's value: where it starts (after the indentation,
        but keeping leading spaces that belong to the value, as with ``|2-``) and ends."""
        start = _block_content_start(self.text, header)
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = _LINE_BREAK.search(self.text, start)
        stop = line_end.start() if line_end else len(self.text)
        first = value.split("\n", 1)[0].rstrip()
        found = self.text.find(first, line_start, stop) if first else -1
        if found != -1:
            return found, found + len(first)
        return start, start + len(self.text[start:stop].rstrip())


def load(text: str) -> Document:
    """Compose every YAML document in ``text``; raise ``YamlSyntaxError`` where it is not YAML."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.reader import ReaderError

    text = text.removeprefix("\ufeff")
    document = Document(text, [])
    converter = _Converter(text)
    try:
        with warnings.catch_warnings():
            # ruamel warns (to stderr) about a reused anchor name; YAML allows it, and the
            # later definition wins, as it does here.
            warnings.simplefilter("ignore")
            composed = YAML(typ="safe", pure=True).compose_all(text)
            document.roots = [None if root is None else converter.convert(root) for root in composed]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
            mark = exc.context_mark  # an unclosed quote or bracket: point where it opens
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        if mark is None:
            raise YamlSyntaxError(message, 1, 1) from None
        raise YamlSyntaxError(message, *document.position(mark.index)) from None
    except ReaderError as exc:
        line, column = document.position(exc.position)
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"unacceptable character {character!r} (U+{ord(character):04X})"
        raise YamlSyntaxError(message, line, column) from None
    except RecursionError:
        raise YamlSyntaxError("the YAML is nested too deeply to lint", 1, 1) from None
    return document
