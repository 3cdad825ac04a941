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
    r"matmul|sub|neg|contains|bool|float|int|lt|le|gt|ge|ne|constants|annotations|qualname|"
    r"truediv|radd|rmul|rsub|rmatmul|iadd|imul|pos|abs|invert|format|setstate|getstate|"
    r"getattr|setattr|delattr|dir|sizeof|round|index|copy|deepcopy)__)[a-z_]+__",
}
# For each pattern, words one of which any match contains: a plain substring test first keeps
# the scan fast on a cell holding megabytes of pasted data.
_ANCHORS = {
    "autograder": ("autograder",), "gc": ("gc",), "ctypes": ("ctypes",),
    "sys.modules": ("modules",),
    "frames": ("_getframe", "currentframe", "_current_frames", "f_back", "f_globals",
               "f_locals", "tb_frame", "exc_info", "stack", "getouterframes", "gi_frame",
               "cr_frame"),
    "dynamic code": ("exec", "eval", "compile", "fromhex", "b64decode", "codecs", "marshal",
                     "pickle", "FunctionType", "CodeType", "pydoc"),
    "builtins": ("builtins",), "dynamic import": ("importlib",),
    "trace functions": ("settrace", "setprofile"),
    "namespace dictionaries": ("globals", "locals", "vars"), "/proc": ("/proc",),
    "interpreter internals": ("__",),
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


def _constant_strings(tree: ast.AST) -> list[tuple[str, int]]:
    """Every string the code spells out (constants, and sums, joins and f-strings of them), with
    the line it starts on."""
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
            found.append((value, getattr(node, "lineno", 0)))
    return found


def _without_comments(source: str) -> str:
    """The code without its comments (strings stay: code can use them)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source
    return tokenize.untokenize(t for t in tokens if t.type != tokenize.COMMENT)


def engine_reach(sources: dict[int, str]) -> list[str]:
    """What the cells use that reaches into the interpreter or the grading engine, by rule
    (see ENGINE_REACH), plus attribute access by a name built at run time: the rules of
    `findings`, each once, in the order found."""
    rules: list[str] = []
    for finding in findings(sources):
        if finding["rule"] not in rules:
            rules.append(finding["rule"])
    return rules


def findings(sources: dict[int, str]) -> list[dict]:
    """Each place the cells reach into the interpreter or the engine, for the instructor:
    `{"rule", "cell", "line", "code"}` (the rule's label, the code cell's index, the line in
    that cell and its text, shortened), the first place per rule and cell."""
    found: list[dict] = []
    parsed = {}
    for index in sorted(sources):
        text = _without_comments(_BENIGN.sub("", sources[index]))
        parsed[index] = (text, _parse(text))
    known: dict[str, set[str] | None] = {}   # over every cell: a later cell can rebind a name
    for _text, tree in parsed.values():
        for name, values in (_literal_names(tree) if tree else {}).items():
            old = known.get(name, set())
            known[name] = None if values is None or old is None else old | values
    for index in sorted(sources):
        text, tree = parsed[index]
        lines = sources[index].splitlines()

        def add(rule: str, line: int, index: int = index, lines: list[str] = lines) -> None:
            if not any(f["rule"] == rule and f["cell"] == index for f in found):
                code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
                found.append({"rule": rule, "cell": index, "line": line,
                              "code": code[:120]})

        strings = _constant_strings(tree) if tree else []
        for label, pattern in ENGINE_REACH.items():
            if not any(a in text for a in _ANCHORS[label]) and not any(
                    any(a in value for a in _ANCHORS[label]) for value, _line in strings):
                continue
            match = re.search(pattern, text)
            if match:
                add(label, text.count("\n", 0, match.start()) + 1)
                continue
            for value, line in strings:
                if any(a in value for a in _ANCHORS[label]) and re.search(pattern, value):
                    add(label, line)
                    break
        for value, line in strings:
            if value.strip() in DANGEROUS_NAMES or \
                    value.strip().split(".")[-1] in DANGEROUS_NAMES - {"sys"}:
                add(N_("names spelled as strings"), line)
                break
        for node in (ast.walk(tree) if tree else ()):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ("getattr", "setattr", "delattr") and len(node.args) >= 2
                    and not _harmless_names(_names_of(node.args[1], known))):
                add(N_("attributes named at run time"), node.lineno)
                break
    return found


def _strings(node) -> set[str] | None:
    """The strings of a literal tuple, list or set of string constants (None for anything else)."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)) and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return {e.value for e in node.elts}
    return None


def _literal_names(tree: ast.AST) -> dict[str, set[str] | None]:
    """For each variable of the cell, the strings it can hold when every place that binds it
    gives one from a literal: `for name in ("weight", "bias")`, `names = ["a", "b"]` then
    `for name in names`, comprehensions over either. None where any binding is something else."""
    sequences: dict[str, set[str] | None] = {}   # variables bound to a literal sequence
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    value = _strings(node.value) if node.value is not None else None
                    old = sequences.get(target.id, set())
                    sequences[target.id] = None if value is None or old is None else old | value
    names: dict[str, set[str] | None] = {}

    def bind(target, iterable) -> None:
        if not isinstance(target, ast.Name):
            for sub in ast.walk(target):
                if isinstance(sub, ast.Name):
                    names[sub.id] = None
            return
        values = _strings(iterable)
        if values is None and isinstance(iterable, ast.Name):
            values = sequences.get(iterable.id)
        old = names.get(target.id, set())
        names[target.id] = None if values is None or old is None else old | values

    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.AsyncFor)):
            bind(node.target, node.iter)
        elif isinstance(node, ast.comprehension):
            bind(node.target, node.iter)
        elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.NamedExpr)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            constant = (node.value.value if not isinstance(node, ast.AugAssign)
                        and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str) else None)
            for target in targets:
                if isinstance(target, ast.Name) and constant is not None:
                    old = names.get(target.id, set())   # `name = "weight"`: one more string
                    names[target.id] = None if old is None else old | {constant}
                    continue
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names[sub.id] = None
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs,
                        *filter(None, [node.args.vararg, node.args.kwarg])]:
                names[arg.arg] = None
    return names


def _names_of(node, known: dict[str, set[str] | None]) -> set[str] | None:
    """The attribute names an argument can be: a string constant, or a variable that only ever
    holds strings from literals (see `_literal_names`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.Name):
        return known.get(node.id)
    return None


def _harmless_names(names: set[str] | None) -> bool:
    return names is not None and not any(
        n in DANGEROUS_NAMES or n.startswith(("__", "f_", "tb_", "gi_", "cr_")) for n in names)
