"""Structured outcomes (issue 22): each check's outcome is recorded in the result's
`extra_data.outcomes`, the same in every language, and the readers (class report, gradebook,
mutation analysis) count from it exactly what they counted before from the feedback's words.

A few `linear` submissions are graded in one engine run in English and one in Chinese: the
reference, the untouched stub, one zoo entry whose mistake other checks share ("the same mistake
as"), and a notebook that cannot be read. The limit and grading-error outcomes are built from
the session's own report (a real time limit would cost its whole wait).
"""
from __future__ import annotations

import copy
import sys
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

import pytest

from kit import REPO, compose_zoo_submission, grade_files, zoo_entries

from autograder.i18n import _, use
from autograder.reports import report as outcomes_api
from autograder.reports.classreport import Record, check_stats, root_check, tag_stats
from autograder.reports.report import (FAILED, GRADING_ERROR, LIMIT_HIT, NOT_CREDITED,
                                       NOT_IMPLEMENTED_YET, OUTCOMES, PASSED, SAME_MISTAKE_AS,
                                       limit_of, outcome_from_text, outcome_of, unreadable_line)

sys.path.insert(0, str(REPO / "mutation"))

import run as mutation_run

ZOO = "forward_without_transpose"   # forward_2d's shape error, shared by a dozen later checks


def _without_outcomes(result: dict) -> dict:
    """`result` as the engine wrote it before outcomes were recorded."""
    old = copy.deepcopy(result)
    for key in ("outcomes", "limit", "unreadable"):
        old.get("extra_data", {}).pop(key, None)
    return old


@pytest.fixture(scope="module")
def submissions(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("outcomes")
    reference = REPO / "solutions" / "linear" / "linear.ipynb"
    files = {"reference": folder / "reference.ipynb", "stub": folder / "stub.ipynb",
             "unreadable": folder / "unreadable.ipynb"}
    files["reference"].write_bytes(reference.read_bytes())
    files["stub"].write_bytes((REPO / "assignments" / "linear" / "linear.ipynb").read_bytes())
    files["unreadable"].write_text("{this is not a notebook")
    entry = next(e for e in zoo_entries("linear") if e.id == ZOO)
    files["zoo"] = compose_zoo_submission(entry, reference, folder / "zoo", exercises_only=True)
    return files


def _grade(submissions, out: Path, *extra: str) -> dict[str, dict]:
    graded = grade_files(list(submissions.values()), out, "--assignment", "linear", *extra)
    return {key: graded[path] for key, path in submissions.items()}


@pytest.fixture(scope="module")
def english(submissions, tmp_path_factory):
    return _grade(submissions, tmp_path_factory.mktemp("en"), "--lang", "en")


@pytest.fixture(scope="module")
def chinese(submissions, tmp_path_factory):
    return _grade(submissions, tmp_path_factory.mktemp("zh"), "--lang", "zh")


def _kinds(result: dict) -> dict[str, str]:
    return {t["name"]: outcome_of(result, t)["outcome"] for t in result["tests"]}


def test_every_check_has_an_outcome_that_fits_its_verdict(english):
    for key, result in english.items():
        recorded = result["extra_data"]["outcomes"]
        assert list(recorded) == [t["name"] for t in result["tests"]], key
        for test in result["tests"]:
            entry = recorded[test["name"]]
            assert entry["outcome"] in OUTCOMES, (key, entry)
            assert (entry["outcome"] == PASSED) == (test["status"] == "passed"), (key, test)
    assert set(_kinds(english["reference"]).values()) == {PASSED}
    assert english["reference"]["score"] == english["reference"]["max_score"]
    assert set(_kinds(english["stub"]).values()) == {NOT_IMPLEMENTED_YET}
    assert english["stub"]["score"] == 0
    assert set(_kinds(english["unreadable"]).values()) == {NOT_CREDITED}
    assert english["unreadable"]["extra_data"]["unreadable"]


def test_the_same_mistake_names_its_root_check(english):
    zoo = english["zoo"]
    recorded = zoo["extra_data"]["outcomes"]
    shared = {name: e["same_as"] for name, e in recorded.items() if e["outcome"] == SAME_MISTAKE_AS}
    assert len(shared) >= 2, recorded
    roots = set(shared.values())
    assert roots == {"linear/forward_2d"}, shared
    assert recorded["linear/forward_2d"] == {"outcome": FAILED}
    # the caught-by checks of the zoo entry all fail, by their own mistake or forward_2d's
    caught = next(e for e in zoo_entries("linear") if e.id == ZOO).caught_by
    assert all(recorded[name]["outcome"] in (FAILED, SAME_MISTAKE_AS) for name in caught)
    tests = {t["name"]: t for t in zoo["tests"]}
    assert all(root_check(tests[name], zoo) == root for name, root in shared.items())


def test_outcomes_do_not_depend_on_the_language(english, chinese):
    for key in english:
        assert chinese[key]["extra_data"]["language"] == "zh", key
        assert chinese[key]["extra_data"]["outcomes"] == english[key]["extra_data"]["outcomes"], key
        # verdicts unchanged, in either language
        assert ({t["name"]: t["score"] for t in chinese[key]["tests"]}
                == {t["name"]: t["score"] for t in english[key]["tests"]}), key
    zoo_text = "\n".join(t["output"] for t in chinese["zoo"]["tests"])
    assert "the same mistake as" not in zoo_text   # the words are Chinese; the fact is the same


@pytest.mark.parametrize("language", ["en", "zh"])
def test_recorded_outcomes_agree_with_the_words_of_older_results(english, chinese, language):
    """The fallback for results written before (feedback text, in any language) gives the same
    outcome as the one recorded, for every check graded here."""
    for key, result in (english if language == "en" else chinese).items():
        old = _without_outcomes(result)
        for test in result["tests"]:
            assert outcome_of(old, test) == outcome_from_text(test)
            assert outcome_of(old, test) == outcome_of(result, test), (key, test["name"])


def _stats(results: list[dict]):
    records = [Record(f"learner{i}", "linear", r) for i, r in enumerate(results)]
    return ([asdict(s) for s in check_stats(records)], [asdict(s) for s in tag_stats(records)])


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_class_report_counts_what_the_text_matching_counted(english, chinese, language):
    results = list((english if language == "en" else chinese).values())
    results = [r for r in results if r["tests"]]
    by_outcome = _stats(results)
    by_text = _stats([_without_outcomes(r) for r in results])
    assert by_outcome == by_text
    checks = {s["name"]: s for s in by_outcome[0]}
    assert checks["linear/forward_2d"]["failed"] >= 1
    assert sum(s["consequences"] for s in checks.values()) >= 2
    assert all(s["not_attempted"] >= 2 for s in checks.values())   # the stub, the unreadable


def test_the_class_report_reads_the_outcome_not_the_words(english):
    """Reworded feedback (as a new translation would word it) changes no count."""
    graded = [english["zoo"], english["stub"]]
    reworded = copy.deepcopy(graded)
    for test in (t for r in reworded for t in r["tests"] if t["status"] != "passed"):
        test["output"] = "Check: what it looks at\nObserved: worded some new way"

    def counts(results):
        return [(s["name"], s["failed"], s["not_attempted"], s["consequences"])
                for s in _stats(results)[0]]

    assert counts(reworded) == counts(graded)
    assert counts([_without_outcomes(r) for r in reworded]) != counts(graded)


def _mutant(name: str):
    return SimpleNamespace(id=name)


def _time_limited(language: str, ran: int = 3) -> dict:
    """A `linear` result whose grading hit the time limit after `ran` checks passed, built by
    the grading session's own time-out and grading.result."""
    from autograder import assignments
    from autograder.grading.result import build_result
    from autograder.grading.session import Limits, RunReport, SubmissionRun
    from autograder.judge_side.runner import manifest

    planned = manifest(assignments.get("linear"))
    with use(language):
        report = RunReport(checks=[
            {"name": c.name, "status": "passed", "score": c.info.points, "output": "ok",
             "outcome": PASSED} for c in planned[:ran]])
        session = SimpleNamespace(report=report, limits=Limits(time_s=5), finish=lambda: None,
                                  stage=_("during the check {check}").format(
                                      check=planned[ran].name))
        session._stop = lambda problem: SubmissionRun._stop(session, problem)
        SubmissionRun.time_out(session)
        return build_result(planned, report, execution_time=5.0)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_time_limit_is_a_limit_hit_in_any_language(language):
    result = _time_limited(language)
    kinds = _kinds(result)
    assert list(kinds.values())[:3] == [PASSED] * 3
    assert set(list(kinds.values())[3:]) == {LIMIT_HIT}
    assert all(e.get("limit") == "time" for e in list(result["extra_data"]["outcomes"].values())[3:])
    assert result["extra_data"]["limit"] == "time" and limit_of(result) == "time"
    assert mutation_run.classify(_mutant("m"), result, {}) == "timed out"
    # an older result said so only in English words, which the fallback reads
    assert limit_of(_without_outcomes(result)) == ("time" if language == "en" else None)


def test_mutation_analysis_classifies_as_the_text_matching_did(english):
    results = {key: r for key, r in english.items() if r["tests"]}
    results["timed_out"] = _time_limited("en")
    by_outcome = {k: mutation_run.classify(_mutant(k), r, {}) for k, r in results.items()}
    by_text = {k: mutation_run.classify(_mutant(k), _without_outcomes(r), {})
               for k, r in results.items()}
    assert by_outcome == by_text
    assert Counter(by_outcome.values()) == Counter(
        {"killed": 3, "survived": 1, "timed out": 1}), by_outcome
    listed = {"reference": "the reference itself", "zoo": "not really equivalent"}
    assert mutation_run.classify(_mutant("reference"), english["reference"], listed) == "equivalent"
    assert mutation_run.classify(_mutant("zoo"), english["zoo"], listed) == "stale"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_gradebook_reads_why_a_submission_is_unreadable(english, chinese, language):
    result = (english if language == "en" else chinese)["unreadable"]
    line = unreadable_line(result)
    assert line and line in result["output"].splitlines()
    assert unreadable_line(_without_outcomes(result)) == line
    assert unreadable_line(english["reference"]) is None
    assert unreadable_line(_without_outcomes(english["reference"])) is None


def test_checks_that_never_ran_say_why():
    from autograder import assignments
    from autograder.grading.result import build_result, error_result
    from autograder.grading.session import RunReport
    from autograder.judge_side.runner import manifest

    planned = manifest(assignments.get("linear"))
    broken = build_result(planned, RunReport(grader_error="the graders did not import"))
    assert set(_kinds(broken).values()) == {GRADING_ERROR}
    stopped = build_result(planned, RunReport(problem="the process running your code ended"))
    assert set(_kinds(stopped).values()) == {NOT_CREDITED}
    assert "limit" not in stopped["extra_data"]
    not_graded = error_result(planned, "the engine broke")
    assert not_graded["extra_data"]["outcomes"] == {} and not_graded["score"] is None


def test_what_the_judge_reports_is_held_to_the_verdict():
    """The judge's outcome of a failed check is kept only where it fits: a failure that ran is
    its own, a stub, or the same mistake as another planned check."""
    from autograder import assignments
    from autograder.grading.result import build_result
    from autograder.grading.session import RunReport
    from autograder.judge_side.runner import manifest

    planned = manifest(assignments.get("linear"))
    first, second, third, fourth, fifth = (c.name for c in planned[:5])
    failed = {"status": "failed", "score": 0.0, "output": "Observed: x"}
    report = RunReport(finished=True, checks=[
        {"name": first, **failed, "outcome": PASSED},                          # not a pass
        {"name": second, **failed, "outcome": SAME_MISTAKE_AS, "same_as": first},
        {"name": third, **failed, "outcome": SAME_MISTAKE_AS, "same_as": "linear/nothing"},
        {"name": fourth, **failed, "outcome": LIMIT_HIT},                      # judge cannot say
        {"name": fifth, "status": "passed", "score": planned[4].info.points, "output": "ok",
         "outcome": FAILED},
    ])
    result = build_result(planned, report)
    recorded = result["extra_data"]["outcomes"]
    assert recorded[first] == {"outcome": FAILED}
    assert recorded[second] == {"outcome": SAME_MISTAKE_AS, "same_as": first}
    assert recorded[third] == {"outcome": FAILED}
    assert recorded[fourth] == {"outcome": FAILED}
    assert recorded[fifth] == {"outcome": PASSED}


def test_a_recorded_outcome_that_contradicts_the_status_is_not_believed():
    test = {"name": "linear/forward_2d", "status": "failed", "output": "Check: x\nObserved: y"}
    lying = {"extra_data": {"outcomes": {"linear/forward_2d": {"outcome": PASSED}}}}
    assert outcome_of(lying, test) == {"outcome": FAILED}
    assert outcome_of({}, test) == {"outcome": FAILED}
    assert outcomes_api.outcome(SAME_MISTAKE_AS, same_as="linear/a") == {
        "outcome": SAME_MISTAKE_AS, "same_as": "linear/a"}
