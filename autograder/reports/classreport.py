"""The class report: which checks, and which concepts, a class gets wrong most often.

Reads the per-submission results a batch wrote (`grade-all`: RESULTS/<student>/<assignment>.json;
`grade --out` and Gradescope results are read too) and writes one self-contained HTML file: per
assignment the score distribution, a table per check and per concept tag with how many learners
failed it, and the most common failures called out. Plots are matplotlib PNGs embedded as base64.

A check a learner never attempted (the stub still raises NotImplementedError, or grading stopped
before the check ran) is counted apart: it says nothing about a misconception. A root cause is
counted once: a check that failed only through another check's mistake ("the same mistake as
<check>", see plugin.GraderPlugin) counts for that check, not for itself or its concept tags.
Both are read from each check's recorded outcome (report.outcome_of, extra_data.outcomes), in
whatever language the feedback is; only results written before outcomes were recorded fall back
to the feedback's words. With the submissions' folder (`--submitted`), the report also lists who did not
submit which assignment; and it has a table per learner.

Everything a result holds may come from a learner (feedback quotes their values and messages;
student names are their folders' names): every such text is escaped, never markup, and the page
carries a Content-Security-Policy that allows no script at all (the kit's page has none), so a
`<script>` or an `onerror=` that slipped through could not run. Text that is not valid Unicode
(a lone surrogate) is replaced, so the page is always written.
"""
from __future__ import annotations

import base64
import html
import io
import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import TIED_FEEDBACK_SHOWN, TOP_FAILURES
from autograder.grading.batch import _is_dir, student_of
from autograder.i18n import _, language, translate, use, valid
from autograder.reports.report import (  # noqa: F401 - SAME_MISTAKE: where tests import it
    NOT_ATTEMPTED, SAME_MISTAKE, SAME_MISTAKE_AS, outcome_of, split_feedback, valid_text)

# No script, no plugin, no frame, no form, no external anything: the page's images are data: PNGs
# and its style is inline.
CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                           "base-uri 'none'; form-action 'none'")


@dataclass(frozen=True)
class Record:
    """One graded submission."""

    student: str
    assignment: str
    result: dict


@dataclass
class CheckStats:
    name: str
    tags: tuple[str, ...]
    points: float
    graded: int = 0
    failed: int = 0          # attempted and failed, by a root cause of its own
    not_attempted: int = 0
    consequences: int = 0    # failed only through another check's mistake (counted there)
    feedback: Counter = field(default_factory=Counter)   # first line of what each failure observed

    @property
    def attempted(self) -> int:
        """Attempts that say something about this check: neither untouched nor decided by
        another check's mistake."""
        return self.graded - self.not_attempted - self.consequences

    @property
    def failure_rate(self) -> float:
        return self.failed / self.attempted if self.attempted else 0.0


@dataclass
class TagStats:
    tag: str
    checks: list[str] = field(default_factory=list)
    failed: int = 0          # failed check results, summed over the tag's checks
    attempted: int = 0
    learners_failing: set = field(default_factory=set)
    learners_attempting: set = field(default_factory=set)

    @property
    def failure_rate(self) -> float:
        return self.failed / self.attempted if self.attempted else 0.0


# -- reading results ---------------------------------------------------------------------------

def _number(value) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _is_test(test) -> bool:
    return (isinstance(test, dict) and isinstance(test.get("name"), str)
            and isinstance(test.get("status"), str)
            and isinstance(test.get("output", ""), str)
            and _number(test.get("max_score", 0))
            and isinstance(test.get("tags", []), list)
            and all(isinstance(tag, str) for tag in test.get("tags", [])))


def _is_result(data) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("tests"), list)
            and _number(data.get("score")) and _number(data.get("max_score", 0))
            and isinstance(data.get("extra_data", {}), dict)
            and all(_is_test(t) for t in data["tests"]))


def _assignment_of(path: Path, result: dict) -> str:
    """From the check names (`linear/...`), else the file name (`linear.json`, `linear__x.json`)."""
    prefixes = {str(t["name"]).split("/", 1)[0] for t in result["tests"] if "/" in str(t["name"])}
    if len(prefixes) == 1:
        return prefixes.pop()
    return path.stem.split("__", 1)[0]


def load_results(folder: Path) -> tuple[list[Record], list[str]]:
    """Every result under `folder`, and a note for each .json file that is not one."""
    records, skipped = [], []
    for path in sorted(p for p in folder.rglob("*.json") if p.is_file()):   # not "x.json/"
        relative = Path(valid_text(str(path.relative_to(folder))))
        try:
            data = valid_text(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
            skipped.append(_("{file}: not readable JSON ({error})").format(
                file=relative, error=valid_text(str(exc))[:200]))
            continue
        if not _is_result(data):
            skipped.append(_("{file}: not a grading result (no score and tests)").format(
                file=relative))
            continue
        student = student_of(relative.parent.parts) or relative.stem
        records.append(Record(student, _assignment_of(relative, data), data))
    return records, skipped


# -- statistics --------------------------------------------------------------------------------

def _failure_text(test: dict) -> str:
    """What a failed check observed: its feedback without the "Check: what it looks at" line."""
    return split_feedback(str(test.get("output", "")))[1].strip()


def _not_attempted(result: dict, test: dict) -> bool:
    """Whether `test` never saw the learner's own code (its outcome: see report.NOT_ATTEMPTED)."""
    return outcome_of(result, test)["outcome"] in NOT_ATTEMPTED


def root_check(test: dict, result: dict | None = None) -> str | None:
    """The check whose mistake made `test` (a test of `result`) fail, when it failed through
    another check's mistake; None for a failure of its own (or a pass)."""
    found = outcome_of(result or {}, test)
    return found.get("same_as") if found["outcome"] == SAME_MISTAKE_AS else None


def check_stats(records: list[Record]) -> list[CheckStats]:
    """One entry per check, most often failed first."""
    stats: dict[str, CheckStats] = {}
    for record in records:
        for test in record.result["tests"]:
            name = str(test["name"])
            entry = stats.setdefault(name, CheckStats(
                name, tuple(test.get("tags", ())), float(test.get("max_score", 0))))
            entry.graded += 1
            if test["status"] == "passed":
                continue
            if _not_attempted(record.result, test):
                entry.not_attempted += 1
            elif root_check(test, record.result) is not None:
                entry.consequences += 1
            else:
                entry.failed += 1
                first_line = _failure_text(test).splitlines()[:1]
                if first_line:
                    entry.feedback[first_line[0][:200]] += 1
    return sorted(stats.values(), key=lambda s: (-s.failure_rate, -s.failed, s.name))


def most_common_failures(checks: list[CheckStats], top: int = TOP_FAILURES) -> list[CheckStats]:
    """The `top` most failed checks (as check_stats orders them), and every check tied with the
    last of them: a tie is never cut by name."""
    failing = [c for c in checks if c.failed]
    if len(failing) <= top:
        return failing
    last = failing[top - 1]
    return [c for c in failing
            if (c.failure_rate, c.failed) >= (last.failure_rate, last.failed)]


def most_frequent_feedback(check: CheckStats) -> tuple[list[str], int]:
    """The failure texts seen most often for `check` (all of them when tied), and how often."""
    if not check.feedback:
        return [], 0
    count = max(check.feedback.values())
    return sorted(t for t, n in check.feedback.items() if n == count), count


def tag_stats(records: list[Record]) -> list[TagStats]:
    """One entry per concept tag, most often failed first."""
    stats: dict[str, TagStats] = {}
    for record in records:
        for test in record.result["tests"]:
            for tag in test.get("tags", ()):
                entry = stats.setdefault(tag, TagStats(tag))
                if test["name"] not in entry.checks:
                    entry.checks.append(test["name"])
                if test["status"] != "passed" and (_not_attempted(record.result, test)
                                                   or root_check(test, record.result) is not None):
                    continue   # untouched, or another check's mistake (counted for its tags)
                entry.attempted += 1
                entry.learners_attempting.add(record.student)
                if test["status"] != "passed":
                    entry.failed += 1
                    entry.learners_failing.add(record.student)
    return sorted(stats.values(), key=lambda s: (-s.failure_rate, -s.failed, s.tag))


# -- plots -------------------------------------------------------------------------------------

def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def score_histogram(scores: list[float], max_score: float) -> str:
    """A base64 PNG of the score distribution: one bar per point, or 20 bars for large totals.
    The plots carry numbers and concept tags only; the page's captions say what they show, in
    its language (a CJK font may not be installed for the plots' text)."""
    from matplotlib.figure import Figure  # no pyplot: no global state, Agg canvas by default

    figure = Figure(figsize=(6, 3))
    axes = figure.add_subplot()
    top = max(max_score, max(scores, default=0.0), 1.0)
    if top <= 40:  # one bar per whole point, centred on it
        bins = [i - 0.5 for i in range(math.ceil(top) + 2)]
        axes.xaxis.get_major_locator().set_params(integer=True)
    else:
        bins = [top * i / 20 for i in range(21)]
    axes.hist(scores, bins=bins, color="#4c72b0", edgecolor="white")
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _png(figure)


def failure_bars(labels: list[str], rates: list[float]) -> str:
    """A base64 PNG of horizontal bars: share of attempts failed (%), per label."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 0.5 + 0.35 * max(1, len(labels))))
    axes = figure.add_subplot()
    positions = range(len(labels))
    axes.barh(list(positions), [100 * r for r in rates], color="#c44e52")
    axes.set_yticks(list(positions), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    return _png(figure)


# -- HTML --------------------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f0f0f0; }
.note { color: #555; font-size: 0.9em; }
.callout { background: #fff4e5; border-left: 4px solid #e08a00; padding: 0.5em 1em; }
"""


def _e(value) -> str:
    return html.escape(str(value))


def _pct(rate: float) -> str:
    return f"{100 * rate:.0f}%"


def _img(png: str, caption: str) -> str:
    return (f'<figure><img src="data:image/png;base64,{png}" alt="{_e(caption)}">'
            f'<figcaption class="note">{_e(caption)}</figcaption></figure>')


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
                         for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _assignment_section(assignment: str, records: list[Record]) -> str:
    scores = [float(r.result["score"]) for r in records]
    maxima = Counter(float(r.result.get("max_score", 0)) for r in records)
    max_score = maxima.most_common(1)[0][0]
    full = sum(float(r.result["score"]) >= float(r.result.get("max_score", 0)) for r in records)
    mixed = ""
    if len(maxima) > 1:
        listed = ", ".join(f"{m:g}" for m in sorted(maxima))
        mixed = " " + _("Not every result has the same maximum ({maxima} points): were they "
                        "graded with different versions of the graders?").format(maxima=listed)
    checks = check_stats(records)
    tags = tag_stats(records)
    parts = [f"<h2>{_e(assignment)}</h2>",
             "<p>" + _e(_("{count} submissions. Mean {mean:.2f}, median {median:g} of {max:g} "
                          "points; {full} with full marks, {zero} with 0.").format(
                 count=len(records), mean=statistics.mean(scores),
                 median=statistics.median(scores), max=max_score, full=full,
                 zero=sum(s == 0 for s in scores)) + mixed) + "</p>",
             _img(score_histogram(scores, max_score),
                  _("{assignment}: how many learners (vertical) got each score "
                    "(horizontal)").format(assignment=assignment))]

    common = most_common_failures(checks)
    if common:
        items = []
        for c in common:
            said = ""
            if c.feedback:
                texts, count = most_frequent_feedback(c)
                shown = texts[:TIED_FEEDBACK_SHOWN]
                label = (_("most frequent feedback ({count}&times;)") if len(texts) == 1
                         else _("most frequent feedback, {tied} tied ({count}&times;)")).format(
                    count=count, tied=len(texts))
                said = "".join(f"<br><span class=\"note\">{label}: {_e(t)}</span>"
                               for t in shown)
                if len(texts) > len(shown):
                    said += ("<br><span class=\"note\">" + _(
                        "and {more} more, each seen {count}&times;").format(
                            more=len(texts) - len(shown), count=count) + "</span>")
            items.append(f"<li><b>{_e(c.name)}</b> [{_e(', '.join(c.tags))}]: " + _e(_(
                "failed by {failed} of {attempted} learners who attempted it ({rate})").format(
                    failed=c.failed, attempted=c.attempted, rate=_pct(c.failure_rate)))
                + f"{said}</li>")
        tied = (" " + _("({listed} listed: the last ones are tied)").format(listed=len(common))
                if len(common) > TOP_FAILURES else "")
        parts.append(f'<div class="callout"><b>{_e(_("Most common failures"))}</b>{_e(tied)}<ul>'
                     + "".join(items) + "</ul></div>")
    else:
        parts.append('<p class="callout">'
                     + _e(_("No check was failed by a learner who attempted it.")) + "</p>")

    parts.append(f"<h3>{_e(_('Concepts'))}</h3>")
    if tags:
        parts.append(_img(failure_bars([t.tag for t in tags], [t.failure_rate for t in tags]),
                          _("{assignment}: share of attempts failed (%), per concept "
                            "tag").format(assignment=assignment)))
    parts.append(_table(
        [_("tag"), _("checks"), _("failed"), _("attempted"), _("% failed"),
         _("learners failing at least one")],
        [[_e(t.tag), _e(", ".join(t.checks)), str(t.failed), str(t.attempted),
          _pct(t.failure_rate), _e(_("{failing} of {attempting}").format(
              failing=len(t.learners_failing), attempting=len(t.learners_attempting)))]
         for t in tags],
        numeric={2, 3, 4, 5}))
    parts.append(f"<h3>{_e(_('Checks'))}</h3>")
    parts.append(_table(
        [_("check"), _("tags"), _("points"), _("failed"), _("attempted"), _("% failed"),
         _("not attempted"), _("failed through another check's mistake")],
        [[_e(c.name), _e(", ".join(c.tags)), f"{c.points:g}", str(c.failed), str(c.attempted),
          _pct(c.failure_rate), str(c.not_attempted), str(c.consequences)] for c in checks],
        numeric={2, 3, 4, 5, 6, 7}))
    return "\n".join(parts)


# -- learners ----------------------------------------------------------------------------------

def submitted_learners(submitted: Path | None) -> dict[str, set[str]]:
    """Each learner's folder in nbgrader's layout (`submitted/<student>/<assignment>/`), with the
    assignments it has a folder for (grade-all grades each of them, notebook or not)."""
    from autograder import assignments

    found: dict[str, set[str]] = {}
    if submitted is None or not _is_dir(submitted):
        return found
    try:
        students = sorted(p for p in submitted.iterdir() if _is_dir(p))
    except OSError:
        return found
    for folder in students:
        try:
            found[valid_text(folder.name)] = {p.name for p in folder.iterdir()
                                              if p.name in assignments.ids() and _is_dir(p)}
        except OSError:
            found[valid_text(folder.name)] = set()
    return found


def missing_submissions(records: list[Record],
                        submitted: dict[str, set[str]]) -> list[tuple[str, list[str]]]:
    """(learner, the assignments with no result for them), for every learner known from the
    results or the submissions' folder and every assignment of the report."""
    learners = {r.student for r in records} | set(submitted)
    assignments_ = sorted({r.assignment for r in records} | set().union(*submitted.values()))
    have = {(r.student, r.assignment) for r in records}
    missing = []
    for learner in sorted(learners):
        lacking = [a for a in assignments_ if (learner, a) not in have]
        if lacking:
            missing.append((learner, lacking))
    return missing


def _no_result(learner: str, assignment: str, submitted: dict[str, set[str]]) -> str:
    """Why a learner has no result for an assignment: nothing submitted, or a submission with
    no grading result (not graded yet, or the engine failed on it: see class.csv)."""
    if assignment in submitted.get(learner, set()):
        return _("submitted, no result")
    return _("no submission")


def _learner_rows(records: list[Record], learners: list[str], assignments_: list[str],
                  submitted: dict[str, set[str]]) -> list[list[str]]:
    by_key = {(r.student, r.assignment): r for r in records}
    rows = []
    for learner in learners:
        cells, roots = [_e(learner)], []
        for assignment in assignments_:
            record = by_key.get((learner, assignment))
            if record is None:
                cells.append(_e(_no_result(learner, assignment, submitted)))
                continue
            result = record.result
            cells.append(_e(f"{float(result['score']):g} / {float(result.get('max_score', 0)):g}"))
            roots.extend(t["name"] for t in result["tests"] if t["status"] != "passed"
                         and not _not_attempted(result, t) and root_check(t, result) is None)
        cells.append(_e(", ".join(roots)) if roots else "")
        rows.append(cells)
    return rows


def _learners_section(records: list[Record], submitted: dict[str, set[str]] | None) -> str:
    learners = sorted({r.student for r in records} | set(submitted or {}))
    assignments_ = sorted({r.assignment for r in records} | set().union(*(submitted or {}).values()))
    parts = [f"<h2>{_e(_('Learners'))}</h2>"]
    missing = missing_submissions(records, submitted or {})
    if submitted is None:
        parts.append('<p class="note">' + _e(_(
            "Learners with no result at all are not known here: give the submissions' folder "
            "(class-report --submitted submitted) to list them.")) + "</p>")
    if missing:
        parts.append(f"<h3>{_e(_('No submission'))}</h3><ul>" + "".join(
            f"<li>{_e(learner)}: " + _e(", ".join(
                f"{a} ({_no_result(learner, a, submitted or {})})" for a in lacking)) + "</li>"
            for learner, lacking in missing) + "</ul>")
    elif learners:
        parts.append("<p>" + _e(_("Every learner has a result for every assignment.")) + "</p>")
    if learners:
        parts.append(_table([_("learner"), *assignments_, _("checks failed (root causes)")],
                            _learner_rows(records, learners, assignments_, submitted or {}),
                            numeric=set(range(1, len(assignments_) + 1))))
    return "\n".join(parts)


def _flags(record: Record) -> list[dict]:
    extra = record.result.get("extra_data")
    flags = extra.get("flags") if isinstance(extra, dict) else None
    return [f for f in flags if isinstance(f, dict)] if isinstance(flags, list) else []


def _flags_section(records: list[Record]) -> str:
    """For the instructor: where submitted code reaches into the interpreter or the engine (the
    static scan's findings). Such code earns and costs nothing by itself; this says where to
    look."""
    rows = [[_e(r.student), _e(r.assignment), _e(translate(str(f.get("rule", "")))),
             _e(f"{f.get('where', '')}, " + _("line {line}").format(line=f.get("line", "?"))),
             f"<code>{_e(str(f.get('code', ''))[:120])}</code>"]
            for r in sorted(records, key=lambda r: (r.student, r.assignment)) for f in _flags(r)]
    if not rows:
        return ""
    return (f"<h2>{_e(_('Code to look at'))}</h2>"
            '<p class="note">' + _e(_(
                "Submitted code that reaches into the interpreter or the grading engine. It earns "
                "no point and costs none by itself (every check rests on what the grader verified "
                "itself); it is listed so that you can read it.")) + "</p>"
            + _table([_("learner"), _("assignment"), _("what it uses"), _("where"), _("code")],
                     rows, numeric=set()))


def report_language(records: list[Record]) -> str | None:
    """The language most results' feedback is in (extra_data.language), if the kit speaks it."""
    spoken = Counter(valid(r.result.get("extra_data", {}).get("language"))
                     if isinstance(r.result.get("extra_data"), dict) else None for r in records)
    spoken.pop(None, None)
    return spoken.most_common(1)[0][0] if spoken else None


def render(records: list[Record], skipped: list[str], source: str,
           language_: str | None = None, submitted: dict[str, set[str]] | None = None) -> str:
    """The page, in `language_` (default: the language of most results); `submitted`: the
    learners' folders (see submitted_learners), None when not given."""
    with use(language_ or report_language(records)):
        return _render(records, skipped, source, submitted)


def _render(records: list[Record], skipped: list[str], source: str,
            submitted: dict[str, set[str]] | None = None) -> str:
    by_assignment: dict[str, list[Record]] = {}
    for record in records:
        by_assignment.setdefault(record.assignment, []).append(record)
    learners = len({r.student for r in records})
    title = _("Class report")
    body = [f"<h1>{_e(title)}</h1>",
            "<p>" + _e(_("{results} results of {learners} learners, read from {source}.").format(
                results=len(records), learners=learners, source=source)) + "</p>",
            '<p class="note">' + _(
                "A check counts as <i>attempted</i> when the learner's own code ran in it; one "
                "whose stub still raised NotImplementedError, or that grading never reached "
                "(time limit, crash), counts as <i>not attempted</i>, not as failed. Rates are "
                "failures among attempts. A check that failed only through another check's "
                "mistake (its feedback says so) counts for that check and its tags, not for its "
                "own. Tags name the concept a check tests.") + "</p>"]
    if not records:
        body.append("<p>" + _e(_("No results were found.")) + "</p>")
    for assignment in sorted(by_assignment):
        body.append(_assignment_section(assignment, by_assignment[assignment]))
    body.append(_learners_section(records, submitted))
    flagged = _flags_section(records)
    if flagged:
        body.append(flagged)
    if skipped:
        body.append(f"<h2>{_e(_('Files left out'))}</h2><ul>"
                    + "".join(f"<li>{_e(s)}</li>" for s in skipped) + "</ul>")
    return (f"<!DOCTYPE html>\n<html lang=\"{language()}\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
            f"<title>{_e(title)}</title><style>{_STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def write_report(results: Path, out: Path, language_: str | None = None,
                 submitted: Path | None = None) -> int:
    """Write the HTML report of every result under `results` to `out` (in `language_`, default:
    the results' own; with `submitted`, the submissions' folder, who did not submit); returns
    how many it read."""
    records, skipped = load_results(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    learners = submitted_learners(submitted) if submitted is not None else None
    out.write_text(render(records, skipped, valid_text(str(results)), language_, learners),
                   encoding="utf-8", errors="replace")
    return len(records)
