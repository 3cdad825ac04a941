"""The class report, on a small class whose results are written by hand (no grading)."""
from __future__ import annotations

import base64
import json
import re

import pytest

from kit import run_engine

from autograder.reports.classreport import check_stats, load_results, tag_stats, write_report

# Failed checks' feedback as the engine words it: a "Check: what it looks at" line, then what
# was observed (see plugin.CheckRecorder).
NOT_IMPLEMENTED = ("Not implemented yet: `Linear.forward` (cell 3 [3], line 5) still raises "
                   "NotImplementedError.")
BIAS_FEEDBACK = "Observed: bias has shape (3, 1); expected (3,)."


def check(name, passed, tags, output="", points=1.0):
    description = f"what {name} looks at"
    return {"name": f"linear/{name}", "score": points if passed else 0.0, "max_score": points,
            "status": "passed" if passed else "failed",
            "output": description if passed else f"Check: {description}\n{output}",
            "visibility": "visible", "tags": tags}


def result(*tests):
    return {"score": sum(t["score"] for t in tests),
            "max_score": sum(t["max_score"] for t in tests),
            "execution_time": 1.0, "output": "summary", "tests": list(tests)}


# Four learners. parameter_shapes is failed by 3 of the 4 who attempted it; forward_2d by 1 of
# the 3 who attempted it (dora left it as the stub); gradcheck by nobody.
CLASS = {
    "ada": [check("parameter_shapes", False, ["shapes"], BIAS_FEEDBACK),
            check("forward_2d", True, ["forward", "shapes"]),
            check("function_gradcheck_2d", True, ["autograd"], points=2.0)],
    "bo": [check("parameter_shapes", False, ["shapes"], BIAS_FEEDBACK),
           check("forward_2d", False, ["forward", "shapes"], "Observed: output shape (4, 2)"),
           check("function_gradcheck_2d", True, ["autograd"], points=2.0)],
    "cy": [check("parameter_shapes", False, ["shapes"], "Observed: weight has shape (2, 3)"),
           check("forward_2d", True, ["forward", "shapes"]),
           check("function_gradcheck_2d", True, ["autograd"], points=2.0)],
    "dora": [check("parameter_shapes", True, ["shapes"]),
             check("forward_2d", False, ["forward", "shapes"], NOT_IMPLEMENTED),
             check("function_gradcheck_2d", True, ["autograd"], points=2.0)],
}


@pytest.fixture
def results_dir(tmp_path):
    folder = tmp_path / "class"
    for student, tests in CLASS.items():
        (folder / student).mkdir(parents=True)
        (folder / student / "linear.json").write_text(json.dumps(result(*tests)))
    (folder / "class.csv").write_text("student,assignment,score\n")
    (folder / "broken.json").write_text("{not json")
    return folder


def test_counts_failures_among_attempts(results_dir):
    records, skipped = load_results(results_dir)
    assert sorted(r.student for r in records) == ["ada", "bo", "cy", "dora"]
    assert {r.assignment for r in records} == {"linear"}
    assert len(skipped) == 1 and "broken.json" in skipped[0]
    checks = {c.name: c for c in check_stats(records)}
    shapes = checks["linear/parameter_shapes"]
    assert (shapes.failed, shapes.attempted, shapes.not_attempted) == (3, 4, 0)
    assert shapes.feedback.most_common(1)[0] == (BIAS_FEEDBACK, 2)
    forward = checks["linear/forward_2d"]
    assert (forward.failed, forward.attempted, forward.not_attempted) == (1, 3, 1)
    assert check_stats(records)[0].name == "linear/parameter_shapes", "most failed first"
    tags = {t.tag: t for t in tag_stats(records)}
    # shapes: parameter_shapes (3 failed of 4) + forward_2d (1 failed of 3 attempted).
    assert (tags["shapes"].failed, tags["shapes"].attempted) == (4, 7)
    assert len(tags["shapes"].learners_failing) == 3     # ada, bo, cy
    assert (tags["autograd"].failed, tags["autograd"].attempted) == (0, 4)


def test_html_report_names_checks_counts_and_embeds_plots(results_dir, tmp_path):
    out = tmp_path / "report.html"
    assert write_report(results_dir, out) == 4
    page = out.read_text()
    for name in ("linear/parameter_shapes", "linear/forward_2d", "linear/function_gradcheck_2d"):
        assert name in page
    assert "failed by 3 of 4 learners who attempted it (75%)" in page
    assert "<td>linear/forward_2d</td><td>forward, shapes</td>" in page
    assert re.search(r"linear/forward_2d</td>.*?<td class=\"n\">1</td><td class=\"n\">3</td>"
                     r"<td class=\"n\">33%</td><td class=\"n\">1</td>", page)
    pngs = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert len(pngs) >= 1
    assert all(base64.b64decode(p).startswith(b"\x89PNG\r\n\x1a\n") for p in pngs)
    assert "broken.json" in page, "files left out are listed"


def test_command_line_writes_the_report(results_dir, tmp_path):
    out = tmp_path / "out" / "report.html"
    proc = run_engine("class-report", str(results_dir), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and "4 results" in proc.stdout


def test_command_line_rejects_a_missing_folder(tmp_path):
    proc = run_engine("class-report", str(tmp_path / "nowhere"))
    assert proc.returncode == 2
    assert "not a folder of results" in proc.stderr


def _records(tests_by_student):
    from autograder.reports.classreport import Record
    return [Record(student, "linear", result(*tests)) for student, tests in tests_by_student.items()]


def test_a_stub_is_not_attempted_and_feedback_is_what_failed(results_dir):
    records, _ = load_results(results_dir)
    forward = {c.name: c for c in check_stats(records)}["linear/forward_2d"]
    assert forward.not_attempted == 1, "the stub's NotImplementedError is not a failure"
    assert list(forward.feedback) == ["Observed: output shape (4, 2)"], \
        "most frequent feedback is what failed, not the check's description"
    page = render_page(records)
    assert "what forward_2d looks at" not in page.split("Most common failures")[1].split("</div>")[0]


def render_page(records):
    from autograder.reports.classreport import render
    return render(records, [], "test")


def test_ties_in_most_common_failures_are_all_listed():
    from autograder.reports.classreport import TOP_FAILURES, most_common_failures
    # Five checks each failed by the same one learner of two: a five-way tie for the top three.
    names = [f"check_{i}" for i in range(5)]
    records = _records({
        "ada": [check(n, False, ["t"], f"Observed: {n} wrong") for n in names],
        "bo": [check(n, True, ["t"]) for n in names] + [check("check_ok", True, ["t"])],
    })
    common = most_common_failures(check_stats(records))
    assert len(common) == 5 > TOP_FAILURES
    page = render_page(records)
    callout = page.split("Most common failures")[1].split("</div>")[0]
    assert all(f"linear/{n}" in callout for n in names)
    assert "5 listed: the last ones are tied" in callout
    assert "check_ok" not in callout


def test_no_tie_means_exactly_the_top_three():
    from autograder.reports.classreport import most_common_failures
    # check_i is failed by i+1 of four learners: a strict order, so only the three most failed.
    records = _records({
        student: [check(f"check_{i}", s >= i + 1, ["t"], "Observed: x") for i in range(4)]
        for s, student in enumerate(["ada", "bo", "cy", "dora"])
    })
    common = [c.name for c in most_common_failures(check_stats(records))]
    assert common == ["linear/check_3", "linear/check_2", "linear/check_1"]


def test_tied_feedback_is_all_shown():
    from autograder.reports.classreport import most_frequent_feedback
    records = _records({
        "ada": [check("shapes", False, ["t"], "Observed: weight (2, 3)")],
        "bo": [check("shapes", False, ["t"], "Observed: bias (3, 1)")],
        "cy": [check("shapes", True, ["t"])],
    })
    shapes = check_stats(records)[0]
    assert most_frequent_feedback(shapes) == (["Observed: bias (3, 1)", "Observed: weight (2, 3)"], 1)
    page = render_page(records)
    assert "most frequent feedback, 2 tied (1&times;): Observed: bias (3, 1)" in page
    assert "Observed: weight (2, 3)" in page


# --- Root causes once, who did not submit, a table per learner (issue 24, item 6) ----------------

def _same_mistake(first: str, observed: str, language: str = "en") -> str:
    from autograder.reports.classreport import SAME_MISTAKE
    from autograder.i18n import _, use

    with use(language):
        return _(SAME_MISTAKE).format(first=first, observed=observed)


PLAIN_WEIGHT = "Observed: Scale.weight is a plain tensor, not an nn.Parameter"


def _one_mistake(language: str = "en"):
    """A plain-tensor Scale.weight, as the graders word it: one check names the mistake, the
    others that fail through it say "the same mistake as"."""
    return [check("weight_is_parameter", False, ["registration"], PLAIN_WEIGHT),
            check("weight_shape", False, ["shapes"],
                  _same_mistake("linear/weight_is_parameter", PLAIN_WEIGHT, language)),
            check("weight_init", False, ["init"],
                  _same_mistake("linear/weight_is_parameter", PLAIN_WEIGHT, language)),
            check("state_dict", False, ["state-dict"],
                  _same_mistake("linear/weight_is_parameter", PLAIN_WEIGHT, language)),
            check("forward", True, ["forward"])]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_root_cause_is_counted_once(language):
    from autograder.reports.classreport import root_check

    records = _records({"ada": _one_mistake(language), "bo": _one_mistake(language)})
    assert root_check(records[0].result["tests"][1]) == "linear/weight_is_parameter"
    assert root_check(records[0].result["tests"][0]) is None
    checks = {c.name: c for c in check_stats(records)}
    root = checks["linear/weight_is_parameter"]
    assert (root.failed, root.attempted, root.consequences) == (2, 2, 0)
    for name in ("linear/weight_shape", "linear/weight_init", "linear/state_dict"):
        assert (checks[name].failed, checks[name].attempted, checks[name].consequences) == \
            (0, 0, 2), name
    tags = {t.tag: t for t in tag_stats(records)}
    assert (tags["registration"].failed, tags["registration"].attempted) == (2, 2)
    assert tags["registration"].failure_rate == 1.0
    for tag in ("shapes", "init", "state-dict"):
        assert (tags[tag].failed, tags[tag].attempted) == (0, 0), tag
        assert not tags[tag].learners_failing


def test_the_report_lists_who_did_not_submit_and_has_a_table_per_learner(tmp_path):
    from autograder.reports.classreport import render, submitted_learners

    results = tmp_path / "results"
    submitted = tmp_path / "submitted"
    for student, tests in {"ada": _one_mistake(), "cy": [check("forward", True, ["forward"])]}.items():
        (results / student).mkdir(parents=True)
        (results / student / "linear.json").write_text(json.dumps(result(*tests)))
        (submitted / student / "linear").mkdir(parents=True)
    (submitted / "<i>eve").mkdir(parents=True)            # a folder, nothing in it
    (submitted / "fay" / "linear").mkdir(parents=True)         # submitted, not graded (yet)
    (submitted / "fay" / "notes").mkdir()                      # not an assignment
    (results / "cy" / "parameters.json").write_text(json.dumps(result(
        {"name": "parameters/scale", "score": 1.0, "max_score": 1.0, "status": "passed",
         "output": "ok", "visibility": "visible", "tags": ["registration"]})))
    learners = submitted_learners(submitted)
    assert learners == {"<i>eve": set(), "ada": {"linear"}, "cy": {"linear"},
                        "fay": {"linear"}}
    records, skipped = load_results(results)
    page = render(records, skipped, "results", submitted=learners)
    missing = re.search(r"<h3>No submission</h3><ul>(.*?)</ul>", page, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", missing)
    assert items == ["&lt;i&gt;eve: linear (no submission), parameters (no submission)",
                     "ada: parameters (no submission)",
                     "fay: linear (submitted, no result), parameters (no submission)"], items
    table = page[page.index("<th>learner</th>"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr>(.*?)</tr>", table)
    assert "<th>linear</th><th>parameters</th><th>checks failed (root causes)</th>" in rows[0] \
        or "<th>linear</th><th>parameters</th><th>checks failed (root causes)</th>" in table
    ada = next(r for r in rows if r.startswith("<td>ada</td>"))
    assert '<td class="n">1 / 5</td><td class="n">no submission</td>' in ada
    assert "<td>linear/weight_is_parameter</td>" in ada     # the root cause only
    assert "weight_shape" not in ada
    assert any(r.startswith("<td>cy</td>") and "1 / 1</td>" in r for r in rows)
    # Without the submissions' folder, the learners seen in the results are still tabled.
    alone = render(records, skipped, "results")
    assert "ada: parameters (no submission)" in alone and "&lt;i&gt;eve" not in alone
    assert "--submitted" in alone


def test_command_line_takes_the_submissions_folder(results_dir, tmp_path):
    submitted = tmp_path / "submitted"
    (submitted / "zed").mkdir(parents=True)
    out = tmp_path / "report.html"
    proc = run_engine("class-report", str(results_dir), "--out", str(out), "--submitted",
                      str(submitted))
    assert proc.returncode == 0, proc.stderr
    assert "<li>zed: linear (no submission)</li>" in out.read_text()
    proc = run_engine("class-report", str(results_dir), "--submitted", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "not a folder of submissions" in proc.stderr


def test_the_scan_s_flags_are_listed_for_the_instructor_with_the_line(tmp_path):
    """The static scan's findings (issue 19) cost no point: the class report lists them, with
    the rule, the cell and line, and the code (as text, never markup)."""
    folder = tmp_path / "class"
    flagged = result(check("forward_2d", True, ["forward"]))
    flagged["extra_data"] = {"flags": [{"rule": "autograder", "where": "cell 4 [2]", "line": 3,
                                        "code": "import autograder.learner_side.server as <b>x</b>"}]}
    for student, data in (("eve", flagged), ("fay", result(check("forward_2d", True, ["forward"])))):
        (folder / student).mkdir(parents=True)
        (folder / student / "linear.json").write_text(json.dumps(data))
    write_report(folder, tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert "Code to look at" in page
    row = re.search(r"<tr><td>eve</td><td>linear</td>.*?</tr>", page).group(0)
    assert "cell 4 [2], line 3" in row and "&lt;b&gt;x&lt;/b&gt;" in row and "<b>" not in row
    assert "<td>fay</td><td>linear</td><td>autograder" not in page


def test_no_flag_no_section(results_dir, tmp_path):
    write_report(results_dir, tmp_path / "report.html")
    assert "Code to look at" not in (tmp_path / "report.html").read_text()
