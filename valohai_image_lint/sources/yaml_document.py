"""YAML documents with positions: the one module that knows ruamel.yaml.

ruamel parses the text into events: with libyaml's C parser (``ruamel.yaml.clib``) when it is
installed, else with ruamel's pure-Python parser. We compose those events into small node types
of our own (``Scalar``, ``Mapping``, ``Sequence``) that carry character offsets of their values,
so that nothing downstream depends on ruamel. Aliases stay aliases: a node reached twice is the
same object, so an alias bomb costs what its distinct nodes cost and a value used through an
anchor can be reported once. Composing is a loop over the events, not a recursion, and stops
with a located ``SourceSyntaxError`` past ``MAX_DEPTH`` levels of nesting.

Only the parts of ruamel.yaml that parsing uses are imported (see ``_PackageStandIn``); where
that cannot be done, ruamel.yaml is imported whole (see ``_Parts``).

Plain scalars are typed with YAML 1.1 rules, as PyYAML's ``safe_load`` (which Valohai's own
tooling uses) types them: ``image: yes`` is a bool and ``image: 3.9`` a float there.
"""

from __future__ import annotations

import gc
import importlib
import re
import sys
import warnings
from collections.abc import Callable
from types import ModuleType
from typing import Any

from . import SourceSyntaxError
from .lines import LINE_BREAK, LineIndex


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

_YAML11_PATTERNS: tuple[tuple[str, str], ...] = (
    ("null", r"~|null|Null|NULL|"),
    ("bool", r"yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"),
    (
        "int",
        r"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
        r"|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+",
    ),
    (
        "float",
        r"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)",
    ),
    (
        "timestamp",
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}"
        r":[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?",
    ),
)


# The first characters a plain scalar that is not a string can start with; compiled on first need.
_MAYBE_NOT_STR = "~nNyYtTfFoO0123456789+-."
_yaml11_types: list[tuple[str, re.Pattern[str]]] = []


def _resolve_plain(value: str) -> str:
    if value and value[0] not in _MAYBE_NOT_STR:
        return "str"
    if not _yaml11_types:
        _yaml11_types.extend((name, re.compile(pattern)) for name, pattern in _YAML11_PATTERNS)
    for name, pattern in _yaml11_types:
        if pattern.fullmatch(value):
            return name
    return "str"


_STYLES = {None: "plain", "": "plain", "'": "single", '"': "double", "|": "literal", ">": "folded"}


class Document(LineIndex):
    """A whole file: its text (BOM removed), where its lines start, and the root node of each YAML
    document in it."""

    def __init__(self, text: str, roots: list[Node | None]) -> None:
        super().__init__(text)
        self.roots = roots


def _value_start(text: str, offset: int) -> tuple[int, str | None]:
    """Skip node properties (``&anchor``, ``!tag``), spaces and comments that a node's start
    mark includes; return the offset of the value itself and the explicit tag, if any."""
    tag = None
    n = len(text)
    while True:
        offset = _skip_blanks(text, offset)
        if offset >= n or text[offset] not in "&!":
            return offset, tag
        end = offset
        if text.startswith("!<", offset):  # a verbatim tag: !<tag:yaml.org,2002:str>
            close = text.find(">", offset)
            end = close + 1 if close != -1 else n
        while end < n and text[end] not in " \t\r\n,]}":
            end += 1
        if text[offset] == "!":
            tag = text[offset:end]
        offset = end


# The characters _value_start skips or reads at a start mark; any other one is the value itself.
_NOT_A_VALUE = " \t\r\n\ufeff#&!"


def _tag_before(text: str, anchor: int) -> int:
    """Where the tag of ``!tag &anchor value`` starts, given where its anchor does.

    libyaml starts such a node at its first property, ruamel's pure parser at the anchor; the
    tag is the word before the anchor (a tag holds no spaces, and only blanks come between).
    """
    end = anchor
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    start = end
    while start > 0 and text[start - 1] not in " \t\r\n,[{":
        start -= 1
    return start if text.startswith("!", start) else anchor


def _skip_blanks(text: str, offset: int) -> int:
    """Skip spaces, line breaks and comments: where an empty value is placed.

    The parsers disagree on where an empty value is (``name:`` with nothing after it): libyaml
    says after the ``:`` in a block mapping and at the next token in a flow one, ruamel's pure
    parser the other way round. Between the two there are only blanks and comments, so from
    either one this finds the same place: where the next thing starts.
    """
    n = len(text)
    while offset < n:
        ch = text[offset]
        if ch in " \t\r\n\ufeff":
            offset += 1
        elif ch == "#":
            while offset < n and text[offset] not in "\r\n":
                offset += 1
        else:
            break
    return offset


def _block_content_start(text: str, offset: int) -> int:
    """The first content character of a block scalar whose header (``|``, ``>-``...) is at ``offset``."""
    match = LINE_BREAK.search(text, offset)
    if match is None:
        return len(text)
    offset = match.end()
    while True:
        line_end = LINE_BREAK.search(text, offset)
        stop = line_end.start() if line_end else len(text)
        content = offset + len(text[offset:stop]) - len(text[offset:stop].lstrip(" "))
        if content < stop or line_end is None:
            return content
        offset = line_end.end()


def _block_value_span(text: str, header: int, value: str) -> tuple[int, int]:
    """The first line of a block scalar's value: where it starts (after the indentation, but
    keeping leading spaces that belong to the value, as with ``|2-``) and ends."""
    start = _block_content_start(text, header)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = LINE_BREAK.search(text, start)
    stop = line_end.start() if line_end else len(text)
    newline = value.find("\n")
    first = (value if newline == -1 else value[:newline]).rstrip()
    found = text.find(first, line_start, stop) if first else -1
    if found != -1:
        return found, found + len(first)
    return start, start + len(text[start:stop].rstrip())


# Deeper than this is an error (a ``SourceSyntaxError``), found before the parser has read much
# further: real configs nest a dozen levels, and a hostile "[" * 10000 must fail in milliseconds,
# not recurse or scan quadratically. Code that walks our nodes recursively stays far from
# Python's recursion limit.
MAX_DEPTH = 200

_TOO_DEEP = f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)"

# What an event other than a scalar is, as a small int: cheaper to test than the classes.
_ALIAS, _MAPPING, _SEQUENCE, _END, _DOCUMENT, _STREAM_END, _OTHER = range(7)


# The modules of libyaml's C parser: ruamel.yaml.clib's, then ruamel.yaml.clibz's.
_C_PARSERS = ("_ruamel_yaml", "_ruamel_yaml_clibz")


class _Parts:
    """The few things taken from ruamel.yaml, imported on the first ``load``.

    They are imported through a ``_PackageStandIn`` when one can be put in place, so that the
    package's ``__init__`` is not run. Anything going wrong while they are imported through it (a
    part that needs a name only the ``__init__`` defines, a part moved in a new release, any
    failing import but that of a C parser that is not installed) means the stand-in cannot
    serve: it is taken out again with every part imported through it, and the parts are
    imported from the whole package, as ``import ruamel.yaml`` loads it. Only an error that
    import raises too is raised.
    """

    def __init__(self) -> None:
        self.stand_in = _PackageStandIn.install()
        if self.stand_in is None:
            self._import(through_stand_in=False)
            return
        try:
            self._import(through_stand_in=True)
        except Exception:
            self.stand_in.remove()
            self.stand_in = None
            importlib.import_module("ruamel.yaml")
            self._import(through_stand_in=False)

    def _import(self, *, through_stand_in: bool) -> None:
        # `from ruamel.yaml.events import ...`, not `from ruamel.yaml import events`: that form
        # looks `events` up on the package first, which would run the package's __init__.
        from ruamel.yaml.events import (
            AliasEvent,
            DocumentStartEvent,
            MappingEndEvent,
            MappingStartEvent,
            ScalarEvent,
            SequenceEndEvent,
            SequenceStartEvent,
            StreamEndEvent,
        )

        self.scalar_event = ScalarEvent
        self.kinds: dict[type, int] = {
            AliasEvent: _ALIAS,
            MappingStartEvent: _MAPPING,
            SequenceStartEvent: _SEQUENCE,
            MappingEndEvent: _END,
            SequenceEndEvent: _END,
            DocumentStartEvent: _DOCUMENT,
            StreamEndEvent: _STREAM_END,
            type(None): _STREAM_END,  # what a parser has after the end, never expected before it
        }
        self.c_parser: Any = None
        for name in _C_PARSERS:
            try:
                self.c_parser = importlib.import_module(name).CParser
                break
            except ModuleNotFoundError as exc:
                if through_stand_in and exc.name != name:
                    raise
            except (ImportError, AttributeError, ValueError):  # ValueError: built for another ABI
                if through_stand_in:
                    raise

    def whole_package(self) -> None:
        """Run the package's ``__init__`` if a stand-in has kept it from running: before the pure
        parser is imported, which needs most of the package (``main``) anyway."""
        if self.stand_in is not None:
            self.stand_in.complete()


_parts: _Parts | None = None


def _get_parts() -> _Parts:
    global _parts
    if _parts is None:
        _parts = _Parts()
    return _parts


class _PackageStandIn:
    """``ruamel.yaml`` in ``sys.modules`` with its ``__init__`` not yet run, so that
    ``import ruamel.yaml.<part>`` loads that part without the whole library.

    ``ruamel/yaml/__init__.py`` imports the whole library (``main``: loaders, dumpers, the
    round-trip types, ``typing``, ``glob``...): a quarter of what importing ruamel costs where
    libyaml is used, and parsing with libyaml needs none of it. So the package goes into
    ``sys.modules`` as the import system would make it (its real spec, ``__path__`` and
    ``__file__``), but not yet run; its submodules then import as usual. The first look-up of a
    name the package itself defines, such as ``from ruamel.yaml import YAML`` anywhere else in
    the process, runs the package's ``__init__`` then, through its own loader, so everyone else
    sees the whole package. ``_Parts`` takes the stand-in out again if importing through it fails.
    """

    NAME = "ruamel.yaml"

    def __init__(self, package: ModuleType, loader: Any, parent: ModuleType) -> None:
        self.package = package
        self.loader = loader
        self.parent = parent
        self.before = set(sys.modules)
        self.completed = False

    @classmethod
    def install(cls) -> _PackageStandIn | None:
        """Put a stand-in in place; None where ruamel.yaml is already imported, or is not a plain
        package on disk (nothing changes then)."""
        name = cls.NAME
        if name in sys.modules:
            return None
        try:
            from importlib.machinery import PathFinder

            import ruamel  # a namespace package

            spec = PathFinder.find_spec(name, list(ruamel.__path__))
        except (ImportError, AttributeError):
            return None
        loader = getattr(spec, "loader", None)
        if spec is None or not spec.submodule_search_locations or not hasattr(loader, "exec_module"):
            return None
        package = ModuleType(name)
        package.__spec__ = spec
        package.__loader__ = loader
        package.__package__ = name
        package.__path__ = list(spec.submodule_search_locations)
        package.__file__ = spec.origin
        stand_in = cls(package, loader, ruamel)

        def __getattr__(attribute: str) -> Any:  # PEP 562: only names the module does not have yet
            stand_in.complete()
            try:
                return vars(package)[attribute]
            except KeyError:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

        package.__getattr__ = __getattr__  # type: ignore[method-assign]
        sys.modules[name] = package
        ruamel.yaml = package
        return stand_in

    def complete(self) -> None:
        """Run the package's ``__init__`` into the stand-in (once): it is the whole package then."""
        if self.completed:
            return
        self.completed = True
        vars(self.package).pop("__getattr__", None)
        self.loader.exec_module(self.package)

    def remove(self) -> None:
        """Take the stand-in, and every part of ruamel.yaml (or C parser) imported since it was put
        in place, out of ``sys.modules``: the next import starts from nothing."""
        for name in set(sys.modules) - self.before:
            if name == self.NAME or name.startswith(self.NAME + ".") or name in _C_PARSERS:
                del sys.modules[name]
        if getattr(self.parent, "yaml", None) is self.package:
            del self.parent.yaml


def _compose(next_event: Callable[[], Any], parts: _Parts, document: Document) -> list[Node | None]:
    """Compose the events ``next_event`` returns, up to the end of the stream, into our nodes.

    A loop over the events with an explicit stack: every collection is attached to its parent
    when it starts (so that the order is kept), a sequence collects its items directly, and a
    mapping collects keys and values in one list that becomes its pairs when it ends.
    """
    text = document.text
    n = len(text)
    roots: list[Node | None] = []
    add: Callable[[Node], None] = roots.append
    stack: list[tuple[Callable[[Node], None], Mapping | None, list[Node] | None]] = []
    anchors: dict[str, Node] = {}
    scalar_event, kinds, styles, not_a_value = parts.scalar_event, parts.kinds, _STYLES, _NOT_A_VALUE
    while True:
        event = next_event()
        if type(event) is scalar_event:  # most events: a plain scalar that starts at its mark
            mark = event.start_mark.index
            if mark < n and text[mark] in not_a_value:
                if text[mark] == "&" and event.tag is not None:
                    mark = _tag_before(text, mark)
                start, tag = _value_start(text, mark)
            else:
                start, tag = mark, None
            style = styles.get(event.style, "plain")
            value = event.value
            if style == "plain":
                if value:
                    end = event.end_mark.index
                elif tag is not None or event.anchor is not None:  # only properties: point at them
                    start = _skip_blanks(text, mark)
                    end = start + len(tag) if tag and text.startswith("!", start) else start
                else:  # nothing at all: where the next thing starts (see _skip_blanks)
                    start = end = _skip_blanks(text, mark)
            elif style == "single" or style == "double":
                end = event.end_mark.index - 1
                start += 1
            else:
                start, end = _block_value_span(text, start, value)
            scalar = Scalar(value, start, end, style, tag)
            if event.anchor is not None:
                anchors[event.anchor] = scalar
            add(scalar)
            continue
        kind = kinds.get(type(event), _OTHER)
        if kind == _END:
            add, mapping, flat = stack.pop()
            if mapping is not None:
                pairs = iter(flat)  # type: ignore[arg-type]
                mapping.pairs = list(zip(pairs, pairs, strict=False))  # keys and values in turn
        elif kind in (_MAPPING, _SEQUENCE):
            mark = event.start_mark.index
            start = _value_start(text, mark)[0] if mark < n and text[mark] in not_a_value else mark
            if len(stack) >= MAX_DEPTH:
                raise SourceSyntaxError(_TOO_DEEP, *document.position(start))
            node: Mapping | Sequence
            if kind == _MAPPING:
                node = mapping = Mapping(start)
                flat = []
                stack.append((add, mapping, flat))
                parent_add, add = add, flat.append
            else:
                node = Sequence(start)
                stack.append((add, None, None))
                parent_add, add = add, node.items.append
            if event.anchor is not None:
                anchors[event.anchor] = node
            parent_add(node)
        elif kind == _ALIAS:
            target = anchors.get(event.anchor)
            if target is None:
                raise SourceSyntaxError(
                    f"found undefined alias {event.anchor!r}", *document.position(event.start_mark.index)
                )
            add(target)
        elif kind == _DOCUMENT:
            anchors = {}  # an anchor names a node in its own document only
        elif kind == _STREAM_END:
            return roots


def _bounded_scanner(base: type) -> type:
    """ruamel's pure scanner, stopping at the flow collection that opens level ``MAX_DEPTH + 1``.

    The composer's limit alone comes too late for flow collections: before the parser hands out
    the first ``[`` of ``[[[[...``, the scanner reads on for a possible simple key, over up to
    1,024 characters, checking every saved key at each step (seconds for a line of brackets).
    """

    def check_depth(self: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            from ruamel.yaml.scanner import ScannerError

            raise ScannerError(None, None, _TOO_DEEP, self.reader.get_mark())

    class BoundedScanner(base):  # type: ignore[misc]
        def fetch_flow_sequence_start(self) -> None:
            check_depth(self)
            super().fetch_flow_sequence_start()

        def fetch_flow_mapping_start(self) -> None:
            check_depth(self)
            super().fetch_flow_mapping_start()

    return BoundedScanner


def _compose_pure(text: str, parts: _Parts, document: Document) -> list[Node | None]:
    """Compose with ruamel's pure-Python parser, turning its errors into ``SourceSyntaxError``."""
    parts.whole_package()
    from ruamel.yaml.error import MarkedYAMLError
    from ruamel.yaml.main import YAML
    from ruamel.yaml.reader import ReaderError
    from ruamel.yaml.scanner import Scanner

    yaml = YAML(typ="safe", pure=True)
    yaml.Scanner = _bounded_scanner(Scanner)
    events = yaml.parse(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nothing here is worth a word on stderr
            return _compose(events.__next__, parts, document)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and (mark is None or mark.index >= len(text.rstrip())):
            mark = exc.context_mark  # an unclosed quote or bracket: point where it opens
        message = " ".join(part for part in (exc.context, exc.problem) if part) or "invalid YAML"
        if mark is None:
            raise SourceSyntaxError(message, 1, 1) from None
        raise SourceSyntaxError(message, *document.position(mark.index)) from None
    except ReaderError as exc:
        line, column = document.position(exc.position)
        character = exc.character if isinstance(exc.character, str) else chr(exc.character)
        message = f"unacceptable character {character!r} (U+{ord(character):04X})"
        raise SourceSyntaxError(message, line, column) from None
    finally:
        events.close()


# A tab in a plain scalar (`name: a\tb`) is YAML to libyaml (and to the spec), but not to
# PyYAML's ``safe_load``, which Valohai uses, nor to ruamel's pure parser: text with a tab is
# left to the pure parser, which then reports it.
_TAB = "\t"


def load(text: str, *, libyaml: bool = True) -> Document:
    """Compose every YAML document in ``text``; raise ``SourceSyntaxError`` where it is not YAML.

    With ``libyaml`` (and ``ruamel.yaml.clib`` installed) libyaml's C parser reads the text, more
    than ten times as fast as ruamel's pure-Python one. Only a success is taken from it: where it fails,
    the pure parser reads the text again and decides, so errors (their words and places) are the
    pure parser's whichever is installed. The two give the same nodes and positions (a test
    checks that on every file of the corpus).
    """
    text = text.removeprefix("\ufeff")
    document = Document(text, [])
    parts = _get_parts()
    # Composing makes one long-lived object per node and no garbage cycles (what is dropped, the
    # events, goes by reference counting), so the cyclic collector would only walk the growing
    # graph again and again: 40% of the time on a big file. It is paused, and restored as it was.
    collecting = gc.isenabled()
    gc.disable()
    try:
        if libyaml and parts.c_parser is not None and _TAB not in text:
            try:
                document.roots = _compose(parts.c_parser(text).get_event, parts, document)
                return document
            except Exception:  # not YAML to libyaml (or too deep): the pure parser decides
                pass
        document.roots = _compose_pure(text, parts, document)
        return document
    finally:
        if collecting:
            gc.enable()
