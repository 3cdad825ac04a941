"""The kit in two languages: the message catalogues (autograder/i18n/locale/) and the notebooks'
translations (translations/) are complete and current, and what they produce keeps everything
but the words. Scores in both languages are compared in proof.py (every submission of every
assignment) and test_nbgrader.py (a semester in Chinese)."""
from __future__ import annotations

import copy
import gettext
import json
import re

import pytest

from kit import REPO, grade_files

from autograder import assignments, i18n
from autograder.i18n import catalogue
from autograder.course import translation

CJK = re.compile(r"[\u4e00-\u9fff]")
ASSIGNMENTS = assignments.ids()


# -- messages --------------------------------------------------------------------------------------

def test_every_message_is_translated_and_kit_mo_is_current():
    """Every `_()` message and check description of the code has a Chinese translation with the
    same fields, no catalogue keeps a message the code no longer uses, and kit.mo is compiled
    from the catalogues as they are (`make translations` fixes what it can)."""
    assert catalogue.problems("zh") == []


def test_messages_are_extracted_from_every_source_file():
    areas = catalogue.messages_by_area()
    assert set(areas) == {"engine", *ASSIGNMENTS}
    engine = areas["engine"]
    assert "Check: {description}" in engine and "Not checked: {problem}" in engine
    # A check's description is its docstring's first paragraph, as the plugin reads it.
    assert any(m.startswith("Linear(3, 2) registers exactly `weight` and `bias`")
               for m in areas["linear"])


def test_a_bad_call_to_underscore_is_refused(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('from autograder.i18n import _\nname = "x"\nprint(_(f"hello {name}"))\n')
    with pytest.raises(ValueError, match="one string literal"):
        catalogue.extract(bad)
    constant = tmp_path / "constant.py"
    constant.write_text('from autograder.i18n import N_, _\nMESSAGE = N_("hello {name}")\n'
                        'print(_(MESSAGE).format(name="x"))\n')
    assert [m for m, _line in catalogue.extract(constant)] == ["hello {name}"]


def test_po_files_round_trip(tmp_path):
    entries = {'a "quoted" \\ backslash': "带引号", "two\nlines {x}": "两\n行 {x}",
               "x" * 150: "长" * 80, "tab\there": ""}
    path = tmp_path / "t.po"
    catalogue.write_po(path, "zh", "test", entries, {})
    assert catalogue.read_po(path) == entries


def test_compiled_catalogue_is_what_gettext_reads(tmp_path):
    entries = {"Observed: {x}": "观察到：{x}", "untranslated": ""}
    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "kit.mo").write_bytes(catalogue.compile_mo(entries))
    compiled = gettext.translation("kit", tmp_path, ["zh"])
    assert compiled.gettext("Observed: {x}") == "观察到：{x}"
    assert compiled.gettext("untranslated") == "untranslated"


def test_language_switches_and_restores():
    from autograder.reports.report import NOT_IMPLEMENTED

    english = i18n._(NOT_IMPLEMENTED)
    with i18n.use("zh"):
        chinese = i18n._(NOT_IMPLEMENTED)
        assert i18n.language() == "zh"
    assert i18n.language() == "en" and i18n._(NOT_IMPLEMENTED) == english
    assert CJK.search(chinese) and not CJK.search(english)
    assert i18n.prefixes(NOT_IMPLEMENTED) == ("Not implemented yet: `", chinese.split("{")[0])
    with pytest.raises(ValueError, match="unknown language"):
        i18n.set_language("fr")


def test_notebook_language_reads_only_known_languages():
    assert i18n.notebook_language({"metadata": {"kit": {"language": "zh"}}}) == "zh"
    for metadata in ({}, {"kit": {}}, {"kit": {"language": "fr"}}, {"kit": "zh"},
                     {"kit": {"language": ["zh"]}}):
        assert i18n.notebook_language({"metadata": metadata}) is None
    assert i18n.notebook_language([]) is None


# -- notebooks -------------------------------------------------------------------------------------

@pytest.fixture
def scratch_translations(tmp_path, monkeypatch):
    """A copy of the sources and their translations that a test may change."""
    (tmp_path / "solutions").mkdir()
    for assignment in ASSIGNMENTS:
        target = tmp_path / "solutions" / assignment
        target.mkdir()
        name = f"{assignment}.ipynb"
        (target / name).write_bytes((REPO / "solutions" / assignment / name).read_bytes())
    (tmp_path / "translations" / "zh").mkdir(parents=True)
    for assignment in ASSIGNMENTS:
        source = translation.catalogue_path("zh", assignment)
        (tmp_path / "translations" / "zh" / source.name).write_bytes(source.read_bytes())
    monkeypatch.setattr(translation, "COURSE", tmp_path)
    monkeypatch.setattr(translation, "TRANSLATIONS", tmp_path / "translations")
    return tmp_path


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_cell_that_needs_it_is_translated_and_current(assignment):
    assert translation.problems("zh", assignment) == []


def _edit_source(course, assignment, cell_id, change):
    path = course / "solutions" / assignment / f"{assignment}.ipynb"
    notebook = json.loads(path.read_text())
    cell = next(c for c in notebook["cells"] if c["id"] == cell_id)
    cell["source"] = change(translation.source_of(cell))
    path.write_text(json.dumps(notebook))


def _edit_translation(assignment, cell_id, change):
    cells = translation.read_catalogue("zh", assignment)
    cells[cell_id]["text"] = change(cells[cell_id]["text"])
    translation.write_catalogue("zh", assignment, cells)


def _first(assignment, cell_type):
    notebook = translation.source_notebook(assignment)
    return next(c["id"] for c in notebook["cells"]
                if c["cell_type"] == cell_type and translation.needs_translation(c)
                and (cell_type == "markdown" or "### BEGIN SOLUTION" in translation.source_of(c)))


def test_a_changed_english_cell_is_reported_stale(scratch_translations):
    cell = _first("linear", "markdown")
    _edit_source(scratch_translations, "linear", cell, lambda s: s + "\nOne more sentence.")
    found = translation.problems("zh", "linear")
    assert len(found) == 1 and "stale" in found[0] and cell in found[0]
    with pytest.raises(ValueError, match="not ready"):
        translation.translated_notebook(translation.source_notebook("linear"), "zh", "linear")


def test_a_new_cell_without_translation_is_reported(scratch_translations):
    cells = translation.read_catalogue("zh", "parameters")
    removed = _first("parameters", "markdown")
    del cells[removed]
    translation.write_catalogue("zh", "parameters", cells)
    found = translation.problems("zh", "parameters")
    assert len(found) == 1 and "has no translation" in found[0] and removed in found[0]


def test_a_translation_that_changes_code_is_reported(scratch_translations):
    cell = _first("freeze", "code")
    # Comments and docstrings may change; code may not (here: one statement, one marker).
    _edit_translation("freeze", cell, lambda s: s + "\n# 一条新的注释\n")
    assert translation.problems("zh", "freeze") == []
    _edit_translation("freeze", cell, lambda s: s.replace("### END SOLUTION", "### END"))
    found = translation.problems("zh", "freeze")
    assert len(found) == 1 and "changes the code" in found[0]


def test_printed_text_may_change_but_not_the_code_inside_it():
    english = 'print(f"after: {d[\'key\']} of {n}")\n'
    assert translation.code_shape('print(f"之后：{d[\'key\']} / {n}")\n') == \
        translation.code_shape(english)
    assert translation.code_shape('print(f"之后：{d[\'other\']} / {n}")\n') != \
        translation.code_shape(english)
    assert translation.code_shape('x = "a string"\n') != translation.code_shape('x = "字符串"\n')


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_released_language_keeps_cells_ids_points_and_code(assignment):
    english = translation.source_notebook(assignment)
    chinese = translation.translated_notebook(copy.deepcopy(english), "zh", assignment)
    assert chinese["metadata"]["kit"] == {"language": "zh"}
    assert [c["id"] for c in chinese["cells"]] == [c["id"] for c in english["cells"]]
    assert [c.get("metadata") for c in chinese["cells"]] == \
        [c.get("metadata") for c in english["cells"]]
    for en_cell, zh_cell in zip(english["cells"], chinese["cells"]):
        en, zh = translation.source_of(en_cell), translation.source_of(zh_cell)
        meta = en_cell.get("metadata", {}).get("nbgrader", {})
        if en_cell["cell_type"] == "markdown":
            assert CJK.search(zh), en[:80]
        elif meta.get("grade") and not meta.get("solution"):
            # Check cells tell the check which language to speak; nothing else changes.
            assert zh.count('language="zh"') == en.count("check(") > 0
            assert zh.replace(', language="zh"', "") == en
        else:
            assert translation.code_shape(zh) == translation.code_shape(en)


def test_a_notebook_in_chinese_is_graded_like_the_english_one_where_english_is_released(tmp_path):
    """A Chinese notebook's own cells are the kit's wherever the course was released in English
    (a class that hands out both): not taken for code that reaches into the engine, and its
    closing demonstrations skipped as the English ones are."""
    paths = []
    for assignment in ASSIGNMENTS:
        for language in ("en", "zh"):
            notebook = translation.translated_notebook(
                translation.source_notebook(assignment), language, assignment)
            path = tmp_path / language / assignment / f"{assignment}_{language}.ipynb"
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
            paths.append(path)
    results = grade_files(paths, tmp_path / "out")
    for assignment in ASSIGNMENTS:
        english = results[tmp_path / "en" / assignment / f"{assignment}_en.ipynb"]
        chinese = results[tmp_path / "zh" / assignment / f"{assignment}_zh.ipynb"]
        assert chinese["extra_data"]["language"] == "zh"
        assert chinese["score"] == english["score"] == english["max_score"], chinese["output"]
        assert chinese["extra_data"]["cells_run"] == english["extra_data"]["cells_run"]
