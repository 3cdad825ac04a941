"""What both grader files of `linear` share: building the learner's layer, references, the spy."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd.gradcheck import GradcheckError
from torch.overrides import TorchFunctionMode

from autograder.checks import CheckFailed, expect, plain

# Functions that would make the exercise pointless; the values name them for the learner.
FORBIDDEN = {
    F.linear: "torch.nn.functional.linear",
    torch._C._nn.linear: "torch.nn.functional.linear",
}


class ForbiddenCallSpy(TorchFunctionMode):
    """Records every torch function called while active, however the learner reached it."""

    def __init__(self):
        super().__init__()
        self.forbidden: set[str] = set()

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = FORBIDDEN.get(func)
        if name is not None:
            self.forbidden.add(name)
        return func(*args, **(kwargs or {}))


def expect_no_forbidden(spy: ForbiddenCallSpy, what: str) -> None:
    expect(not spy.forbidden,
           observed=f"{what} called {', '.join(sorted(spy.forbidden))}",
           expected="the affine map written with tensor operations (matmul, @, +, addmm)",
           fix="compute x @ weight.T + bias yourself; the point of the exercise is to build "
               "what nn.Linear and F.linear do, not to call them")


def make_layer(submission, *args, **kwargs):
    """The learner's Linear(*args, **kwargs), with construction errors worded for the learner."""
    layer = submission.Linear(*args, **kwargs)
    expect(isinstance(layer, nn.Module),
           observed=f"Linear(...) built a {type(layer).__name__}",
           expected="an nn.Module subclass",
           fix="declare the class as `class Linear(nn.Module):` and call super().__init__()")
    return layer


def parameter_dict(layer) -> dict:
    return dict(layer.named_parameters())


def registered_weight(layer, name: str = "weight") -> torch.Tensor:
    """The layer's `name` parameter, or a CheckFailed that explains registration."""
    params = parameter_dict(layer)
    if name in params:
        return params[name]
    value = getattr(layer, name, None)
    listed = sorted(params) or "nothing"
    if isinstance(value, torch.Tensor):
        raise CheckFailed(
            f"`{name}` is a plain {type(value).__name__} (requires_grad={value.requires_grad}), "
            f"so named_parameters() lists {listed}; no optimizer built from "
            "model.parameters() will ever update it, state_dict() does not save it and .to() "
            "does not move it",
            f"`{name}` registered as a parameter",
            f"wrap it: self.{name} = nn.Parameter(torch.empty(...)); assigning an nn.Parameter "
            "to a module attribute registers it",
        )
    raise CheckFailed(f"the layer has no `{name}` (named_parameters() lists {listed})",
                      f"a parameter named `{name}`",
                      f"create self.{name} = nn.Parameter(...) in __init__")


def reference_forward(x, weight, bias):
    """y = x W^T + b on grader-owned plain copies: (*, in) -> (*, out)."""
    x, weight = plain(x, what="the input"), plain(weight, what="weight")
    y = torch.matmul(x, weight.transpose(0, 1))
    if bias is not None:
        y = y + plain(bias, what="bias")
    return y


def uniform_bound(in_features: int) -> float:
    return 1.0 / math.sqrt(in_features)


def get_function(submission):
    fn = submission.LinearFunction
    expect(isinstance(fn, type) and issubclass(fn, torch.autograd.Function),
           observed=f"LinearFunction is {fn!r}",
           expected="a subclass of torch.autograd.Function",
           fix="declare `class LinearFunction(torch.autograd.Function):` with static forward "
               "and backward methods")
    return fn


def gradcheck_inputs(shape_x, in_features=5, out_features=3, *, bias=True, x_grad=True, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape_x, in_features, dtype=torch.float64, generator=g).requires_grad_(x_grad)
    w = torch.randn(out_features, in_features, dtype=torch.float64, generator=g).requires_grad_()
    b = (torch.randn(out_features, dtype=torch.float64, generator=g).requires_grad_()
         if bias else None)
    return x, w, b


def run_gradcheck(fn, x, w, b, what: str) -> None:
    try:
        ok = torch.autograd.gradcheck(lambda *a: fn.apply(*a), (x, w, b), eps=1e-6, atol=1e-5,
                                      raise_exception=True)
    except NotImplementedError:
        raise
    except (GradcheckError, RuntimeError) as exc:
        # RuntimeError: autograd rejected what backward returned (a wrong shape, a gradient
        # for a None input); NotImplementedError (an untouched stub) passes through.
        message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise CheckFailed(
            f"gradcheck on {what} failed: {message}",
            "the gradients your backward returns to match finite differences of your forward",
            "in backward, with y = x W^T + b: grad_x = grad_out @ W, grad_W = grad_out^T @ x "
            "summed over every leading dimension (flatten x and grad_out to 2-D first), "
            "grad_b = grad_out summed over every dimension but the last; return one gradient "
            "per forward input, in order, None for a bias that is None",
        ) from None
    expect(ok, observed=f"gradcheck on {what} returned False", expected="True",
           fix="compare your backward's gradients with finite differences")
