#!/usr/bin/env python3
"""Atheris harness: any text into ``reference.parse_image``, the reference grammar.

The bytes are decoded as UTF-8 with ``surrogateescape`` (so every input is some text, lone
surrogates included). ``parse_image`` must return an ``ImageRef`` or raise
``InvalidImageReference`` with a reason; a valid reference's canonical form must parse to the
same reference (a fixed point); and the splitting helpers must not raise. Anything else that
escapes is a crash.

    python fuzz/fuzz_reference.py -runs=50000 -max_len=1024 -seed=1   # as tests/test_fuzz.py runs it
    python fuzz/fuzz_reference.py -max_total_time=600 corpus/

Seeds: a few references written here, and every ``input`` of
``../shared/reference-vectors/vectors.json`` when it is present.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator

import atheris  # type: ignore[import-untyped]
import driver

# Instrument the grammar and docker-image-py, which it drives; docker-image-py is imported here
# so that the lazy import in parse_image finds it already instrumented.
with atheris.instrument_imports(include=["valohai_image_lint", "docker_image"]):
    importlib.import_module("docker_image.digest")
    importlib.import_module("docker_image.regexp")
    from valohai_image_lint.reference import (
        ImageRef,
        InvalidImageReference,
        parse_image,
        split_docker_domain,
        split_host_port,
        split_name,
    )

# parse_image keeps an LRU cache; the fuzzer calls the function under it, so every input is parsed.
parse = parse_image.__wrapped__

SEEDS = (
    b"python",
    b"python:3.12.1-slim",
    b"tensorflow/tensorflow:latest-gpu",
    b"ghcr.io/acme/trainer:1.0.3@sha256:" + b"0123456789abcdef" * 4,
    b"localhost:5000/x",
    b"[fc00::1]:5000/img:1",
    b"index.docker.io/library/python",
    b"foo_bar.com/x",
    b"Example.com/x:TAG",
    b"a" * 64,
)


def vector_inputs() -> Iterator[bytes]:
    """The ``input`` of every shared reference vector (none without ``../shared``)."""
    path = driver.SHARED / "reference-vectors" / "vectors.json"
    if not path.is_file():
        return
    for vector in json.loads(path.read_text(encoding="utf-8")):
        if isinstance(vector, dict) and isinstance(vector.get("input"), str):
            yield vector["input"].encode("utf-8", errors="surrogatepass")


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="surrogateescape")
    split_name(text)
    split_host_port(text)
    split_docker_domain(text)
    try:
        ref = parse(text)
    except InvalidImageReference as exc:
        if exc.text != text or not exc.reason:
            raise AssertionError(f"InvalidImageReference without the text or a reason: {exc!r}") from None
        return
    if not isinstance(ref, ImageRef):
        raise AssertionError(f"parse_image returned {ref!r}")
    again = parse(ref.canonical)
    if again._replace(raw=ref.raw) != ref:
        raise AssertionError(f"{text!r} parses to {ref!r}, but its canonical form to {again!r}")


if __name__ == "__main__":
    sys.exit(driver.run(test_one_input, [*SEEDS, *vector_inputs()], []))
