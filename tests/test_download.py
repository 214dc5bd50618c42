"""analysis.data.download against a real HTTP server on 127.0.0.1 the tests control."""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from analysis.data import download, hub, sources, staging
from analysis.data.download import (
    OfflineError,
    configure_parser,
    ensure,
    fetch,
    pinned_paths,
    run_cli,
    sha256_of,
    stray_files,
    verified_tasks_jsonl,
)
from analysis.data.sources import Source, SourceFile
from analysis.errors import DownloadError
from analysis.paths import PROJECT_ROOT

GOOD_BODY = b'{"resolved": ["a", "b"]}\n' * 50
OLD_BODY = b"previous good copy\n"
TIMEOUT = 0.3


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Server:
    """A local HTTP server; ``routes`` maps a path to a function writing the response."""

    base: str
    routes: dict[str, Callable[[http.server.BaseHTTPRequestHandler], None]]
    hits: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path


def _send(handler: http.server.BaseHTTPRequestHandler, body: bytes, length: int | None = None):
    handler.send_response(200)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()


@pytest.fixture
def server() -> Iterator[Server]:
    routes: dict[str, Callable] = {}
    hits: dict[str, int] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits[self.path] = hits.get(self.path, 0) + 1
            route = routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
                return
            # the client may give up first (the timeout tests): no traceback on stderr
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                route(self)

        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False  # slow handlers must not hold up teardown
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", routes, hits)
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Isolated cache and no mirror from the environment; no proxy for 127.0.0.1."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("SWEAUDIT_CACHE", str(directory))
    monkeypatch.delenv("SWEAUDIT_MIRROR", raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return directory


def _source(
    url: str, sha256: str = _sha(GOOD_BODY), path: str = "demo.json", name: str = "demo", **hub
) -> Source:
    """A one-file source; ``hub`` takes the ``hf_*`` fields."""
    return Source(
        name=name,
        description="test source",
        licence="MIT",
        repo="example/demo",
        commit="0" * 40,
        files=(SourceFile(path=path, url=url, sha256=sha256),),
        **hub,
    )


def _leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.name.endswith(".part")]


def _fetch_one(source: Source, **options) -> download.FetchResult:
    options = {"progress": False, "timeout": TIMEOUT, "backoff": 0.0, **options}
    (result,) = fetch([source], **options)
    return result


def test_success_writes_verified_file(server: Server, cache: Path) -> None:
    server.routes["/good"] = lambda h: _send(h, GOOD_BODY)
    result = _fetch_one(_source(server.url("/good")))
    assert result.ok and result.origin == "upstream"
    assert (cache / "demo.json").read_bytes() == GOOD_BODY
    assert _leftovers(cache) == []


def test_ensure_returns_cached_file_without_network(server: Server, cache: Path) -> None:
    server.routes["/good"] = lambda h: _send(h, GOOD_BODY)
    source = _source(server.url("/good"))
    first = ensure(source)
    second = ensure(source)
    assert first == second == cache / "demo.json"
    assert server.hits["/good"] == 1


def test_ensure_multi_file_source_returns_folder(server: Server, cache: Path) -> None:
    bodies = {"/a": b"first\n", "/b": b"second\n"}
    for route, body in bodies.items():
        server.routes[route] = lambda h, body=body: _send(h, body)
    files = tuple(
        SourceFile(f"runs/{route[1:]}.txt", server.url(route), _sha(body))
        for route, body in bodies.items()
    )
    source = Source("runs", "two files", "MIT", "example/runs", "0" * 40, files)
    assert ensure(source) == cache / "runs"
    assert sorted(p.name for p in (cache / "runs").iterdir()) == ["a.txt", "b.txt"]


def test_http_404_names_url_and_status(server: Server) -> None:
    url = server.url("/nowhere")
    with pytest.raises(DownloadError) as caught:
        ensure(_source(url))
    assert caught.value.where == url
    assert "404" in caught.value.problem
    assert server.hits["/nowhere"] == 1  # client errors are not retried


@pytest.mark.parametrize("stall", ["before_headers", "mid_body"])
def test_timeout_is_reported(server: Server, cache: Path, stall: str) -> None:
    def slow(handler: http.server.BaseHTTPRequestHandler) -> None:
        if stall == "before_headers":
            time.sleep(TIMEOUT * 4)
            _send(handler, GOOD_BODY)
        else:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(GOOD_BODY)))
            handler.end_headers()
            handler.wfile.write(GOOD_BODY[:10])
            handler.wfile.flush()
            time.sleep(TIMEOUT * 4)

    server.routes["/slow"] = slow
    result = _fetch_one(_source(server.url("/slow")), retries=2)
    assert not result.ok
    assert result.error.where == server.url("/slow")
    assert "timed out" in result.error.problem
    assert server.hits["/slow"] == 2
    assert not (cache / "demo.json").exists()
    assert _leftovers(cache) == []


def test_truncated_body_is_reported(server: Server, cache: Path) -> None:
    server.routes["/short"] = lambda h: _send(h, GOOD_BODY, length=len(GOOD_BODY) + 100)
    result = _fetch_one(_source(server.url("/short")), retries=1)
    assert not result.ok
    assert f"got {len(GOOD_BODY)} of {len(GOOD_BODY) + 100} bytes" in result.error.problem
    assert not (cache / "demo.json").exists()
    assert _leftovers(cache) == []


def test_sha_mismatch_names_both_digests(server: Server, cache: Path) -> None:
    server.routes["/tampered"] = lambda h: _send(h, b"not what was pinned\n")
    result = _fetch_one(_source(server.url("/tampered")))
    assert not result.ok
    assert _sha(GOOD_BODY) in result.error.problem
    assert _sha(b"not what was pinned\n") in result.error.problem
    assert not (cache / "demo.json").exists()


def _flaky(failures: int) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    calls = {"n": 0}

    def handler(h: http.server.BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        if calls["n"] <= failures:
            h.send_error(500, "Internal Server Error")
        else:
            _send(h, GOOD_BODY)

    return handler


def test_retries_recover_from_transient_500(server: Server, cache: Path) -> None:
    server.routes["/flaky"] = _flaky(failures=2)
    result = _fetch_one(_source(server.url("/flaky")), retries=3)
    assert result.ok
    assert server.hits["/flaky"] == 3
    assert (cache / "demo.json").read_bytes() == GOOD_BODY


def test_connection_closed_without_response_is_retried(server: Server, cache: Path) -> None:
    calls = {"n": 0}

    def hang_up_once(handler: http.server.BaseHTTPRequestHandler) -> None:
        calls["n"] += 1
        if calls["n"] <= 2:
            handler.close_connection = True  # no status line at all
        else:
            _send(handler, GOOD_BODY)

    server.routes["/hangup"] = hang_up_once
    assert _fetch_one(_source(server.url("/hangup")), retries=1).error.problem.startswith(
        "no valid response"
    )
    assert _fetch_one(_source(server.url("/hangup")), retries=2).ok  # hang-up, then success
    assert server.hits["/hangup"] == 3
    assert (cache / "demo.json").read_bytes() == GOOD_BODY


def test_retries_exhausted_reports_last_status(server: Server) -> None:
    server.routes["/flaky"] = _flaky(failures=5)
    result = _fetch_one(_source(server.url("/flaky")), retries=2)
    assert not result.ok and "HTTP 500" in result.error.problem
    assert server.hits["/flaky"] == 2


@pytest.mark.parametrize("route", ["/missing", "/short", "/tampered"])
def test_failed_refetch_keeps_good_cached_file(server: Server, cache: Path, route: str) -> None:
    server.routes["/short"] = lambda h: _send(h, GOOD_BODY, length=len(GOOD_BODY) + 5)
    server.routes["/tampered"] = lambda h: _send(h, b"tampered")
    cache.mkdir(parents=True)
    cached = cache / "demo.json"
    cached.write_bytes(OLD_BODY)
    before = cached.stat().st_mtime_ns
    result = _fetch_one(_source(server.url(route), sha256=_sha(OLD_BODY)), force=True, retries=1)
    assert not result.ok
    assert cached.read_bytes() == OLD_BODY
    assert cached.stat().st_mtime_ns == before
    assert _leftovers(cache) == []


def test_force_refetches_and_replaces(server: Server, cache: Path) -> None:
    server.routes["/good"] = lambda h: _send(h, GOOD_BODY)
    source = _source(server.url("/good"))
    assert _fetch_one(source).origin == "upstream"
    assert _fetch_one(source).origin == "cache"
    assert server.hits["/good"] == 1
    forced = _fetch_one(source, force=True)
    assert forced.ok and forced.origin == "upstream"
    assert server.hits["/good"] == 2


def test_corrupt_cached_file_is_refetched(server: Server, cache: Path) -> None:
    server.routes["/good"] = lambda h: _send(h, GOOD_BODY)
    cache.mkdir(parents=True)
    (cache / "demo.json").write_bytes(b"corrupted")
    assert ensure(_source(server.url("/good"))).read_bytes() == GOOD_BODY


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/file.json"


def test_offline_without_mirror_gives_one_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _closed_port_url()
    with pytest.raises(OfflineError) as caught:
        ensure(_source(url))
    message = str(caught.value)
    assert url in message and "SWEAUDIT_MIRROR" in message and "--mirror" in message

    # Through the CLI, several unreachable sources still give the advice once.
    registry = {
        name: _source(url, "0" * 64, path=f"{name}.json", name=name) for name in ("first", "second")
    }
    monkeypatch.setattr(download, "registry", lambda: registry)
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    assert run_cli(parser.parse_args(["--quiet"])) == 1
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count("SWEAUDIT_MIRROR") == 1


def test_mirror_copy_verified(tmp_path: Path, cache: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "demo.json").write_bytes(GOOD_BODY)
    result = _fetch_one(_source(_closed_port_url()), mirror=mirror)
    assert result.ok and result.origin == "mirror"
    assert (cache / "demo.json").read_bytes() == GOOD_BODY


def test_mirror_from_environment(tmp_path: Path, cache: Path, monkeypatch) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "demo.json").write_bytes(GOOD_BODY)
    monkeypatch.setenv("SWEAUDIT_MIRROR", str(mirror))
    assert ensure(_source(_closed_port_url())).read_bytes() == GOOD_BODY


def test_corrupt_mirror_file_keeps_good_cache(tmp_path: Path, cache: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "demo.json").write_bytes(b"bit rot")
    cache.mkdir(parents=True)
    (cache / "demo.json").write_bytes(GOOD_BODY)
    result = _fetch_one(_source(_closed_port_url()), mirror=mirror, force=True)
    assert not result.ok
    assert result.error.where == str(mirror / "demo.json")
    assert "sha256 mismatch" in result.error.problem
    assert (cache / "demo.json").read_bytes() == GOOD_BODY
    assert _leftovers(cache) == []


def test_missing_mirror_file_and_missing_mirror_dir(tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    result = _fetch_one(_source(_closed_port_url()), mirror=mirror)
    assert not result.ok and "missing from the mirror" in result.error.problem
    with pytest.raises(DownloadError, match="mirror directory does not exist"):
        fetch([_source(_closed_port_url())], mirror=tmp_path / "absent", progress=False)


def test_cli_prints_one_line_per_source(server: Server, monkeypatch, capsys) -> None:
    server.routes["/good"] = lambda h: _send(h, GOOD_BODY)
    registry = {
        "alpha": _source(server.url("/good"), path="alpha.json", name="alpha"),
        "beta": _source(server.url("/gone"), path="beta.json", name="beta"),
    }
    monkeypatch.setattr(download, "registry", lambda: registry)
    parser = argparse.ArgumentParser()
    configure_parser(parser)
    assert run_cli(parser.parse_args(["--quiet", "--only", "alpha"])) == 0
    assert run_cli(parser.parse_args(["--only", "alpha", "--only", "beta"])) == 1
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("alpha") and line.endswith("ok") for line in lines)
    assert any(line.startswith("beta") and "FAILED" in line and "404" in line for line in lines)


def test_sha256_of_known_vector(tmp_path: Path) -> None:
    path = tmp_path / "abc"
    path.write_bytes(b"abc")
    # FIPS 180-2 appendix B.1 test vector.
    expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert sha256_of(path) == expected


# --- verified_tasks rebuilt from the hub --------------------------------------------------


def _rows(ids: list[str]) -> list[dict[str, str]]:
    return [
        {column: f"{column}-{i}" for column in sources.VERIFIED_COLUMNS} | {"instance_id": i}
        for i in ids
    ]


def test_verified_jsonl_sorted_and_in_mirror_format() -> None:
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset.from_list(_rows(["b__b-2", "a__a-1", "c__c-3"]))
    payload = verified_tasks_jsonl(dataset, expected_rows=3)
    lines = payload.decode("utf-8").splitlines()
    assert [json.loads(line)["instance_id"] for line in lines] == ["a__a-1", "b__b-2", "c__c-3"]
    assert list(json.loads(lines[0])) == list(sources.VERIFIED_COLUMNS)
    assert all(json.dumps(json.loads(line)) == line for line in lines)
    assert payload.endswith(b"\n")


@pytest.mark.parametrize(
    ("rows", "expected_rows", "problem"),
    [
        (_rows(["a", "b"]), 3, "expected 3 rows, got 2"),
        (_rows(["a", "a", "b"]), 3, "duplicate instance_id"),
        (
            [{k: v for k, v in r.items() if k != "difficulty"} for r in _rows(["a", "b"])],
            2,
            "missing ['difficulty']",
        ),
    ],
)
def test_verified_jsonl_rejects_bad_tables(rows, expected_rows: int, problem: str) -> None:
    datasets = pytest.importorskip("datasets")
    with pytest.raises(DownloadError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        verified_tasks_jsonl(datasets.Dataset.from_list(rows), expected_rows=expected_rows)


def _hub_source(revision: str = "1" * 40) -> Source:
    return _source(
        "https://example.invalid/tree",
        "f" * 64,
        path="verified.jsonl",
        name="verified_tasks",
        hf_dataset="org/data",
        hf_revision=revision,
        hf_split="test",
    )


def test_hub_rebuild_records_differing_sha(cache: Path, monkeypatch) -> None:
    datasets = pytest.importorskip("datasets")
    dataset = datasets.Dataset.from_list(_rows(["b", "a"]))
    monkeypatch.setattr(hub, "hub_loader", lambda source: dataset)
    monkeypatch.setattr(hub, "VERIFIED_ROWS", 2)
    source = _hub_source()
    result = _fetch_one(source)
    assert result.ok and result.origin == "huggingface"
    assert result.notes and "differs" in result.notes[0]
    record = json.loads((cache / "verified.jsonl.origin.json").read_text())
    assert record["sha256"] == sha256_of(cache / "verified.jsonl") != "f" * 64
    # The rebuilt file is accepted as cached for this revision, not for another.
    assert _fetch_one(source).origin == "cache"
    other_revision = _hub_source("2" * 40)
    assert _fetch_one(other_revision).origin == "huggingface"


def test_hub_unreachable_is_offline(monkeypatch) -> None:
    def unreachable(source: Source) -> None:
        raise ConnectionError("no route to huggingface.co")

    monkeypatch.setattr(hub, "hub_loader", unreachable)
    source = _hub_source()
    with pytest.raises(OfflineError, match="SWEAUDIT_MIRROR"):
        ensure(source)


def test_hub_conversion_reproduces_mirror_bytes(mirror: Path) -> None:
    """Rows identical to the mirror's, in hub order, serialise to the mirror's exact bytes."""
    datasets = pytest.importorskip("datasets")
    source = download.registry()["verified_tasks"]
    text = (mirror / source.files[0].path).read_text(encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines()]
    shuffled = datasets.Dataset.from_list(rows[::-1])  # input order must not matter
    payload = verified_tasks_jsonl(shuffled)
    assert hashlib.sha256(payload).hexdigest() == source.files[0].sha256


# --- pinning: only registry files are data --------------------------------------------------


def _tree_source(server: Server) -> Source:
    bodies = {"/a": b"first\n", "/b": b"second\n"}
    for route, body in bodies.items():
        server.routes[route] = lambda h, body=body: _send(h, body)
    files = tuple(
        SourceFile(f"tree/sub/{route[1:]}.json", server.url(route), _sha(body), len(body))
        for route, body in bodies.items()
    )
    return Source("tree", "two files", "MIT", "example/tree", "0" * 40, files)


def test_pinned_paths_and_strays(server: Server, cache: Path) -> None:
    source = _tree_source(server)
    assert pinned_paths(source) == [cache / "tree/sub/a.json", cache / "tree/sub/b.json"]
    assert stray_files(source) == []
    (cache / "tree/sub/extra.json").write_text("{}")
    (cache / "tree/other").mkdir()
    (cache / "tree/other/x.json").write_text("{}")
    (cache / "tree/link.json").symlink_to(cache / "tree/sub/a.json")
    (cache / "tree/sub/.a.json.999999999.abcd1234.part").write_text("in progress")
    expected = [
        cache / "tree/link.json",
        cache / "tree/other/x.json",
        cache / "tree/sub/extra.json",
    ]
    assert stray_files(source) == expected
    # A stray does not make the source "missing", and is never among the pinned paths.
    assert ensure(source) == cache / "tree"
    assert server.hits == {"/a": 1, "/b": 1}
    assert stray_files(_source(server.url("/good"))) == []  # single files share the cache root


def test_fetch_notes_strays_and_force_removes_them(server: Server, cache: Path) -> None:
    source = _tree_source(server)
    ensure(source)
    (cache / "tree/other").mkdir()
    (cache / "tree/other/x.json").write_text("{}")
    noted = _fetch_one(source)
    assert noted.ok and "1 unpinned file" in noted.notes[0] and "other/x.json" in noted.notes[0]
    assert (cache / "tree/other/x.json").exists()
    forced = _fetch_one(source, force=True)
    assert forced.ok and forced.notes[0].startswith("removed 1 unpinned file")
    assert not (cache / "tree/other").exists()  # emptied folders go too
    assert sorted(p.name for p in (cache / "tree/sub").iterdir()) == ["a.json", "b.json"]


def test_stale_part_files_are_swept_live_ones_kept(server: Server, cache: Path) -> None:
    server.routes["/good"] = lambda h: _send(h, GOOD_BODY)
    cache.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    orphan = cache / f".demo.json.{dead}.k2j3h4g5.part"
    live = cache / f".demo.json.{os.getpid()}.a1b2c3d4.part"
    old_style = cache / ".demo.json.zz9yy8xx.part"
    for path in (orphan, live, old_style):
        path.write_bytes(b"half a file")
    unrelated = cache / "notes.part"
    unrelated.write_text("not ours")
    _fetch_one(_source(server.url("/good")))
    assert not orphan.exists()  # its process is gone
    assert live.exists() and old_style.exists()  # a live download; too recent to judge
    assert unrelated.exists()
    an_hour_ago = time.time() - download.STALE_PART_SECONDS - 1
    os.utime(old_style, (an_hour_ago, an_hour_ago))
    assert download.sweep_stale_parts([cache]) == [old_style]


# --- bounds on a download -------------------------------------------------------------------


def test_body_beyond_pinned_size_is_cut_off_and_never_written(server: Server, cache: Path) -> None:
    written: list[int] = []
    real = staging.write_chunk

    def counting(handle, chunk: bytes) -> None:
        written.append(len(chunk))
        real(handle, chunk)

    def endless(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.end_headers()
        try:
            for _ in range(200):
                handler.wfile.write(b"y" * 65536)
        except OSError:
            pass

    server.routes["/big"] = endless
    source = _source(server.url("/big"))
    source = Source(**{**source.__dict__, "files": (SourceFile("demo.json", server.url("/big"),
                    _sha(GOOD_BODY), len(GOOD_BODY)),)})  # fmt: skip
    staging.write_chunk = counting
    try:
        result = _fetch_one(source, retries=1)
    finally:
        staging.write_chunk = real
    assert not result.ok and "grew past the pinned size" in result.error.problem
    assert sum(written) <= len(GOOD_BODY)
    assert not (cache / "demo.json").exists() and _leftovers(cache) == []


def test_overall_deadline_bounds_a_slow_drip(server: Server, cache: Path) -> None:
    def drip(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(GOOD_BODY)))
        handler.end_headers()
        for byte in GOOD_BODY:
            time.sleep(0.05)  # every read gets data well within the per-read timeout
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:
                return

    server.routes["/drip"] = drip
    started = time.monotonic()
    result = _fetch_one(_source(server.url("/drip")), timeout=1, deadline=0.6, retries=3)
    elapsed = time.monotonic() - started
    assert not result.ok and "overall limit of 0.6 s" in result.error.problem
    assert elapsed < 2.0  # not retried past the deadline, not len(body) * 0.05 s
    assert _leftovers(cache) == []


# --- the registry is parsed lazily ------------------------------------------------------------


def test_broken_registry_is_one_line_and_other_commands_still_run(tmp_path: Path) -> None:
    broken = tmp_path / "sources.toml"
    broken.write_text("[sources.x\n", encoding="utf-8")
    env = {**os.environ, "SWEAUDIT_SOURCES": str(broken), "PYTHONPATH": str(PROJECT_ROOT)}
    run = [sys.executable, "-m", "analysis"]
    fetching = subprocess.run([*run, "fetch"], capture_output=True, text=True, env=env)
    assert fetching.returncode == 1
    (line,) = fetching.stderr.strip().splitlines()
    assert line.startswith(f"error: {broken}: not valid TOML: Expected ']'")
    assert line.endswith("; fix the file or restore it with git")
    helping = subprocess.run([*run, "claims", "--help"], capture_output=True, text=True, env=env)
    assert helping.returncode == 0 and "usage:" in helping.stdout


def test_tree_paths_with_colon_at_and_space_round_trip_over_http(
    server: Server, cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Manifest paths are percent-encoded in URLs and decoded back by the server."""
    from urllib.parse import unquote

    from analysis.data import sources

    bodies = {"results/core:0.1/a b/run.json": b"one\n", "results/core@0.1/run.json": b"two\n"}
    commit = "c" * 40
    for path, body in bodies.items():
        server.routes[f"/o/r/{commit}/{path}"] = lambda h, body=body: _send(h, body)

    def serve_decoded(handler: http.server.BaseHTTPRequestHandler) -> None:
        route = server.routes.get(unquote(handler.path))
        if route is None or handler.path == unquote(handler.path):
            handler.send_error(404)  # the client must have sent the encoded form
        else:
            route(handler)

    manifest = tmp_path / "tree.sha256"
    manifest.write_text("".join(f"{_sha(b)}  {len(b)}  {p}\n" for p, b in bodies.items()))
    registry_file = tmp_path / "sources.toml"
    registry_file.write_text(
        f'[sources.tree]\ndescription = "d"\nlicence = "l"\nrepo = "o/r"\ncommit = "{commit}"\n'
        'folder = "tree"\nmanifest = "tree.sha256"\n'
    )
    monkeypatch.setattr(sources, "RAW_URL", server.base + "/{repo}/{commit}/{path}")
    source = sources.load_registry(registry_file)["tree"]
    for item in source.files:
        server.routes[item.url.removeprefix(server.base)] = serve_decoded
    assert [f.url.removeprefix(server.base) for f in source.files] == [
        f"/o/r/{commit}/results/core%3A0.1/a%20b/run.json",
        f"/o/r/{commit}/results/core%400.1/run.json",
    ]
    assert pinned_paths(source) == [cache / "tree" / path for path in bodies]
    assert [p.read_bytes() for p in pinned_paths(source)] == list(bodies.values())


@pytest.mark.parametrize("name", ["openhands_index", "terminal_bench"])
def test_new_trees_fetch_from_the_mirror(mirror: Path, cache: Path, name: str) -> None:
    result = _fetch_one(download.registry()[name], mirror=mirror)
    assert result.ok and result.origin == "mirror"
    paths = pinned_paths(name)
    assert len(paths) == len(download.registry()[name].files) and all(p.is_file() for p in paths)
    assert stray_files(name) == []
