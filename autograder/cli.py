"""`python -m autograder VERB ...`: a thin command line over the engine's functions."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from autograder import assignments, config
from autograder.config import DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIME_LIMIT_S
from autograder.i18n import LANGUAGES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder",
                                     description="Grade PyTorch exercise submissions.")
    verbs = parser.add_subparsers(dest="verb", required=True)
    grade = verbs.add_parser("grade", help="grade notebooks (.ipynb) or Python files (.py)")
    grade.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    grade.add_argument("--assignment", choices=assignments.ids(),
                       help="the assignment (default: told from each file's or folder's name)")
    grade.add_argument("--json", type=Path, metavar="FILE",
                       help="write the result here (one PATH only)")
    grade.add_argument("--out", type=Path, metavar="DIR",
                       help="write one result per PATH into DIR, named after the submission")
    _add_limits(grade)
    grade.add_argument("--quiet", action="store_true", help="print only one line per submission")
    grade.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="submissions graded at once (default 1; reports come as each ends)")
    grade.add_argument("--all-cells", action="store_true", help=ALL_CELLS_HELP)
    _add_language(grade)

    batch = verbs.add_parser("grade-all", help="grade a class: SUBMITTED/<student>/<assignment>/")
    batch.add_argument("submitted", type=Path, metavar="SUBMITTED")
    batch.add_argument("--out", type=Path, required=True, metavar="DIR",
                       help="results: DIR/<student>/<assignment>.json and DIR/class.csv")
    batch.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="submissions graded at once (default: the number of CPUs)")
    batch.add_argument("--all-cells", action="store_true", help=ALL_CELLS_HELP)
    batch.add_argument("--fresh", action="store_true",
                       help="grade every submission again (by default a result is kept when its "
                            "submission and the graders are unchanged, so a batch that was "
                            "interrupted resumes where it stopped)")
    batch.add_argument("--scheduler", metavar="ADDRESS",
                       default=config.scheduler(),
                       help="grade on the Dask cluster of this scheduler (tls://HOST:8786, or "
                            "tcp://127.0.0.1:8786 through an SSH tunnel; default: "
                            "$AUTOGRADER_SCHEDULER, else this machine's cores)")
    batch.add_argument("--insecure-scheduler", action="store_true",
                       help="allow a plain-TCP scheduler on another machine (unencrypted, "
                            "unauthenticated: only on a network you trust)")
    _add_limits(batch)
    _add_language(batch)

    book = verbs.add_parser("gradebook", help="after nbgrader autograde: grade submitted/ with "
                            "the engine and write its scores into nbgrader's gradebook")
    book.add_argument("--course", type=Path, default=Path("."), metavar="DIR",
                      help="the nbgrader course (default: the current folder)")
    book.add_argument("--assignment", action="append", choices=assignments.ids(),
                      help="only this assignment (repeatable; default: all)")
    book.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                      help="submissions graded at once (default: the number of CPUs)")
    _add_limits(book)
    _add_language(book)

    status = verbs.add_parser("grades-status", help="after nbgrader export: grades-status.csv, "
                              "which tells a notebook that scored 0 from one never submitted")
    status.add_argument("--course", type=Path, default=Path("."), metavar="DIR",
                        help="the nbgrader course (default: the current folder)")
    status.add_argument("--out", type=Path, default=Path("grades-status.csv"), metavar="FILE",
                        help="where to write it (default: grades-status.csv)")

    kit = verbs.add_parser("student-kit", help="build the learner's kit (folder and zip)")
    kit.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR",
                     help="write DIR/student-kit/ and DIR/student-kit.zip (default: dist)")
    kit.add_argument("--lang", choices=LANGUAGES, metavar="LANG",
                     help="the kit's language: the one assignments/ was released in (default)")

    gradescope = verbs.add_parser("gradescope",
                                  help="build one Gradescope autograder zip per assignment")
    gradescope.add_argument("--out", type=Path, default=Path("dist/gradescope"), metavar="DIR",
                            help="write DIR/<assignment>.zip (default: dist/gradescope)")

    report = verbs.add_parser("class-report",
                              help="HTML report of a class's results (from grade-all)")
    report.add_argument("results", type=Path, metavar="RESULTS_DIR")
    report.add_argument("--out", type=Path, metavar="FILE",
                        help="the HTML file to write (default: RESULTS_DIR/class-report.html)")
    report.add_argument("--lang", choices=LANGUAGES, metavar="LANG",
                        help="the report's language (default: the language of most results)")
    report.add_argument("--submitted", type=Path, metavar="DIR",
                        help="the submissions' folder (SUBMITTED/<student>/<assignment>/): the "
                             "report lists who has no submission")
    return parser


# Exit statuses: 2 is a wrong command line (argparse's); these say the engine, not a learner,
# is at fault.
ENGINE_ERROR = 1     # results were written, but the engine failed on some submissions
SETUP_FAILED = 3     # the set-up failed its reference solution: nothing was graded
CLUSTER_FAILED = 4   # grade-all --scheduler: the cluster could not grade (the rest of) the class

ALL_CELLS_HELP = ("also run a notebook's closing cells that are exactly as released (by "
                  "default they are skipped: no check depends on them)")


def _add_language(parser) -> None:
    parser.add_argument("--lang", choices=LANGUAGES, metavar="LANG",
                        help=f"the language of the feedback ({', '.join(LANGUAGES)}; default: "
                             "the language each notebook was released in, else en)")


def _add_limits(parser) -> None:
    parser.add_argument("--time-limit", type=float, default=DEFAULT_TIME_LIMIT_S, metavar="S",
                        help=f"wall-clock seconds per submission (default {DEFAULT_TIME_LIMIT_S:g})")
    parser.add_argument("--memory-limit", type=int, default=DEFAULT_MEMORY_LIMIT_MB, metavar="MB",
                        help=f"extra memory per submission, 0 for none (default {DEFAULT_MEMORY_LIMIT_MB})")


def result_name(path: Path, assignment: assignments.Assignment) -> str:
    stem = path.stem
    return f"{assignment.id}.json" if stem == assignment.id else f"{assignment.id}__{stem}.json"


def _write(result: dict, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n")


def grade_command(args, parser) -> int:
    if args.json and len(args.paths) != 1:
        parser.error("--json takes one PATH; use --out DIR for several")
    missing = [p for p in args.paths if not p.exists()]
    if missing:   # a wrong command line (contract, section 2): no result written, none replaced
        parser.error(f"{missing[0]} does not exist; nothing was graded and no result written")
    try:
        jobs = [(p, assignments.for_submission(p, args.assignment)) for p in args.paths]
    except assignments.UnknownAssignment as exc:
        parser.error(str(exc))
    names = [result_name(p, a) for p, a in jobs]
    if args.out and len(set(names)) != len(names):
        parser.error("two submissions would write the same result file under --out; "
                     "give them different file names or grade them separately")
    # Imported here so that `--help` and command-line errors answer without importing torch.
    from autograder.grading.api import SetupFailed, grade_many
    from autograder.i18n import use, valid
    from autograder.reports.report import format_report, kept_earlier
    from autograder.grading.session import Limits

    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    limits = Limits(args.time_limit, args.memory_limit or None, threads=threads)

    errors = []

    def report(key, path, assignment, result):
        if result.get("status") == "error":
            errors.append(path)
        for target in filter(None, [args.json,
                                    args.out and args.out / result_name(path, assignment)]):
            with use(valid(result.get("extra_data", {}).get("language"))):
                kept = kept_earlier(result, target, path, assignment)   # a stub's 0 keeps points
            if kept:
                print(f"autograder: {kept}", file=sys.stderr, flush=True)
            else:
                _write(result, target)
        if args.quiet:
            score = "not graded" if result.get("status") == "error" else f"{result['score']:g}"
            print(f"{path}: {score} / {result['max_score']:g}", flush=True)
        else:
            with use(valid(result.get("extra_data", {}).get("language"))):
                print(format_report(result, f"{assignment.id} ({path})"), flush=True)

    try:
        grade_many([(i, p, a) for i, (p, a) in enumerate(jobs)], limits, jobs=args.jobs,
                   on_result=report, all_cells=args.all_cells, language=args.lang,
                   prove="cached")
    except SetupFailed as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return SETUP_FAILED
    if errors:
        print(f"autograder: the engine failed on {len(errors)} submission(s), which were not "
              "graded (see the messages above)", file=sys.stderr)
        return ENGINE_ERROR
    return 0


def grade_all_command(args, parser) -> int:
    if not args.submitted.is_dir():
        parser.error(f"{args.submitted} is not a folder of submissions")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    from autograder.grading.batch import grade_all
    from autograder.grading.session import Limits

    from autograder.grading.batch import sandbox_summary

    from autograder.grading.selfcheck import SetupFailed

    cluster = None
    if args.scheduler:
        # dask is imported only here, and only once the address is acceptable.
        from autograder.grading import cluster as scale_out

        try:
            scale_out.check_address(args.scheduler, args.insecure_scheduler)
        except scale_out.ClusterError as exc:
            parser.error(str(exc))
        cluster = scale_out.Options(args.scheduler, insecure=args.insecure_scheduler)
    try:
        rows, kept = grade_all(args.submitted, args.out, jobs=args.jobs, fresh=args.fresh,
                               all_cells=args.all_cells, language=args.lang,
                               limits=Limits(args.time_limit, args.memory_limit or None,
                                             threads=1), cluster=cluster)
    except SetupFailed as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return SETUP_FAILED
    except Exception as exc:
        if cluster is None or not isinstance(exc, scale_out.ClusterError):
            raise
        print(f"autograder: {exc}", file=sys.stderr)
        return CLUSTER_FAILED
    print(f"graded {len(rows) - kept} submissions" + (f", kept {kept} current results" if kept
                                                      else "") +
          (f" {cluster.stats.line()}" if cluster else "") +
          f"; results in {args.out}, class table in {args.out / 'class.csv'}")
    print(sandbox_summary(rows))
    errors = [row for row in rows if row[1].get("status") == "error"]
    if errors:
        print(f"autograder: the engine failed on {len(errors)} submission(s), which were not "
              "graded (class.csv says so; see the messages above)", file=sys.stderr)
        return ENGINE_ERROR
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.verb == "grade":
        return grade_command(args, parser)
    if args.verb == "grade-all":
        return grade_all_command(args, parser)
    if args.verb == "gradebook":
        if not (args.course / "gradebook.db").exists():
            parser.error(f"no nbgrader gradebook in {args.course}: run nbgrader autograde first")
        from autograder.course.gradebook import summary, trusted_autograde
        from autograder.grading.session import Limits

        from autograder.grading.selfcheck import SetupFailed

        try:
            overlay = trusted_autograde(args.course.resolve(), jobs=max(1, args.jobs),
                                        limits=Limits(args.time_limit, args.memory_limit or None,
                                                      threads=1), only=args.assignment,
                                        language=args.lang)
        except SetupFailed as exc:
            print(f"autograder: {exc}", file=sys.stderr)
            return SETUP_FAILED
        print(summary(overlay))
        return 0 if overlay.complete else 1
    if args.verb == "grades-status":
        if not (args.course / "gradebook.db").exists():
            parser.error(f"no nbgrader gradebook in {args.course}: run make autograde first")
        from autograder.course.gradebook import NOT_SUBMITTED, write_status

        rows = write_status(args.course.resolve(), args.out)
        missing = sum(row[2] == NOT_SUBMITTED for row in rows)
        print(f"{args.out}: {len(rows)} rows, {missing} not submitted")
        return 0
    if args.verb == "student-kit":
        from autograder.course.studentkit import build

        try:
            kit = build(args.out, language=args.lang)
        except (FileNotFoundError, ValueError) as exc:
            parser.error(str(exc))
        print(f"learner's kit: {kit} (and its .zip beside it)")
        return 0
    if args.verb == "gradescope":
        from autograder.course.gradescope import build as build_gradescope

        zips, skipped = build_gradescope(args.out)
        for path in zips:
            print(f"Gradescope autograder: {path}")
        for assignment_id, why in skipped.items():
            print(f"skipped {assignment_id}: {why}")
        return 0
    if args.verb == "class-report":
        if not args.results.is_dir():
            parser.error(f"{args.results} is not a folder of results (as written by grade-all)")
        from autograder.reports.classreport import write_report

        out = args.out or args.results / "class-report.html"
        if args.submitted is not None and not args.submitted.is_dir():
            parser.error(f"{args.submitted} is not a folder of submissions")
        count = write_report(args.results, out, args.lang, args.submitted)
        print(f"class report of {count} results: {out}")
        return 0
    parser.error(f"unknown verb {args.verb}")
    return 2
