"""The instructor's tools read learner data as data (issue 20): names, text and pages.

One scratch class is graded with `grade-all`, as an instructor would: honest learners (the
reference solution) whose folders are named like spreadsheet formulas, like the kit's own files
(`class.csv`), in unicode, with spaces, dots, a leading `-`, a newline, 255 bytes, bytes that are
not UTF-8, or markup; beside them notebooks broken on purpose and a learner whose error message
is markup. Then `class-report` reads the results, and `grade` prints a report whose text holds a
lone surrogate. Every learner gets a result (full marks for the honest ones), class.csv has a row
for each and no cell a spreadsheet would run, the pages carry no learner markup and allow no
script, and a notebook broken on purpose is told it is theirs.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kit import REPO, code_notebook, run_engine, total_points

from autograder.grading.batch import KIT_FOLDER, result_folder
from autograder.reports.spreadsheet import FORMULA_STARTS, safe_cell, write_csv

REFERENCE = REPO / "solutions" / "linear" / "linear.ipynb"
# Built at run time in the browser, never written in the page: if this reaches the DOM, a
# learner's script ran.
MARK_JS = "String.fromCharCode(80,87,78,69,68)"
MARK = "PWNED"
PAYLOAD = (f"<script>document.title={MARK_JS}</script>"
           f"<img src=x onerror=\"document.title={MARK_JS}\">")

# Folder names of honest learners: each must get full marks under its own name.
HONEST = [
    "honest",
    '=HYPERLINK("http:"&CHAR(47)&CHAR(47)&"evil.example";"x")',
    "+SUM(1;2)", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd",
    "class.csv", "class-report.html", "class.csv.partial", KIT_FOLDER,
    "ünïcödé 学生", "with  spaces ", "...", "..x", "-rf", "a\nnewline", "x.json",
    "\x1b]0;title\x07\x1b[2J",
    "x" * 255,
    "<img src=x onerror=alert(1)>",
    os.fsdecode(b"not utf-8 \xff\xfe"),
]


def grade_all(submitted: Path, out: Path) -> subprocess.CompletedProcess:
    return run_engine("grade-all", str(submitted), "--out", str(out), "--jobs", "2",
                      "--time-limit", "60", timeout=600)


def place(submitted: Path, student: str, notebook: Path | None = None, text: str | None = None):
    target = submitted / student / "linear" / "linear.ipynb"
    target.parent.mkdir(parents=True)
    if text is not None:
        target.write_text(text)
    else:
        shutil.copy2(notebook or REFERENCE, target)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("instructor")
    submitted, out = tmp / "submitted", tmp / "results"
    for student in HONEST:
        place(submitted, student)
    scratch = tmp / "scratch"
    # Broken on purpose: JSON nested 200,000 levels deep; 10,000 cells that raise.
    depth = 200_000
    place(submitted, "deep", text='{"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": '
          + "[" * depth + "]" * depth + '}, "cells": []}')
    place(submitted, "raising", code_notebook(
        [f'raise ValueError("\u4e2d" * 200 + " {i}")' for i in range(10_000)],
        scratch / "raising.ipynb"))
    # Markup in an error message that the feedback (and so the class report) quotes.
    place(submitted, "markup", code_notebook(
        ["import torch\n\nclass Linear(torch.nn.Module):\n"
         f"    def __init__(self, *args, **kwargs):\n        raise ValueError({PAYLOAD!r})\n"],
        scratch / "markup.ipynb"))
    proc = grade_all(submitted, out)
    report = run_engine("class-report", str(out))
    return {"submitted": submitted, "out": out, "proc": proc, "report": report, "tmp": tmp}


def result_of(graded, student: str) -> dict | None:
    path = result_folder(graded["out"], student) / "linear.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def class_rows(graded) -> list[dict]:
    with open(graded["out"] / "class.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# -- item 4: names are data ---------------------------------------------------------------------

def test_grade_all_completes_with_a_row_for_every_learner(graded):
    proc = graded["proc"]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (graded["out"] / "class.csv").is_file()
    rows = class_rows(graded)
    assert len(rows) == len(HONEST) + 3, [r["student"] for r in rows]


def test_every_honest_learner_keeps_full_marks_under_their_own_name(graded):
    missing, short = [], []
    for student in HONEST:
        result = result_of(graded, student)
        if result is None:
            missing.append(student)
        elif not result["score"] == result["max_score"] == total_points("linear"):
            short.append((student, result["output"][:300]))
    assert not missing and not short, (missing, short)
    rows = {r["student"]: r for r in class_rows(graded)}
    for student in HONEST:
        shown = safe_cell(student)
        assert shown in rows, (student, sorted(rows))
        assert float(rows[shown]["score"]) == total_points("linear"), student


def test_names_reach_the_terminal_as_one_line_each(graded):
    progress = [line for line in graded["proc"].stderr.splitlines() if " graded, " in line]
    assert len(progress) == len(HONEST) + 3, graded["proc"].stderr[-3000:]
    full = f"{total_points('linear'):g}"
    assert "\x1b" not in graded["proc"].stderr
    assert f"a\\nnewline/linear: {full}/{full}" in graded["proc"].stderr


def test_the_kits_own_files_win_and_colliding_learners_are_put_aside(graded):
    out = graded["out"]
    assert (out / "class.csv").is_file()
    for student in ("class.csv", "class-report.html", "class.csv.partial", KIT_FOLDER):
        assert (out / KIT_FOLDER / student / "linear.json").is_file(), student
        assert not (out / student / "linear.json").exists(), student
    assert (out / "honest" / "linear.json").is_file()   # everyone else as README says
    assert graded["report"].returncode == 0, graded["report"].stderr[-2000:]
    assert (out / "class-report.html").is_file()


def test_running_again_keeps_every_result(graded):
    from autograder import assignments
    from autograder.grading.batch import kit_fingerprint

    kit = result_of(graded, "honest")["extra_data"]["grading"]["kit"]
    proc = grade_all(graded["submitted"], graded["out"])
    assert proc.returncode == 0, proc.stderr[-2000:]
    if kit_fingerprint(assignments.get("linear")) != kit:
        pytest.skip("the kit's files changed while the test ran: nothing could be kept")
    assert f"kept {len(HONEST) + 3} current results" in proc.stdout, proc.stdout
    assert len(class_rows(graded)) == len(HONEST) + 3


# -- item 3: spreadsheet-safe CSV -----------------------------------------------------------------

def test_no_cell_of_class_csv_is_a_formula(graded):
    with open(graded["out"] / "class.csv", newline="", encoding="utf-8") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    formulas = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert not formulas, formulas
    assert "'" + HONEST[1] in cells          # shown as it was, after the neutralising quote


def test_safe_cell_and_write_csv(tmp_path):
    assert [safe_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "\tx", "\rx", "ok", 3, -2.5, None)] \
        == ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "ok", 3, -2.5, None]
    assert safe_cell("a\ud800b") == "a?b"
    target = tmp_path / "t.csv"
    write_csv(target, ["=h"], [["=cmd|' /C calc'!A0", -1]])
    assert target.read_text(encoding="utf-8").splitlines() == ["'=h", "'=cmd|' /C calc'!A0,-1"]
    assert not (tmp_path / "t.csv.partial").exists()


# -- item 7: broken on purpose, told it is theirs -------------------------------------------------

def test_a_deeply_nested_notebook_is_told_it_is_theirs(graded):
    result = result_of(graded, "deep")
    text = result["output"] + json.dumps(result["tests"])
    assert result["score"] == 0 and "nested too deeply to read" in result["output"], text[:500]
    assert "problem in the kit" not in text


def test_ten_thousand_raising_cells_are_told_how_many_and_the_first_ones(graded):
    result = result_of(graded, "raising")
    text = result["output"] + json.dumps(result["tests"])
    assert "problem in the kit" not in text, result["output"][:1000]
    assert "10000 cells of your notebook raised an error; the first 20 were:" \
        in result["output"], result["output"][:1000]
    assert result["output"].count("A cell raised an error: ") == 20
    assert "cell 1 (`raise ValueError(" in result["output"]


# -- item 5: invalid text never stops a writer ----------------------------------------------------

def test_grade_prints_a_report_whose_text_holds_a_lone_surrogate(tmp_path):
    broken = code_notebook([r'raise ValueError("bad \ud800 text")'], tmp_path / "a" / "linear.ipynb")
    honest = tmp_path / "b" / "linear.ipynb"
    honest.parent.mkdir()
    shutil.copy2(REFERENCE, honest)
    proc = run_engine("grade", str(broken), str(honest), timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "ValueError: bad \ufffd text" in proc.stdout
    full = f"{total_points('linear'):g}"
    assert f"linear ({honest}): {full} / {full} points" in proc.stdout, proc.stdout[-2000:]


def test_class_report_copes_with_invalid_text_in_results(tmp_path):
    folder = tmp_path / "results"
    (folder / os.fsdecode(b"bad \xff name")).mkdir(parents=True)
    test = {"name": "linear/forward_2d", "score": 0.0, "max_score": 1.0, "status": "failed",
            "output": "Check: forward\nObserved: \ud800 raised", "visibility": "visible",
            "tags": ["forward\udfff"]}
    # As an earlier engine (or another tool) wrote it: JSON escapes of lone surrogates.
    (folder / os.fsdecode(b"bad \xff name") / "linear.json").write_text(json.dumps(
        {"score": 0.0, "max_score": 1.0, "execution_time": 0.1, "output": "x\ud800",
         "tests": [test]}))
    (folder / os.fsdecode(b"junk \xfe.json")).write_text("{not json")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (folder / "odd.json").write_text(json.dumps(
        {"score": 1, "max_score": 1, "tests": [{"name": "x", "status": "failed", "tags": 3}]}))
    proc = run_engine("class-report", str(folder))
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = (folder / "class-report.html").read_text(encoding="utf-8")
    assert "Observed: \ufffd raised" in page and "Files left out" in page
    assert "odd.json" in page and "deep.json" in page


# -- item 2: the kit's pages render learner text inert --------------------------------------------

class Markup(HTMLParser):
    """Every element and attribute of a page, and its Content-Security-Policy."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes, self.policy = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [name for name, _value in attrs]
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "content-security-policy":
            self.policy = attrs.get("content")


def assert_inert(page: str, *, policy: bool = True) -> None:
    markup = Markup()
    markup.feed(page)
    assert "script" not in markup.tags and "iframe" not in markup.tags
    assert not [a for a in markup.attributes if a.startswith("on")], markup.attributes
    assert "<script" not in page.lower()
    if policy:
        assert markup.policy and "default-src 'none'" in markup.policy, markup.policy
        assert "script-src" not in markup.policy      # so default-src 'none' rules scripts


def test_class_report_quotes_learner_markup_as_text(graded):
    page = (graded["out"] / "class-report.html").read_text(encoding="utf-8")
    assert_inert(page)
    assert "&lt;script&gt;document.title=" in page, "the hostile feedback is in the page"
    assert "Files left out" not in page     # every result read, the folder named x.json too
    assert f"{len(HONEST) + 3} results of {len(HONEST) + 3} learners" in page


def test_check_cell_table_quotes_learner_markup_as_text():
    from autograder.notebook import report_html

    results = [{"name": "linear/forward_2d", "score": 0.0, "max_score": 1.0, "status": "failed",
                "output": f"Check: {PAYLOAD}\nObserved: {PAYLOAD} \ud800", "visibility": "visible",
                "tags": ["forward"]},
               {"name": "linear/extra_repr", "score": 1.0, "max_score": 1.0, "status": "passed",
                "output": PAYLOAD, "visibility": "visible", "tags": ["repr"]}]
    table = report_html(results, f"parameters: 1 / 2 {PAYLOAD}")
    assert_inert(table, policy=False)   # a fragment inside JupyterLab, which sanitises too
    assert table.count("&lt;script&gt;") == 4 and "\ud800" not in table


def test_mutation_report_quotes_its_text_and_allows_no_script():
    sys.path.insert(0, str(REPO / "mutation"))
    import run as mutation_run

    page = mutation_run.report_page("linear", f"survivor {PAYLOAD}")
    assert_inert(page)
    assert "&lt;script&gt;" in page


def _chromium() -> str | None:
    for name in ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def rendered(browser: str, page: Path, tmp: Path) -> str:
    """The page's DOM after Chromium loaded it and ran whatever it would run."""
    proc = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--no-first-run", f"--user-data-dir={tmp / 'profile'}",
                           "--virtual-time-budget=2000", "--dump-dom", page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "</html>" in proc.stdout, proc.stderr[-2000:]
    return proc.stdout


def test_no_learner_script_runs_in_chromium(graded, tmp_path):
    browser = _chromium()
    if browser is None:
        pytest.skip("no Chromium here (apt-get install chromium-headless-shell): the pages are "
                    "checked on their markup only")
    from autograder.notebook import report_html

    sys.path.insert(0, str(REPO / "mutation"))
    import run as mutation_run

    # The check-cell table bare, without any policy: its escaping alone must hold.
    table = report_html([{"name": "linear/forward_2d", "score": 0.0, "max_score": 1.0,
                          "status": "failed", "output": f"Check: x\nObserved: {PAYLOAD}",
                          "visibility": "visible", "tags": []}], "summary")
    pages = {"class report": graded["out"] / "class-report.html",
             "mutation report": tmp_path / "mutants.html",
             "check cell": tmp_path / "check.html"}
    pages["mutation report"].write_text(mutation_run.report_page("linear", PAYLOAD),
                                        encoding="utf-8")
    pages["check cell"].write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>"
                                   f"{table}</body></html>", encoding="utf-8")
    # The probe: the same payload unescaped does run here (the test can fail).
    probe = tmp_path / "probe.html"
    probe.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>{PAYLOAD}"
                     "</body></html>")
    assert MARK in rendered(browser, probe, tmp_path), "Chromium ran no script at all"
    for what, page in pages.items():
        dom = rendered(browser, page, tmp_path)
        assert MARK not in dom, f"a learner's script ran in the {what}"
        assert "document.title=" in dom, f"the {what} does not show the hostile text"
