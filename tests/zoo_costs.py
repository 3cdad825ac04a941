"""What one mistake costs: every bug-zoo entry graded, with the points it loses.

    python tests/zoo_costs.py [--assignment ID ...]      (or: make zoo-costs)

Each entry is the reference solution with one misconception (see tests/zoo/). Prints, per
assignment, the distribution of the share of points an entry loses and every entry that loses
more than a quarter, with the reason its header gives (`Costs more:`); writes the full list, one
entry per line, to results/zoo-costs.txt. The kit's tests assert the same bound
(tests/proof.py, test_one_mistake_costs_at_most_a_quarter_of_the_points).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kit import REPO, compose_zoo_submission, grade_files, source_assignments, zoo_entries

BANDS = ((0.0, "0%"), (0.05, "up to 5%"), (0.10, "5-10%"), (0.15, "10-15%"), (0.25, "15-25%"),
         (1.0, "over 25%"))


def band(share: float) -> str:
    for top, label in BANDS:
        if share <= top + 1e-9:
            return label
    return BANDS[-1][1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignment", action="append", help="only this assignment (repeatable)")
    args = parser.parse_args()
    chosen = [a for a in source_assignments() if not args.assignment or a in args.assignment]
    lines = []
    with tempfile.TemporaryDirectory(prefix="zoo-costs-") as tmp:
        for assignment in chosen:
            reference = REPO / "solutions" / assignment / f"{assignment}.ipynb"
            entries = zoo_entries(assignment)
            paths = {e.id: compose_zoo_submission(e, reference, Path(tmp) / "zoo") for e in entries}
            results = grade_files(list(paths.values()), Path(tmp) / "results")
            costs = []
            for entry in entries:
                result = results[paths[entry.id]]
                lost = result["max_score"] - result["score"]
                share = lost / result["max_score"]
                costs.append((share, lost, result["max_score"], entry))
                lines.append(f"{assignment}\t{entry.id}\t{lost:g} of {result['max_score']:g}"
                             f"\t{100 * share:.0f}%")
            counts = Counter(band(share) for share, *_ in costs)
            print(f"{assignment}: {len(entries)} entries; points lost per entry: "
                  + ", ".join(f"{label} {counts[label]}" for _, label in BANDS if counts[label])
                  + f"; median {100 * sorted(c[0] for c in costs)[len(costs) // 2]:.0f}%")
            for share, lost, top, entry in sorted(costs, key=lambda c: -c[0]):
                if share > 0.25:
                    print(f"  {entry.id}: {lost:g} of {top:g} ({100 * share:.0f}%): {entry.costs_more}")
    out = REPO / "results" / "zoo-costs.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("assignment\tentry\tpoints lost\tshare\n" + "\n".join(lines) + "\n")
    print(f"every entry: {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
