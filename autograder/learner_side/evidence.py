"""Evidence of an exception raised by learner code: its type, its first line, and the cells,
lines and files of the learner's that it went through, as plain data (the judge's only view of a
learner's error; the learner process may forge it, so it only ever explains a failure)."""
from __future__ import annotations

import os
import sys
import traceback

import torch

from autograder.config import MAX_FRAMES

# The engine's own files (the whole `autograder` package): frames there are not the learner's.
_ENGINE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_LIBRARY_DIRS = tuple({os.path.dirname(os.path.dirname(os.path.abspath(torch.__file__))),
                       os.path.dirname(os.path.abspath(os.__file__))})


# -- evidence of an exception ------------------------------------------------------------------

def _origin(filename: str) -> dict | None:
    """Where a frame's code comes from, if it is the learner's: a code cell, or a file."""
    if filename.startswith("<cell ") and filename.endswith(">"):
        try:
            return {"cell": int(filename[6:-1])}
        except ValueError:
            return None
    execution = _kernel_cell(filename)
    if execution is not None:
        return {"execution": execution}
    if filename.startswith("<") or filename.startswith(_ENGINE_DIR) \
            or filename.startswith(_LIBRARY_DIRS):
        return None
    return {"file": os.path.basename(filename)}


def _kernel_cell(filename: str) -> int | None:
    """The execution count of a JupyterLab cell, from IPython's record of compiled cells."""
    shell = _ipython()
    mapping = getattr(getattr(shell, "compile", None), "_filename_map", None)
    if isinstance(mapping, dict) and filename in mapping:
        return int(mapping[filename])
    return None


def _ipython():
    module = sys.modules.get("IPython")
    getter = getattr(module, "get_ipython", None)
    return getter() if getter is not None else None


def _text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - learner code in __str__
        text = ""
    return text.strip().splitlines()[0][:300] if text.strip() else ""


def evidence(exc: BaseException) -> dict:
    """What the judge learns of an exception raised by learner code: plain, short facts."""
    frames = []
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        code = frame.f_code
        origin = _origin(code.co_filename)
        if origin is not None:
            frames.append({**origin, "line": int(lineno),
                           "function": str(getattr(code, "co_qualname", code.co_name))[:80]})
    if isinstance(exc, SyntaxError) and not frames and exc.lineno:
        origin = _origin(exc.filename or "")
        if origin is not None:
            frames.append({**origin, "line": int(exc.lineno), "function": "<module>"})
    if isinstance(exc, SystemExit):
        message = "the code called sys.exit() or exit()"
    elif isinstance(exc, SyntaxError):
        message = str(exc.msg)[:300]
    else:
        message = _text(exc)
    return {"type": type(exc).__name__[:80], "message": message,
            "not_implemented": isinstance(exc, NotImplementedError),
            "frames": frames[-MAX_FRAMES:]}
