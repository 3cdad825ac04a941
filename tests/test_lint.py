"""ruff is clean (issue 22, item 5): `make lint` as a test, with the configuration in pyproject.toml
([tool.ruff]), so that a plain `pytest` run sees what `make test` sees."""
from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from kit import REPO

PATHS = ["autograder", "tests", "mutation", "bench"]


def ruff(*args: str, cwd=REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture(scope="module")
def has_ruff():
    if importlib.util.find_spec("ruff") is None:
        pytest.skip("ruff is not installed in this interpreter (pip install ruff; the kit's set-up "
                    "installs it)")


def test_ruff_finds_nothing(has_ruff):
    run = ruff("check", "--no-cache", "--output-format", "concise", *PATHS)
    assert run.returncode == 0, (
        "ruff check reports problems (observed below); fix them, or give a `# noqa: CODE - why`"
        " where the code is right:\n" + run.stdout + run.stderr)


def test_ruff_uses_the_kit_configuration(has_ruff, tmp_path):
    # The check above could pass because ruff read no configuration (or another one): a blind
    # `except Exception` without a reason, and a noqa that nothing needs, must both be reported.
    (tmp_path / "pyproject.toml").write_text((REPO / "pyproject.toml").read_text())
    (tmp_path / "sample.py").write_text(
        "import os  # noqa: E402\n\n\ndef f():\n    try:\n        return os.getcwd()\n"
        "    except Exception:\n        return None\n")
    run = ruff("check", "--no-cache", "--output-format", "concise", "sample.py", cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "BLE001" in run.stdout and "RUF100" in run.stdout, run.stdout + run.stderr
