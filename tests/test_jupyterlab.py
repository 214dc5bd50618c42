"""A real JupyterLab server, as a researcher would start it from the project.

Starts ``python -m jupyterlab`` on 127.0.0.1 (free port, random token), lists the notebooks
through the REST API, checks the ``swe-audit`` kernelspec runs this environment's Python,
starts that kernel and executes a fixture notebook cell by cell over the kernel's websocket
channels, then deletes the kernel and shuts the server down (always, in ``finally``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from analysis import paths

pytestmark = pytest.mark.slow

KERNEL_NAME = "swe-audit"
FIXTURE = "tests/fixtures/lab_smoke.ipynb"
START_TIMEOUT = 90  # seconds; the server imports a lot on a busy 2-core machine
CELL_TIMEOUT = 60


#: Run in the JupyterLab kernel after the fixture's cells (see the end of the test).
LAB_DISPLAY_CHECKS = """
import pandas as pd
from analysis.figures.distillation import in_jupyterlab
from analysis.figures.style import figures_enabled
from analysis.report.display import show_table

show_table(pd.DataFrame({"cost": ["$0.01 per API call for $3"]}), index=False)
print("in JupyterLab:", in_jupyterlab())
print("figures written:", figures_enabled())
"""


def _lab_mathjax_ignore_class() -> str | None:
    """The ``ignoreHtmlClass`` of the MathJax bundled with this JupyterLab (what it skips)."""
    static = Path(sys.prefix) / "share" / "jupyter" / "lab" / "static"
    for bundle in static.glob("*.js"):
        match = re.search(r'ignoreHtmlClass:"([^"]+)"', bundle.read_text(errors="ignore"))
        if match:
            return match.group(1)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A JupyterLab subprocess and a tiny REST client for it."""

    def __init__(self, root: Path, work: Path) -> None:
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = work / "jupyterlab.log"
        env = dict(os.environ)
        env["JUPYTER_RUNTIME_DIR"] = str(work / "runtime")  # no stray files in ~/.local
        env["JUPYTER_CONFIG_DIR"] = str(work / "config")  # ignore a user's own config
        env.pop("JUPYTER_TOKEN", None)
        if not _has_kernelspec():
            # Installed by `make setup`; when absent, give this server its own copy rather
            # than failing with a confusing "no such kernel" later.
            prefix = work / "kernels"
            subprocess.run(
                [sys.executable, "-m", "ipykernel", "install", "--prefix", str(prefix),
                 "--name", KERNEL_NAME, "--display-name", "Python (swe-audit)"],
                check=True, capture_output=True, timeout=60,
            )  # fmt: skip
            env["JUPYTER_PATH"] = os.pathsep.join(
                [str(prefix / "share" / "jupyter"), env.get("JUPYTER_PATH", "")]
            ).strip(os.pathsep)
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",  # offline: no PyPI look-ups
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")  # containers and CI often run as root
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            command, stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=root
        )

    def request(self, method: str, path: str, body: object | None = None, timeout: float = 30):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text else None)

    def wait_until_ready(self) -> dict:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"jupyterlab exited early:\n{self.log_path.read_text()[-3000:]}")
            try:
                status, payload = self.request("GET", "/api/status", timeout=5)
                if status == 200:
                    return payload
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        pytest.fail(f"jupyterlab did not answer in {START_TIMEOUT} s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        try:
            if self.process.poll() is None:
                with contextlib.suppress(urllib.error.URLError, ConnectionError, TimeoutError):
                    self.request("POST", "/api/shutdown", timeout=10)
                try:
                    self.process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.process.terminate()
                    try:
                        self.process.wait(timeout=10)
                    except subprocess.TimeoutExpired:
                        self.process.kill()
                        self.process.wait(timeout=10)
        finally:
            self.log.close()


def _has_kernelspec() -> bool:
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME in KernelSpecManager().find_kernel_specs()


def _message(session: str, code: str) -> dict:
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": "execute_request",
            "username": "test",
            "session": session,
            "date": dt.datetime.now(dt.UTC).isoformat(),
            "version": "5.3",
        },
        "parent_header": {},
        "metadata": {},
        "content": {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
            "stop_on_error": True,
        },
        "channel": "shell",
        "buffers": [],
    }


async def _execute_cells(url: str, cells: list[str]) -> list[dict]:
    """Run each code cell over the kernel's websocket; per cell: reply status and outputs."""
    from tornado.websocket import websocket_connect

    connection = await asyncio.wait_for(websocket_connect(url), timeout=CELL_TIMEOUT)
    session = uuid.uuid4().hex
    results = []
    try:
        for code in cells:
            message = _message(session, code)
            msg_id = message["header"]["msg_id"]
            await connection.write_message(json.dumps(message))
            result: dict = {"status": None, "outputs": [], "idle": False}
            deadline = time.monotonic() + CELL_TIMEOUT
            while result["status"] is None or not result["idle"]:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no reply within {CELL_TIMEOUT} s for {code!r}")
                raw = await asyncio.wait_for(connection.read_message(), timeout=remaining)
                if raw is None:
                    raise ConnectionError("kernel websocket closed")
                reply = json.loads(raw)
                if reply.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                kind = reply["header"]["msg_type"]
                if kind == "execute_reply":
                    result["status"] = reply["content"]["status"]
                elif kind == "status" and reply["content"]["execution_state"] == "idle":
                    result["idle"] = True
                elif kind in ("stream", "execute_result", "display_data", "error"):
                    result["outputs"].append({"type": kind, **reply["content"]})
            results.append(result)
    finally:
        connection.close()
    return results


@pytest.fixture
def server(tmp_path):
    root = paths.PROJECT_ROOT
    lab = Server(root, tmp_path)
    try:
        yield lab
    finally:
        lab.stop()


def test_jupyterlab_lists_notebooks_and_runs_one_in_the_project_kernel(server):
    status = server.wait_until_ready()
    assert "started" in status

    # the notebooks folder, as the file browser sees it
    code, listing = server.request("GET", "/api/contents/notebooks")
    assert code == 200 and listing["type"] == "directory"
    listed = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
    on_disk = {path.name for path in paths.notebooks_dir().glob("*.ipynb")}
    assert listed == on_disk

    # the project kernel runs this environment's Python
    code, specs = server.request("GET", "/api/kernelspecs")
    assert KERNEL_NAME in specs["kernelspecs"], sorted(specs["kernelspecs"])
    argv0 = specs["kernelspecs"][KERNEL_NAME]["spec"]["argv"][0]
    resolved = shutil.which(argv0) or argv0
    assert os.path.samefile(resolved, sys.executable), (argv0, sys.executable)

    # open the fixture notebook through the contents API, as JupyterLab does
    code, model = server.request("GET", f"/api/contents/{FIXTURE}?content=1")
    assert code == 200 and model["type"] == "notebook"
    notebook = nbformat.from_dict(model["content"])
    assert notebook.metadata["kernelspec"]["name"] == KERNEL_NAME
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    fixture_cells = len(cells)
    cells += [LAB_DISPLAY_CHECKS]

    # a session, as JupyterLab opens a notebook (it sets JPY_SESSION_NAME in the kernel)
    code, session = server.request(
        "POST",
        "/api/sessions",
        {"path": FIXTURE, "type": "notebook", "name": "", "kernel": {"name": KERNEL_NAME}},
    )
    assert code == 201
    kernel = session["kernel"]
    try:
        url = (
            f"ws://127.0.0.1:{server.port}/api/kernels/{kernel['id']}/channels?token={server.token}"
        )
        results = asyncio.run(_execute_cells(url, cells))
    finally:
        code, _ = server.request("DELETE", f"/api/sessions/{session['id']}")
        assert code == 204
    assert [result["status"] for result in results] == ["ok"] * len(cells)
    assert not [o for r in results for o in r["outputs"] if o["type"] == "error"]
    printed = "".join(o.get("text", "") for o in results[0]["outputs"] if o["type"] == "stream")
    # the kernel imports the project's package (editable install), not some other copy
    reported = Path(printed.split("analysis at", 1)[1].strip())
    assert reported == paths.PROJECT_ROOT / "analysis" / "__init__.py"
    assert results[1]["outputs"][0]["text"].strip() == "sum 45"

    code, kernels = server.request("GET", "/api/kernels")
    assert all(item["id"] != kernel["id"] for item in kernels)

    # what a researcher sees in JupyterLab: a "$" in a table stays a dollar sign (the table
    # carries the class JupyterLab's MathJax skips), the sliders are offered (no "open in
    # JupyterLab" note), and running a notebook writes no report figures
    checks = results[fixture_cells]["outputs"]
    html = next(o["data"]["text/html"] for o in checks if "text/html" in o.get("data", {}))
    assert "$0.01 per API call for $3" in html
    assert re.search(r'<table class="[^"]*\bmathjax_ignore\b', html)
    assert _lab_mathjax_ignore_class() == "mathjax_ignore"
    printed = "".join(o.get("text", "") for o in checks if o["type"] == "stream")
    assert "in JupyterLab: True" in printed
    assert "figures written: False" in printed
    assert "Open in JupyterLab" not in printed
