"""The layout is the architecture: which side of the trust boundary a module lives on is the
folder it is in, and the imports keep to it. Read from the source (no module is imported), so it
runs in a fraction of a second."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autograder"

# What each layer may import of the engine. A module outside these folders (the entry points,
# `notebook` in the learner's kernel, where both sides are one process by design) is not bound.
# `wire` is the one format between the two sides: it imports neither.
NEUTRAL = {"autograder", "autograder.i18n", "autograder.config", "autograder.assignments",
           "autograder.process"}
ALLOWED = {
    "wire": NEUTRAL | {"wire"},
    "learner_side": NEUTRAL | {"wire", "learner_side"},
    "judge_side": NEUTRAL | {"wire", "judge_side", "reports"},
    "i18n": {"autograder", "autograder.i18n", "i18n"},
}
NEUTRAL_MODULES = ("config.py", "process.py", "assignments.py")


def engine_imports(path: Path) -> list[tuple[int, str]]:
    """Every `autograder...` module a file imports, at any depth (function-level imports too)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "autograder"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                pytest.fail(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: a relative import; "
                            "the layering test reads absolute ones")
            if node.module and node.module.split(".")[0] == "autograder":
                if node.module == "autograder":
                    found += [(node.lineno, f"autograder.{a.name}") for a in node.names]
                else:
                    found.append((node.lineno, node.module))
    return found


def layer_of(module: str) -> str:
    parts = module.split(".")
    if len(parts) >= 2 and (PACKAGE / parts[1]).is_dir():
        return parts[1]
    return module


def violations(folder: str) -> list[str]:
    allowed = ALLOWED[folder]
    bad = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for line, module in engine_imports(path):
            if module in allowed or layer_of(module) in allowed:
                continue
            bad.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("folder", sorted(ALLOWED))
def test_each_side_imports_only_what_its_layer_may(folder):
    assert not violations(folder), "\n".join(violations(folder))


def test_the_neutral_modules_import_no_side():
    bad = []
    for name in NEUTRAL_MODULES:
        path = PACKAGE / name
        if path.exists():
            bad += [f"{name}:{line} imports {module}" for line, module in engine_imports(path)
                    if layer_of(module) in {"learner_side", "judge_side", "grading", "reports"}]
    assert not bad, "\n".join(bad)


def test_the_layering_test_sees_a_violation(tmp_path, monkeypatch):
    """The walk itself: a learner-side module importing the judge, in any import form, is found."""
    fake = tmp_path / "autograder"
    for folder in ("learner_side", "judge_side", "wire"):
        (fake / folder).mkdir(parents=True)
    (fake / "learner_side" / "bad.py").write_text(
        "def f():\n    from autograder.judge_side import judge\n")
    (fake / "wire" / "bad.py").write_text("import autograder.learner_side.server\n")
    (fake / "wire" / "good.py").write_text("from autograder.i18n import _\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert violations("learner_side") == ["autograder/learner_side/bad.py:2 imports autograder.judge_side"]
    assert violations("wire") == ["autograder/wire/bad.py:1 imports autograder.learner_side.server"]


def test_no_engine_module_is_left_beside_the_packages():
    """The top of the package holds only entry points, the neutral modules and the old import
    paths kept for outside code; everything else lives in the folder of its layer."""
    top = {p.name for p in PACKAGE.glob("*.py")}
    expected = {"__init__.py", "__main__.py", "cli.py", "notebook.py", *NEUTRAL_MODULES,
                # old paths, kept for outside code (instructors' nbgrader_config.py, scripts)
                "nbgrader_setup.py", "feedback_page.py", "gradescope.py"}
    assert top <= expected, sorted(top - expected)
