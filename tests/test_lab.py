"""`make lab` serves the released notebooks: start it on a free local port, read a notebook
through the Jupyter server's contents API, then stop it and make sure it is gone."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from kit import REPO, VENV, course_env

RELEASED = sorted(p.relative_to(REPO / "assignments").as_posix()
                  for p in (REPO / "assignments").glob("*/*.ipynb"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, token: str | None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.slow
def test_make_lab_serves_the_released_notebooks(tmp_path):
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
            f"--IdentityProvider.token={token}")
    if os.geteuid() == 0:  # CI containers run as root, which JupyterLab refuses unless told
        args += " --allow-root"
    env = {**course_env(), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        ["make", "--no-print-directory", "-o", str(VENV / ".installed"), f"VENV={VENV}", "lab",
         f"LAB_ARGS={args}"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True)  # its own process group: make, jupyter and its kernels
    base = f"http://127.0.0.1:{port}/api/contents"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, f"make lab exited early:\n{server.stdout.read().decode()}"
            try:
                status, body = get(f"{base}/{RELEASED[0]}", token)
                break
            except (ConnectionError, urllib.error.URLError, socket.timeout):
                assert time.monotonic() < deadline, "JupyterLab did not answer within 120 s"
                time.sleep(0.5)
        for path in RELEASED:
            status, body = get(f"{base}/{path}", token)
            assert status == 200, body[:500]
            model = json.loads(body)
            assert model["type"] == "notebook" and model["path"] == path
            assert model["content"]["cells"], f"{path} came back without cells"
        status, _ = get(f"{base}/{RELEASED[0]}", None)
        assert status in (401, 403), "the server must refuse a request without the token"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
            pytest.fail("JupyterLab did not stop on SIGTERM within 30 s")
    # Nothing of the group is left, and the port is free again.
    deadline = time.monotonic() + 30
    while True:
        try:
            os.killpg(server.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "processes of `make lab` are still running"
        time.sleep(0.2)
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, "the port still answers"
