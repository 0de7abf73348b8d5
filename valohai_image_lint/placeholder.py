"""Template leftovers in an image value: ``${IMAGE}``, ``{{ image }}``, ``<your-image>``, and names
copied from an example without being filled in: ``image:tag``, ``your-registry/your-image:1.0.0``,
``docker.io/yourdocker/titanic-ml``, ``TODO``."""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("<<...>>", re.compile(r"<<[^<>]*>>")),
    ("${...}", re.compile(r"\$\{[^}]*\}?")),
    ("{{ ... }}", re.compile(r"\{\{.*?(\}\}|$)")),
    ("{% ... %}", re.compile(r"\{%.*?(%\}|$)")),
    ("$VARIABLE", re.compile(r"\$[A-Za-z_][A-Za-z0-9_]*")),
    ("<...>", re.compile(r"<[^<>]+>")),
)

# Words that stand for "put yours here" after `your` or `my` in a path component.
_NOUNS = (
    r"(?:docker(?:hub)?|hub|user(?:name)?|name|org(?:anization)?|registry|repo(?:sitory)?|image|"
    r"account|company|project|namespace|team|id)"
)
# A whole path component (or the registry host's first label): `your-...` or `your_...` (any
# words), `yourdocker`, `youruser`...; `my-image`, `myregistry`, `my_username`... `yourls` (an
# official image) and `myapp` are names, not placeholders; so is `MyOrg` (capitals, no separator:
# an organisation's name, which VIL101 reports for its capitals).
_EXAMPLE_COMPONENT = re.compile(
    rf"(?i:your[-_].*|your{_NOUNS}(?:[-_]?name)?|my[-_]{_NOUNS}(?:[-_]?name)?)|my{_NOUNS}(?:name)?"
)
# Markers left for later, as a whole word of a component or tag: any case for these...
_MARKER_ANY_CASE = re.compile(r"fixme|changeme|x{3,}|x\.y(?:\.z)?", re.IGNORECASE)
# ...and only in capitals for TODO (`acme/todo-api` is a to-do app).
_MARKER_CAPITALS = re.compile(r"TODO")
# The whole name, or the whole tag, is the word of the example: `image:tag`, `acme/trainer:tag`.
_EXAMPLE_NAMES = ("image", "your-image", "docker-image", "image-name", "imagename")
_EXAMPLE_TAGS = ("tag", "version", "your-tag", "image-tag")


def find_template_syntax(value: str) -> str | None:
    """The template syntax found in ``value`` (``"${IMAGE}"``, ``"<your-image>"``), or None."""
    for _, pattern in _PATTERNS:
        match = pattern.search(value)
        if match:
            return match.group(0)
    return None


def _name_and_tag(value: str) -> tuple[str, str | None]:
    """``value`` without its digest, split at the tag's colon (the last one after the last ``/``)."""
    name = value.split("@", 1)[0]
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        return name[:colon], name[colon + 1 :]
    return name, None


def _words(part: str) -> list[str]:
    return [word for word in re.split(r"[-_.]", part) if word]


def _is_marker(word: str) -> bool:
    return bool(_MARKER_ANY_CASE.fullmatch(word) or _MARKER_CAPITALS.fullmatch(word))


def find_example_name(value: str) -> str | None:
    """The part of ``value`` that is an example's stand-in rather than a real name: a path
    component such as ``your-registry`` or ``yourdocker``, the name ``image``, the tag ``tag``, a
    ``TODO``/``FIXME``/``CHANGEME``/``xxx`` marker. None for a real-looking name, however many
    ordinary words it holds (``acme/image-tools:1.0``, ``imagemagick``, ``acme/todo-api``)."""
    text = value.strip()
    name, tag = _name_and_tag(text)
    components = name.split("/")
    for index, component in enumerate(components):
        first_label = component.split(".", 1)[0] if index == 0 and len(components) > 1 else component
        if _EXAMPLE_COMPONENT.fullmatch(component) or _EXAMPLE_COMPONENT.fullmatch(first_label):
            return component
        if any(_is_marker(word) for word in _words(component)):
            return component
    if name.lower() in _EXAMPLE_NAMES or name.lower().removeprefix("library/") in _EXAMPLE_NAMES:
        return name
    if tag is not None:
        if tag.lower() in _EXAMPLE_TAGS or _is_marker(tag) or any(_is_marker(w) for w in _words(tag)):
            return tag
        if _EXAMPLE_COMPONENT.fullmatch(tag):
            return tag
    return None


def find_placeholder(value: str) -> str | None:
    """The placeholder found in ``value``: template syntax (``"${IMAGE}"``) first, else an
    example's stand-in (``"your-registry"``, ``"tag"``); None when there is neither."""
    return find_template_syntax(value) or find_example_name(value)
