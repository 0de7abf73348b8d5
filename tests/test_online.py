"""The online checks end to end: the command line against Debian's real docker-registry on
127.0.0.1 (tests/registry_harness.py), with no auth, Basic auth and the Bearer token flow, the
user's Docker credentials (config file and a credential helper on PATH), a registry that is
stopped, slow or rate-limited, and the facts cache. Nothing reaches past 127.0.0.1."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from registry_harness import (
    FrontProxy,
    Registry,
    TokenServer,
    basic_registry_module,
    docker_config,
    registry_module,
    start_registry,
    token_registry_module,
)

from valohai_image_lint.cli import main
from valohai_image_lint.option_reader import FORMAT_NAMES

_FIXTURES = (registry_module, basic_registry_module, token_registry_module)  # used by name

ONLINE = ["--online", "--isolated", "--select", "VIL4"]
SENTINEL = "s3ntinel-Pa55word-never-shown"


@pytest.fixture(autouse=True)
def _no_user_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user's own Docker credentials are never read: each test has an empty config folder."""
    empty = tmp_path / "no-docker-config"
    empty.mkdir()
    monkeypatch.setenv("DOCKER_CONFIG", str(empty))
    monkeypatch.chdir(tmp_path)


def _config(tmp_path: Path, *images: str) -> Path:
    steps = "".join(
        f"- step:\n    name: s{index}\n    image: {image}\n    command: python train.py\n"
        for index, image in enumerate(images)
    )
    path = tmp_path / "valohai.yaml"
    path.write_text(steps, encoding="utf-8")
    return path


def _lint(
    capsys: pytest.CaptureFixture[str], path: Path, *extra: str, base: tuple[str, ...] = tuple(ONLINE)
) -> tuple[int, str, str]:
    code = main([*base, *extra, os.path.relpath(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _codes(out: str) -> list[str]:
    return [line.split(": ")[1].split()[0] for line in out.splitlines() if ": VIL" in line]


# -- what the registry says ------------------------------------------------------------------------


def test_images_that_exist_and_run_on_amd64_are_clean(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    registry_module.push("clean/oci", "1.0.0", media="oci")
    registry_module.push("clean/docker", "1.0.0", media="docker")
    multi = registry_module.push("clean/multi", "2.0.0", platforms=("linux/amd64", "linux/arm64"))
    path = _config(
        tmp_path,
        f"{host}/clean/oci:1.0.0",
        f"{host}/clean/docker:1.0.0",
        f"{host}/clean/multi:2.0.0",
        f"{host}/clean/multi:2.0.0@{multi.digest}",
        f"{host}/clean/multi@{multi.children['linux/amd64']}",
    )
    assert _lint(capsys, path) == (0, "", "")


def test_a_missing_tag_repository_or_digest_is_vil401(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    registry_module.push("there/app", "1.0.0")
    absent = "sha256:" + "ab" * 32
    path = _config(
        tmp_path,
        f"{host}/there/app:9.9.9",
        f"{host}/not/there:1.0.0",
        f"{host}/there/app:1.0.0@{absent}",
    )
    code, out, _ = _lint(capsys, path)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f'valohai.yaml:3:12: VIL401 image "{host}/there/app:9.9.9" does not exist: '
        f'{host}/there/app has no tag "9.9.9"'
    )
    assert lines[1] == (
        f'valohai.yaml:7:12: VIL401 image "{host}/not/there:1.0.0" does not exist: '
        f"there is no repository {host}/not/there"
    )
    assert lines[2].startswith(f'valohai.yaml:11:12: VIL401 image "{host}/there/app:1.0.0@{absent}"')
    assert lines[2].endswith(f"{host}/there/app has no manifest sha256:abababababab…")


def test_an_arm64_only_image_and_a_pinned_arm64_child_are_vil402(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    registry_module.push("laptop/trainer", "1.0.4", platforms=("linux/arm64",))
    multi = registry_module.push("laptop/multi", "3.0", platforms=("linux/amd64", "linux/arm64/v8"))
    arm_child = multi.children["linux/arm64/v8"]
    path = _config(tmp_path, f"{host}/laptop/trainer:1.0.4", f"{host}/laptop/multi:3.0@{arm_child}")
    code, out, _ = _lint(capsys, path, "--output-format", "json")
    assert code == 1
    first, second = json.loads(out)
    assert first["code"] == second["code"] == "VIL402"
    assert first["message"] == (
        f'image "{host}/laptop/trainer:1.0.4" has no linux/amd64 build, which Valohai\'s workers run; '
        "it has linux/arm64"
    )
    assert first["registry"]["platforms"] == ["linux/arm64"]
    assert second["message"] == (
        f'image "{host}/laptop/multi:3.0@{arm_child}" pins the linux/arm64/v8 image of the '
        f'multi-platform tag "3.0", which Valohai\'s workers (linux/amd64) cannot run; pin the index '
        f"digest {multi.digest} instead"
    )
    (edit,) = second["fix"]["edits"]
    assert (second["fix"]["applicability"], edit["replacement"]) == ("unsafe", multi.digest)
    # platforms = [...] in the config: an arm64 fleet takes the arm64-only image
    (tmp_path / "valohai-image-lint.toml").write_text('platforms = ["linux/arm64"]\n', encoding="utf-8")
    code, out, _ = _lint(capsys, path, base=("--online", "--select", "VIL4"))
    assert (code, out) == (0, "")


def test_a_tag_moved_after_pinning_is_vil403_with_a_safe_fix(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    old = registry_module.push("moved/app", "3.11.9", seed="first build")
    new = registry_module.push("moved/app", "3.11.9", seed="rebuilt")
    assert old.digest != new.digest
    path = _config(tmp_path, f"{host}/moved/app:3.11.9@{old.digest}")
    code, out, _ = _lint(capsys, path, "--output-format", "json")
    assert code == 1
    (found,) = json.loads(out)
    assert found["code"] == "VIL403"
    assert found["message"] == (
        f'image "{host}/moved/app:3.11.9@{old.digest}": tag "3.11.9" now points at {new.digest}, '
        f"not at the pinned {old.digest[:19]}…; pin the current digest"
    )
    (edit,) = found["fix"]["edits"]
    assert (found["fix"]["applicability"], edit["replacement"]) == ("safe", new.digest)
    text = path.read_text(encoding="utf-8")
    line = text.splitlines()[edit["line"] - 1]
    assert line[edit["column"] - 1 : edit["end_column"] - 1] == old.digest
    assert found["registry"]["digest"] == old.digest
    assert found["registry"]["tag_digest"] == new.digest


def test_a_short_version_is_judged_by_the_tag_list(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    registry_module.push("line/app", "1.3.0", seed="old")
    registry_module.push("line/app", "1.3.1")
    registry_module.push("line/app", "1.3")  # the same build as 1.3.1: the line is at 1.3.1
    registry_module.push("solo/app", "0.1")  # nothing under the line: one build
    path = _config(tmp_path, f"{host}/line/app:1.3", f"{host}/solo/app:0.1")
    code, out, _ = _lint(capsys, path, "--select", "VIL104")
    assert code == 1
    assert out == (
        f'valohai.yaml:3:12: VIL104 image "{host}/line/app:1.3" uses a floating tag ("1.3" is a version '
        f"line: {host}/line/app has 1.3.1 under it); pin 1.3.1, the release it points at now\n"
    )
    code, out, _ = _lint(capsys, path, "--select", "VIL104", "--output-format", "json")
    (found,) = json.loads(out)
    assert found["registry"]["status"] == "found"


def test_the_stage_measures_each_images_compressed_size_for_the_first_platform(
    registry_module: Registry, tmp_path: Path
) -> None:
    from valohai_image_lint.config.settings import RegistrySettings
    from valohai_image_lint.facts import LookupKey, Platform
    from valohai_image_lint.lookups import Lookups, Wanted

    host = registry_module.host
    single = registry_module.push("size/single", "1.0", layer_bytes=5000)
    multi = registry_module.push("size/multi", "1.0", platforms=("linux/arm64", "linux/amd64"))
    arm = registry_module.push("size/arm", "1.0", platforms=("linux/arm64",))
    amd64 = (Platform("linux", "amd64"),)
    wanted = {
        LookupKey(host, f"size/{name}", "1.0", None): Wanted(RegistrySettings(), amd64)
        for name in ("single", "multi", "arm")
    }
    lookups = Lookups(str(tmp_path / "cache"))
    facts = lookups.resolve(wanted)
    lookups.save()
    sizes = {key.repository: facts[key].platform_sizes for key in wanted}
    assert sizes == {
        "size/single": (("linux/amd64", single.size),),
        "size/multi": (("linux/amd64", multi.size),),
        "size/arm": (),  # no linux/amd64 image to measure
    }
    assert single.size > 5000 and arm.digest


# -- credentials -----------------------------------------------------------------------------------


def test_basic_auth_uses_the_docker_config_and_refusal_is_vil401(
    basic_registry_module: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = basic_registry_module.host
    basic_registry_module.push("private/app", "1.0.0")
    path = _config(tmp_path, f"{host}/private/app:1.0.0")
    code, out, _ = _lint(capsys, path)
    assert code == 1
    assert f'VIL401 image "{host}/private/app:1.0.0" could not be read: {host} refused access' in out
    assert f'registry credentials whose image pattern matches "{host}/private/app"' in out
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config(tmp_path, {host: ("testuser", "testpass")})))
    assert _lint(capsys, path) == (0, "", "")


def test_the_token_flow_tells_private_from_public_images(
    token_registry_module: tuple[Registry, TokenServer],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry, tokens = token_registry_module
    host = registry.host
    registry.push("public/app", "1.0.0")
    registry.push("team/secret", "2.0.0")
    path = _config(tmp_path, f"{host}/public/app:1.0.0", f"{host}/team/secret:2.0.0")
    code, out, _ = _lint(capsys, path)
    assert code == 1
    assert _codes(out) == ["VIL401"]
    assert f'"{host}/team/secret:2.0.0" could not be read' in out
    monkeypatch.setenv("DOCKER_CONFIG", str(docker_config(tmp_path, {host: ("testuser", "testpass")})))
    code, out, _ = _lint(capsys, path, "--no-cache", "--output-format", "sarif")
    assert code == 0
    images = json.loads(out)["runs"][0]["properties"]["images"]
    assert images[f"{host}/public/app:1.0.0"]["private"] is False
    assert images[f"{host}/team/secret:2.0.0"]["private"] is True
    assert ("testuser", "repository:team/secret:pull") in tokens.issued


def test_a_credential_helper_on_path_is_run(
    basic_registry_module: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = basic_registry_module.host
    basic_registry_module.push("helped/app", "1.0.0")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper = bin_dir / "docker-credential-vilTest"
    asked = tmp_path / "asked"
    helper.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"open({str(asked)!r}, 'a').write(sys.argv[1] + ' ' + sys.stdin.read() + '\\n')\n"
        "print(json.dumps({'ServerURL': 'x', 'Username': 'testuser', 'Secret': 'testpass'}))\n",
        encoding="utf-8",
    )
    helper.chmod(helper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    folder = docker_config(tmp_path, None, credHelpers={host: "vilTest"})
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    path = _config(tmp_path, f"{host}/helped/app:1.0.0")
    assert _lint(capsys, path) == (0, "", "")
    assert asked.read_text(encoding="utf-8").split() == ["get", host]


def test_no_output_format_stderr_or_cache_ever_holds_the_password(
    basic_registry_module: Registry,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    host = basic_registry_module.host
    basic_registry_module.push("sentinel/app", "1.0.0")
    folder = docker_config(tmp_path, {host: ("testuser", SENTINEL)})  # a wrong password: refused
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    cache = tmp_path / "cache"
    monkeypatch.setenv("VALOHAI_IMAGE_LINT_CACHE_DIR", str(cache))
    path = _config(tmp_path, f"{host}/sentinel/app:1.0.0", f"{host}/sentinel/app:2.0.0")
    encoded = base64.b64encode(f"testuser:{SENTINEL}".encode()).decode()
    for output_format in FORMAT_NAMES:
        code, out, err = _lint(capsys, path, "--output-format", output_format)
        assert code == 1, output_format
        for secret in (SENTINEL, encoded):
            assert secret not in out + err, output_format
    code, out, err = _lint(capsys, path, "--statistics")
    assert SENTINEL not in out + err
    stored = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert stored and SENTINEL.encode() not in stored and encoded.encode() not in stored


# -- a registry that misbehaves --------------------------------------------------------------------


@pytest.fixture
def proxied(registry_module: Registry) -> Iterator[FrontProxy]:
    proxy = FrontProxy(registry_module)
    try:
        yield proxy
    finally:
        proxy.stop()


def test_a_warm_cache_makes_no_request_and_offline_makes_none(
    registry_module: Registry,
    proxied: FrontProxy,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    registry_module.push("warm/app", "1.0.0")
    registry_module.push("warm/multi", "1.0.0", platforms=("linux/amd64", "linux/arm64"))
    path = _config(tmp_path, f"{proxied.host}/warm/app:1.0.0", f"{proxied.host}/warm/multi:1.0.0")
    assert _lint(capsys, path) == (0, "", "")
    cold = len(proxied.requests)
    assert cold > 0
    assert _lint(capsys, path) == (0, "", "")
    assert len(proxied.requests) == cold  # every fact from the cache
    assert _lint(capsys, path, base=("--isolated", "--select", "VIL4")) == (0, "", "")
    assert len(proxied.requests) == cold  # offline is the default
    assert _lint(capsys, path, "--no-cache") == (0, "", "")
    assert len(proxied.requests) == 2 * cold


def test_online_in_the_config_and_offline_on_the_command_line(
    registry_module: Registry, proxied: FrontProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _config(tmp_path, f"{proxied.host}/config/none:1.0.0")
    (tmp_path / "valohai-image-lint.toml").write_text("online = true\n", encoding="utf-8")
    code, out, _ = _lint(capsys, path, base=("--select", "VIL4"))
    assert (code, _codes(out)) == (1, ["VIL401"])
    before = len(proxied.requests)
    assert _lint(capsys, path, base=("--offline", "--select", "VIL4")) == (0, "", "")
    assert len(proxied.requests) == before


def test_a_stopped_registry_is_vil404_and_the_other_rules_still_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "gone").mkdir()
    stopped = start_registry(tmp_path / "gone")
    stopped.push("gone/app", "1.0.0")
    stopped.stop()
    path = _config(tmp_path, f"{stopped.host}/gone/app:latest")
    code, out, _ = _lint(capsys, path, "--select", "VIL103")
    assert code == 1
    assert _codes(out) == ["VIL103", "VIL404"]
    assert f'VIL404 image "{stopped.host}/gone/app:latest" could not be checked with {stopped.host}: ' in out
    assert "connect" in out


def test_a_slow_registry_times_out_as_configured(
    registry_module: Registry, proxied: FrontProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry_module.push("slow/app", "1.0.0")
    proxied.delay = 3.0
    path = _config(tmp_path, f"{proxied.host}/slow/app:1.0.0")
    (tmp_path / "valohai-image-lint.toml").write_text(
        "online = true\nread-timeout = 0.5\nconnect-timeout = 0.5\n", encoding="utf-8"
    )
    start = time.monotonic()
    code, out, _ = _lint(capsys, path, base=("--select", "VIL4", "--no-cache"))
    elapsed = time.monotonic() - start
    assert (code, _codes(out)) == (1, ["VIL404"])
    assert "timed out" in out
    assert elapsed < 2.9 * 3  # three tries, each cut at the read timeout, not the proxy's 3 s


def test_429_with_retry_after_is_retried(
    registry_module: Registry, proxied: FrontProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    registry_module.push("limited/app", "1.0.0")
    proxied.fail_next(1, 429, retry_after="1")
    path = _config(tmp_path, f"{proxied.host}/limited/app:1.0.0")
    start = time.monotonic()
    assert _lint(capsys, path) == (0, "", "")
    assert time.monotonic() - start >= 1.0  # Retry-After honoured
    heads = [entry for entry in proxied.requests if entry[0] == "HEAD"]
    assert len(heads) == 2  # the refused one, and the retry


def test_progress_shows_on_a_terminal_only_when_lookups_are_slow(
    registry_module: Registry, proxied: FrontProxy, tmp_path: Path
) -> None:
    import io

    from valohai_image_lint.cli import run

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    registry_module.push("progress/app", "1.0.0")
    path = _config(tmp_path, f"{proxied.host}/progress/app:1.0.0")
    proxied.delay = 0.6  # a HEAD, a GET and a blob: well over a second
    for err, shown in ((Terminal(), True), (io.StringIO(), False)):
        code = run([*ONLINE, "--no-cache", str(path)], io.StringIO(), err)
        assert code == 0
        assert ("checking images with their registries: 0/1" in err.getvalue()) is shown
    proxied.delay = 0.0
    err = Terminal()
    assert run([*ONLINE, "--no-cache", str(path)], io.StringIO(), err) == 0
    assert err.getvalue() == ""  # fast lookups: nothing to show


def test_an_offline_run_does_not_import_requests(tmp_path: Path) -> None:
    path = _config(tmp_path, "python:3.12.4")
    script = (
        "import sys\n"
        "from valohai_image_lint.cli import main\n"
        f"main([{str(path)!r}])\n"
        "print(sorted(m for m in ('requests', 'urllib3', 'valohai_image_lint.registry_client') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_result_cache_never_serves_online_findings(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    first = registry_module.push("fresh/app", "1.0", seed="one")
    path = _config(tmp_path, f"{host}/fresh/app:1.0@{first.digest}")
    (tmp_path / "valohai-image-lint.toml").write_text(
        'online = true\nselect = ["VIL4"]\nregistry-cache-ttl = 0\n', encoding="utf-8"
    )
    assert _lint(capsys, path, base=()) == (0, "", "")
    registry_module.push("fresh/app", "1.0", seed="two")  # the tag moves
    code, out, _ = _lint(capsys, path, base=())
    assert (code, _codes(out)) == (1, ["VIL403"])


def test_a_registry_stopped_mid_run_is_vil404(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    (tmp_path / "dying").mkdir()
    dying = start_registry(tmp_path / "dying")
    proxy = FrontProxy(dying)
    try:
        dying.push("dying/app", "1.0.0")
        path = _config(tmp_path, f"{proxy.host}/dying/app:1.0.0")
        proxy.delay = 0.5  # the lookup is under way when the registry stops
        threading.Timer(0.2, dying.stop).start()
        code, out, _ = _lint(capsys, path)
        assert (code, _codes(out)) == (1, ["VIL404"])
        assert f"could not be checked with {proxy.host}: " in out
    finally:
        proxy.stop()
        dying.stop()


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('online = "yes"', "\"online\" must be true or false, not 'yes'"),
        (
            "read-timeout = 0",
            '"read-timeout" must be a number of seconds, more than 0 and at most 600, not 0',
        ),
        ("connect-timeout = 601", '"connect-timeout" must be a number of seconds'),
        ("registry-workers = 65", '"registry-workers" must be an integer from 1 to 64, not 65'),
        ("registry-cache-ttl = -1", '"registry-cache-ttl" must be a number of seconds (0: ask every run)'),
        ('insecure-registries = ["reg istry:5000"]', '"reg istry:5000" is not a registry host'),
        ("platforms = []", '"platforms" is empty; name at least one platform, such as linux/amd64'),
        ('platforms = ["amd64"]', '"amd64" is not a platform such as linux/amd64'),
    ],
)
def test_online_settings_are_validated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setting: str, message: str
) -> None:
    path = _config(tmp_path, "python:3.12.4")
    (tmp_path / "valohai-image-lint.toml").write_text(setting + "\n", encoding="utf-8")
    code, out, err = _lint(capsys, path, base=())
    assert (code, out) == (2, "")
    assert message in err


def test_online_and_offline_together_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--online", "--offline", "valohai.yaml"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_tag_pushed_after_it_was_reported_missing_is_found_at_once(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    path = _config(tmp_path, f"{host}/late/app:1.0.0")
    code, out, _ = _lint(capsys, path)
    assert (code, _codes(out)) == (1, ["VIL401"])
    registry_module.push("late/app", "1.0.0")
    assert _lint(capsys, path) == (0, "", "")  # the facts cache keeps no missing image


def test_json_lines_carries_the_registry_facts_too(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    registry_module.push("lines/app", "1.0.0", platforms=("linux/arm64",))
    path = _config(tmp_path, f"{host}/lines/app:1.0.0")
    code, out, _ = _lint(capsys, path, "--output-format", "json-lines")
    (line,) = out.splitlines()
    assert (code, json.loads(line)["registry"]["platforms"]) == (1, ["linux/arm64"])


def test_online_fix_pins_the_current_digests(
    registry_module: Registry, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    host = registry_module.host
    latest = registry_module.push("pin/app", "latest")
    multi = registry_module.push("pin/multi", "1.3", platforms=("linux/amd64", "linux/arm64"))
    registry_module.push("pin/multi", "1.3.2", platforms=("linux/amd64", "linux/arm64"))
    path = _config(tmp_path, f"{host}/pin/app:latest", f"{host}/pin/app", f"{host}/pin/multi:1.3")
    before = path.read_text(encoding="utf-8")
    online = ("--online", "--isolated", "--select", "VIL102,VIL103,VIL104")
    code, out, _ = _lint(capsys, path, "--output-format", "json", base=online)
    found = {d["code"]: d for d in json.loads(out)}
    assert found["VIL104"]["fix"]["title"] == f"Pin the current digest {multi.digest[:19]}…"
    (release,) = found["VIL104"]["other_fixes"]
    assert (release["title"], release["edits"][0]["replacement"]) == ('Name the release "1.3.2"', "1.3.2")
    code, out, err = _lint(capsys, path, "--fix", base=online)
    assert (code, err.splitlines()[-1]) == (
        1,
        "Fixed 0 problems (3 remaining).",
    )  # unsafe: not without asking
    code, out, err = _lint(capsys, path, "--fix", "--unsafe-fixes", base=online)
    assert (code, out, err) == (0, "", "Fixed 3 problems (0 remaining).\n")
    assert path.read_text(encoding="utf-8") == (
        before.replace(f"{host}/pin/app:latest\n", f"{host}/pin/app:latest@{latest.digest}\n")
        .replace(f"{host}/pin/app\n", f"{host}/pin/app@{latest.digest}\n")
        .replace(f"{host}/pin/multi:1.3\n", f"{host}/pin/multi:1.3@{multi.digest}\n")
    )
    assert multi.digest not in multi.children.values()  # the index, not a platform's image


def test_a_warm_run_imports_no_http(registry_module: Registry, tmp_path: Path) -> None:
    host = registry_module.host
    multi = registry_module.push("import/multi", "1.0", platforms=("linux/amd64", "linux/arm64"))
    path = _config(tmp_path, f"{host}/import/multi:1.0", f"{host}/import/multi@{multi.digest}")
    env = {**os.environ, "VALOHAI_IMAGE_LINT_CACHE_DIR": str(tmp_path / "cache")}
    script = (
        "import sys\n"
        "from valohai_image_lint.cli import main\n"
        f"code = main(['--online', '--isolated', '--select', 'VIL4', {str(path)!r}])\n"
        "loaded = ('requests', 'urllib3', 'valohai_image_lint.registry_client', 'concurrent.futures')\n"
        "print(code, sorted(m for m in loaded if m in sys.modules))\n"
    )

    def run() -> str:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
        )
        return done.stdout.strip().splitlines()[-1]

    cold = run()
    assert cold.startswith("0 [") and "requests" in cold
    assert run() == "0 []"  # every fact from the cache: nothing of HTTP imported


def test_facts_answered_from_the_cache_alone_do_not_say_private(
    registry_module: Registry, tmp_path: Path
) -> None:
    """Whether anonymous access was refused is known only from a request: a digest answered
    from the facts cache says "unknown" (None), not "public", so VIL202 does not flip."""
    from valohai_image_lint.config.settings import RegistrySettings
    from valohai_image_lint.facts import LookupKey, Platform
    from valohai_image_lint.lookups import Lookups, Wanted

    pushed = registry_module.push("cached/app", "1.0")
    key = LookupKey(registry_module.host, "cached/app", None, pushed.digest)
    wanted = {key: Wanted(RegistrySettings(), (Platform("linux", "amd64"),))}
    cold = Lookups(str(tmp_path / "cache"))
    assert cold.resolve(wanted)[key].private is False  # asked anonymously, and answered
    cold.save()
    assert Lookups(str(tmp_path / "cache")).resolve(wanted)[key].private is None


def test_a_fact_older_than_the_ttl_is_asked_again_by_a_long_lived_workspace(
    registry_module: Registry, tmp_path: Path
) -> None:
    from valohai_image_lint.config.settings import RegistrySettings
    from valohai_image_lint.facts import LookupKey, Platform
    from valohai_image_lint.lookups import Lookups, Wanted

    first = registry_module.push("ttl/app", "1.0", seed="one")
    key = LookupKey(registry_module.host, "ttl/app", "1.0", None)
    amd64 = (Platform("linux", "amd64"),)
    lookups = Lookups(None)  # no cache on disk: what it knows is in memory
    assert lookups.resolve({key: Wanted(RegistrySettings(), amd64)})[key].tag_digest == first.digest
    second = registry_module.push("ttl/app", "1.0", seed="two")
    kept = Wanted(RegistrySettings(cache_ttl=3600.0), amd64)
    assert lookups.resolve({key: kept})[key].tag_digest == first.digest  # fresh enough
    expired = Wanted(RegistrySettings(cache_ttl=0.0), amd64)
    assert lookups.resolve({key: expired})[key].tag_digest == second.digest
