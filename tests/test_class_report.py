"""The class report, on a small class whose results are written by hand (no grading)."""
from __future__ import annotations

import base64
import json
import re

import pytest

from kit import run_engine

from autograder.classreport import check_stats, load_results, tag_stats, write_report

NOT_IMPLEMENTED = ("Not implemented yet: `Linear.forward` (code cell 3, line 5) still raises "
                   "NotImplementedError.")
BIAS_FEEDBACK = "Observed: bias has shape (3, 1); expected (3,)."


def check(name, passed, tags, output="", points=1.0):
    return {"name": f"linear/{name}", "score": points if passed else 0.0, "max_score": points,
            "status": "passed" if passed else "failed", "output": output,
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
