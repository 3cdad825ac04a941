"""One source notebook, released in more than one language.

Each assignment keeps one source notebook, `solutions/<id>/<id>.ipynb`, in English. Its
translation into another language is a catalogue beside the sources, outside `solutions/` (whose
files nbgrader copies into the release):

    translations/<lang>/<id>.json
    {"cells": {"<cell id>": {"en": "<hash of the English source>", "text": "<translated source>"}}}

Every Markdown cell is translated, and every code cell with a comment, a docstring or a print();
a code cell's translation changes only its comments, docstrings and the text it prints (the code,
and nbgrader's `###` markers, stay as they are). The `en` hash says which English text was translated, so a cell
whose English changed since is reported as stale.

`translated_notebook` makes the released language's source: the same cells, ids, nbgrader
metadata and points, the translated text, `metadata.kit.language` set, and the check calls of
the graded test cells told the language (`check("linear", "parameters", language="zh")`), since
a kernel cannot read its notebook's metadata. `make release LANG=zh` writes these sources to
`build/source-zh/` and has nbgrader release them from there.

    python -m autograder.course.translation check [LANG]      what is missing, stale or changes code
    python -m autograder.course.translation skeleton LANG ID  add empty entries for untranslated cells
    python -m autograder.course.translation sources LANG DIR  write the LANG sources to DIR/<id>/
    python -m autograder.course.translation language          the language assignments/ was released in
"""
from __future__ import annotations

import ast
import copy
import hashlib
import io
import json
import re
import shutil
import sys
import tokenize
from pathlib import Path

from autograder.i18n import DEFAULT, LANGUAGES, notebook_language

COURSE = Path(__file__).resolve().parents[2]   # autograder/course/ -> the course root
TRANSLATIONS = COURSE / "translations"
_CHECK_CALL = re.compile(r"""(\bcheck\(\s*["']\w+["']\s*,\s*["']\w+["'])""")
_MARKER = re.compile(r"^\s*###.*$", re.MULTILINE)


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def en_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _tokens(source: str) -> list[tokenize.TokenInfo] | None:
    try:
        return list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def _without_prose(tree: ast.AST) -> ast.AST:
    """`tree` with its docstrings and the text of its print() calls blanked: what a translation
    may change."""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str)):
            body[0].value.value = ""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            # The printed text: string arguments, and the literal parts of f-string arguments
            # (not the expressions inside them: `{d["key"]}` stays code).
            for arg in node.args:
                parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
                for part in parts:
                    if isinstance(part, ast.Constant) and isinstance(part.value, str):
                        part.value = ""
    return tree


def code_shape(source: str) -> str:
    """What a code cell's translation must keep: its code without comments, docstrings and the
    text it prints, and nbgrader's `###` marker lines."""
    markers = "\n".join(m.strip() for m in _MARKER.findall(source))
    try:
        tree = ast.parse(source)
    except SyntaxError:   # IPython syntax: compare the lines without their comments
        lines = [re.sub(r"\s*#.*$", "", line).rstrip() for line in source.splitlines()]
        return markers + "\n" + "\n".join(line for line in lines if line)
    return markers + "\n" + ast.dump(_without_prose(tree))


def needs_translation(cell: dict) -> bool:
    """Markdown cells, and code cells with a comment (other than nbgrader's markers), a
    docstring or a print() call."""
    if cell.get("cell_type") == "markdown":
        return bool(source_of(cell).strip())
    if cell.get("cell_type") != "code":
        return False
    source = source_of(cell)
    tokens = _tokens(source)
    if tokens is None:
        return "#" in source
    if any(t.type == tokenize.COMMENT and not t.string.startswith("###") for t in tokens):
        return True
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
               and node.func.id == "print"
               or isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
               and ast.get_docstring(node, clean=False)
               for node in ast.walk(tree))


def catalogue_path(language: str, assignment: str) -> Path:
    return TRANSLATIONS / language / f"{assignment}.json"


def read_catalogue(language: str, assignment: str) -> dict[str, dict]:
    path = catalogue_path(language, assignment)
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def write_catalogue(language: str, assignment: str, cells: dict[str, dict]) -> None:
    path = catalogue_path(language, assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"cells": cells}, ensure_ascii=False, indent=1) + "\n",
                    encoding="utf-8")


def versions(assignment: str) -> dict[str, set[str]]:
    """Each cell's text (stripped), as any catalogue of the assignment holds it, mapped to its
    texts in every language: the same cell of the kit, whichever language it was released in."""
    same: dict[str, set[str]] = {}
    for language in LANGUAGES:
        if language == DEFAULT:
            continue
        try:
            catalogue = read_catalogue(language, assignment)
        except (OSError, ValueError, KeyError):
            continue
        for entry in catalogue.values():
            texts = {t.strip() for t in (entry.get("english"), entry.get("text"))
                     if isinstance(t, str) and t.strip()}
            for text in texts:
                same.setdefault(text, set()).update(texts)
    return same


def every_language(assignment: str, sources: list[str]) -> set[str]:
    """`sources` (code cells of the notebook as released, in whichever language), stripped,
    and each one's versions in the course's other languages: a Chinese notebook's own cells are
    the kit's, as released, where the English one was released."""
    same = versions(assignment)
    found = set()
    for source in sources:
        found |= same.get(source.strip(), {source.strip()})
    return found


def source_notebook(assignment: str) -> dict:
    return json.loads((COURSE / "solutions" / assignment / f"{assignment}.ipynb").read_text())


def problems(language: str, assignment: str) -> list[str]:
    """Cells without a translation, stale translations (the English changed since), and code
    cells whose translation changes more than comments, docstrings and printed text."""
    notebook = source_notebook(assignment)
    catalogue = read_catalogue(language, assignment)
    where = f"translations/{language}/{assignment}.json"
    found = []
    ids = set()
    for number, cell in enumerate(notebook["cells"], 1):
        if not needs_translation(cell):
            continue
        cell_id = cell.get("id")
        ids.add(cell_id)
        english = source_of(cell)
        entry = catalogue.get(cell_id)
        first = english.strip().splitlines()[0][:60] if english.strip() else ""
        label = f"cell {number} ({cell['cell_type']}, id {cell_id}: {first!r})"
        if not entry or not str(entry.get("text", "")).strip():
            found.append(f"{where}: {label} has no translation")
            continue
        if entry.get("en") != en_hash(english):
            found.append(f"{where}: {label} is stale: its English changed since it was "
                         "translated")
        if cell["cell_type"] == "code" and code_shape(entry["text"]) != code_shape(english):
            found.append(f"{where}: {label}: the translation changes the code, not only its "
                         "comments, docstrings and printed text")
    for cell_id in sorted(set(catalogue) - ids):
        found.append(f"{where}: entry {cell_id} matches no cell that needs a translation")
    return found


def translated_notebook(notebook: dict, language: str, assignment: str) -> dict:
    """The source notebook in `language` (see the module): raises ValueError while the
    catalogue has problems."""
    if language == DEFAULT:
        return notebook
    found = problems(language, assignment)
    if found:
        raise ValueError(f"the {language} translation of {assignment} is not ready:\n"
                         + "\n".join(found))
    catalogue = read_catalogue(language, assignment)
    out = copy.deepcopy(notebook)
    for cell in out["cells"]:
        entry = catalogue.get(cell.get("id"))
        if entry is not None and needs_translation(cell):
            cell["source"] = entry["text"]
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            cell["source"] = _CHECK_CALL.sub(rf'\1, language="{language}"', source_of(cell))
    out.setdefault("metadata", {})["kit"] = {"language": language}
    return out


def write_sources(language: str, out: Path, assignments: list[str]) -> list[Path]:
    """`out/<id>/`: each assignment's source folder with its notebook in `language`."""
    written = []
    for assignment in assignments:
        source = COURSE / "solutions" / assignment
        target = out / assignment
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(
            "__pycache__", "*.pyc", ".ipynb_checkpoints"))
        notebook = translated_notebook(source_notebook(assignment), language, assignment)
        path = target / f"{assignment}.ipynb"
        path.write_text(json.dumps(notebook, ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        written.append(path)
    return written


def skeleton(language: str, assignment: str) -> int:
    """Add an empty entry for each cell that needs a translation and has none; returns how many."""
    catalogue = read_catalogue(language, assignment)
    added = 0
    for cell in source_notebook(assignment)["cells"]:
        if needs_translation(cell) and cell.get("id") not in catalogue:
            catalogue[cell["id"]] = {"en": en_hash(source_of(cell)), "english": source_of(cell),
                                     "text": ""}
            added += 1
    write_catalogue(language, assignment, catalogue)
    return added


def assignments_with_sources() -> list[str]:
    return sorted(p.parent.name for p in (COURSE / "solutions").glob("*/*.ipynb")
                  if p.stem == p.parent.name)


def released_language(course: Path = COURSE) -> str:
    """The language the course's released notebooks are in (the course's language)."""
    for path in sorted((course / "assignments").glob("*/*.ipynb")):
        try:
            found = notebook_language(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
        return found or DEFAULT
    return DEFAULT


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        languages = argv[1:] or [lang for lang in LANGUAGES if lang != DEFAULT]
        found = [p for lang in languages for a in assignments_with_sources()
                 for p in problems(lang, a)]
        print("\n".join(found) or "every notebook is translated and current")
        return 1 if found else 0
    if argv[:1] == ["sources"] and len(argv) == 3 and argv[1] in LANGUAGES:
        try:
            written = write_sources(argv[1], Path(argv[2]), assignments_with_sources())
        except ValueError as exc:
            print(exc, file=sys.stderr)
            return 1
        print(f"{argv[1]} sources: {', '.join(str(p) for p in written)}")
        return 0
    if argv[:1] == ["language"]:
        print(released_language())
        return 0
    if argv[:1] == ["skeleton"] and len(argv) == 3:
        print(f"{skeleton(argv[1], argv[2])} entries added to {catalogue_path(argv[1], argv[2])}")
        return 0
    print(__doc__.split("\n\n")[-1], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
