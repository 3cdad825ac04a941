"""The translation catalogues, kept true to the code: the tooling behind `make translations`.

Messages are extracted from the engine's source (`extract`: the literal arguments of `_` and
`N_`, and checks' docstrings), grouped by area (the engine's, or an assignment's), written into
gettext catalogues (`update`: autograder/i18n/locale/<lang>/<area>.po) and compiled into the
kit.mo the runtime (`autograder.i18n`) reads. `python -m autograder.i18n check` lists what is
missing, stale or out of date (`problems`); `python -m autograder.i18n update` brings the
catalogues in line and compiles them. Nothing here runs while grading.
"""
from __future__ import annotations

import ast
import re
import string
import struct
import sys
from pathlib import Path

from autograder.i18n import DEFAULT, DOMAIN, LANGUAGES, LOCALE, NAMES, PACKAGE, _catalogues

# -- catalogues ------------------------------------------------------------------------------------

def area_of(path: Path) -> str:
    """The catalogue a source file's messages belong to: its assignment's, or the engine's."""
    parts = path.resolve().relative_to(PACKAGE).parts
    return parts[1] if parts[0] == "graders" and len(parts) > 2 else "engine"


def docstring_description(node: ast.FunctionDef) -> str | None:
    """What plugin.describe makes of a function's docstring, read from source."""
    doc = ast.get_docstring(node, clean=False)
    if not doc:
        return None
    return " ".join(doc.strip().split("\n\n")[0].split())


def _is_check(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Name) and target.id == "check":
            return True
    return False


def extract(path: Path) -> list[tuple[str, int]]:
    """(message, line) for every `_("...")` and `N_("...")` call and every check's description
    in `path`. `_(NAME)` is allowed for an upper-case constant defined with `N_("...")`."""
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id in ("_", "N_"):
            literal = (len(node.args) == 1 and not node.keywords
                       and isinstance(node.args[0], ast.Constant)
                       and isinstance(node.args[0].value, str))
            if not literal:
                constant = (node.func.id == "_" and len(node.args) == 1
                            and isinstance(node.args[0], ast.Name) and node.args[0].id.isupper())
                if constant:     # _(MESSAGE): MESSAGE = N_("...") is extracted where defined
                    continue
                raise ValueError(f"{path}:{node.lineno}: {node.func.id}() takes one string "
                                 "literal (format it afterwards with .format), or _() an "
                                 "upper-case constant defined with N_()")
            found.append((node.args[0].value, node.lineno))
        elif isinstance(node, ast.FunctionDef) and _is_check(node):
            description = docstring_description(node)
            if description:
                found.append((description, node.lineno))
    return found


def sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def messages_by_area() -> dict[str, dict[str, list[str]]]:
    """area -> message -> the places that use it (`graders/linear/public.py:12`)."""
    areas: dict[str, dict[str, list[str]]] = {}
    for path in sources():
        for message, line in extract(path):
            where = f"{path.relative_to(PACKAGE)}:{line}"
            areas.setdefault(area_of(path), {}).setdefault(message, []).append(where)
    return areas


# -- the .po format (the subset these catalogues use) --------------------------------------------

def _po_quote(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
               .replace("\n", "\\n"))
    return f'"{escaped}"'


def _po_string(keyword: str, text: str) -> str:
    if "\n" not in text.rstrip("\n") and len(text) < 70:
        return f"{keyword} {_po_quote(text)}\n"
    pieces = re.findall(r".*?\n|.+$", text) or [""]
    return f'{keyword} ""\n' + "".join(f"{_po_quote(p)}\n" for p in pieces)


_UNESCAPE = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _po_unquote(token: str) -> str:
    token = token.strip()
    if not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"not a quoted string: {token[:40]}")
    return re.sub(r"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), token[1:-1])


def read_po(path: Path) -> dict[str, str]:
    """msgid -> msgstr (the header entry, msgid "", left out)."""
    entries, key = {}, None
    parts: dict[str, list[str]] = {}

    def flush():
        if parts:
            msgid = "".join(parts.get("msgid", []))
            if msgid:
                entries[msgid] = "".join(parts.get("msgstr", []))
        parts.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            if not stripped:
                flush()
            continue
        try:
            if stripped.startswith(("msgid ", "msgstr ")):
                key, _space, rest = stripped.partition(" ")
                if key == "msgid":
                    flush()
                parts.setdefault(key, []).append(_po_unquote(rest))
            elif stripped.startswith('"') and key:
                parts[key].append(_po_unquote(stripped))
            else:
                raise ValueError("expected msgid, msgstr or a quoted string")
        except ValueError as exc:
            raise ValueError(f"{path}:{number}: {exc}") from None
    flush()
    return entries


def write_po(path: Path, language: str, area: str, entries: dict[str, str],
             places: dict[str, list[str]]) -> None:
    lines = [f"# The kit's messages in {NAMES.get(language, language)}: {area}.",
             "# Edit msgstr only; `make translations` adds new messages and compiles kit.mo.",
             'msgid ""', 'msgstr ""', '"Content-Type: text/plain; charset=UTF-8\\n"',
             f'"Language: {language}\\n"', ""]
    for msgid in sorted(entries, key=lambda m: (places.get(m, ["~"])[0], m)):
        for where in places.get(msgid, [])[:3]:
            lines.append(f"#: {where}")
        if "{" in msgid:
            lines.append("#, python-brace-format")
        lines.append(_po_string("msgid", msgid).rstrip("\n"))
        lines.append(_po_string("msgstr", entries[msgid]).rstrip("\n"))
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def compile_mo(entries: dict[str, str]) -> bytes:
    """A GNU .mo file for `entries` (untranslated ones left out), as gettext reads it."""
    pairs = sorted((k.encode(), v.encode()) for k, v in entries.items() if v)
    header = ("Content-Type: text/plain; charset=UTF-8\n").encode()
    pairs.insert(0, (b"", header))
    count = len(pairs)
    ids_offset = 7 * 4
    strs_offset = ids_offset + count * 8
    data_offset = strs_offset + count * 8
    ids, strs, blob = [], [], b""
    for msgid, _msgstr in pairs:
        ids.append((len(msgid), data_offset + len(blob)))
        blob += msgid + b"\0"
    for _msgid, msgstr in pairs:
        strs.append((len(msgstr), data_offset + len(blob)))
        blob += msgstr + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, count, ids_offset, strs_offset, 0, 0)
    out += b"".join(struct.pack("<2I", *p) for p in ids)
    out += b"".join(struct.pack("<2I", *p) for p in strs)
    return out + blob


# -- keeping catalogues true ------------------------------------------------------------------------

def fields(message: str) -> list[str]:
    """The replacement fields of a str.format template, in order (`{shape}`, `{0:.3g}`...)."""
    return sorted(f"{name}{'!' + conv if conv else ''}{':' + spec if spec else ''}"
                  for _, name, spec, conv in string.Formatter().parse(message) if name is not None)


def problems(language: str) -> list[str]:
    """What stops the `language` catalogues from being complete and current."""
    found = []
    merged: dict[str, str] = {}
    folder = LOCALE / language
    areas = messages_by_area()
    for area, used in sorted(areas.items()):
        po = folder / f"{area}.po"
        entries = read_po(po) if po.exists() else {}
        for message in sorted(set(used) - set(entries)):
            found.append(f"{po.relative_to(PACKAGE.parent)}: no entry for {message[:80]!r} "
                         f"({used[message][0]})")
        for message in sorted(set(entries) - set(used)):
            found.append(f"{po.relative_to(PACKAGE.parent)}: stale entry {message[:80]!r} "
                         "(no longer in the code)")
        for message in sorted(set(used) & set(entries)):
            translated = entries[message]
            if not translated:
                found.append(f"{po.relative_to(PACKAGE.parent)}: {message[:80]!r} is not "
                             "translated")
                continue
            if fields(translated) != fields(message):
                found.append(f"{po.relative_to(PACKAGE.parent)}: {message[:60]!r} has the fields "
                             f"{fields(message)}, its translation {fields(translated)}")
            if merged.get(message, translated) != translated:
                found.append(f"{po.relative_to(PACKAGE.parent)}: {message[:60]!r} is translated "
                             "differently in another catalogue")
            merged[message] = translated
    mo = folder / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists() or mo.read_bytes() != compile_mo(merged):
        found.append(f"{mo.relative_to(PACKAGE.parent)} is missing or stale: run make translations")
    return found


def compile_for(language: str, files: list[Path]) -> bytes:
    """A kit.mo with the `language` translations of the messages `files` use, and no other."""
    wanted = {message for path in files for message, _line in extract(path)}
    merged: dict[str, str] = {}
    for po in sorted((LOCALE / language).glob("*.po")):
        for message, translated in read_po(po).items():
            if message in wanted and translated:
                merged.setdefault(message, translated)
    return compile_mo(merged)


def update(language: str, areas: list[str] | None = None) -> list[str]:
    """Bring the `language` catalogues (of `areas`, default all) in line with the code and
    compile kit.mo from all of them; returns the messages still untranslated."""
    folder = LOCALE / language
    merged: dict[str, str] = {}
    untranslated = []
    for area, used in sorted(messages_by_area().items()):
        po = folder / f"{area}.po"
        old = read_po(po) if po.exists() else {}
        entries = {m: old.get(m, "") for m in used}
        if areas is None or area in areas:
            write_po(po, language, area, entries, used)
        else:
            entries = {m: t for m, t in old.items() if m in used}
        for message, translated in entries.items():
            if translated:
                merged.setdefault(message, translated)
            else:
                untranslated.append(f"{area}: {message[:80]}")
    mo = folder / "LC_MESSAGES" / f"{DOMAIN}.mo"
    mo.parent.mkdir(parents=True, exist_ok=True)
    mo.write_bytes(compile_mo(merged))
    _catalogues.pop(language, None)
    return untranslated


def main(argv: list[str]) -> int:
    """check|update [LANGUAGE ...] [--area AREA ...] (areas: engine, or an assignment id)"""
    areas = None
    if "--area" in argv:
        at = argv.index("--area")
        argv, areas = argv[:at], argv[at + 1:]
    if not argv or argv[0] not in ("check", "update"):
        print("usage: python -m autograder.i18n check|update [LANGUAGE ...] [--area AREA ...]",
              file=sys.stderr)
        return 2
    languages = argv[1:] or [lang for lang in LANGUAGES if lang != DEFAULT]
    status = 0
    for lang in languages:
        if argv[0] == "update":
            left = update(lang, areas)
            print(f"{lang}: catalogues updated and compiled; {len(left)} messages untranslated")
            for line in left[:50]:
                print(f"  {line}")
        else:
            found = [p for p in problems(lang)
                     if areas is None or any(f"/{a}.po" in p for a in areas) or ".mo" in p]
            print(f"{lang}: {'complete and current' if not found else f'{len(found)} problems'}")
            for line in found:
                print(f"  {line}")
            status = status or (1 if found else 0)
    return status
