"""autograder/config.py: every limit, size, path and environment variable of the engine in one
module, each documented there and in README's table; the engine reads the environment only
through it; `python -m autograder --help` answers without importing torch. Nothing here grades
or imports torch: it runs in a few seconds."""
from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import assignments, cli, config

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "autograder"
CONFIG = PACKAGE / "config.py"


def _run(args: list[str], env: dict[str, str | None] | None = None) -> subprocess.CompletedProcess:
    """Python with `args`, in this environment changed by `env` (None: the variable unset)."""
    changed = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT,
                          env={k: v for k, v in changed.items() if v is not None}, timeout=120)


# -- --help without torch -----------------------------------------------------------------------

def imported_modules(importtime_stderr: str) -> set[str]:
    """The modules `python -X importtime` reports as imported (one per `import time:` line)."""
    names = set()
    for line in importtime_stderr.splitlines():
        if line.startswith("import time:") and line.count("|") == 2:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":   # the header line
                names.add(name)
    return names


def torch_modules(names: set[str]) -> set[str]:
    return {n for n in names if n == "torch" or n.startswith("torch.")}


def test_the_importtime_reader_sees_torch():
    """The reader itself: an interpreter that imports torch is caught (so the tests below can
    fail), and a module whose name merely contains "torch" is not taken for it."""
    lines = ("import time: self [us] | cumulative | imported package\n"
             "import time:       998 |      25620 |   __editable___pytorch_exercise_kit_finder\n"
             "import time:      1234 |    4000000 | torch\n"
             "import time:        12 |         12 |     torch._C\n")
    assert torch_modules(imported_modules(lines)) == {"torch", "torch._C"}
    assert not torch_modules(imported_modules(lines.replace("torch\n", "torchlike\n")
                                              .replace("torch._C", "x")))


@pytest.mark.parametrize("verb", [[], ["grade"], ["grade-all"]], ids=["main", "grade", "grade-all"])
def test_help_answers_without_importing_torch(verb):
    done = _run(["-X", "importtime", "-m", "autograder", *verb, "--help"])
    assert done.returncode == 0, done.stderr[-2000:]
    names = imported_modules(done.stderr)
    assert "autograder.cli" in names, "importtime's output was not read: " + done.stderr[-500:]
    found = torch_modules(names)
    assert not found, (f"`python -m autograder {' '.join(verb)} --help` imported torch "
                       f"({sorted(found)[:5]}): the command line must take what it shows from "
                       "autograder.config and import the engine only in the verb that runs")
    assert "usage:" in done.stdout
    if verb:   # the limits' defaults are config's
        assert f"default {config.DEFAULT_TIME_LIMIT_S:g}" in done.stdout
        assert f"default {config.DEFAULT_MEMORY_LIMIT_MB}" in done.stdout


def test_config_imports_neither_the_engine_nor_torch():
    done = _run(["-c", "import sys, autograder.config; "
                       "print(sorted(m for m in sys.modules if m.startswith(('autograder', 'torch'))))"])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.replace("'", '"')) == ["autograder", "autograder.config"]


# -- each environment variable changes what config says, and what the engine does ---------------

def test_uid_base(monkeypatch):
    monkeypatch.delenv(config.UID_BASE_ENV, raising=False)
    assert config.uid_base() == config.DEFAULT_UID_BASE == 61000
    monkeypatch.setenv(config.UID_BASE_ENV, "70000")
    assert config.uid_base() == 70000
    monkeypatch.setenv(config.UID_BASE_ENV, "seventy")
    with pytest.raises(ValueError, match="AUTOGRADER_UID_BASE='seventy' is not a whole number"):
        config.uid_base()


def test_locks(monkeypatch, tmp_path):
    monkeypatch.delenv(config.LOCKS_ENV, raising=False)
    assert config.locks_dir() == config.DEFAULT_LOCKS == "/run/autograder"
    monkeypatch.setenv(config.LOCKS_ENV, str(tmp_path))
    assert config.locks_dir() == str(tmp_path)


def test_confine_takes_its_uids_and_locks_from_the_environment_at_import(tmp_path):
    """What learner_side/confine fixes for its process's life, read once at its import."""
    code = ("import importlib; from autograder.learner_side import confine; "
            "locks = getattr(confine, 'LOCKS', None) or "
            "importlib.import_module('autograder.learner_side.confine.locks').LOCKS; "
            "print(confine.UID_RANGE.start, locks)")
    done = _run(["-c", code], {config.UID_BASE_ENV: "70000", config.LOCKS_ENV: str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["70000", str(tmp_path)]
    done = _run(["-c", code], {config.UID_BASE_ENV: None, config.LOCKS_ENV: None})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(config.DEFAULT_UID_BASE), config.DEFAULT_LOCKS]


@pytest.mark.parametrize("value, refused", [("1", True), ("", False), ("0", False),
                                            ("yes", False), (None, False)])
def test_no_namespaces(monkeypatch, value, refused):
    from autograder.grading import selfcheck
    from autograder.learner_side import confine

    if value is None:
        monkeypatch.delenv(config.NO_NAMESPACES_ENV, raising=False)
    else:
        monkeypatch.setenv(config.NO_NAMESPACES_ENV, value)
    assert config.namespaces_refused() is refused
    assert confine.namespaces_wanted() is not refused
    # The set-up proof of one confinement is not taken for the other's.
    assignment = assignments.get(assignments.ASSIGNMENT_IDS[0])
    limits = type("Limits", (), {"time_s": 1.0, "memory_mb": 1, "threads": 1})()
    key = selfcheck.setup_key(assignment, limits, "en", ())
    monkeypatch.setenv(config.NO_NAMESPACES_ENV, "" if refused else "1")
    assert selfcheck.setup_key(assignment, limits, "en", ()) != key


def test_scheduler_is_grade_alls_default(monkeypatch):
    monkeypatch.delenv(config.SCHEDULER_ENV, raising=False)
    assert config.scheduler() is None
    assert cli._parser().parse_args(["grade-all", "s", "--out", "o"]).scheduler is None
    monkeypatch.setenv(config.SCHEDULER_ENV, "")
    assert config.scheduler() is None
    monkeypatch.setenv(config.SCHEDULER_ENV, "tls://scheduler:8786")
    assert config.scheduler() == "tls://scheduler:8786"
    assert cli._parser().parse_args(["grade-all", "s", "--out", "o"]).scheduler == \
        "tls://scheduler:8786"
    assert cli._parser().parse_args(["grade-all", "s", "--out", "o", "--scheduler",
                                     "tls://other:1"]).scheduler == "tls://other:1"


def test_cluster_resources(monkeypatch):
    from autograder.grading import cluster

    assignment = assignments.get(assignments.ASSIGNMENT_IDS[0])
    monkeypatch.delenv(config.CLUSTER_RESOURCES_ENV, raising=False)
    assert config.cluster_resources() is None
    before = cluster.resources_of(assignment)
    monkeypatch.setenv(config.CLUSTER_RESOURCES_ENV, json.dumps({assignment.id: {"GPU": 1}}))
    assert cluster.resources_of(assignment) == {"GPU": 1.0} != before


def test_gradescope_settings(monkeypatch, capsys, tmp_path):
    for name in (config.GRADESCOPE_ROOT_ENV, config.GRADESCOPE_TIME_LIMIT_ENV,
                 config.GRADESCOPE_MEMORY_LIMIT_ENV):
        monkeypatch.delenv(name, raising=False)
    assert config.gradescope_root() == Path("/autograder")
    assert config.gradescope_time_limit() is None and config.gradescope_memory_limit() is None
    monkeypatch.setenv(config.GRADESCOPE_ROOT_ENV, str(tmp_path))
    monkeypatch.setenv(config.GRADESCOPE_TIME_LIMIT_ENV, " 30.5 ")
    monkeypatch.setenv(config.GRADESCOPE_MEMORY_LIMIT_ENV, "0")
    assert config.gradescope_root() == tmp_path
    assert config.gradescope_time_limit() == 30.5 and config.gradescope_memory_limit() == 0
    monkeypatch.setenv(config.GRADESCOPE_MEMORY_LIMIT_ENV, "lots")
    assert config.gradescope_memory_limit() is None
    assert "ignoring AUTOGRADER_MEMORY_LIMIT='lots': not a number" in capsys.readouterr().err


def test_engine_and_jupyter_session(monkeypatch):
    monkeypatch.delenv(config.ENGINE_ENV, raising=False)
    monkeypatch.delenv(config.JUPYTER_SESSION_ENV, raising=False)
    assert not config.engine_running() and config.jupyter_session_name() is None
    monkeypatch.setenv(config.ENGINE_ENV, "1")
    monkeypatch.setenv(config.JUPYTER_SESSION_ENV, "work/linear.ipynb")
    assert config.engine_running() and config.jupyter_session_name() == "work/linear.ipynb"


def test_setup_proofs_cache(monkeypatch, tmp_path):
    from autograder.grading import selfcheck

    monkeypatch.setenv(config.CACHE_HOME_ENV, str(tmp_path))
    assert selfcheck._cache_dir() == config.setup_proofs_dir() == \
        tmp_path / "pytorch-exercise-kit" / "setup-proofs"
    monkeypatch.delenv(config.CACHE_HOME_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config.setup_proofs_dir() == tmp_path / "home" / ".cache" / config.SETUP_PROOFS


def test_the_engine_uses_configs_values():
    """The old names the tests and scripts use are config's values, not copies that could drift."""
    from autograder.course import submission
    from autograder.grading import session
    from autograder.judge_side import judge
    from autograder.wire import protocol

    assert session.DEFAULT_TIME_LIMIT_S == config.DEFAULT_TIME_LIMIT_S
    assert session.Limits().time_s == config.DEFAULT_TIME_LIMIT_S
    assert session.Limits().memory_mb == config.DEFAULT_MEMORY_LIMIT_MB
    assert judge.JUDGE_MEMORY_BYTES == config.JUDGE_MEMORY_BYTES
    assert judge.MAX_CELL_ERRORS == config.JUDGE_MAX_CELL_ERRORS
    assert protocol.MAX_MESSAGE == config.MAX_MESSAGE and protocol.MAX_HEADER == config.MAX_HEADER
    assert submission.MAX_SUBMISSION_MB == config.MAX_SUBMISSION_MB


# -- each entry documented, in config and in README ---------------------------------------------

def config_entries() -> dict[str, str | None]:
    """Each module-level UPPER_CASE name of config.py and the string documenting it (None when
    the assignment is not followed by one)."""
    body = ast.parse(CONFIG.read_text()).body
    entries = {}
    for node, after in zip(body, [*body[1:], None]):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id.isupper():
                    doc = (after.value.value if isinstance(after, ast.Expr)
                           and isinstance(after.value, ast.Constant)
                           and isinstance(after.value.value, str) else None)
                    entries[target.id] = doc
    return entries


def environment_variables() -> dict[str, str]:
    """config's environment variables: constant name -> the variable's name."""
    return {name: getattr(config, name) for name in config_entries() if name.endswith("_ENV")}


def test_every_entry_is_documented_once_in_config():
    entries = config_entries()
    assert len(entries) > 40, "config.py was not read"
    undocumented = sorted(name for name, doc in entries.items() if not doc or len(doc) < 15)
    assert not undocumented, (f"config.py: {undocumented} have no documentation: write what each "
                              "limits and where it is used in a string right under it")
    functions = [n for n in ast.parse(CONFIG.read_text()).body if isinstance(n, ast.FunctionDef)]
    assert all(ast.get_docstring(f) for f in functions if not f.name.startswith("_"))


def readme_configuration_table() -> str:
    text = (ROOT / "README.md").read_text()
    match = re.search(r"^### Configuration\n(.*?)(?=^#)", text, re.S | re.M)
    assert match, "README.md has no '### Configuration' section"
    return match.group(1)


def test_readme_lists_every_entry_of_config():
    table = readme_configuration_table()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    named = {m for row in rows for m in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", row.split("|")[1])}
    shown = {m for row in rows for m in re.findall(r"`([A-Z_][A-Z0-9_]*)`", row)}
    missing = sorted(name for name in config_entries()
                     if not name.startswith("DEFAULT_") and not name.endswith("_ENV")
                     and name not in named)
    assert not missing, (f"README's configuration table has no row for {missing}: add one "
                         "(name, default, what it limits and where, the variable that sets it)")
    variables = sorted(v for v in environment_variables().values() if v not in shown)
    assert not variables, f"README's configuration table does not name {variables}"


# -- the engine reads the environment only through config ---------------------------------------

# Every other place in autograder/ that touches the environment, and why it is not a reading of
# configuration: (file, the function it is in) -> reason. A new `os.environ` elsewhere fails.
ENVIRONMENT_USES = {
    ("autograder/learner_side/zygote.py", "forget_the_grader"):
        "builds the learner process's environment: copies KEPT_ENVIRONMENT, drops the rest",
    ("autograder/learner_side/zygote.py", "_serve"):
        "sets the learner process's variables (KIT_DATA_DIR, MPLBACKEND, AUTOGRADER_ENGINE, HOME)",
    ("autograder/judge_side/runner.py", "run_checks"):
        "sets PYTEST_DISABLE_PLUGIN_AUTOLOAD while pytest runs, then restores the caller's value",
    ("autograder/grading/warmup.py", "warm_up"): "sets MPLBACKEND (a write)",
    ("autograder/grading/cluster.py", "_Service.__init__"):
        "passes the environment on to the worker's grading service, without DASK_*",
}
ENVIRON_NAMES = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


def environment_uses(source: str, filename: str = "<source>") -> list[tuple[int, str]]:
    """(line, enclosing function's qualified name or <module>) of each use of the environment:
    `os.environ`, `posix.environ`, `os.getenv`, `from os import environ`, ..."""
    found = []

    def visit(node, scope):
        for child in ast.iter_child_nodes(node):
            inner = scope
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inner = child.name if scope == "<module>" else f"{scope}.{child.name}"
            if isinstance(child, ast.Attribute) and child.attr in ENVIRON_NAMES:
                found.append((child.lineno, scope))
            elif isinstance(child, ast.ImportFrom) and child.module in {"os", "posix", "nt"} and \
                    any(a.name in ENVIRON_NAMES | {"*"} for a in child.names):
                found.append((child.lineno, scope))
            visit(child, inner)

    visit(ast.parse(source, filename), "<module>")
    return found


def test_the_environment_scan_sees_every_form():
    source = ("import os, posix\nfrom os import getenv\n"
              "A = os.environ.get('AUTOGRADER_X')\n"
              "def f():\n    return os.getenv('X')\n"
              "class C:\n    def m(self):\n        return posix.environ[b'X']\n")
    assert environment_uses(source) == [(2, "<module>"), (3, "<module>"), (5, "f"), (8, "C.m")]
    assert environment_uses("import os\nos.path.join('a')\nenviron = 1\n") == []


def test_the_engine_reads_the_environment_only_through_config():
    unexpected, seen = [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if path == CONFIG:
            continue
        for line, scope in environment_uses(path.read_text(), relative):
            seen.add((relative, scope))
            if (relative, scope) not in ENVIRONMENT_USES:
                unexpected.append(f"{relative}:{line} (in {scope})")
    assert not unexpected, (
        "the engine reads the environment outside autograder/config.py: " + ", ".join(unexpected)
        + ". Add a documented variable and a function reading it to config.py and call that; "
        "a place that builds or passes on an environment (not configuration) goes in "
        "ENVIRONMENT_USES here, with why")
    stale = sorted(set(ENVIRONMENT_USES) - seen)
    assert not stale, f"ENVIRONMENT_USES lists places that no longer use the environment: {stale}"


def test_every_variable_the_engine_names_is_configs():
    """A variable the engine names (`AUTOGRADER_...` anywhere, `"KIT_..."` as a string) is one
    config documents: none is read, set or told to the user under a name config does not know."""
    known = set(environment_variables().values())
    unknown = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        for name in re.findall(r"\b(AUTOGRADER_[A-Z][A-Z_]*)\b", text) + \
                re.findall(r"[\"'](KIT_[A-Z][A-Z_]*)[\"']", text):
            if name not in known:
                unknown.append(f"{path.relative_to(ROOT)}: {name}")
    assert not unknown, ("environment variables named in the engine but not documented in "
                         f"autograder/config.py: {sorted(set(unknown))}")
