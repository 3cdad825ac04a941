"""The class report, on a small class whose results are written by hand (no grading)."""
from __future__ import annotations

import base64
import json
import re

import pytest

from kit import run_engine

from autograder.classreport import check_stats, load_results, tag_stats, write_report

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
    from autograder.classreport import Record
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
    from autograder.classreport import render
    return render(records, [], "test")


def test_ties_in_most_common_failures_are_all_listed():
    from autograder.classreport import TOP_FAILURES, most_common_failures
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
    from autograder.classreport import most_common_failures
    # check_i is failed by i+1 of four learners: a strict order, so only the three most failed.
    records = _records({
        student: [check(f"check_{i}", s >= i + 1, ["t"], "Observed: x") for i in range(4)]
        for s, student in enumerate(["ada", "bo", "cy", "dora"])
    })
    common = [c.name for c in most_common_failures(check_stats(records))]
    assert common == ["linear/check_3", "linear/check_2", "linear/check_1"]


def test_tied_feedback_is_all_shown():
    from autograder.classreport import most_frequent_feedback
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
