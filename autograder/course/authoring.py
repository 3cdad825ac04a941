"""An instructor adds an assignment: its scaffold, and the proof of its graders.

    python -m autograder.course.authoring new ID [--title TEXT]   (make new-assignment A=ID)
    python -m autograder.course.authoring check ID [--jobs N]     (make check-assignment A=ID)

`new` writes every part an assignment has, around one small example exercise (`Affine`, a
learnable per-feature scale and shift) that is already proven as far as it goes, so that the
author replaces the example rather than starting from nothing:

    solutions/<id>/<id>.ipynb               the source notebook, nbgrader's source format
    autograder/graders/<id>/assignment.toml its place in the course and its title (the registry)
    autograder/graders/<id>/__init__.py     the graders' package
    autograder/graders/<id>/public.py       one public check (the learner runs it while working)
    autograder/graders/<id>/hidden.py       one hidden check (the instructor's grading only)
    tests/test_<id>.py                      the shared proof (tests/proof.py) for this assignment
    tests/zoo/<id>/                         wrong solutions and the check that must catch each
    tests/alternatives/<id>/                right solutions in other idioms
    mutation/equivalent/<id>.txt            mutants a reviewer found equivalent (none yet)
    translations/zh/<id>.json               the notebook's translation, one empty entry a cell
    autograder/i18n/locale/zh/<id>.po       the graders' messages, translated where the kit
                                            already has the same message, empty otherwise

Nothing else names assignments: autograder/assignments.py discovers the folder, and `make
release`, `make test`, `make mutants`, `make student-kit` and `make gradescope` follow it. `new`
imports no torch and needs only the standard library. The example's code is in kit/scaffold/
(`*.tmpl`), outside the package that learners and Gradescope receive.

`check` is the proof for one assignment, the same one tests/proof.py and tests/test_<id>.py run
for the shipped ones, reusing their machinery (tests/kit.py, tests/test_feedback.py,
mutation/run.py, the catalogue checks), and prints what is missing, one line each; it exits 1
when anything is. It grades the reference, the released stub, every alternative and every zoo
entry in one engine run, then every mutant of the reference. `make check-assignment` releases
the assignment first (the stub is graded as released). docs/authoring.md is the guide.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import keyword
import re
import sys
import tempfile
from pathlib import Path

from autograder import assignments
from autograder.course import translation
from autograder.i18n import DEFAULT, LANGUAGES

COURSE = assignments.COURSE_ROOT
# The example's code (its reference answer, its checks, its zoo entry) lives outside the package,
# so that neither the learner's kit nor a Gradescope bundle, which ship autograder/, carries it.
SCAFFOLD = COURSE / "kit" / "scaffold"
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# What the proof asks of every assignment (tests/proof.py test_enough_alternatives_and_zoo_entries).
MIN_ZOO, MIN_ALTERNATIVES = 12, 2
# The example exercise of the scaffold.
EXERCISE = "affine"


class AuthoringError(ValueError):
    """An id that cannot be a new assignment, or an assignment `check` cannot prove."""


# -- new -------------------------------------------------------------------------------------------

def parts(assignment_id: str, course: Path = COURSE) -> dict[str, Path]:
    """Every file or folder `new` writes for `assignment_id`, by what it is."""
    graders = course / "autograder" / "graders" / assignment_id
    return {
        "notebook": course / "solutions" / assignment_id / f"{assignment_id}.ipynb",
        "metadata": graders / assignments.METADATA_FILE,
        "package": graders / "__init__.py",
        "public": graders / "public.py",
        "hidden": graders / "hidden.py",
        "proof": course / "tests" / f"test_{assignment_id}.py",
        "zoo": course / "tests" / "zoo" / assignment_id / "README.md",
        "zoo entry": course / "tests" / "zoo" / assignment_id / "weight_plain_tensor.py",
        "alternatives": course / "tests" / "alternatives" / assignment_id / "README.md",
        "equivalent": course / "mutation" / "equivalent" / f"{assignment_id}.txt",
        **{f"translation {lang}": course / "translations" / lang / f"{assignment_id}.json"
           for lang in LANGUAGES if lang != DEFAULT},
        **{f"messages {lang}": course / "autograder" / "i18n" / "locale" / lang /
           f"{assignment_id}.po" for lang in LANGUAGES if lang != DEFAULT},
    }


def refusal(assignment_id: str, course: Path = COURSE) -> str | None:
    """Why `assignment_id` cannot be a new assignment, or None."""
    if not ID_PATTERN.match(assignment_id or ""):
        return (f"{assignment_id!r} is not a valid assignment id: use lower-case letters, digits "
                f"and underscores, starting with a letter (at most 40), e.g. batchnorm; it names "
                f"the notebook, the graders' package and the results")
    if keyword.iskeyword(assignment_id) or assignment_id in ("common", "test", "tests"):
        return f"{assignment_id!r} is reserved (a Python keyword or a name the kit uses)"
    if assignment_id in assignments.ids():
        return (f"{assignment_id!r} is already an assignment of the course "
                f"({', '.join(assignments.ids())}); choose another id")
    taken = [p for p in parts(assignment_id, course).values()
             if p.exists() or (p.name == "README.md" and p.parent.exists())]
    taken += [p for p in (course / "solutions" / assignment_id,
                          course / "autograder" / "graders" / assignment_id) if p.exists()]
    if taken:
        shown = sorted({str(p.relative_to(course)) for p in taken})
        return (f"{assignment_id!r} is taken: {', '.join(shown)} already exist(s); choose another "
                f"id, or remove what is left of an earlier attempt")
    return None


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _cell(index: int, kind: str, source: str, nbgrader: dict | None = None) -> dict:
    cell = {"cell_type": kind, "id": f"cell-{index:02d}", "metadata": {}, "source": _lines(source)}
    if nbgrader is not None:
        cell["metadata"]["nbgrader"] = {"grade": False, "locked": False, "schema_version": 3,
                                        "solution": False, "task": False, **nbgrader}
    if kind == "code":
        cell["execution_count"], cell["outputs"] = None, []
    return cell


def _markdown(index: int, number: int, source: str) -> dict:
    return _cell(index, "markdown", source, {"grade_id": f"md-{number}", "locked": True})


INTRO = """\
# {title}

What this notebook teaches, in two or three sentences: the idea, and the mistakes people make
with it. (The scaffold's example exercise, `Affine`, is a placeholder: replace it with yours.)

**How this notebook is graded.** After each exercise comes a *check cell*. Run it: it prints every
public check with its points, and under a failed check what was observed, what was expected and
what to change. Hidden checks run the same way when your instructor grades the notebook, so a
notebook that passes every public check can still lose points to a hidden one."""

SETUP = """\
import torch
from torch import nn

torch.manual_seed(0)"""

EXPLAIN = """\
## 1. A learnable scale and shift

`Affine(num_features)` holds one learnable scale and one learnable shift per feature, and maps an
input of shape `(*, num_features)` to `x * weight + bias`, broadcast over every leading dimension.

* `weight` has shape `(num_features,)` and starts at ones; `bias` has shape `(num_features,)` and
  starts at zeros, so a fresh layer is the identity.
* Both are learned, so both must be **`nn.Parameter`s**: that is what registers them with the
  module, so that `parameters()` (and an optimizer built from it) sees them."""


CHECK_INTRO = "Check the registration and the forward pass (2-D and 3-D inputs):"

CHECK_CELL = """\
from autograder.notebook import check
points = check("{id}", "{exercise}")
### BEGIN HIDDEN TESTS
points += check("{id}", "{exercise}", hidden=True)
### END HIDDEN TESTS
points"""

REMEMBER = """\
## What to remember

* Learnable tensors are `nn.Parameter`s: assigning one to a module's attribute registers it.
* A per-feature parameter of shape `(num_features,)` broadcasts over every leading dimension."""


def template(name: str) -> str:
    """A file of the scaffold's example (kit/scaffold/), with `{id}`-style fields to fill."""
    path = SCAFFOLD / f"{name}.tmpl"
    if not path.is_file():
        raise AuthoringError(f"{path.relative_to(COURSE)} is missing: the scaffold's templates "
                             f"are the instructor's (kit/scaffold/ in the course's clone)")
    return path.read_text(encoding="utf-8")


def notebook(assignment_id: str, title: str, points: int) -> dict:
    cells = [
        _markdown(0, 0, INTRO.format(title=title)),
        _cell(1, "code", SETUP),
        _markdown(2, 1, EXPLAIN),
        _cell(3, "code", template("exercise.py").rstrip("\n"),
              {"grade_id": f"{assignment_id}-{EXERCISE}", "solution": True}),
        _markdown(4, 2, CHECK_INTRO),
        _cell(5, "code", CHECK_CELL.format(id=assignment_id, exercise=EXERCISE),
              {"grade": True, "grade_id": f"{assignment_id}-{EXERCISE}-checks", "locked": True,
               "points": points}),
        _markdown(6, 3, REMEMBER),
    ]
    return {"cells": cells, "metadata": {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                       "name": "python3"},
        "language_info": {"name": "python", "pygments_lexer": "ipython3"}},
        "nbformat": 4, "nbformat_minor": 5}


METADATA = """\
# What makes this folder an assignment of the course (read by autograder/assignments.py).
order = {order}            # its place in the course
helpers = []         # files released beside the notebook (single source: solutions/{id}/)
uses_data = false    # whether its helpers read data/

[title]
en = {title}
# zh = "..."         # the title in Chinese (make check-assignment asks for it)
"""

PACKAGE = '"""Graders of the `{id}` assignment: {title}."""\n'



PROOF = '''\
"""Proof of the `{id}` graders: the tests are the shared ones of proof.py."""
from proof import *  # noqa: F403 - collected here for this module's assignment

ASSIGNMENT = "{id}"
'''

ZOO_README = """\
# The bug zoo of `{id}`

One file per misconception: a learner who got everything right but this one thing. The proof
(tests/proof.py, `make check-assignment A={id}`) grades the reference followed by the file, so an
entry only redefines what it gets wrong (a subclass of the reference's class, a function of the
same name). Its docstring says what it is:

    Misconception: what the learner believes, in one sentence.
    Caught by: {id}/<check>, {id}/<another check>   (each must fail)
    Mentions: a word the feedback must use, another   (the first failed check must use one)
    Costs more: why this one mistake may lose more than a quarter of the points (optional)

The proof asks for at least {zoo} entries, one for every concept tag the checks use, and for every
check an entry that it catches. `weight_plain_tensor.py` is the scaffold's example.
"""


ALTERNATIVES_README = """\
# Alternative solutions of `{id}`

Right answers written another way (another idiom, another order, in-place operations, a helper
function...): each file, a `.py` that defines every name the notebook asks for, must score full
marks. They keep the graders from insisting on the reference's way. The proof asks for at least
{alternatives}.
"""

EQUIVALENT = """\
# Mutants of the {id} reference answers that behave exactly like it (see mutation/mutants.py).
# One per line: the mutant's id, then why it is equivalent, in words a reviewer can check.
"""


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)   # a TOML basic string is a JSON string


def _message_skeleton(assignment_id: str, language: str, graders: Path, po: Path) -> int:
    """The .po of the graders' messages: each message the kit already translates (in another
    catalogue) with that translation, the others empty. Returns how many are left to translate.
    kit.mo is left as it is: `make translations` compiles it once the messages are translated."""
    from autograder.i18n import catalogue

    known: dict[str, str] = {}
    for other in sorted(po.parent.glob("*.po")):
        for message, text in catalogue.read_po(other).items():
            if text:
                known.setdefault(message, text)
    places: dict[str, list[str]] = {}
    for path in sorted(graders.glob("*.py")):
        for message, line in catalogue.extract(path):
            places.setdefault(message, []).append(
                f"graders/{assignment_id}/{path.name}:{line}")
    entries = {m: known.get(m, "") for m in places}
    catalogue.write_po(po, language, assignment_id, entries, places)
    return sum(1 for text in entries.values() if not text)


def new(assignment_id: str, title: str | None = None, course: Path = COURSE) -> list[Path]:
    """Write the scaffold of `assignment_id` (see the module); returns the files written."""
    why = refusal(assignment_id, course)
    if why:
        raise AuthoringError(why)
    title = (title or "").strip() or assignment_id.replace("_", " ").capitalize()
    where = parts(assignment_id, course)
    orders = [a.order for a in assignments.every()]
    fill = dict(id=assignment_id, exercise=EXERCISE, title=title, zoo=MIN_ZOO,
                alternatives=MIN_ALTERNATIVES)
    texts = {
        "metadata": METADATA.format(order=max(orders, default=0) + 1, id=assignment_id,
                                    title=_toml_string(title)),
        "package": PACKAGE.format(**fill),
        "public": template("public.py").format(**fill),
        "hidden": template("hidden.py").format(**fill),
        "proof": PROOF.format(**fill),
        "zoo": ZOO_README.format(**fill),
        "zoo entry": template("zoo_entry.py").format(**fill),
        "alternatives": ALTERNATIVES_README.format(**fill),
        "equivalent": EQUIVALENT.format(**fill),
        "notebook": json.dumps(notebook(assignment_id, title, points=3), indent=1,
                               sort_keys=True) + "\n",
    }
    written = []
    for part, text in texts.items():
        where[part].parent.mkdir(parents=True, exist_ok=True)
        where[part].write_text(text, encoding="utf-8")
        written.append(where[part])
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        # The notebook's catalogue, as `translation skeleton` writes it: one empty entry a cell.
        cells = {}
        for cell in json.loads(texts["notebook"])["cells"]:
            if translation.needs_translation(cell):
                english = translation.source_of(cell)
                cells[cell["id"]] = {"en": translation.en_hash(english), "english": english,
                                     "text": ""}
        path = where[f"translation {language}"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"cells": cells}, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        written.append(path)
        po = where[f"messages {language}"]
        _message_skeleton(assignment_id, language, where["public"].parent, po)
        written.append(po)
    assignments._CACHE.clear()
    return written


# -- check -----------------------------------------------------------------------------------------

def _load(name: str, path: Path):
    """A module of the kit's tests or tools, by its file (they are not a package)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _say(text: str) -> None:
    print(f"check-assignment: {text}", file=sys.stderr, flush=True)


def _static_gaps(assignment_id: str, course: Path) -> list[tuple[str, str]]:
    """What can be told without grading: titles, translations, counts, quoted solution lines."""
    from autograder.i18n import catalogue

    gaps: list[tuple[str, str]] = []
    assignment = assignments.get(assignment_id)
    toml = f"autograder/graders/{assignment_id}/{assignments.METADATA_FILE}"
    for language in LANGUAGES:
        if not assignment.metadata.title.get(language):
            gaps.append(("title", f"{toml} has no {language} title ([title] {language} = \"...\")"))
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        for line in translation.problems(language, assignment_id):
            gaps.append(("notebook translation", line))
        for line in catalogue.problems(language):
            if f"/{assignment_id}.po" in line or ".mo " in line:
                gaps.append(("message translation", line))
    zoo = course / "tests" / "zoo" / assignment_id
    entries = sorted(zoo.glob("*.py"))
    if len(entries) < MIN_ZOO:
        gaps.append(("zoo", f"tests/zoo/{assignment_id}/ has {len(entries)} entries; the proof "
                            f"needs at least {MIN_ZOO}, one misconception each"))
    alternatives = sorted((course / "tests" / "alternatives" / assignment_id).glob("*.py"))
    if len(alternatives) < MIN_ALTERNATIVES:
        gaps.append(("alternatives", f"tests/alternatives/{assignment_id}/ has "
                                     f"{len(alternatives)} solutions; the proof needs at least "
                                     f"{MIN_ALTERNATIVES} right answers written another way"))
    if not (course / "tests" / f"test_{assignment_id}.py").is_file():
        gaps.append(("proof module", f"tests/test_{assignment_id}.py is missing, so make test "
                                     f"does not prove {assignment_id}: it holds `from proof "
                                     f"import *` and ASSIGNMENT = \"{assignment_id}\""))
    # The feedback test of the shipped assignments (tests/test_feedback.py), for this one.
    feedback = _load("kit_test_feedback", course / "tests" / "test_feedback.py")
    lines = feedback.solution_lines(assignment_id)
    public = course / "autograder" / "graders" / assignment_id / "public.py"
    texts = feedback.feedback_texts(public) if public.is_file() else []
    for line in sorted({line for line in lines for text in texts if line in text}):
        gaps.append(("quotes the solution", f"a text of {public.relative_to(course)} quotes the "
                                            f"solution line {line!r}: say what to change, not the "
                                            f"answer"))
    return gaps


def _planned(assignment_id: str) -> list:
    from autograder.judge_side.runner import manifest

    return list(manifest(assignments.get(assignment_id)))


def _points_gaps(assignment_id: str, planned: list) -> list[tuple[str, str]]:
    """Public checks show every concept an exercise grades and a third of its points
    (tests/test_feedback.py), and each check cell is worth its exercise's checks."""
    gaps = []
    exercises: dict[str, dict] = {}
    for check in planned:
        info = check.info
        entry = exercises.setdefault(info.exercise, {"points": 0.0, "public": 0.0, "tags": set(),
                                                     "public_tags": set()})
        entry["points"] += info.points
        entry["tags"] |= set(info.tags)
        if info.visibility == "visible":
            entry["public"] += info.points
            entry["public_tags"] |= set(info.tags)
    for exercise, entry in exercises.items():
        if 3 * entry["public"] < entry["points"]:
            gaps.append(("public points", f"{assignment_id}/{exercise}: public checks carry "
                                          f"{entry['public']:g} of {entry['points']:g} points, "
                                          f"under a third: make more of it visible"))
        hidden_only = sorted(entry["tags"] - entry["public_tags"])
        if hidden_only:
            gaps.append(("public concepts", f"{assignment_id}/{exercise}: no public check for "
                                            f"the concept(s) {', '.join(hidden_only)}"))
    kit = sys.modules["kit"]
    reference = COURSE / "solutions" / assignment_id / f"{assignment_id}.ipynb"
    try:
        cells = kit.check_cells(reference)
    except AssertionError as exc:
        return gaps + [("check cells", str(exc))]
    for exercise, entry in exercises.items():
        cell = cells.get(exercise)
        if cell is None:
            gaps.append(("check cells", f"no graded check cell calls check(\"{assignment_id}\", "
                                        f"\"{exercise}\") in solutions/{assignment_id}/"))
        elif float(cell["points"]) != entry["points"]:
            gaps.append(("check cells", f"the check cell of {exercise} is worth {cell['points']:g}"
                                        f" points (nbgrader metadata), its checks "
                                        f"{entry['points']:g}"))
        elif "hidden=True" not in cell["source"]:
            gaps.append(("check cells", f"the check cell of {exercise} does not run the hidden "
                                        f"checks (check(..., hidden=True) between ### BEGIN/END "
                                        f"HIDDEN TESTS)"))
    for exercise in sorted(set(cells) - set(exercises)):
        gaps.append(("check cells", f"a check cell calls the exercise {exercise}, which has no "
                                    f"check"))
    return gaps


def _graded_gaps(assignment_id: str, planned: list, jobs: int
                 ) -> tuple[list[tuple[str, str]], dict | None]:
    """The engine's verdicts: the reference, the released stub, the alternatives, the zoo; and
    the results themselves (None when they could not be had)."""
    kit = sys.modules["kit"]
    released = COURSE / "assignments" / assignment_id / f"{assignment_id}.ipynb"
    if not released.is_file():
        return [("released", f"assignments/{assignment_id}/{assignment_id}.ipynb does not exist: "
                             f"release it (make release, or make check-assignment, releases "
                             f"first)")], None
    with tempfile.TemporaryDirectory(prefix=f"check-{assignment_id}-") as tmp:
        try:
            graded = kit.grade_proof(assignment_id, Path(tmp), jobs=jobs)
        except AssertionError as exc:
            return [("grading", f"the engine could not grade the proof: {str(exc)[-2000:]}")], None
    gaps: list[tuple[str, str]] = []
    reference = graded["reference"]
    if kit.failed(reference) or not reference["score"] == reference["max_score"] > 0:
        gaps.append(("reference", f"solutions/{assignment_id}/{assignment_id}.ipynb scores "
                                  f"{reference['score']:g} of {reference['max_score']:g}; failed: "
                                  f"{', '.join(kit.failed(reference)) or 'none'}"))
    stub = graded["released"]
    not_zero = [t["name"] for t in stub["tests"] if t["score"] or
                "Not implemented yet" not in t["output"] or "Traceback" in t["output"]]
    if stub["score"] or not_zero:
        gaps.append(("stub", f"the released stub scores {stub['score']:g} (not 0), or these "
                             f"checks do not say 'Not implemented yet': {', '.join(not_zero)}"))
    for path in sorted((COURSE / "tests" / "alternatives" / assignment_id).glob("*.py")):
        result = graded[path.stem]
        if result["score"] != result["max_score"]:
            gaps.append(("alternative", f"tests/alternatives/{assignment_id}/{path.name} scores "
                                        f"{result['score']:g} of {result['max_score']:g}; failed: "
                                        f"{', '.join(kit.failed(result))}"))
    entries = kit.zoo_entries(assignment_id)
    tags = {c.name: set(c.info.tags) for c in planned}
    caught_tags: set[str] = set()
    failing_somewhere: set[str] = set()
    for entry in entries:
        result = graded[f"zoo/{entry.id}"]
        failing_somewhere |= set(kit.failed(result))
        try:
            kit.assert_zoo_entry_caught(result, entry)
        except AssertionError as exc:
            gaps.append(("zoo entry", f"tests/zoo/{assignment_id}/{entry.path.name}: "
                                      f"{str(exc).splitlines()[0]}"))
            continue
        for name in entry.caught_by:
            caught_tags |= tags.get(name, set())
        lost = result["max_score"] - result["score"]
        if lost > result["max_score"] / 4 and not entry.costs_more:
            gaps.append(("zoo entry", f"tests/zoo/{assignment_id}/{entry.path.name} loses "
                                      f"{lost:g} of {result['max_score']:g} points, more than a "
                                      f"quarter, with no `Costs more:` line saying why"))
    for tag in sorted(set().union(*tags.values()) - caught_tags):
        users = sorted(name for name, t in tags.items() if tag in t)
        gaps.append(("concept", f"no zoo entry is caught for the concept `{tag}` (checks "
                                f"{', '.join(users)}): add a misconception about it"))
    for name in sorted(tags):
        if name not in failing_somewhere:
            gaps.append(("uncaught check", f"{name} fails for no zoo entry: add the mistake it "
                                           f"exists to catch"))
    return gaps, graded


def _language_gaps(assignment_id: str, english: dict, jobs: int) -> list[tuple[str, str]]:
    """tests/proof.py's test of the feedback in the course's other languages: the same scores,
    check by check, and every text a learner reads in that language."""
    kit = sys.modules["kit"]
    proof = _load("kit_proof", COURSE / "tests" / "proof.py")
    gaps = []
    with tempfile.TemporaryDirectory(prefix=f"check-{assignment_id}-") as tmp:
        try:
            for language in LANGUAGES:
                if language == DEFAULT:
                    continue
                other = kit.grade_proof(assignment_id, Path(tmp) / language, jobs=jobs,
                                        language=language)
                try:
                    proof.test_chinese_feedback_gives_the_same_scores(english, other)
                except AssertionError as exc:
                    gaps.append(("feedback language", f"graded with --lang {language}: "
                                                      f"{str(exc).splitlines()[0][:600]}"))
        except AssertionError as exc:
            gaps.append(("grading", f"the engine could not grade the proof: {str(exc)[-2000:]}"))
    return gaps


def _mutant_gaps(assignment_id: str, jobs: int) -> list[tuple[str, str]]:
    """Every mutant of the reference (mutation/run.py): survivors, and stale equivalences."""
    _load("mutants", COURSE / "mutation" / "mutants.py")
    run = _load("kit_mutation_run", COURSE / "mutation" / "run.py")
    mutants = run.generate(assignment_id)
    if not mutants:
        return [("mutants", f"the solution cells of {assignment_id} give no mutant: put the "
                            f"reference answer between ### BEGIN SOLUTION and ### END SOLUTION")]
    _say(f"grading {len(mutants)} mutants of the reference")
    try:
        results = run.grade(mutants, jobs=jobs, time_limit=60.0)
    except SystemExit as exc:
        return [("mutants", f"the mutants could not be graded: {str(exc)[-2000:]}")]
    listed = run.equivalent(assignment_id)
    gaps = []
    for mutant in mutants:
        status = run.classify(mutant, results[mutant.id], listed)
        if status == "survived":
            gaps.append(("mutant", f"mutant {mutant.id} survives ({mutant.grade_id}, "
                                   f"{mutant.description}): no check sees it; add a check, or "
                                   f"list it with why in mutation/equivalent/{assignment_id}.txt"))
        elif status == "stale":
            gaps.append(("mutant", f"mutant {mutant.id} is listed as equivalent in "
                                   f"mutation/equivalent/{assignment_id}.txt but is killed: "
                                   f"remove it"))
    return gaps


def check(assignment_id: str, *, jobs: int = 2, mutants: bool = True) -> list[tuple[str, str]]:
    """What `assignment_id` still lacks, as (kind, what) pairs; empty when it is proven."""
    if assignment_id not in assignments.ids():
        why = assignments.ignored().get(assignment_id)
        raise AuthoringError(f"{assignment_id!r} is not an assignment of the course (they are "
                             f"{', '.join(assignments.ids())})" + (f": {why}" if why else "")
                             + f"; make new-assignment A={assignment_id} creates one")
    tests = COURSE / "tests"
    if not (tests / "kit.py").is_file():
        raise AuthoringError("check-assignment needs the kit's tests/ (kit.py, proof.py, the zoo "
                             "and the alternatives) and mutation/: run it in the course's clone")
    sys.path.insert(0, str(tests))
    import kit  # noqa: F401 - tests/kit.py, the proof's machinery (found again as sys.modules)

    _say(f"reading {assignment_id}'s parts")
    gaps = _static_gaps(assignment_id, COURSE)
    _say("planning the checks")
    planned = _planned(assignment_id)
    gaps += _points_gaps(assignment_id, planned)
    _say("grading the reference, the stub, the alternatives and the zoo")
    found, graded = _graded_gaps(assignment_id, planned, jobs)
    gaps += found
    translated = not any(kind.endswith("translation") or kind == "title" for kind, _w in gaps)
    if translated and graded is not None:
        # Only once both catalogues are complete: until then their lines say what is missing.
        _say("grading the same submissions with feedback in Chinese")
        gaps += _language_gaps(assignment_id, graded, jobs)
    if mutants:
        gaps += _mutant_gaps(assignment_id, jobs)
    return gaps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.course.authoring",
                                     description="Add an assignment; prove one.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    create = verbs.add_parser("new", help="write the scaffold of a new assignment")
    create.add_argument("id")
    create.add_argument("--title", help="its English title (default: the id)")
    prove = verbs.add_parser("check", help="what an assignment's proof still lacks")
    prove.add_argument("id")
    prove.add_argument("--jobs", type=int, default=2, help="submissions graded at once")
    prove.add_argument("--no-mutants", action="store_true", help="skip the mutation run")
    args = parser.parse_args(argv)
    try:
        if args.verb == "new":
            written = new(args.id, args.title)
            print(f"new assignment {args.id}:")
            for path in written:
                print(f"  {path.relative_to(COURSE)}")
            print(f"next: replace the example exercise (Affine) in solutions/{args.id}/"
                  f"{args.id}.ipynb and its checks, then make check-assignment A={args.id} "
                  f"lists what is left (docs/authoring.md is the guide)")
            return 0
        gaps = check(args.id, jobs=max(1, args.jobs), mutants=not args.no_mutants)
    except (AuthoringError, assignments.RegistryError) as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    if not gaps:
        print(f"{args.id}: nothing missing (reference, stub, alternatives, zoo, concepts, points, "
              f"feedback, translations{', mutants' if not args.no_mutants else ''})")
        return 0
    print(f"{args.id}: {len(gaps)} missing")
    for kind, what in gaps:
        print(f"  - {kind}: {what}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
