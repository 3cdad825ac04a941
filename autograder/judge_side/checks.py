"""What grader files use: declare a check, word its feedback, compare tensors safely.

A grader file (autograder/graders/<id>/public.py or hidden.py) is a pytest module whose tests
each carry one `@check(...)` and take the `submission` fixture, a `client.Learner`: what the
learner's code defined, reached through requests to the learner process (see
autograder/graders/linear/public.py for many more):

    import torch

    from autograder.i18n import _
    from autograder.judge_side.checks import check, expect, expect_close


    @check(exercise="parameters", points=1, tags=["registration"], visibility="hidden")
    def test_weight_is_parameter(submission):
        '''Linear(3, 2) registers `weight` as an nn.Parameter of shape (2, 3), and computes
        x @ weight.T + bias with it.'''
        layer = submission.new("Linear", 3, 2, seed=0)   # a client.Remote: the object stays there
        info = layer.describe(values=False)               # plain data: a client.ModuleInfo
        names = sorted(info.parameters)
        expect("weight" in info.parameters,
               observed=_("named_parameters() lists {names}").format(names=names),
               expected=_("a parameter named `weight`"),
               fix=_("wrap the tensor in nn.Parameter(...) so the module registers it"))
        shape = info.parameters["weight"].shape           # a client.TensorInfo's
        expect(shape == (2, 3),
               observed=_("weight has shape {shape}").format(shape=shape),
               expected="(out_features, in_features) = (2, 3)",
               fix=_("create weight with one row per output and one column per input"))
        x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0))
        y = layer(x)                                      # forward runs there; a copy comes back
        weight, bias = layer.get("weight"), layer.get("bias")
        expect_close(y, x @ weight.T + bias, what="Linear(3, 2)(x)",
                     fix=_("multiply the input by the transposed weight and add the bias"))

Nothing the learner's code raises needs catching: `submission.new`, `layer(x)` and `layer.get`
raise `client.LearnerError` (or `client.MissingName` for a name the notebook does not define),
which the plugin words for the learner with where it was raised ("not implemented yet" for an
untouched stub). A value that comes back is a copy the judge owns; `plain()` and `expect_close`
also refuse tensor subclasses. tests/test_docstring_example.py runs this example.

The test's docstring says, in the learner's words, what the check looks at; the plugin prints it
above the feedback. Every text a learner reads is marked for translation with `_` (one string
literal, formatted afterwards: see autograder/i18n/__init__.py); the docstring's first paragraph is
translated too. Failures are raised as `CheckFailed(observed, expected, fix)`: never a bare
assert. References to torch's comparison functions are taken when this module is imported, which
the engine does before any learner code runs, so a submission that patches `torch.allclose` and
friends cannot change what these helpers compute.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import torch

from autograder.i18n import _

VISIBILITIES = ("visible", "hidden")

# Concept tags a check may carry; a typo is an error at import, not a silent new concept.
TAGS = frozenset({
    "registration", "buffers", "grad-flow", "optimizer", "batchnorm", "init", "shapes",
    "forbidden-api", "autograd", "forward", "dtype-device", "state-dict", "repr", "modulelist",
    "tying", "counting", "freezing", "schedule", "history", "weight-decay",
})

# Grader-owned references, taken before learner code can patch them.
_allclose = torch.allclose
_isfinite = torch.isfinite
_Tensor = torch.Tensor
_tensor_detach = torch.Tensor.detach
_tensor_clone = torch.Tensor.clone
_tensor_abs = torch.Tensor.abs
_tensor_sub = torch.Tensor.sub
_tensor_max = torch.Tensor.max
_disable_torch_function = torch._C.DisableTorchFunctionSubclass


@dataclass(frozen=True)
class CheckInfo:
    """A check's declaration: what the report, the result and nbgrader need to know about it."""

    exercise: str
    points: float
    tags: tuple[str, ...]
    visibility: str


def check(*, exercise: str, points: float, tags: list[str] | tuple[str, ...], visibility: str):
    """Declare a pytest function as a graded check (applies the kit's registered markers)."""
    unknown = set(tags) - TAGS
    if unknown:
        raise ValueError(f"unknown concept tags {sorted(unknown)}; known: {sorted(TAGS)}")
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}, not {visibility!r}")
    if not (isinstance(points, (int, float)) and points > 0):
        raise ValueError(f"points must be a positive number, not {points!r}")
    info = CheckInfo(exercise, float(points), tuple(tags), visibility)

    def decorate(fn):
        fn.__check__ = info
        return pytest.mark.check(info)(fn)

    return decorate


class CheckFailed(AssertionError):
    """A check's verdict on a submission, in the learner's terms.

    `cause` names the root cause when several checks can fail for the same one (say
    "registration:weight"): the first check that reports it gives the whole feedback, the later
    ones say briefly that it is the same mistake (see plugin.GraderPlugin).
    """

    def __init__(self, observed: str, expected: str, fix: str, cause: str | None = None):
        super().__init__(observed)
        self.observed, self.expected, self.fix = observed, expected, fix
        self.cause = cause

    def __str__(self) -> str:
        return _("Observed: {observed}\nExpected: {expected}\nWhat to change: {fix}").format(
            observed=self.observed, expected=self.expected, fix=self.fix)


def expect(condition: bool, *, observed: str, expected: str, fix: str,
           cause: str | None = None) -> None:
    if not condition:
        raise CheckFailed(observed, expected, fix, cause)


def plain(t, *, what: str | None = None) -> torch.Tensor:
    """A grader-owned, detached plain `torch.Tensor` copy of `t`.

    A learner's tensor subclass or `__torch_function__` override cannot answer a comparison made
    on the copy. Anything that is not a tensor fails the check with a message naming `what`
    (default: "the result").
    """
    what = what if what is not None else _("the result")
    if not isinstance(t, _Tensor):
        raise CheckFailed(
            _("{what} is a {type}, not a tensor").format(what=what, type=type(t).__name__),
            _("a torch.Tensor"),
            _("make sure {what} is computed with torch operations and returned").format(what=what),
        )
    with _disable_torch_function():
        out = _tensor_clone(_tensor_detach(t))
        if type(out) is not _Tensor:
            out = torch.Tensor._make_subclass(_Tensor, out)
    if type(out) is not _Tensor:
        raise CheckFailed(
            _("{what} is a {type}, a tensor subclass the grader cannot compare").format(
                what=what, type=type(t).__name__),
            _("a plain torch.Tensor"),
            _("return ordinary tensors from your code"),
        )
    return out


def _max_abs_diff(a: torch.Tensor, b: torch.Tensor) -> float:
    if a.numel() == 0:
        return 0.0
    if a.device.type == "meta":
        return 0.0
    diff = _tensor_abs(_tensor_sub(a.double(), b.double()))
    return float(_tensor_max(diff))


def expect_close(actual, expected: torch.Tensor, *, what: str, fix: str,
                 rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """`actual` has `expected`'s shape and values (within tolerance); feedback names `what`."""
    a = plain(actual, what=what)
    e = plain(expected, what=_("the reference"))
    expect(
        tuple(a.shape) == tuple(e.shape),
        observed=_("{what} has shape {shape}").format(what=what, shape=tuple(a.shape)),
        expected=_("shape {shape}").format(shape=tuple(e.shape)),
        fix=fix,
    )
    if a.device.type == "meta" or e.device.type == "meta":
        # Only a check about the meta device compares meta tensors: shapes are all they have.
        expect(a.device.type == e.device.type,
               observed=_("{what} is a tensor on the meta device: it has a shape but no "
                          "values").format(what=what),
               expected=_("a tensor holding the computed values"),
               fix=_("compute the result on the device of the inputs you are given"))
        return
    numeric = a.is_floating_point() or e.is_floating_point()
    a_cmp = a.to(dtype=e.dtype) if a.dtype != e.dtype and numeric else a
    finite = bool(_isfinite(a_cmp).all()) if a_cmp.is_floating_point() else True
    ok = finite and _allclose(a_cmp, e, rtol=rtol, atol=atol)
    if not ok:
        worst = _max_abs_diff(a_cmp, e) if finite else math.inf
        raise CheckFailed(
            _("{what} differs from the reference by up to {worst:.3g}").format(what=what,
                                                                               worst=worst),
            _("agreement within rtol={rtol:g}, atol={atol:g}").format(rtol=rtol, atol=atol),
            fix,
        )

