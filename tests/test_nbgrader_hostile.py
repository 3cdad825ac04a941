"""The nbgrader path against hostile learners (issue 20) and the formgrader (issue 21, item 5).

One scratch course, one assignment (`linear`), a handful of learners beside honest neighbours,
run through the README's commands: `make autograde`, `make feedback`, `make export`; then the
formgrader is started on the course and a submission's page is fetched.

- `forger`: the released stub whose first cell, if any kernel ran it unconfined, would write the
  engine's result files (full marks for itself, 0 for classmates) and a file in the course
  (tests/hostile/nbgrader_forge_results.py); its saved outputs claim every test cell's points.
- `planted`: the stub, with a forged result file planted in results/gradebook/ before
  `make autograde`, carrying the fingerprint the engine's resume compares (public inputs).
- `malformed`: the reference solution with a Markdown cell whose metadata is a list.
- `page`: the reference solution with a Markdown `<img src=x onerror=...>` and a saved output
  that displays a `<script>`.
- `honest`, `stub`: the neighbours.

The gradebook must hold the engine's scores only, honest learners full marks; no learner code
runs outside the engine's sandbox; no page runs learner script.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from kit import (REPO, TESTS, VENV, code_cell_sources, course_env, hidden_only_lines,
                 leaked_lines, make, scratch_course, submission_notebook, total_points)

pytestmark = pytest.mark.slow

ASSIGNMENT = "linear"
FULL = total_points(ASSIGNMENT)
HOSTILE_PAGE_MARKDOWN = ('A picture: <img src=x onerror="document.title=\'pwned-markdown\'">\n\n'
                         '[a link](javascript:document.title=\'pwned-link\')')
HOSTILE_PAGE_OUTPUT = "<script>document.title='pwned-output'</script><b>shown</b>"
PWNED_TITLES = ("pwned-markdown", "pwned-link", "pwned-output")


def released() -> Path:
    return REPO / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def reference() -> Path:
    return REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"


def _notebook(sources: list[str], target: Path) -> dict:
    submission_notebook(released(), sources, target)
    return json.loads(target.read_text())


def _save(nb: dict, target: Path) -> None:
    target.write_text(json.dumps(nb, indent=1) + "\n")


def _test_cells(nb: dict) -> list[dict]:
    from autograder.course.submission import is_test_cell

    return [c for c in nb["cells"] if c["cell_type"] == "code" and is_test_cell(c)]


def _learners(course: Path) -> None:
    ref, stub = code_cell_sources(reference()), code_cell_sources(released())
    def folder(name):
        return course / "submitted" / name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    _notebook(ref, folder("honest"))
    _notebook(stub, folder("stub"))
    _notebook(stub, folder("planted"))
    forge = (TESTS / "hostile" / "nbgrader_forge_results.py").read_text()
    nb = _notebook([stub[0] + "\n" + forge] + stub[1:], folder("forger"))
    for cell in _test_cells(nb):   # what a forging kernel left in the saved notebook
        points = cell["metadata"]["nbgrader"]["points"]
        cell["outputs"] = [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                            "data": {"text/plain": f"{points}"}}]
    _save(nb, folder("forger"))
    nb = _notebook(ref, folder("malformed"))
    nb["cells"].insert(1, {"cell_type": "markdown", "id": "malformed-meta", "metadata": [1, 2],
                           "source": "metadata that is a list"})
    _save(nb, folder("malformed"))
    nb = _notebook(ref, folder("page"))
    nb["cells"].insert(1, {"cell_type": "markdown", "id": "hostile-markdown", "metadata": {},
                           "source": HOSTILE_PAGE_MARKDOWN})
    first_code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    first_code["outputs"] = [{"output_type": "display_data", "metadata": {},
                              "data": {"text/html": HOSTILE_PAGE_OUTPUT, "text/plain": "x"}}]
    _save(nb, folder("page"))


def _plant_forged_result(course: Path) -> None:
    """A result for `planted` as the engine's resume would have believed it: full marks, with the
    fingerprint of the submission and the kit (both computed from public inputs)."""
    script = """
import json, sys
from pathlib import Path
from autograder import assignments
from autograder.grading.batch import kit_fingerprint, submission_fingerprint
from autograder.judge_side.runner import manifest
course, student = Path(sys.argv[1]), sys.argv[2]
a = assignments.get("linear")
path = course / "submitted" / student / "linear" / "linear.ipynb"
tests = [{"name": c.name, "score": c.info.points, "max_score": c.info.points, "status": "passed",
          "output": "", "visibility": "visible", "tags": []} for c in manifest(a)]
result = {"score": sum(t["score"] for t in tests), "max_score": sum(t["score"] for t in tests),
          "output": "forged", "tests": tests, "extra_data": {"grading": {
              "submission": submission_fingerprint(path), "kit": kit_fingerprint(a),
              "all_cells": False, "language": None}}}
target = course / "results" / "gradebook" / student / "linear.json"
target.parent.mkdir(parents=True, exist_ok=True)
target.write_text(json.dumps(result))
"""
    subprocess.run([sys.executable, "-c", script, str(course), "planted"], cwd=course, check=True,
                   env={**course_env(), "PYTHONPATH": str(course)}, timeout=300)


@dataclass
class Course:
    path: Path
    grades: dict[str, dict]          # learner -> grades.csv row
    status: dict[str, dict]          # learner -> grades-status.csv row
    autograde_log: str


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    path = scratch_course(tmp_path_factory.mktemp("hostile-course") / "course")
    _learners(path)
    _plant_forged_result(path)
    autograde = make(path, "autograde")
    make(path, "feedback")
    make(path, "export")
    with open(path / "grades.csv", newline="") as f:
        grades = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == ASSIGNMENT}
    with open(path / "grades-status.csv", newline="") as f:
        status = {r["student_id"]: r for r in csv.DictReader(f) if r["assignment"] == ASSIGNMENT}
    return Course(path, grades, status, autograde.stdout + autograde.stderr)


def test_no_learner_code_runs_outside_the_sandbox(course):
    assert not (course.path / "FORGED-BY-A-KERNEL").exists(), (
        "learner code ran unconfined under make autograde (nbgrader's kernel)")
    assert not list(course.path.rglob("FORGED-BY-A-KERNEL"))


def test_the_gradebook_holds_the_engine_scores_only(course):
    scores = {name: float(row["raw_score"]) for name, row in course.grades.items()}
    assert scores == {"honest": FULL, "page": FULL, "malformed": FULL, "stub": 0.0,
                      "planted": 0.0, "forger": 0.0}, scores
    result = json.loads((course.path / "results" / "gradebook" / "planted" /
                         f"{ASSIGNMENT}.json").read_text())
    assert result["output"] != "forged" and result["score"] == 0, "the planted result was kept"


def test_the_forged_claims_are_listed_not_recorded(course):
    with open(course.path / "autograded" / "discrepancies.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {r["student"] for r in rows} == {"forger"}, rows
    assert len(rows) == len(_test_cells(json.loads(released().read_text())))
    assert all(float(r["kernel_points"]) > float(r["engine_points"]) == 0 for r in rows), rows


def test_every_learner_is_graded_and_status_says_so(course):
    assert {n: r["status"] for n, r in course.status.items()} == dict.fromkeys(course.grades,
                                                                                "submitted")
    assert "FAILED" not in course.autograde_log and "NOT GRADED" not in course.autograde_log


def test_the_autograded_notebooks_hold_no_kernel_output(course):
    """nbgrader cleared the learner's outputs and ran nothing; every graded cell shows the
    engine's report (nbgrader's placeholder is gone)."""
    from autograder.course.nbgrader_setup import NOT_GRADED_YET

    for learner in course.grades:
        nb = json.loads((course.path / "autograded" / learner / ASSIGNMENT /
                         f"{ASSIGNMENT}.ipynb").read_text())
        text = json.dumps(nb)
        assert "pwned-output" not in text and NOT_GRADED_YET[:20] not in text, learner
        for cell in _test_cells(nb):
            assert "graded by the engine" in json.dumps(cell["outputs"]), (learner, cell["id"])


def _page(course: Course, learner: str) -> str:
    return (course.path / "feedback" / learner / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()


def test_feedback_pages_carry_no_learner_markup(course):
    from autograder.course.feedback_page import CONTENT_SECURITY_POLICY, has_policy

    page = _page(course, "page")
    assert has_policy(page), page[:600]
    assert "script-src" not in CONTENT_SECURITY_POLICY
    assert "default-src 'none'" in CONTENT_SECURITY_POLICY
    assert not re.search(r"<script", page, re.I), re.findall(r".{60}<script.{60}", page)[:3]
    assert not re.search(r"\son\w+\s*=", page, re.I), re.findall(r".{60}\son\w+\s*=.{60}", page)[:3]
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", page, re.I)
    assert "A picture:" in page and "a link" in page   # the learner's words are still shown
    full = f"{FULL:g}"
    assert re.search(rf"Score:\s*{full}(\.0)?\s*/\s*{full}", page)


def _chromium() -> str | None:
    return next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)


@pytest.mark.skipif(_chromium() is None, reason="no headless Chromium on this machine (apt-get "
                    "install chromium to run it); the markup is checked without it")
def test_no_learner_script_runs_in_chromium(course, tmp_path):
    for learner in ("page", "honest"):
        page = course.path / "feedback" / learner / ASSIGNMENT / f"{ASSIGNMENT}.html"
        flags = ["--headless", "--disable-gpu", "--no-sandbox", "--virtual-time-budget=3000",
                 f"--user-data-dir={tmp_path / learner}", "--dump-dom", page.as_uri()]
        proc = subprocess.run([_chromium(), *flags], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        title = re.search(r"<title>(.*?)</title>", proc.stdout, re.S)
        assert title and title.group(1).strip() == ASSIGNMENT, title and title.group(1)
        assert not any(t in proc.stdout for t in PWNED_TITLES)


# --- The formgrader (issue 21, item 5) -----------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def formgrader(course):
    """A Jupyter server with nbgrader's server extensions, on the course, on a free port."""
    port, token = _free_port(), "kit-formgrader-test"
    log = open(course.path / "formgrader.log", "w")
    command = [str(VENV / "bin" / "jupyter"), "server", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={course.path}",
               "--ServerApp.jpserver_extensions={'nbgrader.server_extensions.formgrader': True}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    server = subprocess.Popen(command, cwd=course.path, stdout=log, stderr=subprocess.STDOUT,
                              env={**course_env(), "PYTHONPATH": str(course.path)})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180     # generous: a loaded machine starts it slowly
        while True:
            assert server.poll() is None, (course.path / "formgrader.log").read_text()[-3000:]
            try:
                if _get(f"{base}/api/status", token)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (course.path / "formgrader.log").read_text()[-3000:]
            time.sleep(0.5)
        yield base, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def _submission_id(course: Course, learner: str) -> str:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course.path / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, learner).id


def test_the_formgrader_opens_a_submission_with_the_engine_score(course, formgrader):
    base, token = formgrader
    status, page = _get(f"{base}/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}", token)
    assert status == 200, page[-2000:]
    for learner, score in (("honest", FULL), ("forger", 0.0)):
        submission = _submission_id(course, learner)
        status, page = _get(f"{base}/formgrader/submissions/{submission}", token)
        assert status == 200 and "formgrader encountered an error" not in page, page[-3000:]
        assert "graded by the engine" in page, page[-3000:]
        status, grades = _get(f"{base}/formgrader/api/grades?submission_id={submission}", token)
        assert status == 200, grades[-2000:]
        auto = [g["auto_score"] for g in json.loads(grades)]
        assert auto and sum(auto) == pytest.approx(score), (learner, auto)


def test_the_formgrader_shows_learner_markdown_inert(course, formgrader):
    base, token = formgrader
    status, page = _get(f"{base}/formgrader/submissions/{_submission_id(course, 'page')}", token)
    assert status == 200, page[-3000:]
    assert "A picture:" in page
    assert "onerror" not in page
    assert not re.search(r"(href|src)\s*=\s*[\"']?\s*javascript:", page, re.I)
    assert "pwned-output" not in page


# --- Late penalties: nbgrader's rule, on the engine's score ---------------------------------------

def test_late_penalty_is_nbgrader_rule_on_the_engine_score(course, tmp_path):
    """nbgrader computed the penalty on the withheld score (0); the overlay applies the course's
    late-submission rule (here 'zero': a late notebook scores 0) to the engine's score."""
    import datetime

    from nbgrader.api import Gradebook

    from autograder.course.gradebook import apply

    copy = tmp_path / "course"
    shutil.copytree(course.path, copy, ignore=shutil.ignore_patterns("data", "results"))
    with open(copy / "nbgrader_config.py", "a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    due = datetime.datetime(2026, 1, 1, 12, 0)
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=due)
        for learner, stamp in (("honest", due + datetime.timedelta(hours=2)),
                               ("page", due - datetime.timedelta(hours=2))):
            gradebook.update_or_create_submission(ASSIGNMENT, learner, timestamp=stamp)
    results = {(learner, ASSIGNMENT): json.loads((course.path / "results" / "gradebook" / learner /
                                                  f"{ASSIGNMENT}.json").read_text())
               for learner in ("honest", "page")}
    overlay = apply(copy, results)
    assert overlay.complete, (overlay.failures, overlay.not_graded)
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gradebook:
        late = gradebook.find_submission(ASSIGNMENT, "honest")
        on_time = gradebook.find_submission(ASSIGNMENT, "page")
        assert (late.score, late.late_submission_penalty) == (FULL, FULL)
        assert (on_time.score, on_time.late_submission_penalty or 0) == (FULL, 0)


def test_an_assignment_that_cannot_be_written_keeps_no_score(course, tmp_path):
    """All or nothing: one result the overlay cannot use (a check's score that is not a number)
    leaves the whole assignment withheld, the other learner's good score included, and says so
    (`make autograde` fails); grades-status.csv says "not graded", with no score."""
    from nbgrader.api import Gradebook

    from autograder.course.gradebook import apply, withhold

    copy = tmp_path / "course"
    shutil.copytree(course.path, copy, ignore=shutil.ignore_patterns("data", "results"))
    learners = ("honest", "page")
    withhold(copy, {(learner, ASSIGNMENT) for learner in learners})
    results = {(learner, ASSIGNMENT): json.loads((course.path / "results" / "gradebook" / learner /
                                                  f"{ASSIGNMENT}.json").read_text())
               for learner in learners}
    results["page", ASSIGNMENT]["tests"].append({"name": "not-a-check", "score": "many"})
    overlay = apply(copy, results)
    assert not overlay.complete and [a for a, _ in overlay.failures] == [ASSIGNMENT]
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gradebook:
        for learner in learners:
            grades = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, learner).grades
            assert all(g.auto_score is None and g.needs_manual_grade for g in grades), learner
    from autograder.course.gradebook import status_rows

    status = {row[1]: row for row in status_rows(copy) if row[0] == ASSIGNMENT}
    assert status["honest"][2].startswith("submitted, not graded") and status["honest"][3] == ""


def test_a_write_that_fails_half_way_is_rolled_back(course, tmp_path, monkeypatch):
    """The gradebook refuses one write after another learner's scores were set: nothing of the
    assignment is committed (nbgrader's API commits as it creates; the scores come after)."""
    from nbgrader.api import Gradebook

    from autograder.course import gradebook as overlay_module

    copy = tmp_path / "course"
    shutil.copytree(course.path, copy, ignore=shutil.ignore_patterns("data", "results"))
    learners = ("honest", "page")
    overlay_module.withhold(copy, {(learner, ASSIGNMENT) for learner in learners})
    results = {(learner, ASSIGNMENT): json.loads((course.path / "results" / "gradebook" / learner /
                                                  f"{ASSIGNMENT}.json").read_text())
               for learner in learners}
    real = Gradebook.find_submission_notebook

    def refuse_the_second(self, notebook, assignment, student):
        if student == "page":
            raise RuntimeError("the gradebook refused the write")
        return real(self, notebook, assignment, student)

    monkeypatch.setattr(Gradebook, "find_submission_notebook", refuse_the_second)
    overlay = overlay_module.apply(copy, results)
    monkeypatch.undo()
    assert [a for a, _ in overlay.failures] == [ASSIGNMENT] and not overlay.scores
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gradebook:
        for learner in learners:
            grades = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, learner).grades
            assert all(g.auto_score is None for g in grades), learner


# --- What make autograde prints (issue 24, item 3) ------------------------------------------------

def test_autograde_prints_a_line_per_learner_and_one_for_the_forger(course):
    """A line per learner as the engine grades it (who, which, score, seconds); the forger gets
    one more line, saying what was ignored; nbgrader's traceback for the notebook it cannot
    read goes to its log, not the terminal."""
    lines = course.autograde_log.splitlines()
    total = len(course.grades)
    for learner, row in course.grades.items():
        mine = [line for line in lines if re.fullmatch(
            rf"\s*\[\d+/{total}\] {learner}\s+{ASSIGNMENT}\s+(\d+ / \d+|not graded: .+)"
            rf"\s+[\d.]+ s(  \(nbgrader could not process it.*\))?", line)]
        assert len(mine) == 1, (learner, course.autograde_log)
        assert f"{float(row['raw_score']):g} / {FULL:g}" in mine[0], mine
    ignored = [line for line in lines if "ignored" in line]
    assert len(ignored) == 1 and re.search(r"\bforger\b", ignored[0]), course.autograde_log
    claims = len(_test_cells(json.loads(released().read_text())))
    assert f"the saved outputs of {claims} test cells, which claim {FULL:g} points" in ignored[0], \
        ignored
    assert "Traceback" not in course.autograde_log, course.autograde_log
    assert "malformed" in next(line for line in lines if line.startswith("nbgrader autograde"))
    assert "Traceback" in (course.path / "autograded" / f"nbgrader-{ASSIGNMENT}.log").read_text()


def test_forged_nbgrader_metadata_is_named_in_the_one_line():
    """Points raised in a test cell's metadata, a solution cell made graded and a graded cell the
    release lacks: one line names each kind of change (the gradebook's points are the source's)."""
    from autograder.course.gradebook import ignored_claims

    source = json.loads((REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    honest = json.loads(released().read_text())
    assert ignored_claims(honest, source, {}) is None
    forged = json.loads(json.dumps(honest))
    test = _test_cells(forged)[0]
    test["metadata"]["nbgrader"]["points"] = 1000
    test["outputs"] = [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                        "data": {"text/plain": "1000"}}]
    forged["cells"].append({"cell_type": "code", "id": "extra", "execution_count": None,
                            "outputs": [], "source": "1", "metadata": {"nbgrader": {
                                "grade": True, "grade_id": "bonus", "points": 50,
                                "solution": False, "locked": False, "schema_version": 3}}})
    line = ignored_claims(forged, source, {})
    assert line is not None and "\n" not in line, line
    assert "the saved outputs of 1 test cell, which claim 1000 points" in line, line
    assert "points" in line.split("metadata changed")[1] and "release does not have" in line, line


# --- nbgrader's exchange, as a JupyterHub course uses it (issue 24, item 1) -----------------------

LEARNER_USER = "nobody"
RUNUSER = shutil.which("runuser") or "/usr/sbin/runuser"


def _learner_python() -> str | None:
    """An interpreter an unprivileged user can run with this venv's packages (the venv's own may
    live under /root), or None."""
    import pwd

    if os.geteuid() != 0 or not os.access(RUNUSER, os.X_OK):
        return None
    try:
        pwd.getpwnam(LEARNER_USER)
    except KeyError:
        return None
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (os.path.realpath(sys.executable), f"/usr/bin/{version}",
                      f"/usr/local/bin/{version}"):
        probe = subprocess.run([RUNUSER, "-u", LEARNER_USER, "--", candidate, "-c",
                                "import nbgrader"], capture_output=True, timeout=120,
                               env={"PATH": "/usr/bin:/bin", "PYTHONPATH": _site_packages()})
        if probe.returncode == 0:
            return candidate
    return None


def _site_packages() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def test_release_fetch_submit_collect_through_the_exchange(course, tmp_path):
    """The instructor releases with nbgrader's exchange; an unprivileged learner (`nobody`)
    fetches, works and submits; the instructor collects and autogrades: the gradebook holds the
    engine's full marks for that learner, who could not list the other submissions."""
    python = _learner_python()
    if python is None:
        pytest.skip("needs root, runuser, a user 'nobody' and an interpreter that user can run "
                    "with this venv's packages")
    import tempfile

    from nbgrader.api import Gradebook

    copy = tmp_path / "course"
    shutil.copytree(course.path, copy, ignore=shutil.ignore_patterns("data", "results"))
    shared = Path(tempfile.mkdtemp(prefix="kit-exchange-"))
    try:
        shared.chmod(0o755)
        exchange, home = shared / "exchange", shared / "home"
        exchange.mkdir(mode=0o777)
        exchange.chmod(0o777)
        home.mkdir()
        shutil.chown(home, LEARNER_USER)
        answer = shared / "answer.ipynb"
        _notebook(code_cell_sources(reference()), answer)
        answer.chmod(0o644)
        flags = ["--course=kit", f"--Exchange.root={exchange}", "--log-level=ERROR"]
        nbgrader = [str(VENV / "bin" / "nbgrader")]

        def instructor(*args):
            return subprocess.run([*nbgrader, *args, *flags], cwd=copy, env=course_env(),
                                  capture_output=True, text=True, timeout=600)

        def learner(*args):
            return subprocess.run(
                [RUNUSER, "-u", LEARNER_USER, "--", "/usr/bin/env", f"HOME={home}", python,
                 "-m", "nbgrader", *args, *flags],   # runuser sets the user's own HOME
                cwd=home, capture_output=True, text=True, timeout=600,
                env={"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": _site_packages()})


        # make release-exchange: the notebook's folder carries the public engine
        done = subprocess.run([sys.executable, "-m", "autograder.course.exchange", "release",
                               "--course=kit", f"--exchange={exchange}",
                               f"--assignment={ASSIGNMENT}"], cwd=copy, capture_output=True,
                              text=True, timeout=600, env={**course_env(), "PYTHONPATH": str(copy)})
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        done = learner("fetch_assignment", ASSIGNMENT)
        assert done.returncode == 0, done.stderr[-2000:]
        fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert fetched.exists() and fetched.stat().st_uid != 0
        engine = fetched.parent / "autograder"
        assert (engine / "notebook.py").is_file() and (engine / "graders" / ASSIGNMENT /
                                                       "public.py").is_file()
        shipped = sorted(p.relative_to(engine).as_posix() for p in engine.rglob("*.py"))
        assert not [p for p in shipped if p.endswith("hidden.py")], shipped
        others = {p.split("/")[1] for p in shipped if p.startswith("graders/") and p.count("/") > 1}
        assert others == {ASSIGNMENT}, others
        assert not (fetched.parent / "solutions").exists()
        secrets = hidden_only_lines(ASSIGNMENT)
        assert secrets
        for path in fetched.parent.rglob("*"):
            if path.is_file():
                assert not leaked_lines(path, secrets), path
        # A check cell works there, for the unprivileged learner, with nothing else installed
        # (the kit's own venv packages only: torch, nbgrader): the reference's code, then the
        # public checks of its first exercise.
        script = shared / "check.py"
        script.write_text("\n".join([
            "import json, sys",
            "sys.path.insert(0, '')   # as a kernel started in the notebook's folder has it",
            f"cells = json.load(open({str(answer)!r}))['cells']",
            "for cell in cells:",
            "    source = ''.join(cell['source'])",
            "    if cell['cell_type'] == 'code' and 'autograder' not in source:",
            "        exec(compile(source, 'cell', 'exec'), globals())",
            "import autograder, autograder.notebook as notebook",
            "print('ENGINE', autograder.__file__)",
            "print('POINTS', notebook.check(%r, 'parameters'))" % ASSIGNMENT]))
        script.chmod(0o644)
        checked = subprocess.run(
            [RUNUSER, "-u", LEARNER_USER, "--", "/usr/bin/env", f"HOME={home}", python,
             str(script)], cwd=fetched.parent, capture_output=True, text=True, timeout=600,
            env={"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONPATH": _site_packages(),
                 "AUTOGRADER_NO_NAMESPACES": "1"})
        assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
        assert f"ENGINE {engine / '__init__.py'}" in checked.stdout, checked.stdout[-3000:]
        points = float(re.search(r"POINTS (\S+)", checked.stdout).group(1))
        assert points > 0, checked.stdout[-3000:]
        copied = subprocess.run([RUNUSER, "-u", LEARNER_USER, "--", "cp", str(answer),
                                 str(fetched)], capture_output=True, text=True, timeout=60)
        assert copied.returncode == 0, copied.stderr
        # What comes back holds the learner's copy of the engine: it must never be imported
        # on the instructor's side (the engine grades with its own).
        trap = shared / "the-learners-engine-ran"
        tampered = subprocess.run(
            [RUNUSER, "-u", LEARNER_USER, "--", "/bin/sh", "-c",
             f"echo \"open({str(trap)!r}, 'w')\" >> {engine / '__init__.py'}"],
            capture_output=True, text=True, timeout=60)
        assert tampered.returncode == 0, tampered.stderr
        done = learner("submit", ASSIGNMENT)
        assert done.returncode == 0, done.stderr[-2000:]
        peek = subprocess.run([RUNUSER, "-u", LEARNER_USER, "--", "ls",
                               str(exchange / "kit" / "inbound")], capture_output=True, timeout=60)
        assert peek.returncode != 0, "a learner can list every submission in the exchange"

        done = instructor("collect", ASSIGNMENT)
        assert done.returncode == 0, done.stderr[-2000:]
        assert (copy / "submitted" / LEARNER_USER / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()
        done = instructor("autograde", ASSIGNMENT, "--student", LEARNER_USER, "--force")
        assert done.returncode == 0, done.stderr[-2000:]
        graded = subprocess.run([sys.executable, "-m", "autograder", "gradebook", "--jobs", "1",
                                 "--assignment", ASSIGNMENT], cwd=copy, capture_output=True,
                                text=True, timeout=900, env={**course_env(),
                                                             "PYTHONPATH": str(copy)})
        assert graded.returncode == 0, graded.stdout[-2000:] + graded.stderr[-2000:]
        assert re.search(rf"\] {LEARNER_USER}\s+{ASSIGNMENT}\s+{FULL:g} / {FULL:g}",
                         graded.stdout), graded.stdout
        with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gradebook:
            submission = gradebook.find_submission(ASSIGNMENT, LEARNER_USER)
            assert submission.score == pytest.approx(FULL) and submission.timestamp is not None
        assert (copy / "submitted" / LEARNER_USER / ASSIGNMENT / "autograder").is_dir()
        assert not trap.exists(), "the instructor's side imported the engine a learner submitted"
    finally:
        shutil.rmtree(shared, ignore_errors=True)
