"""The one assignment registry (autograder/assignments.py): discovered from
`autograder/graders/<id>/assignment.toml`, and the only list of assignments the kit's code has.
Reads files and starts a few small Python processes; no torch, a few seconds in all."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from autograder import assignments
from autograder.i18n import LANGUAGES

REPO = Path(__file__).resolve().parent.parent
GRADERS = REPO / "autograder" / "graders"


@pytest.fixture
def scratch_graders(tmp_path, monkeypatch):
    """An empty graders folder the registry reads instead of the kit's."""
    folder = tmp_path / "graders"
    folder.mkdir()
    monkeypatch.setattr(assignments, "GRADERS_DIR", folder)
    return folder


def _assignment(graders: Path, name: str, metadata: str | None, graders_too: bool = True) -> Path:
    folder = graders / name
    folder.mkdir()
    if graders_too:
        (folder / "__init__.py").write_text("")
        (folder / "public.py").write_text("")
    if metadata is not None:
        (folder / assignments.METADATA_FILE).write_text(metadata, encoding="utf-8")
    return folder


# -- (a) the kit's own registry --------------------------------------------------------------------

def test_the_registry_is_the_grader_folders_with_metadata_in_course_order():
    with_metadata = {p.parent.name: tomllib.loads(p.read_text(encoding="utf-8"))["order"]
                     for p in GRADERS.glob(f"*/{assignments.METADATA_FILE}")}
    assert with_metadata, "no grader folder has assignment.toml"
    assert assignments.ids() == tuple(sorted(with_metadata, key=with_metadata.get))
    assert [a.id for a in assignments.every()] == list(assignments.ids())
    assert assignments.ASSIGNMENT_IDS == assignments.ids()   # the old name, for outside code
    # Every folder with graders is an assignment: none is dropped for a forgotten file.
    assert assignments.ignored() == {}
    packages = {p.parent.name for p in GRADERS.glob("*/__init__.py")}
    assert packages == set(assignments.ids())


@pytest.mark.parametrize("assignment_id", assignments.ids())
def test_each_assignment_has_its_parts_and_its_metadata_is_true(assignment_id):
    assignment = assignments.get(assignment_id)
    assert (assignment.source_dir / f"{assignment_id}.ipynb").is_file()
    assert [p.name for p in assignment.grader_files] == list(assignments.GRADER_FILES)
    for language in LANGUAGES:
        assert assignment.metadata.title.get(language), (assignment_id, language)
    # The helpers it declares are the files released beside its notebook, from their one source.
    beside = sorted(p.name for p in assignment.source_dir.iterdir()
                    if p.is_file() and p.suffix != ".ipynb" and not p.name.startswith("."))
    assert sorted(assignment.helpers) == beside
    if assignment.released_dir.is_dir():
        assert sorted(p.name for p in assignment.helper_files()) == beside


def test_every_source_notebook_is_an_assignment():
    """A notebook in solutions/ without graders and metadata would be released and graded by
    nobody: the registry has exactly the assignments that have a source notebook."""
    sources = {p.parent.name for p in (REPO / "solutions").glob("*/*.ipynb")
               if p.stem == p.parent.name}
    assert sources == set(assignments.ids())


def test_get_and_for_submission_read_the_registry():
    first = assignments.ids()[0]
    assert assignments.get(first) == assignments.Assignment(first)
    assert assignments.for_submission(Path(f"x/{first}.ipynb")).id == first
    assert assignments.for_submission(Path(f"{first}/copy.ipynb")).id == first
    with pytest.raises(assignments.UnknownAssignment,
                       match=rf"unknown assignment 'nope'; the assignments are "
                             rf"{re.escape(', '.join(assignments.ids()))}$"):
        assignments.get("nope")
    with pytest.raises(assignments.UnknownAssignment, match="pass --assignment ID"):
        assignments.for_submission(Path("other/work.ipynb"))


# -- (b) discovery -----------------------------------------------------------------------------

def test_a_folder_with_metadata_is_an_assignment_and_one_without_is_ignored(scratch_graders):
    _assignment(scratch_graders, "second", 'order = 20\n[title]\nen = "Second"\n')
    _assignment(scratch_graders, "first", 'order = 10\nhelpers = ["h.py"]\nuses_data = true\n'
                                          '[title]\nen = "First"\nzh = "第一"\n')
    _assignment(scratch_graders, "draft", None)
    _assignment(scratch_graders, "__pycache__", None)
    (scratch_graders / "notes").mkdir()                 # no graders, no metadata: not mentioned

    assert assignments.ids() == ("first", "second")
    first = assignments.get("first")
    assert (first.order, first.helpers, first.uses_data) == (10, ("h.py",), True)
    assert (first.title(), first.title("zh")) == ("First", "第一")
    assert assignments.get("second").title("zh") == "Second"     # falls back to English
    assert assignments.get("second").grader_dir == scratch_graders / "second"
    assert list(assignments.ignored()) == ["draft"]
    why = assignments.ignored()["draft"]
    assert "draft/ has graders but no assignment.toml" in why and "add assignment.toml" in why
    with pytest.raises(assignments.UnknownAssignment) as raised:
        assignments.get("draft")
    assert str(raised.value).startswith("unknown assignment 'draft'; the assignments are "
                                        "first, second (") and why in str(raised.value)
    assert assignments.for_submission(Path("subs/second.ipynb")).id == "second"


@pytest.mark.parametrize("metadata, said", [
    ('order = 1\n[title]\nen = "A"\n', None),
    ('order = 1\n[title]\nen = "A"\nuses_data = true\n', "`[title]` has uses_data, not a language"),
    ('order = 1\nuse_data = true\n[title]\nen = "A"\n', "unknown key(s) use_data"),
    ('[title]\nen = "A"\n', "`order` must be an integer"),
    ('order = true\n[title]\nen = "A"\n', "`order` must be an integer"),
    ('order = 1\n', "`[title]` must map languages"),
    ('order = 1\n[title]\nzh = "甲"\n', "`[title]` has no `en` entry"),
    ('order = 1\n[title]\nen = ""\n', "`[title]` must map languages"),
    ('order = 1\nhelpers = "yolo.py"\n[title]\nen = "A"\n', "`helpers` must list file names"),
    ('order = 1\nhelpers = ["../x.py"]\n[title]\nen = "A"\n', "`helpers` must list file names"),
    ('order = 1\nuses_data = "yes"\n[title]\nen = "A"\n', "`uses_data` must be true or false"),
    ('order = 1\n[title\n', "cannot be read"),
])
def test_metadata_that_is_wrong_says_what_and_where(scratch_graders, metadata, said):
    _assignment(scratch_graders, "alpha", metadata)
    if said is None:
        assert assignments.get("alpha").title() == "A"
        return
    with pytest.raises(assignments.RegistryError, match=re.escape(said)) as raised:
        assignments.ids()
    assert f"{scratch_graders / 'alpha' / assignments.METADATA_FILE}: " in str(raised.value)


def test_two_assignments_in_one_place_or_a_bad_id_are_refused(scratch_graders, monkeypatch):
    _assignment(scratch_graders, "alpha", 'order = 1\n[title]\nen = "A"\n')
    _assignment(scratch_graders, "beta", 'order = 1\n[title]\nen = "B"\n')
    with pytest.raises(assignments.RegistryError, match="beta and alpha both have order = 1"):
        assignments.ids()
    other = scratch_graders.parent / "other"
    other.mkdir()
    monkeypatch.setattr(assignments, "GRADERS_DIR", other)
    _assignment(other, "not-an-id", 'order = 1\n[title]\nen = "A"\n')
    with pytest.raises(assignments.RegistryError, match="must be a Python identifier"):
        assignments.ids()


def test_the_list_command_is_quick_and_imports_no_torch():
    """What the Makefile runs (before .venv exists, with any Python that has tomllib)."""
    proc = subprocess.run([sys.executable, "-m", "autograder.assignments", "list"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout.split() == list(assignments.ids())
    code = ("import sys\nfrom autograder import assignments\n"
            "assert assignments.main(['list', '--titles', 'zh']) == 0\n"
            "assert assignments.main(['show']) == 0\n"
            "assert 'torch' not in sys.modules, 'the registry imported torch'\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    first = assignments.get(assignments.ids()[0])
    assert f"{first.id}\t{first.title('zh')}\n" in proc.stdout
    assert json.loads(proc.stdout[proc.stdout.index("{"):])[first.id]["order"] == first.order


def test_the_list_command_says_what_it_ignored_and_fails_on_bad_metadata(scratch_graders, capsys):
    _assignment(scratch_graders, "draft", None)
    assert assignments.main(["list"]) == 1              # nothing to list is an error
    err = capsys.readouterr().err
    assert "draft/ has graders but no assignment.toml" in err and "no assignments" in err
    _assignment(scratch_graders, "alpha", 'order = 1\n[title]\nen = "A"\n')
    assignments._CACHE.clear()
    assert assignments.main(["list"]) == 0
    out, err = capsys.readouterr()
    assert out == "alpha\n" and "draft/" in err
    _assignment(scratch_graders, "beta", 'order = "2"\n[title]\nen = "B"\n')
    assignments._CACHE.clear()
    assert assignments.main(["list"]) == 1
    assert "`order` must be an integer" in capsys.readouterr().err


# -- the Makefile ------------------------------------------------------------------------------

@pytest.mark.parametrize("venv", [".venv", "no-such-venv"])
def test_the_makefile_loops_over_the_registry(venv):
    """`make -n release` with the kit's .venv and with none yet (the registry then runs on the
    Python that would build it)."""
    proc = subprocess.run(["make", "-n", "release", "autograde", "feedback", f"VENV={venv}"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    loop = f"for a in {' '.join(assignments.ids())}; do"
    assert proc.stdout.count(loop) == 3, proc.stdout


def test_the_makefile_stops_when_the_registry_cannot_be_read():
    proc = subprocess.run(["make", "-n", "release", "PY=/bin/false"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "no assignments: `python -m autograder.assignments list` " \
        "says why" in proc.stderr, (proc.returncode, proc.stderr)
    assert "for a in" not in proc.stdout


# -- (c) nothing else lists assignments --------------------------------------------------------

def _kit_code() -> list[Path]:
    """The kit's own code: the engine but the assignments' grader folders, mutation/, bench/."""
    def own(path: Path) -> bool:
        return not (path.is_relative_to(GRADERS)
                    and path.relative_to(GRADERS).parts[0] in assignments.ids())
    return sorted([p for p in (REPO / "autograder").rglob("*.py") if own(p)]
                  + list((REPO / "mutation").rglob("*.py")) + list((REPO / "bench").rglob("*.py")))


def _ids_in(node: ast.AST, ids: set[str]) -> list[str]:
    return [e.value for e in getattr(node, "elts", []) if isinstance(e, ast.Constant)
            and e.value in ids]


def assignment_lists(source: str, ids: set[str]) -> list[tuple[int, str]]:
    """Where Python source names assignments by their ids as data: a tuple, list or set of
    them, a mapping keyed by two or more, or an id compared with an assignment."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            named = _ids_in(node, ids)
            if named and len(named) == len(node.elts):
                found.append((node.lineno, f"a list of assignment ids {named}"))
        elif isinstance(node, ast.Dict):
            named = [k.value for k in node.keys if isinstance(k, ast.Constant) and k.value in ids]
            if len(named) >= 2:
                found.append((node.lineno, f"a mapping keyed by assignment ids {named}"))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            named = [s.value for s in sides if isinstance(s, ast.Constant) and s.value in ids]
            if named and any("assignment" in ast.unparse(s).lower() or ast.unparse(s).endswith(".id")
                             for s in sides if not isinstance(s, ast.Constant)):
                found.append((node.lineno, f"an assignment compared with the id {named[0]!r}"))
    return found


def makefile_lists(text: str, ids: set[str]) -> list[tuple[int, str]]:
    """Lines of a Makefile or shell script (comments aside) that name two or more assignments."""
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        code = line.split("#", 1)[0]
        named = [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code) if w in ids]
        if len(set(named)) >= 2:
            found.append((number, f"assignment ids {named}"))
    return found


def test_the_list_detectors_see_a_hard_coded_list():
    ids = {"alpha", "beta"}
    assert [n for n, _ in assignment_lists(
        'A = ("alpha", "beta")\nB = ["beta"]\nC = {"alpha": 1, "beta": 2}\n'
        'if assignment.id == "alpha": pass\nif a.id in {"beta"}: pass\n'
        'D = ("alpha", other)\nE = {"alpha": 1, "x": 2}\nF = ("alpha", "gamma")\n'
        'G = f(x, "alpha")\nif phase == "beta": pass\n', ids)] == [1, 2, 3, 4, 5]
    assert [n for n, _ in makefile_lists("IDS := alpha beta\n# alpha beta\nX := alpha\n"
                                         "\tfor a in beta gamma alpha; do\n", ids)] == [1, 4]


def test_no_code_of_the_kit_lists_the_assignments():
    ids = set(assignments.ids())
    found = [f"{path.relative_to(REPO)}:{line}: {what}" for path in _kit_code()
             for line, what in assignment_lists(path.read_text(encoding="utf-8"), ids)]
    scripts = [REPO / "Makefile", *sorted((REPO / "kit").glob("*/Makefile")),
               REPO / "kit" / "gradescope" / "setup.sh", REPO / "kit" / "gradescope" / "run_autograder",
               *sorted((REPO / ".ci").glob("*"))]
    found += [f"{path.relative_to(REPO)}:{line}: {what}" for path in scripts if path.is_file()
              for line, what in makefile_lists(path.read_text(encoding="utf-8"), ids)]
    assert not found, ("the assignments are listed by autograder.assignments (ids(), every()) "
                       "and `python -m autograder.assignments list`, nowhere else:\n"
                       + "\n".join(found))
