"""CSV files an instructor opens in a spreadsheet: no cell of learner data becomes a formula.

Spreadsheet programs treat a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return as
a formula (OWASP's "CSV injection"). Student folder names, notebook names and feedback text are
learner data, so every CSV the kit writes goes through `write_csv`, which prefixes such a cell
with a single quote (the usual neutraliser; spreadsheets show the text as it was). Numbers the
kit computed are written as numbers.
"""
from __future__ import annotations

import csv
import os
from pathlib import Path

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as a CSV cell that no spreadsheet runs: numbers and None as they are, text with
    a leading quote where it would start a formula, lone surrogates replaced."""
    if value is None or type(value) in (int, float, bool):
        return value
    text = str(value).encode("utf-8", "replace").decode("utf-8")
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(target: Path, header, rows) -> None:
    """Write `header` and `rows` (sequences of cells) to `target`, every cell made safe: whole
    or not at all (written beside it, then renamed into place), so a reader never sees half a
    table and an earlier table stays until the new one is complete."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    try:
        with open(partial, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow([safe_cell(c) for c in header])
            writer.writerows([safe_cell(c) for c in row] for row in rows)
        os.replace(partial, target)
    finally:
        if partial.exists() and not partial.is_dir():
            partial.unlink()
