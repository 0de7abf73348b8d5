"""The facts cache: real files in temporary folders, a clock passed in."""

from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import pytest

from valohai_image_lint.cache.facts import FILE_NAME, FactsCache
from valohai_image_lint.cache.files import dump_value, read_records, write_records
from valohai_image_lint.facts import (
    DOCKER_MANIFEST,
    OCI_INDEX,
    ImageFacts,
    LookupKey,
    Manifest,
    Platform,
    Status,
)

D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
D3 = "sha256:" + "3" * 64
KEY = LookupKey("docker.io", "library/python", "3.12", None)
PINNED = LookupKey("ghcr.io", "owner/app", "1.0", D1)
INDEX = Manifest(
    D1,
    OCI_INDEX,
    ((Platform("linux", "amd64"), D2), (Platform("linux", "arm64", "v8"), D3)),
)
IMAGE = Manifest(D2, DOCKER_MANIFEST, platform=Platform("linux", "amd64"), size=123_456)
FACTS = ImageFacts(
    KEY,
    Status.FOUND,
    manifest=INDEX,
    tag_digest=D1,
    private=False,
    tags=("3.12", "3.12.1", "latest"),
    platform_sizes=(("linux/amd64", 123_456),),
)


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_tag_facts_round_trip_and_expire(tmp_path: Path) -> None:
    clock = Clock()
    cache = FactsCache(str(tmp_path), ttl=60, now=clock)
    cache.put_tag(FACTS)
    pinned = ImageFacts(PINNED, Status.FOUND, manifest=IMAGE, tag_manifest=INDEX, tag_digest=D1, private=True)
    cache.put_tag(pinned)
    cache.save()
    clock.now += 59
    again = FactsCache(str(tmp_path), ttl=60, now=clock)
    assert again.tag(KEY) == FACTS
    assert again.tag(PINNED) == pinned
    assert again.tag(KEY._replace(tag="3.11")) is None
    assert again.tag(KEY._replace(registry="quay.io")) is None  # another registry knows nothing of it
    clock.now += 1
    assert again.tag(KEY) is None
    assert cache.tag(KEY) is None  # the object that stored it: the same clock


def test_a_future_entry_is_stale(tmp_path: Path) -> None:
    clock = Clock()
    cache = FactsCache(str(tmp_path), now=clock)
    cache.put_tag(FACTS)
    clock.now -= 10
    assert cache.tag(KEY) is None


def test_missing_is_stored_denied_and_failed_never(tmp_path: Path) -> None:
    cache = FactsCache(str(tmp_path))
    missing = ImageFacts(KEY, Status.MISSING_TAG)
    cache.put_tag(missing)
    for status in (Status.DENIED, Status.FAILED):
        cache.put_tag(ImageFacts(KEY._replace(tag=status.value), status, reason="401 Unauthorized"))
    cache.put_tag(ImageFacts(LookupKey("docker.io", "x", None, D1), Status.FOUND))  # no tag: not a tag lookup
    cache.save()
    records = read_records(str(tmp_path / FILE_NAME))
    assert records is not None and len(records) == 1
    again = FactsCache(str(tmp_path))
    assert again.tag(KEY) == missing
    assert again.tag(KEY._replace(tag="denied")) is None
    assert again.tag(KEY._replace(tag="failed")) is None


def test_manifests_live_past_the_ttl(tmp_path: Path) -> None:
    clock = Clock()
    cache = FactsCache(str(tmp_path), ttl=1, now=clock)
    cache.put_manifest("docker.io", "library/python", INDEX)
    cache.put_manifest("docker.io", "library/python", IMAGE)
    cache.save()
    clock.now += 10 * 365 * 86400
    again = FactsCache(str(tmp_path), ttl=1, now=clock)
    assert again.manifest("docker.io", "library/python", D1) == INDEX
    assert again.manifest("docker.io", "library/python", D2) == IMAGE
    assert again.manifest("ghcr.io", "library/python", D1) is None
    assert again.manifest("docker.io", "library/other", D1) is None


def test_two_processes_saving_keep_both(tmp_path: Path) -> None:
    clock = Clock()
    first = FactsCache(str(tmp_path), now=clock)
    second = FactsCache(str(tmp_path), now=clock)
    assert first.tag(KEY) is None and second.tag(PINNED) is None  # both read the file before either saves
    first.put_tag(FACTS)
    pinned = ImageFacts(PINNED, Status.MISSING_DIGEST)
    second.put_tag(pinned)
    second.put_manifest("ghcr.io", "owner/app", IMAGE)
    first.save()
    second.save()
    third = FactsCache(str(tmp_path), now=clock)
    assert third.tag(KEY) == FACTS
    assert third.tag(PINNED) == pinned
    assert third.manifest("ghcr.io", "owner/app", D2) == IMAGE


def test_the_newer_answer_wins_a_merge(tmp_path: Path) -> None:
    clock = Clock()
    older = FactsCache(str(tmp_path), now=clock)
    older.put_tag(ImageFacts(KEY, Status.MISSING_TAG))
    clock.now += 5
    newer = FactsCache(str(tmp_path), now=clock)
    newer.put_tag(FACTS)
    newer.save()
    older.save()  # saved last, but older: the newer entry stays
    assert FactsCache(str(tmp_path), now=clock).tag(KEY) == FACTS


def test_the_file_is_the_users_alone(tmp_path: Path) -> None:
    folder = tmp_path / "made"
    cache = FactsCache(str(folder))
    cache.put_tag(FACTS)
    cache.save()
    assert stat.S_IMODE((folder / FILE_NAME).stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_no_directory_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cache = FactsCache(None)
    cache.put_tag(FACTS)
    cache.put_manifest("docker.io", "library/python", INDEX)
    cache.save()
    assert list(tmp_path.iterdir()) == []
    assert cache.tag(KEY) == FACTS  # kept for the object's life


def test_bounded_number_of_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from valohai_image_lint.cache import facts

    monkeypatch.setattr(facts, "MAX_ENTRIES", 10)
    clock = Clock()
    cache = FactsCache(str(tmp_path), now=clock)
    for number in range(25):
        clock.now += 1
        cache.put_tag(ImageFacts(KEY._replace(tag=str(number)), Status.MISSING_TAG))
    cache.save()
    records = read_records(str(tmp_path / FILE_NAME))
    assert records is not None and len(records) == 10
    again = FactsCache(str(tmp_path), now=clock)
    assert again.tag(KEY._replace(tag="24")) is not None
    assert again.tag(KEY._replace(tag="14")) is None  # the oldest went first


def _hostile(folder: Path, kind: str) -> None:
    path = folder / FILE_NAME
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "zero":
        path.symlink_to("/dev/zero")
    elif kind == "garbage":
        path.write_bytes(os.urandom(4096))
    elif kind == "truncated":
        cache = FactsCache(str(folder))
        cache.put_tag(FACTS)
        cache.save()
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "folder":
        path.mkdir()


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero")
@pytest.mark.parametrize("kind", ["fifo", "zero", "garbage", "truncated", "folder"])
def test_an_unreadable_file_is_an_empty_cache(tmp_path: Path, kind: str) -> None:
    _hostile(tmp_path, kind)
    results: list[object] = []

    def use() -> None:
        cache = FactsCache(str(tmp_path))
        results.append(cache.tag(KEY))
        results.append(cache.manifest("docker.io", "library/python", D1))
        cache.put_tag(FACTS)
        cache.save()  # never raises
        results.append("saved")

    worker = threading.Thread(target=use, daemon=True)
    worker.start()
    worker.join(5)
    assert not worker.is_alive(), "the cache hung"
    assert results == [None, None, "saved"]


def _record(stored: object, entry: object) -> bytes:
    value = dump_value((stored, entry))
    assert value is not None
    return value


TAG_KEY = "tag\0docker.io\0library/python\x003.12\0"
GOOD_FACTS = (
    ("docker.io", "library/python", "3.12", None),
    "found",
    "",
    None,
    None,
    D1,
    None,
    None,
    (),
    None,
)


@pytest.mark.parametrize(
    "record",
    [
        b"\x00\x01garbage",
        _record("yesterday", GOOD_FACTS),
        _record(True, GOOD_FACTS),
        _record(1_000_000.0, GOOD_FACTS[:5]),
        _record(1_000_000.0, (("quay.io", "library/python", "3.12", None), *GOOD_FACTS[1:])),  # another key
        _record(1_000_000.0, (GOOD_FACTS[0], "denied", *GOOD_FACTS[2:])),
        _record(1_000_000.0, (GOOD_FACTS[0], "bogus", *GOOD_FACTS[2:])),
        _record(1_000_000.0, (*GOOD_FACTS[:5], "sha256:short", *GOOD_FACTS[6:])),
        _record(1_000_000.0, (*GOOD_FACTS[:5], "SHA256:" + "1" * 64, *GOOD_FACTS[6:])),
        _record(
            1_000_000.0, (*GOOD_FACTS[:3], ("sha256:nothex", OCI_INDEX, (), None, None), *GOOD_FACTS[4:])
        ),
        _record(
            1_000_000.0, (*GOOD_FACTS[:3], (D1, OCI_INDEX, ((1, 2, 3, D2),), None, None), *GOOD_FACTS[4:])
        ),
        _record(1_000_000.0, (*GOOD_FACTS[:3], (D1, OCI_INDEX, (), None, -5), *GOOD_FACTS[4:])),
        _record(1_000_000.0, (*GOOD_FACTS[:6], "yes", *GOOD_FACTS[7:])),
        _record(1_000_000.0, (*GOOD_FACTS[:7], ("a", 1), GOOD_FACTS[8])),
        _record(1_000_000.0, (*GOOD_FACTS[:8], (("linux/amd64", "big"),))),
        _record(1_000_000.0, [*GOOD_FACTS]),  # a list, not the tuple written
    ],
)
def test_a_record_of_another_shape_is_a_miss(tmp_path: Path, record: bytes) -> None:
    assert write_records(str(tmp_path / FILE_NAME), {TAG_KEY: record})
    assert FactsCache(str(tmp_path), now=Clock()).tag(KEY) is None


def test_the_well_formed_record_of_that_table_is_a_hit(tmp_path: Path) -> None:
    """The control for the table above: its records differ from this one in one field each."""
    assert write_records(str(tmp_path / FILE_NAME), {TAG_KEY: _record(1_000_000.0, GOOD_FACTS)})
    assert FactsCache(str(tmp_path), now=Clock()).tag(KEY) == ImageFacts(KEY, Status.FOUND, tag_digest=D1)


def test_another_digest_algorithm_is_accepted(tmp_path: Path) -> None:
    digest = "sha512:" + "a" * 128
    manifest = Manifest(digest, DOCKER_MANIFEST)
    cache = FactsCache(str(tmp_path))
    cache.put_manifest("r.example", "x", manifest)
    cache.save()
    assert FactsCache(str(tmp_path)).manifest("r.example", "x", digest) == manifest


def test_a_manifest_under_another_digest_is_a_miss(tmp_path: Path) -> None:
    record = _record(1.0, (D2, DOCKER_MANIFEST, (), None, None))
    assert write_records(str(tmp_path / FILE_NAME), {f"manifest\0docker.io\0library/python\0{D1}": record})
    assert FactsCache(str(tmp_path)).manifest("docker.io", "library/python", D1) is None
