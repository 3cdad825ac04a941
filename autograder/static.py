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
# interpreter's frames, code objects and module table, raw memory, dynamic imports.
ENGINE_REACH = {
    "autograder": r"\bautograder\b", "gc": r"\bimport\s+gc\b|\bgc\.", "ctypes": r"ctypes",
    "sys.modules": r"sys\s*\.\s*modules", "frames": r"_getframe|currentframe|_current_frames|"
    r"\bf_back\b|\bf_globals\b|\bf_locals\b|\btb_frame\b|__traceback__|exc_info|"
    r"inspect\s*\.\s*stack|getouterframes|\bgi_frame\b|\bcr_frame\b",
    "__globals__": r"__globals__", "__code__": r"__code__|__closure__",
    "__subclasses__": r"__subclasses__", "builtins": r"\bbuiltins\b|__builtins__",
    "dynamic import": r"__import__|\bimportlib\b",
    "trace functions": r"settrace|setprofile",
    "namespace dictionaries": r"\bglobals\s*\(|\blocals\s*\(|\bvars\s*\(",
    "/proc": r"/proc\b",
}
_BENIGN = re.compile(r"^\s*from autograder\.notebook import check\s*$|"
                     r"^\s*(points\s*(\+)?=\s*)?check\(\s*[\"'][\w]+[\"'].*\)\s*$", re.MULTILINE)


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
        for label, pattern in ENGINE_REACH.items():
            if label not in found and re.search(pattern, text):
                found.append(label)
        tree = _parse(text)
        for node in (ast.walk(tree) if tree else ()):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "setattr", "delattr") and len(node.args) >= 2
                    and not (isinstance(node.args[1], ast.Constant)
                             and isinstance(node.args[1].value, str))
                    and "attributes named at run time" not in found):
                found.append("attributes named at run time")
    return found
