"""Text from the learner side, made safe to quote in feedback and results: used by the graders'
API on every string it decodes, and by the grading process on what it words from the learner
side."""
from __future__ import annotations

import re

from autograder.config import MAX_TEXT

_BLOB = re.compile(r"[A-Za-z0-9+/=_\-]{64,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\ud800-\udfff]")   # not text: no UTF-8 writer takes one


def clean(text: str, limit: int = MAX_TEXT) -> str:
    """A string from the learner side, safe to quote: valid text (a lone surrogate becomes
    U+FFFD), no control characters, no long encoded blobs (base64, hex), at most `limit`
    characters."""
    text = _SURROGATE.sub("\ufffd", _CONTROL.sub("?", text))
    text = _BLOB.sub("[long token removed]", text)
    return text if len(text) <= limit else text[:limit - 3] + "..."
