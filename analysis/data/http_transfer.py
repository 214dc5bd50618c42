"""Download one pinned file over HTTP(S), bounded in time and size.

Each read waits at most ``timeout`` seconds and the whole file (all attempts) at most
``deadline`` seconds; a body that grows past the registry's size is aborted before the excess
is written; redirects go to http(s) only; transient failures (timeouts, HTTP 5xx/429,
truncated bodies, hang-ups) are retried with exponential backoff. The bytes go through
:mod:`analysis.data.staging`, so nothing unverified reaches the cache.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.data import staging
from analysis.data.sources import SourceFile
from analysis.data.staging import CHUNK_SIZE, check_sha256, commit_part, progress_bar, staging_file
from analysis.errors import DownloadError

USER_AGENT = "swe-audit (+https://github.com/; reproducible benchmark audit)"

#: Default per-read timeout and overall time limit per file, in seconds.
DEFAULT_TIMEOUT = 30.0
DEFAULT_DEADLINE = 300.0

OFFLINE_ADVICE = (
    "no network and no mirror configured. Either point at a local copy of the upstream "
    "files (set SWEAUDIT_MIRROR=DIR, or run `python -m analysis fetch --mirror DIR`), "
    "or connect to the internet and run the command again."
)
MIRROR_INSTEAD = "use a local copy of the upstream files (--mirror DIR)"
RETRY_ADVICE = f"retry later, or {MIRROR_INSTEAD}"


class OfflineError(DownloadError):
    """Upstream is unreachable and no mirror is configured: one message says what to do."""


@dataclass(frozen=True)
class TransferOptions:
    """Per-read ``timeout``, overall ``deadline`` (seconds), attempts, backoff, progress bar."""

    timeout: float
    deadline: float
    retries: int
    backoff: float
    progress: bool


class _Transient(Exception):
    """A failure worth retrying; carries the DownloadError to raise if retries run out."""

    def __init__(self, error: DownloadError) -> None:
        super().__init__(str(error))
        self.error = error


def download_file(item: SourceFile, destination: Path, options: TransferOptions) -> None:
    """Download ``item.url`` to ``destination`` with retries, all within ``options.deadline``."""
    deadline = time.monotonic() + options.deadline
    last: _Transient | None = None
    for attempt in range(options.retries):
        if attempt:
            pause = options.backoff * 2 ** (attempt - 1)
            if time.monotonic() + pause >= deadline:
                break
            time.sleep(pause)
        try:
            _download_once(item, destination, options, deadline)
            return
        except _Transient as transient:
            last = transient
    assert last is not None
    error = last.error
    raise DownloadError(error.where, f"{error.problem}; {RETRY_ADVICE}")


def _over_time(
    url: str, options: TransferOptions, received: int, size: int | None
) -> DownloadError:
    of = f" of {size}" if size is not None else ""
    return DownloadError(
        url,
        f"took longer than the overall limit of {options.deadline:g} s (got {received}{of}"
        f" bytes); the server is too slow: {RETRY_ADVICE}, or raise --deadline",
    )


def _remaining(
    url: str, deadline: float, options: TransferOptions, received: int, size: int | None
):
    """Seconds the next read may wait: the per-read timeout, cut short by the deadline."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _over_time(url, options, received, size)
    return min(options.timeout, left)


def _socket_of(response: Any) -> socket.socket | None:
    # http.client keeps the socket behind its buffered reader; setting its timeout before
    # each read is how a read is bounded by the overall deadline, not just by `timeout`.
    raw = getattr(getattr(response, "fp", None), "raw", None)
    sock = getattr(raw, "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) URLs only (urllib would also follow one to ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ("http", "https"):
            raise urllib.error.HTTPError(
                newurl, code, f"redirect to a non-HTTP URL refused: {newurl}", headers, fp
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_HttpOnlyRedirects)


def _download_once(
    item: SourceFile, destination: Path, options: TransferOptions, deadline: float
) -> None:
    url = item.url
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    wait = _remaining(url, deadline, options, 0, item.size)
    try:
        response = _OPENER.open(request, timeout=wait)
    except urllib.error.HTTPError as error:
        problem = f"HTTP {error.code} {error.reason}"
        error.close()
        if error.code >= 500 or error.code == 429:
            raise _Transient(DownloadError(url, problem)) from None
        raise DownloadError(
            url,
            f"{problem}; the pinned URL does not serve the file: check data/sources.toml, "
            "or use a local copy of the upstream files (--mirror DIR)",
        ) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError | socket.timeout):
            raise _Transient(_timeout_error(url, options.timeout)) from None
        # Refused connection, unknown host, no route: nothing upstream is reachable.
        raise OfflineError(url, f"cannot connect ({error.reason}); {OFFLINE_ADVICE}") from None
    except TimeoutError:
        raise _Transient(_timeout_error(url, options.timeout)) from None
    except (http.client.HTTPException, ConnectionError) as error:
        # Raised by getresponse() unwrapped, e.g. the server closed without answering.
        problem = f"no valid response ({type(error).__name__}: {error})"
        raise _Transient(DownloadError(url, problem)) from None
    with response:
        final = response.geturl()
        via = f" (redirected to {final})" if final != url else ""
        announced = response.headers.get("Content-Length")
        expected_size = int(announced) if announced and announced.isdigit() else None
        if item.size is not None and expected_size is not None and expected_size > item.size:
            raise DownloadError(
                url,
                f"the server announces {expected_size} bytes{via}, the pinned file has "
                f"{item.size}: refused before downloading; upstream changed or the URL is wrong:"
                f" check it, or {MIRROR_INSTEAD}",
            )
        sock = _socket_of(response)
        digest = hashlib.sha256()
        received = 0
        with (
            staging_file(destination) as (handle, temporary),
            progress_bar(destination.name, expected_size or item.size, options.progress) as bar,
        ):
            try:
                while True:
                    wait = _remaining(url, deadline, options, received, item.size)
                    if sock is not None:
                        sock.settimeout(wait)
                    chunk = response.read1(CHUNK_SIZE)
                    if not chunk:
                        break
                    if item.size is not None and received + len(chunk) > item.size:
                        raise DownloadError(
                            url,
                            f"the body grew past the pinned size of {item.size} bytes{via}: "
                            "aborted without writing the excess; upstream changed or the "
                            f"server is misbehaving: check the URL, or {MIRROR_INSTEAD}",
                        )
                    digest.update(chunk)
                    staging.write_chunk(handle, chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except TimeoutError:
                if time.monotonic() >= deadline:
                    raise _over_time(url, options, received, item.size) from None
                raise _Transient(_timeout_error(url, options.timeout)) from None
            except (http.client.IncompleteRead, ConnectionError) as error:
                problem = f"connection lost after {received} bytes ({type(error).__name__})"
                raise _Transient(DownloadError(url, problem)) from None
            if expected_size is not None and received != expected_size:
                problem = f"truncated: got {received} of {expected_size} bytes"
                raise _Transient(DownloadError(url, problem))
            actual = digest.hexdigest()
            content_type = response.headers.get("Content-Type", "")
            if actual != item.sha256 and content_type.startswith("text/html"):
                raise DownloadError(
                    url,
                    f"got an HTML page{via} instead of the pinned file (sha256 {actual}, expected"
                    f" {item.sha256}); the URL may have moved or need a login: check it",
                )
            advice = f"the server{via} sent other bytes than the pinned file; {RETRY_ADVICE}"
            check_sha256(url, item.sha256, actual, advice)
            commit_part(handle, temporary, destination)


def _timeout_error(url: str, timeout: float) -> DownloadError:
    return DownloadError(url, f"timed out (no data for {timeout:g} s)")
