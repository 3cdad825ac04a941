"""`python -m autograder VERB ...`: a thin command line over the engine's functions."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from autograder import assignments
from autograder.sandbox import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description="Grade PyTorch exercise submissions.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    grade = verbs.add_parser("grade", help="grade notebooks (.ipynb) or Python files (.py)")
    grade.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    grade.add_argument("--assignment", choices=assignments.ASSIGNMENT_IDS,
                       help="the assignment (default: told from each file's or folder's name)")
    grade.add_argument("--json", type=Path, metavar="FILE",
                       help="write the result here (one PATH only)")
    grade.add_argument("--out", type=Path, metavar="DIR",
                       help="write one result per PATH into DIR, named after the submission")
    grade.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S, metavar="S",
                       help=f"wall-clock seconds per submission (default {DEFAULT_TIME_LIMIT_S:g})")
    grade.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_LIMIT_MB, metavar="MB",
                       help=f"extra memory per submission (default {DEFAULT_MEMORY_LIMIT_MB})")
    grade.add_argument("--quiet", action="store_true", help="print only one line per submission")
    return parser


def result_name(path: Path, assignment: assignments.Assignment) -> str:
    stem = path.stem
    return f"{assignment.id}.json" if stem == assignment.id else f"{assignment.id}__{stem}.json"


def _write(result: dict, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")


def grade_command(args, parser) -> int:
    if args.json and len(args.paths) != 1:
        parser.error("--json takes one PATH; use --out DIR for several")
    try:
        jobs = [(p, assignments.for_submission(p, args.assignment)) for p in args.paths]
    except assignments.UnknownAssignment as exc:
        parser.error(str(exc))
    names = [result_name(p, a) for p, a in jobs]
    if args.out and len(set(names)) != len(names):
        parser.error("two submissions would write the same result file under --out; "
                     "give them different file names or grade them separately")
    # Imported here so that `--help` and command-line errors answer without importing torch.
    from autograder.grading import grade_file
    from autograder.report import format_report

    for path, assignment in jobs:
        result = grade_file(path, assignment, time_limit_s=args.time_limit,
                            memory_limit_mb=args.memory_limit or None,
                            threads=os.cpu_count() or 1)
        if args.json:
            _write(result, args.json)
        if args.out:
            _write(result, args.out / result_name(path, assignment))
        if args.quiet:
            print(f"{path}: {result['score']:g} / {result['max_score']:g}")
        else:
            print(format_report(result, f"{assignment.id} ({path})"), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.verb == "grade":
        return grade_command(args, parser)
    parser.error(f"unknown verb {args.verb}")
    return 2
