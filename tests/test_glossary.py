"""The Chinese notebooks and message catalogues name each key term one way (issue 24, item 8).

translations/zh/glossary.json lists the kit's terms with their agreed rendering and the competing
ones. Every translated notebook cell (translations/zh/*.json) and message (autograder/i18n/
locale/zh/*.po) whose English holds a term must render it the agreed way, and no Chinese text
may use a rendering the glossary lists as wrong. A failure lists each inconsistency as
file:entry, with the term and what the Chinese holds instead.
"""
from __future__ import annotations

import json
import re

import pytest

from kit import REPO

ZH = REPO / "translations" / "zh"
CATALOGUES = REPO / "autograder" / "i18n" / "locale" / "zh"
GLOSSARY = ZH / "glossary.json"


def glossary() -> list[dict]:
    return json.loads(GLOSSARY.read_text(encoding="utf-8"))["terms"]


def entries() -> list[tuple[str, str, str]]:
    """(file:entry, English, Chinese) for every translated cell and message."""
    from autograder.i18n.catalogue import read_po

    found = []
    for path in sorted(ZH.glob("*.json")):
        if path == GLOSSARY:
            continue
        for key, cell in json.loads(path.read_text(encoding="utf-8"))["cells"].items():
            if isinstance(cell, dict) and cell.get("text"):
                found.append((f"{path.relative_to(REPO)}:{key}", cell.get("english", ""),
                              cell["text"]))
    for path in sorted(CATALOGUES.glob("*.po")):
        for msgid, msgstr in read_po(path).items():
            if msgstr:
                found.append((f"{path.relative_to(REPO)}:{msgid[:60]!r}", msgid, msgstr))
    return found


def prose(english: str) -> str:
    """The English a reader reads as words: code blocks and spans, math and placeholders out."""
    text = re.sub(r"```.*?```", " ", english, flags=re.S)
    text = re.sub(r"`[^`\n]*`", " ", text)
    text = re.sub(r"\$[^$\n]*\$", " ", text)
    text = re.sub(r"([\"'])[\w.]+\1", " ", text)   # a name in a string: getattr(model, "head")
    return re.sub(r"\{[^{}\n]*\}", " ", text)


def pattern(term: str) -> re.Pattern:
    """The term as a word (plural too), not part of a name (`named_parameters`, `x.head`)."""
    return re.compile(r"(?<![\w.`])" + re.escape(term) + r"(e?s)?(?![\w(`])", re.I)


def inconsistencies(terms: list[dict], found: list[tuple[str, str, str]]) -> list[str]:
    problems = []
    for term in terms:
        english = pattern(term["en"])
        for where, en, zh in found:
            wrong = [w for w in term.get("wrong", []) if w in zh]
            if wrong:
                problems.append(f"{where}: renders {term['en']!r} as {wrong}; the glossary says "
                                f"{term['zh'][0]}")
            text = en if "{" in term["en"] else prose(en)
            if term.get("required", True) and english.search(text) and \
                    not any(z in zh for z in term["zh"]):
                problems.append(f"{where}: {term['en']!r} is in the English, none of {term['zh']} "
                                "in the Chinese")
    return problems


def test_the_glossary_is_well_formed():
    terms = glossary()
    assert len(terms) >= 20
    for term in terms:
        assert set(term) <= {"en", "zh", "wrong", "required", "note"}, term
        assert term["en"].strip() and term["zh"] and all(z.strip() for z in term["zh"]), term
        assert not set(term["zh"]) & set(term.get("wrong", [])), term
    assert len({t["en"].lower() for t in terms}) == len(terms), "a term listed twice"


def test_every_term_is_rendered_one_way():
    problems = inconsistencies(glossary(), entries())
    assert not problems, f"{len(problems)} inconsistencies:\n" + "\n".join(problems)


@pytest.mark.parametrize("english, chinese, ok", [
    ("The backbone stays frozen.", "主干网络保持冻结。", True),
    ("The backbone stays frozen.", "骨干网络保持冻结。", False),          # a competing rendering
    ("The backbone stays frozen.", "模型保持冻结。", False),              # the term left out
    ("Call `backbone.eval()`.", "调用 `backbone.eval()`。", True),        # code, not the term
    ("epoch {epoch} reports loss={loss}", "第 {epoch} 轮报告 loss={loss}", False),
    ("epoch {epoch} reports loss={loss}", "epoch {epoch} 报告 loss={loss}", True),
])
def test_the_check_can_fail(english, chinese, ok):
    found = [("x.po:'example'", english, chinese)]
    assert (not inconsistencies(glossary(), found)) is ok, inconsistencies(glossary(), found)
