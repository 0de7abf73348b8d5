"""Find every place a Valohai config names an image.

Valohai's config is a list of items: ``- step: {...}``, ``- endpoint: {...}``, ``- pipeline:
{nodes: [{override: {image: ...}}]}`` (``blueprint`` alike), ``- task``. Steps and endpoints must
name an image; a pipeline node's ``override`` may. Any other item, known or not, is searched for
``image`` keys at any depth (real files use ``- version: 1`` with ``steps: [- image: ...]``); such
an image's context is its path from the item, ``version[0].steps[0]`` (the item at index 0, known
by its first key), with the name of the entry that holds it, if any.

Merge keys (``<<``) resolve as YAML 1.1 says: explicit keys win over merged ones, earlier merged
mappings over later ones. A value reached through several aliases is one site that knows all
the places that use it; it is reported once, where it is written.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import ImageSite, Span, ValueKind
from .yaml_document import Document, Mapping, Node, Scalar, Sequence

REQUIRED_IMAGE_KINDS = ("step", "endpoint")
PIPELINE_KINDS = ("pipeline", "blueprint")


def _key_text(node: Node) -> str | None:
    return node.value if isinstance(node, Scalar) else None


def is_merge_key(node: Node) -> bool:
    """Whether ``node`` is the merge key ``<<`` (plain, as YAML 1.1 writes it)."""
    return isinstance(node, Scalar) and node.value == "<<" and node.style == "plain"


class _Merges:
    """Every mapping's pairs as a YAML loader sees them: a repeated key keeps its last value (as
    PyYAML does), ``<<`` merge keys resolve, explicit keys win over merged ones and earlier merged
    mappings over later ones. Each mapping is resolved once and without recursion, so chains
    and fans of merges cost what their distinct mappings cost; a merge cycle adds nothing."""

    def __init__(self) -> None:
        self._resolved: dict[int, list[tuple[Node, Node]]] = {}

    @staticmethod
    def _sources(mapping: Mapping) -> list[Mapping]:
        sources: list[Mapping] = []
        for key, value in mapping.pairs:
            if is_merge_key(key):
                if isinstance(value, Mapping):
                    sources.append(value)
                elif isinstance(value, Sequence):
                    sources.extend(item for item in value.items if isinstance(item, Mapping))
        return sources

    def pairs(self, mapping: Mapping) -> list[tuple[Node, Node]]:
        done = self._resolved.get(id(mapping))
        if done is not None:
            return done
        in_progress: set[int] = set()
        stack: list[tuple[Mapping, bool]] = [(mapping, False)]
        while stack:
            current, sources_done = stack.pop()
            if id(current) in self._resolved:
                continue
            sources = self._sources(current)
            if sources_done:
                self._resolved[id(current)] = self._combine(current, sources)
                continue
            in_progress.add(id(current))
            stack.append((current, True))
            stack.extend(
                (source, False)
                for source in reversed(sources)
                if id(source) not in self._resolved and id(source) not in in_progress
            )
        return self._resolved[id(mapping)]

    def _combine(self, mapping: Mapping, sources: list[Mapping]) -> list[tuple[Node, Node]]:
        explicit: dict[str, tuple[Node, Node]] = {}
        others: list[tuple[Node, Node]] = []
        for key, value in mapping.pairs:
            if is_merge_key(key):
                continue
            text = _key_text(key)
            if text is None:
                others.append((key, value))
            else:
                explicit.pop(text, None)
                explicit[text] = (key, value)
        if not sources and len(explicit) + len(others) == len(mapping.pairs):
            return mapping.pairs
        result = list(explicit.values()) + others
        seen = set(explicit)
        for source in sources:
            for key, value in self._resolved.get(id(source), ()):  # absent: part of a cycle
                text = _key_text(key)
                if text is not None:
                    if text in seen:
                        continue
                    seen.add(text)
                result.append((key, value))
        return result


_NON_STRING_NAMES = {
    "null": "null",
    "bool": "a boolean",
    "int": "an integer",
    "float": "a float",
    "timestamp": "a date",
}


class _SiteCollector:
    def __init__(self, document: Document) -> None:
        self.document = document
        self.sites: list[ImageSite] = []
        self._merges = _Merges()
        self._by_node: dict[int, int] = {}
        self._contexts: list[dict[str, Span]] = []  # per site: each context and where it uses the value
        self._searched: set[int] = set()
        self.steps: dict[str, int] = {}  # step name -> index of its image site (the first step so named)

    def _get(self, mapping: Mapping, key: str) -> tuple[Node, Node] | None:
        for k, v in self._merges.pairs(mapping):
            if _key_text(k) == key:
                return k, v
        return None

    def _name_of(self, mapping: Mapping) -> str | None:
        found = self._get(mapping, "name")
        if found and isinstance(found[1], Scalar) and found[1].value.strip():
            return found[1].value.strip()
        return None

    def add_value(self, key: Node, value: Node, context: str, required: bool, owner: Mapping) -> None:
        """Record the value of an ``image`` key found in ``owner`` (perhaps merged into it)."""
        index = self._by_node.get(id(value))
        if index is None:
            self._by_node[id(value)] = len(self.sites)
            site = self._site(key, value, context, required)
            key_line = self.document.position(key.start)[0]
            if key_line != site.span.line and value.start > key.start:  # `image: >-` and the like
                site = site._replace(key_line=key_line)
            # Written elsewhere: an alias (anchors come before their aliases), or a key merged in.
            if value.start < key.start or not any(k is key for k, _ in owner.pairs):
                site = site._replace(aliased=True)
            self.sites.append(site)
            self._contexts.append({context: self._use(key, owner)})
        else:
            self._contexts[index].setdefault(context, self._use(key, owner))
            if required and not self.sites[index].required:
                self.sites[index] = self.sites[index]._replace(required=True)

    def _use(self, key: Node, owner: Mapping) -> Span:
        """Where ``owner`` uses an image value: its own ``image`` key, or, for a key merged in, the
        mapping's first character."""
        if any(k is key for k, _ in owner.pairs):
            return self.document.span(key.start, key.start + len("image"))
        return self.document.span(owner.start, owner.start + 1)

    def finished_sites(self) -> list[ImageSite]:
        """The sites, each with every context that uses it (in the order they were met) and, when
        more than one does, where each uses it."""
        return [
            site
            if len(contexts) == 1
            else site._replace(contexts=tuple(contexts), uses=tuple(contexts.items()))
            for site, contexts in zip(self.sites, self._contexts, strict=True)
        ]

    def _site(self, key: Node, value: Node, context: str, required: bool) -> ImageSite:
        doc = self.document
        if isinstance(value, Scalar):
            kind = value.yaml_type
            if kind == "str":
                if not value.value.strip():
                    span = doc.span(key.start, key.start + len("image"))
                    return ImageSite(
                        ValueKind.EMPTY,
                        span,
                        (context,),
                        value=value.value,
                        quoted=value.style != "plain",
                        required=required,
                    )
                return ImageSite(
                    ValueKind.STRING,
                    doc.span(value.start, value.end),
                    (context,),
                    value=value.value,
                    quoted=value.style != "plain",
                    required=required,
                )
            if kind == "null" and not value.value:
                span = doc.span(key.start, key.start + len("image"))
                return ImageSite(ValueKind.EMPTY, span, (context,), value="", required=required)
            type_name = _NON_STRING_NAMES.get(kind, f"tagged {value.tag}")
            return ImageSite(
                ValueKind.NON_STRING,
                doc.span(value.start, value.end),
                (context,),
                value=value.value,
                type_name=type_name,
                required=required,
            )
        if isinstance(value, Mapping) and doc.text.startswith("{{", value.start):
            # `image: {{ image }}` is a flow mapping to YAML, but a template leftover to people.
            line_end = doc.text.find("\n", value.start)
            line_end = len(doc.text) if line_end == -1 else line_end
            close = doc.text.find("}}", value.start, line_end)
            end = close + 2 if close != -1 else line_end
            raw = doc.text[value.start : end].rstrip("\r")
            return ImageSite(
                ValueKind.STRING,
                doc.span(value.start, value.start + len(raw)),
                (context,),
                value=raw,
                required=required,
            )
        type_name = "a mapping" if isinstance(value, Mapping) else "a list"
        span = doc.span(value.start, value.start + 1)
        return ImageSite(ValueKind.NON_STRING, span, (context,), type_name=type_name, required=required)

    def add_missing(self, key: Node, context: str) -> None:
        length = len(key.value) if isinstance(key, Scalar) else 1
        span = self.document.span(key.start, key.start + length)
        self.sites.append(ImageSite(ValueKind.MISSING, span, (context,), required=True))
        self._contexts.append({context: span})

    # -- the shapes of a Valohai config ------------------------------------------------------

    def visit_root(self, root: Node | None) -> None:
        if isinstance(root, Sequence):
            for position, item in enumerate(root.items, start=1):
                if isinstance(item, Mapping):
                    self.visit_item(item, position)
        elif isinstance(root, Mapping):
            self.visit_item(root, None)

    def visit_item(self, item: Mapping, position: int | None) -> None:
        pairs = self._merges.pairs(item)
        first = next((text for text in (_key_text(k) for k, _ in pairs) if text is not None), None)
        # Where an item of no kind Valohai reads is, as a path: `version[0]` is the item at index 0,
        # known by its first key; `version[0].steps[0]` an entry under its `steps`.
        label = f"{first}[{position - 1}]" if position is not None and first is not None else None
        for key, value in pairs:
            kind = _key_text(key)
            if kind in REQUIRED_IMAGE_KINDS:
                self.visit_required(kind, key, value, position)
            elif kind in PIPELINE_KINDS:
                self.visit_pipeline(kind, value, position)
            elif kind == "image":  # beside the item's kind, e.g. `- step: {...}` then `  image: x`
                where = f"item {position}" if position is not None else "the top level"
                self.add_value(key, value, where, required=False, owner=item)
            elif kind is not None:
                if label is None:
                    self.search(value, kind)
                else:
                    self.search(value, label if kind == first else f"{label}.{kind}")

    def visit_required(self, kind: str, key: Node, value: Node, position: int | None) -> None:
        unnamed = f"{kind} (item {position})" if position is not None else kind
        if not isinstance(value, Mapping):
            self.add_missing(key, unnamed)
            return
        name = self._name_of(value)
        context = f'{kind} "{name}"' if name else unnamed
        found = self._get(value, "image")
        if found is None:
            self.add_missing(key, context)
        else:
            self.add_value(found[0], found[1], context, required=True, owner=value)
            if kind == "step" and name is not None:
                self.steps.setdefault(name, self._by_node[id(found[1])])

    def visit_pipeline(self, kind: str, value: Node, position: int | None) -> None:
        if not isinstance(value, Mapping):
            return
        pipeline_name = self._name_of(value)
        unnamed = f"{kind} (item {position})" if position is not None else kind
        prefix = f'{kind} "{pipeline_name}"' if pipeline_name else unnamed
        nodes = self._get(value, "nodes")
        if nodes is None or not isinstance(nodes[1], Sequence):
            return
        for index, node in enumerate(nodes[1].items, start=1):
            if not isinstance(node, Mapping):
                continue
            node_name = self._name_of(node)
            context = f'{prefix} node "{node_name}"' if node_name else f"{prefix} node {index}"
            override = self._get(node, "override")
            if override is None or not isinstance(override[1], Mapping):
                continue
            found = self._get(override[1], "image")
            if found is not None:
                self.add_value(found[0], found[1], context, required=False, owner=override[1])

    def search(self, node: Node, path: str) -> None:
        """Every ``image`` key at any depth under ``node`` (each distinct node visited once), each
        named by its path from the item (``version[0].steps[0]``) and the name of the mapping that
        holds it, if any (``version[0].steps[0] "train"``)."""
        stack: list[tuple[Node, str]] = [(node, path)]
        while stack:
            current, where = stack.pop()
            if id(current) in self._searched:
                continue
            self._searched.add(id(current))
            if isinstance(current, Mapping):
                name = self._name_of(current)
                here = f'{where} "{name}"' if name else where
                children: list[tuple[Node, str]] = []
                for key, value in self._merges.pairs(current):
                    text = _key_text(key)
                    if text == "image":
                        self.add_value(key, value, here, required=False, owner=current)
                    elif isinstance(value, (Mapping, Sequence)):
                        children.append((value, f"{where}.{text}" if text is not None else where))
                stack.extend(reversed(children))
            elif isinstance(current, Sequence):
                stack.extend(
                    (item, f"{where}[{index}]")
                    for index, item in reversed(list(enumerate(current.items)))
                    if isinstance(item, (Mapping, Sequence))
                )


def _collected(document: Document) -> _SiteCollector:
    collector = _SiteCollector(document)
    for root in document.roots:
        collector.visit_root(root)
    return collector


def find_image_sites(document: Document) -> Iterator[ImageSite]:
    """Every image site in the document, in the order they are written."""
    collector = _collected(document)
    yield from sorted(collector.finished_sites(), key=lambda site: (site.span.line, site.span.column))


def find_step_images(document: Document) -> dict[str, ImageSite]:
    """The image site of each named step (the first step of a name, as written), by name."""
    collector = _collected(document)
    return {name: collector.sites[index] for name, index in collector.steps.items()}
