"""Grade every mutant of the reference answers with `grade-all`, and report what survived.

    python mutation/run.py [--assignment ID ...] [--sample N] [--jobs J]   (or: make mutants A=ID)

A mutant is *killed* when it scores below full marks, *timed out* when it hit the time limit, and
*survives* when it scores full marks: a mistake the graders cannot see. A survivor that a
reviewer found to behave exactly like the reference is *equivalent*, listed with its reason in
`mutation/equivalent/<id>.txt`. Writes `results/mutants/<id>.txt` and `.html` per assignment;
exits with status 1 when a mutant that is not listed as equivalent survives, or when a listed
one is killed (the list is stale).

Each mutant is the reference notebook with one edit, up to its last graded test cell (the
closing demonstrations after it cannot change a check).
"""
from __future__ import annotations

import argparse
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mutants import REPO, Mutant, equivalent, generate, notebook_cells

from autograder import assignments
from autograder.reports.report import limit_of

# The course's assignments, in course order (autograder/graders/<id>/assignment.toml).
ASSIGNMENTS = assignments.ids()


def is_test_cell(cell: dict) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("grade") and not meta.get("solution"))


def mutant_notebook(mutant: Mutant, target: Path) -> None:
    cells = notebook_cells(mutant.assignment)
    last = max(i for i, c in enumerate(cells) if c["cell_type"] == "code" and is_test_cell(c))
    cells = [dict(c) for c in cells[:last + 1]]
    cells[mutant.cell] = {**cells[mutant.cell], "source": mutant.source}
    notebook = json.loads((REPO / "solutions" / mutant.assignment /
                           f"{mutant.assignment}.ipynb").read_text())
    notebook["cells"] = cells
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(notebook))


def sample(mutants: list[Mutant], size: int | None) -> list[Mutant]:
    """A deterministic spread of `size` mutants over every operator and cell."""
    if size is None or size >= len(mutants):
        return mutants
    ordered = sorted(mutants, key=lambda m: m.id)
    step = len(ordered) / size
    return [ordered[int(i * step)] for i in range(size)]


def grade(mutants: list[Mutant], *, jobs: int, time_limit: float) -> dict[str, dict]:
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        submitted = Path(tmp) / "submitted"
        for mutant in mutants:
            mutant_notebook(mutant, submitted / mutant.id / mutant.assignment /
                            f"{mutant.assignment}.ipynb")
        proc = subprocess.run([sys.executable, "-m", "autograder", "grade-all", str(submitted),
                               "--out", str(Path(tmp) / "out"), "--jobs", str(jobs), "--fresh",
                               "--time-limit", str(time_limit)], cwd=REPO, text=True,
                              capture_output=True)
        if proc.returncode != 0:
            sys.exit(f"grade-all failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return {m.id: json.loads((Path(tmp) / "out" / m.id / f"{m.assignment}.json").read_text())
                for m in mutants}


def classify(mutant: Mutant, result: dict, listed: dict[str, str]) -> str:
    timed_out = limit_of(result) == "time"   # extra_data.limit (see report.limit_of)
    if result.get("status") == "error":   # the engine failed on it: no verdict to count
        sys.exit(f"the engine failed on mutant {mutant.id}: "
                 f"{result.get('extra_data', {}).get('not_graded')}")
    killed = result["score"] < result["max_score"]
    if mutant.id in listed:
        return "stale" if killed else "equivalent"
    if timed_out:
        return "timed out"
    return "killed" if killed else "survived"


def report(assignment: str, mutants: list[Mutant], results: dict[str, dict],
           statuses: dict[str, str], listed: dict[str, str], out: Path) -> str:
    originals = {i: "".join(c["source"]) for i, c in enumerate(notebook_cells(assignment))}
    counts = Counter(statuses.values())
    relevant = len(mutants) - counts["equivalent"]
    score = (counts["killed"] + counts["timed out"]) / relevant if relevant else 1.0
    lines = [f"{assignment}: {len(mutants)} mutants, mutation score {score:.1%} "
             f"(killed {counts['killed']}, timed out {counts['timed out']}, survived "
             f"{counts['survived']}, equivalent {counts['equivalent']}, stale equivalences "
             f"{counts['stale']})", ""]
    by_operator = Counter(m.operator for m in mutants)
    lines.append("per operator: " + ", ".join(f"{k} {v}" for k, v in sorted(by_operator.items())))
    sections = {"survived": "Survived: mistakes no check catches",
                "stale": "Listed as equivalent but killed: remove from the list",
                "equivalent": "Equivalent (mutation/equivalent/%s.txt)" % assignment,
                "timed out": "Timed out", "killed": "Killed"}
    for status, title in sections.items():
        chosen = [m for m in mutants if statuses[m.id] == status]
        if not chosen:
            continue
        lines += ["", f"== {title} ({len(chosen)})"]
        for m in chosen:
            result = results[m.id]
            failed = [t["name"] for t in result["tests"] if t["status"] != "passed"]
            lines.append(f"{m.id}  {m.grade_id}  {m.description}")
            if status in ("survived", "stale"):
                lines.append("    checks run, all passed: " + ", ".join(
                    t["name"] for t in result["tests"]))
                lines += ["    " + row for row in m.diff(originals[m.cell]).splitlines()]
            elif status == "equivalent":
                lines.append(f"    why: {listed[m.id]}")
            else:
                lines.append(f"    caught by: {', '.join(failed[:6])}"
                             + (f" and {len(failed) - 6} more" if len(failed) > 6 else ""))
    text = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{assignment}.txt").write_text(text, encoding="utf-8", errors="replace")
    (out / f"{assignment}.html").write_text(report_page(assignment, text), encoding="utf-8")
    return lines[0]


# The page has no script: it allows none (a mutant's diff or a check's text could hold markup).
CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
                           "form-action 'none'")


def report_page(assignment: str, text: str) -> str:
    """The report as a page: its text escaped inside <pre>, under a policy that runs no script."""
    return ("<!doctype html><html><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CONTENT_SECURITY_POLICY}\">"
            f"<title>mutants of {html.escape(assignment)}</title>"
            "<style>body{font-family:sans-serif;max-width:70em;margin:auto}"
            "pre{white-space:pre-wrap;background:#f6f6f6;padding:.5em}</style></head><body>"
            f"<h1>Mutants of {html.escape(assignment)}</h1><pre>{html.escape(text)}</pre>"
            "</body></html>\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", nargs="+", choices=ASSIGNMENTS, default=list(ASSIGNMENTS))
    parser.add_argument("--sample", type=int, metavar="N", help="only N mutants per assignment")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=REPO / "results" / "mutants")
    args = parser.parse_args(argv)
    chosen = {a: sample(generate(a), args.sample) for a in args.assignment}
    everything = [m for ms in chosen.values() for m in ms]
    start = time.monotonic()
    print(f"grading {len(everything)} mutants ({', '.join(f'{a} {len(m)}' for a, m in chosen.items())})"
          f" with {args.jobs} jobs", flush=True)
    results = grade(everything, jobs=args.jobs, time_limit=args.time_limit)
    failing = False
    for assignment, mutants in chosen.items():
        listed = equivalent(assignment)
        statuses = {m.id: classify(m, results[m.id], listed) for m in mutants}
        print(report(assignment, mutants, results, statuses, listed, args.out))
        failing |= any(s in ("survived", "stale") for s in statuses.values())
    print(f"{time.monotonic() - start:.0f} s; reports in {args.out}/<assignment>.txt and .html")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
