"""References computed once per class: values a check computes from inputs the judge chose alone.

A reference output, gradient, optimizer step, seeded model or data item depends on nothing a
submission sends, so it is the same for every learner in the class. `per_class(key, builder)`
computes it once per grading process and hands out that value afterwards; `replayed(key,
builder)` does the same for values keyed by a digest of everything they depend on (`digest`),
such as the judge's replay of one training step from a state the learner reported: a key that
names every input makes a hit the value a fresh computation would give.

Where the values live (the security argument):

- The grading process forks the zygote, the parent of every learner process, before it reads
  anything (grading.session.Session), and calls `warm` after that fork and before the first
  judge fork: each judge inherits the warm cache copy-on-write; no learner process can reach
  it (tests/test_references.py: this module is not even imported in a learner process).
- A judge that finds a value missing (no warm-up, or a key no warm-up knew) computes it itself:
  the same builder, the same value; what a judge adds dies with it.
- Values are handed out as they are: callers treat them as read-only (`model` hands out a copy).

Graders declare what to compute in advance with `@warms("<assignment id>")` on a function of no
arguments that calls `per_class` (see the graders' common modules). Within `disabled()` nothing
is cached (each call builds afresh): tests/test_references.py compares verdicts both ways.
"""
from __future__ import annotations

import copy
import hashlib
import importlib
import sys
from contextlib import contextmanager

_cache: dict = {}
_warmers: dict[str, list] = {}
_enabled = [True]
stats = {"hits": 0, "misses": 0}


def enabled() -> bool:
    return _enabled[0]


@contextmanager
def disabled():
    """Within: every value is computed afresh and nothing is stored (tests, and the benchmark's
    uncached runs)."""
    saved = _enabled[0]
    _enabled[0] = False
    try:
        yield
    finally:
        _enabled[0] = saved


def clear() -> None:
    _cache.clear()
    stats.update(hits=0, misses=0)


def per_class(key, builder):
    """The value `builder()` gives, computed once per process under `key` (a hashable naming
    every input the value depends on)."""
    if not _enabled[0]:
        return builder()
    try:
        value = _cache[key]
    except KeyError:
        stats["misses"] += 1
        value = _cache[key] = builder()
        return value
    stats["hits"] += 1
    return value


replayed = per_class   # the same store; keys built with `digest` from every input


def digest(*parts) -> str:
    """A digest of tensors (dtype, shape and bytes), dicts of them (by sorted key), and plain
    values: two equal digests mean equal inputs."""
    import torch

    h = hashlib.blake2b(digest_size=20)

    def feed(part):
        if isinstance(part, torch.Tensor):
            t = part.detach()
            h.update(f"T{t.dtype}{tuple(t.shape)}".encode())
            if t.is_meta or t.layout != torch.strided:
                h.update(b"odd")   # never equal to a dense tensor's bytes
                h.update(repr(id(t)).encode())
                return
            h.update(t.contiguous().cpu().reshape(-1).view(torch.uint8).numpy().tobytes()
                     if t.numel() else b"")
        elif isinstance(part, dict):
            h.update(b"D%d" % len(part))
            for k in sorted(part, key=repr):
                feed(k)
                feed(part[k])
        elif isinstance(part, (list, tuple)):
            h.update(b"L%d" % len(part))
            for item in part:
                feed(item)
        elif isinstance(part, (set, frozenset)):
            feed(sorted(part, key=repr))
        else:
            h.update(f"V{type(part).__name__}:{part!r};".encode())

    feed(parts)
    return h.hexdigest()


def model(spec: dict, seed: int | None, build_seeded):
    """`build_seeded(spec, seed)` (the judge's own copy of a spec's model, built after
    torch.manual_seed(seed)): built once per class, handed out as a deep copy, torch's
    generator left as the build leaves it."""
    import torch

    if seed is None or not _enabled[0]:
        return build_seeded(spec, seed)

    def build():
        built = build_seeded(spec, seed)
        return built, torch.get_rng_state()

    built, rng_after = per_class(("model", digest(spec), seed), build)
    torch.set_rng_state(rng_after)
    return copy.deepcopy(built)


def warms(assignment_id: str):
    """Declare a function of no arguments that fills the cache for `assignment_id`."""
    def register(function):
        _warmers.setdefault(assignment_id, []).append(function)
        return function
    return register


def warm(assignments) -> list[str]:
    """In the grading process, after the zygote's fork and before the first judge's: import
    each assignment's grader common module (the kit's helper folder on sys.path, as in the
    judge) and run what it declared. Returns the ids warmed; a failure leaves the judges to
    compute the values themselves (never a failure of grading)."""
    done = []
    for assignment in assignments:
        helper = str(assignment.helper_dir)
        added = helper not in sys.path
        if added:
            sys.path.insert(0, helper)
        try:
            importlib.import_module(f"autograder.graders.{assignment.id}.common")
            for function in _warmers.get(assignment.id, []):
                function()
            done.append(assignment.id)
        except Exception:  # noqa: BLE001 - an optimisation, never a failure
            pass
        finally:
            if added:
                sys.path.remove(helper)
    return done
