"""`make lab` serves a working copy of the released notebooks: start it on a free local port,
as root and as an unprivileged user, read the notebooks through the Jupyter server's contents
API, then stop it and make sure it is gone."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import tempfile
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

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


def serve_and_read(tmp_path, *, user: int | None, lab_dir, cwd=REPO) -> None:
    """Start `make lab` (as `user`, or as this process's user), read every notebook of the
    working copy through the contents API, stop it, and make sure nothing of it is left."""
    port, token = free_port(), secrets.token_hex(16)
    args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
            f"--IdentityProvider.token={token}")
    home = tmp_path / "home"
    home.mkdir()
    env = {**course_env(), "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_DATA_DIR": str(home / "data"), "JUPYTER_CONFIG_DIR": str(home / "config"),
           "IPYTHONDIR": str(home / "ipython")}
    command = ["make", "--no-print-directory", "-o", str(VENV / ".installed"), f"VENV={VENV}",
               "lab", f"LAB_ARGS={args}", *([f"LAB_DIR={lab_dir}"] if lab_dir else [])]
    if user is not None:
        for path in (tmp_path, home):
            path.chmod(0o777)
        # This machine's Python lives under /root, which other users cannot traverse: the user
        # keeps one capability, to read and search directories, so that `make` can start it.
        # It is not root (uid != 0), which is what JupyterLab and the Makefile look at.
        command = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups",
                   "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", *command]
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, start_new_session=True)
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


@pytest.mark.slow
def test_make_lab_serves_a_working_copy_and_leaves_the_release_alone(tmp_path):
    """As this process's user (root on course servers and in CI, which JupyterLab refuses
    unless told): the lab opens a copy of assignments/, never the released files."""
    released = {p: p.read_bytes() for p in (REPO / "assignments").rglob("*") if p.is_file()}
    lab_dir = tmp_path / "work"
    serve_and_read(tmp_path, user=None, lab_dir=lab_dir)
    assert sorted(p.relative_to(lab_dir).as_posix() for p in lab_dir.glob("*/*.ipynb")) == RELEASED
    assert {p: p.read_bytes() for p in released} == released


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root to become an unprivileged user (setpriv)")
def test_make_lab_as_an_unprivileged_user():
    folder = Path(tempfile.mkdtemp(prefix="kit-lab-"))   # pytest's own tmp is root's only
    try:
        serve_and_read(folder, user=65534, lab_dir=folder / "work")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.slow
def test_make_lab_in_the_learners_kit(tmp_path):
    """The learner's kit opens its own assignments/ (the learner's copy), as root too."""
    from autograder.course.studentkit import build

    kit = build(tmp_path / "dist")
    serve_and_read(tmp_path, user=None, lab_dir=None, cwd=kit)
