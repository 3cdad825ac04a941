"""A look at the submission's source without running it: which names a definition uses.

The judge reads the cells from the submitted file itself (never from the learner process), so
what this module finds cannot be hidden by code that runs. It is a best-effort second opinion
beside what the learner process reports (code can build a name at run time): the README says so.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize

from autograder.i18n import N_


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        try:   # notebook cells may hold IPython syntax (magics, !commands)
            from IPython.core.inputtransformer2 import TransformerManager

            return ast.parse(TransformerManager().transform_cell(source))
        except Exception:  # noqa: BLE001 - unparsable cells define nothing
            return None


def definition(sources: dict[int, str], name: str) -> ast.AST | None:
    """The last top-level `class name` or `def name` of the cells, in the order they run."""
    found = None
    for index in sorted(sources):
        tree = _parse(sources[index])
        for node in (tree.body if tree else []):
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
                found = node
    return found


def member(node: ast.AST | None, name: str) -> ast.AST | None:
    """The method `name` of a class definition."""
    if not isinstance(node, ast.ClassDef):
        return None
    found = None
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == name:
            found = item
    return found


def dotted_names(node: ast.AST | None) -> set[str]:
    """Every name and attribute chain the code mentions: `F.linear`, `torch.autograd.grad`,
    `linear` (the last part alone is included too, for `from ... import linear`)."""
    names: set[str] = set()
    if node is None:
        return names
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute):
            parts, current = [sub.attr], sub.value
            while isinstance(current, ast.Attribute):
                parts.append(current.attr)
                current = current.value
            if isinstance(current, ast.Name):
                parts.append(current.id)
            names.add(".".join(reversed(parts)))
            names.add(sub.attr)
        elif isinstance(sub, ast.Name):
            names.add(sub.id)
    return names


def uses(node: ast.AST | None, wanted: tuple[str, ...]) -> list[str]:
    """Which of the dotted names `wanted` the code uses, however it is prefixed:
    `autograd.grad` matches `torch.autograd.grad`."""
    names = dotted_names(node)
    return sorted(w for w in wanted if any(n == w or n.endswith("." + w) for n in names))


def mentions(sources: dict[int, str], words: tuple[str, ...]) -> list[str]:
    """Which of `words` appear anywhere in the cells' text (comments and strings included)."""
    text = "\n".join(sources.values())
    return [w for w in words if w in text]


# What no solution to these exercises needs, and what code that rewrites the learner side's
# reports (or reads the grading machinery) cannot do without: the engine's own modules, the
# interpreter's frames, code objects and module table, raw memory, dynamic imports and dynamic
# code. Matched in the code (comments removed) and in every string constant, with constant
# strings joined the way Python joins them.
ENGINE_REACH = {
    "autograder": r"\bautograder\b", "gc": r"\bimport\s+gc\b|\bgc\s*\.", "ctypes": r"ctypes",
    "sys.modules": r"sys\s*\.\s*modules", N_("frames"): r"_getframe|currentframe|"
    r"_current_frames|\bf_back\b|\bf_globals\b|\bf_locals\b|\btb_frame\b|exc_info|"
    r"inspect\s*\.\s*stack|getouterframes|\bgi_frame\b|\bcr_frame\b",
    N_("dynamic code"): r"(?<![.\w])(exec|eval|compile)\s*\(|fromhex|b64decode|\bcodecs\b|"
    r"\bmarshal\b|\bpickle\b|FunctionType|CodeType|\bpydoc\b",
    "builtins": r"\bbuiltins\b", N_("dynamic import"): r"\bimportlib\b",
    N_("trace functions"): r"settrace|setprofile",
    N_("namespace dictionaries"): r"\bglobals\s*\(|\blocals\s*\(|\bvars\s*\(",
    "/proc": r"/proc\b",
    N_("interpreter internals"): r"__(?!(init|name|class|call|repr|str|len|getitem|setitem|iter|next|"
    r"eq|hash|main|version|doc|future|all|slots|enter|exit|torch_function|post_init|add|mul|"
    r"matmul|sub|neg|contains|bool|float|int|lt|le|gt|ge|ne)__)[a-z_]+__",
}
_BENIGN = re.compile(r"^[ \t]*(from autograder\.notebook import check|"
                     r"points\s*\+?=\s*check\(\s*\"\w+\"\s*,\s*\"\w+\"\s*(,\s*hidden=True\s*)?"
                     r"(,\s*language=\"\w+\"\s*)?\)|"
                     r"points)[ \t]*$", re.MULTILINE)


# Attribute and module names that, spelled as a string (for getattr or an import by name), reach
# the same places.
DANGEROUS_NAMES = {"modules", "f_back", "f_globals", "f_locals", "tb_frame", "gi_frame", "cr_frame",
                   "get_objects", "get_referrers", "get_referents", "_getframe", "exec", "eval",
                   "compile", "__import__", "import_module", "settrace", "setprofile",
                   "autograder", "gc", "ctypes", "builtins", "sys"}


def _constant_strings(tree: ast.AST) -> list[str]:
    """Every string the code spells out: constants, and sums, joins and f-strings of them."""
    found = []

    def folded(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = folded(node.left), folded(node.right)
            return left + right if left is not None and right is not None else None
        if isinstance(node, ast.JoinedStr):
            parts = [folded(v) if not isinstance(v, ast.FormattedValue) else "" for v in node.values]
            return "".join(p for p in parts if p is not None)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "join" and len(node.args) == 1
                and isinstance(node.args[0], (ast.List, ast.Tuple))):
            sep = folded(node.func.value)
            parts = [folded(e) for e in node.args[0].elts]
            if sep is not None and all(p is not None for p in parts):
                return sep.join(parts)
        return None

    for node in ast.walk(tree):
        value = folded(node)
        if value is not None:
            found.append(value)
    return found


def _without_comments(source: str) -> str:
    """The code without its comments (strings stay: code can use them)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    return tokenize.untokenize(t for t in tokens if t.type != tokenize.COMMENT)


def engine_reach(sources: dict[int, str]) -> list[str]:
    """What the cells use that reaches into the interpreter or the grading engine, by name
    (see ENGINE_REACH), plus attribute access by a name built at run time."""
    found = []
    for index in sorted(sources):
        text = _without_comments(_BENIGN.sub("", sources[index]))
        tree = _parse(text)
        texts = [text] + (_constant_strings(tree) if tree else [])
        for label, pattern in ENGINE_REACH.items():
            if label not in found and any(re.search(pattern, t) for t in texts):
                found.append(label)
        spelled = [t for t in texts[1:] if t.strip() in DANGEROUS_NAMES
                   or t.strip().split(".")[-1] in DANGEROUS_NAMES - {"sys"}]
        if spelled and "names spelled as strings" not in found:
            found.append(N_("names spelled as strings"))
        for node in (ast.walk(tree) if tree else ()):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "setattr", "delattr") and len(node.args) >= 2
                    and not (isinstance(node.args[1], ast.Constant)
                             and isinstance(node.args[1].value, str))
                    and "attributes named at run time" not in found):
                found.append(N_("attributes named at run time"))
    return found
