"""`count_parameters` of `parameters`: the grader's own models (as specs: shared, tied and
frozen parameters, buffers), their reference counts, and the feedback on a wrong count."""
from __future__ import annotations

import torch

from autograder.i18n import N_, _
from autograder.judge_side.checks import CheckFailed, expect
from autograder.judge_side.client import Remote, reference_model


def linear(n_in: int, n_out: int, **kwargs) -> dict:
    return {"class": "Linear", "args": [n_in, n_out], **({"kwargs": kwargs} if kwargs else {})}


def sequential(*children: dict, **extra) -> dict:
    return {"class": "Sequential", "children": list(children), **extra}


# Embedding and output head share one (vocab, dim) weight, the classic tied pair.
TIED_LANGUAGE_MODEL = {
    "class": "Module",
    "children": {"embedding": {"class": "Embedding", "args": [11, 4]},
                 "body": linear(4, 4), "head": linear(4, 11)},
    "share": [["head.weight", "embedding.weight"]],
}
# One Linear registered under two names: parameters() yields its tensors once.
SHARED_BLOCK = {
    "class": "Module",
    "children": {"block": linear(6, 5), "again": {"class": "Identity"}, "out": linear(5, 2)},
    "share": [["again", "block"]],
}


def reference_count(spec: dict, trainable_only: bool = False) -> int:
    """Scalars in the spec model's parameters, each tensor once however many names it has."""
    model = reference_model(spec, 0)
    seen, total = set(), 0
    for _name, p in model.named_parameters(remove_duplicate=False):
        if id(p) in seen or (trainable_only and not p.requires_grad):
            continue
        seen.add(id(p))
        total += p.numel()
    return total


def naive_count(spec: dict, trainable_only: bool = False) -> int:
    """What a count that visits a shared parameter under each of its names gives."""
    model = reference_model(spec, 0)
    return sum(p.numel() for _name, p in model.named_parameters(remove_duplicate=False)
               if p.requires_grad or not trainable_only)


def tensor_count(spec: dict, trainable_only: bool = False) -> int:
    return len([p for p in reference_model(spec, 0).parameters()
                if p.requires_grad or not trainable_only])


def buffer_count(spec: dict) -> int:
    return sum(b.numel() for b in reference_model(spec, 0).buffers())


def call_count(submission, model: Remote, **kwargs):
    """count_parameters(model, **kwargs), which must be a Python int."""
    call = "count_parameters(model" + "".join(f", {k}={v}" for k, v in kwargs.items()) + ")"
    n = submission.function("count_parameters").call(
        model, action=_("calling {call}").format(call=call), **kwargs).value
    if isinstance(n, Remote):
        observed = _("{call} returned an object of type {type}").format(call=call, type=n.type)
    elif isinstance(n, torch.Tensor) and n.numel() == 1:
        observed = _("{call} returned a Tensor (value {value})").format(call=call,
                                                                        value=n.tolist())
    elif isinstance(n, torch.Tensor):
        observed = _("{call} returned a Tensor of shape {shape}").format(call=call,
                                                                         shape=tuple(n.shape))
    else:
        observed = _("{call} returned {value}, of type {type}").format(
            call=call, type=type(n).__name__, value=repr(n)[:80])
    expect(type(n) is int,
           observed=observed,
           expected=_("a Python int"),
           fix=_("add up p.numel() (already an int) over the parameters; convert a tensor or "
                 "float total with int(...)"), cause="count:not-int")
    return n


SHARED_FIX = N_("iterate over model.parameters(): it yields a shared parameter once, however "
                "many modules hold it; named_parameters(remove_duplicate=False), state_dict() or "
                "a walk over model.modules() visit it under each of its names")


def count_mistake(n: int, spec: dict, trainable_only: bool = False):
    """(what the count shows, what to change, cause) when `n`, a wrong count of the spec's
    model, is what a known mistake gives; None otherwise."""
    flag = trainable_only
    frozen = reference_count(spec, False) - reference_count(spec, True)
    if flag and frozen and n == frozen:
        return (_("only the frozen parameters counted: the test on requires_grad is inverted"),
                _("with trainable_only=True, count the parameters whose requires_grad is True "
                  "and skip the frozen ones (your condition keeps the frozen ones instead)"),
                "count:trainable-only-inverted")
    if n == tensor_count(spec, flag):
        return (_("the number of parameter tensors, not of scalars"),
                _("count scalars, not tensors: each parameter holds p.numel() of them; add these "
                  "up over model.parameters()"), "count:tensors")
    if flag and n == reference_count(spec, False):
        return (_("frozen parameters counted as trainable"),
                _("when trainable_only is True, skip the parameters whose requires_grad is "
                  "False"),
                "count:trainable-only-ignored")
    if not flag and n == reference_count(spec, True):
        return (_("frozen parameters left out of the total"),
                _("count every parameter when trainable_only is False (its default): a frozen "
                  "parameter is still part of the model"), "count:total-skips-frozen")
    if n == naive_count(spec, flag):
        return (_("the shared parameters counted once per name"), _(SHARED_FIX),
                "count:shared-twice")
    if n == reference_count(spec, flag) + buffer_count(spec):
        return (_("buffers counted as parameters"),
                _("count model.parameters(), not model.state_dict() (which also holds the "
                  "buffers)"),
                "count:buffers")
    return None


def expect_count(n: int, spec: dict, *, observed: str, expected: str, fix: str,
                 trainable_only: bool = False) -> None:
    """`n` is the spec model's count; a known mistake is named, with its cause."""
    if n == reference_count(spec, trainable_only):
        return
    mistake = count_mistake(n, spec, trainable_only)
    if mistake is None:
        raise CheckFailed(observed, expected, fix)
    note, mistake_fix, cause = mistake
    raise CheckFailed(_("{observed} ({note})").format(observed=observed, note=note), expected,
                      mistake_fix, cause=cause)
