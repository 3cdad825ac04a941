"""What both grader files of `parameters` share: building the learner's modules, explaining
registration, setting parameter values through the learner side, and references computed with
the judge's own torch. What only one exercise needs is in a module of its own beside this one:
`mlp` (MLP), `tied` (TiedAutoencoder) and `count` (count_parameters and the grader's own models,
as specs). The student kit ships this folder whole, with public.py.

Every fact about the learner's code arrives as plain data through `submission` (a
`client.Learner`): modules are `Remote` handles, their parameters and buffers `TensorInfo`
descriptions taken from nn.Module's own bookkeeping. Those descriptions come from the learner
process, which may lie: they word the feedback of a failure and can fail a check, but no check
passes on them. Every check passes only on values the judge verified itself (see "what the
judge verifies itself" below): values it chose, loaded through load_state_dict and read back,
outputs on its inputs, and the parameters after an optimizer step it specified.
"""
from __future__ import annotations

import torch

from autograder.judge_side.checks import CheckFailed, _allclose, expect, expect_close, plain
from autograder.judge_side.client import LearnerError, ModuleInfo, Remote, TensorInfo
from autograder.i18n import _

LINEAR = "torch.nn.modules.linear.Linear"
MODULELIST = "torch.nn.modules.container.ModuleList"

# -- building and registration -----------------------------------------------------------------


def build(submission, class_name: str, *args, seed: int | None = None) -> Remote:
    """The learner's `class_name(*args)`, with a module that is not an nn.Module worded for them."""
    module = submission.new(class_name, *args, seed=seed)
    expect(module.kind == "module",
           observed=_("{name}(...) built an object of type {type}").format(name=class_name, type=module.type),
           expected=_("an nn.Module subclass"),
           fix=_("declare `class {name}(nn.Module):` and call super().__init__() first in "
                 "__init__").format(name=class_name))
    return module


SHAPE_ERRORS = ("must match the size", "cannot be multiplied", "shape", "size mismatch")


def forward(module: Remote, x: torch.Tensor, what: str, hint: str):
    """`module(x)`; an error about shapes is explained with `hint` (what the shapes must do)."""
    return given_forward(module, x, tuple(x.shape), what, hint)


def given_forward(module: Remote, x, shape: tuple, what: str, hint: str):
    """`module(x)` for an input `x` of `shape`, a judge's tensor or a learner-side one."""
    try:
        return module(x)
    except LearnerError as exc:
        evidence = exc.evidence
        if not any(s in evidence.message for s in SHAPE_ERRORS):
            raise
        if evidence.frames:
            observed = _("{what} on an input of shape {shape} raised {error} at {place}").format(
                what=what, shape=shape, error=evidence.error, place=evidence.frames[-1].place())
        else:
            observed = _("{what} on an input of shape {shape} raised {error}").format(
                what=what, shape=shape, error=evidence.error)
        raise CheckFailed(observed, _("an output of the input's shape"), hint) from None


def forward_leaves_input(submission, module: Remote, x: torch.Tensor, what: str, hint: str):
    """`module(x)` on an input that lives in the learner process, as a caller's tensor does; its
    output, once the check made sure that forward left that input as it was."""
    given = submission.tensor(x)
    output = given_forward(module, given, tuple(x.shape), what, hint)
    after = given.describe().value
    unchanged = (isinstance(after, torch.Tensor) and tuple(after.shape) == tuple(x.shape)
                 and torch.equal(after, x))
    if unchanged:
        # What the learner side says about its tensor only explains; the verdict comes from
        # behaviour: the same tensor, passed in again, must give the same output.
        again = given_forward(module, given, tuple(x.shape), what, hint)
        unchanged = (isinstance(again, torch.Tensor) and isinstance(output, torch.Tensor)
                     and tuple(again.shape) == tuple(output.shape)
                     and bool(torch.equal(plain(again), plain(output))))
    expect(unchanged,
           observed=_("{what} modified its input in place: after the call, the caller's tensor x "
                      "no longer holds the values it passed in").format(what=what),
           expected=_("forward leaves its input unchanged and returns a new tensor"),
           fix=_("compute the result with out-of-place operations, which return a new tensor; "
                 "in-place methods (names ending in an underscore, such as sub_, div_, mul_) and "
                 "augmented assignments to x (x -= ..., x *= ...) overwrite the caller's data, "
                 "which the caller may still need (a batch fed to another model, a tensor "
                 "autograd saved for backward)"),
           cause=f"forward:in-place-input:{module.type}")
    return output


def converted(module: Remote, dtype: torch.dtype, owner: str) -> Remote:
    """`module.to(dtype)` in the learner process: the module it returns."""
    result = module.call(dtype, method="to", keep=True,
                         action=_("calling {owner}.to({dtype})").format(owner=owner,
                                                                         dtype=dtype)).value
    expect(isinstance(result, Remote) and result.kind == "module",
           observed=_("{owner}.to({dtype}) returned {result!r}").format(owner=owner, dtype=dtype,
                                                                        result=result),
           expected=_("the module itself (nn.Module.to returns self)"),
           fix=_("do not override .to(); nn.Module's own converts every parameter and buffer"))
    return result


def registered(info: ModuleInfo, name: str, owner: str) -> TensorInfo:
    """The parameter called `name` (a dotted path), or a CheckFailed that explains registration."""
    params = info.parameters
    if name in params:
        return params[name]
    for listed_name, tensor in info.parameter_list:   # a shared parameter under a second name
        if listed_name == name:
            return tensor
    listed = sorted(params) or _("nothing")
    value = info.attributes.get(name)
    if isinstance(value, TensorInfo) and value.grad_fn is not None:
        raise CheckFailed(
            _("{owner}.{name} is a tensor computed from another tensor (grad_fn={grad_fn}), "
              "not a registered parameter: named_parameters() lists {listed}. Arithmetic on an "
              "nn.Parameter returns an ordinary tensor, which the module does not register and "
              "which is not a leaf, so no optimizer ever updates it").format(
                owner=owner, name=name, grad_fn=value.grad_fn, listed=listed),
            _("`{name}` registered as an nn.Parameter").format(name=name),
            _("compute the starting values first, on a plain tensor, and wrap the finished "
              "tensor in nn.Parameter as the last step before assigning it to the attribute"),
            cause=f"registration:{owner}.{name}",
        )
    if isinstance(value, TensorInfo):
        raise CheckFailed(
            _("{owner}.{name} is a plain {type} (requires_grad={requires_grad}), "
              "not a registered parameter: named_parameters() lists {listed}, so an optimizer "
              "built from model.parameters() never updates it, state_dict() does not save it and "
              ".to() does not move it").format(owner=owner, name=name, type=value.type,
                                               requires_grad=value.requires_grad, listed=listed),
            _("`{name}` registered as an nn.Parameter").format(name=name),
            _("wrap the tensor in nn.Parameter when you assign it to the module attribute; "
              "assigning an nn.Parameter to a module attribute is what registers it "
              "(requires_grad=True alone does not)"),
            cause=f"registration:{owner}.{name}",
        )
    raise CheckFailed(_("{owner} has no parameter `{name}` (named_parameters() lists "
                        "{listed})").format(owner=owner, name=name, listed=listed),
                      _("a parameter named `{name}`").format(name=name),
                      _("create `{attribute}` as an nn.Parameter in __init__").format(
                          attribute=name.rsplit('.', 1)[-1]),
                      cause=f"registration:{owner}.{name}")


def expect_names(info: ModuleInfo, expected: list[str], owner: str, fix: str) -> dict:
    """The module's named_parameters() are exactly `expected` (any order); returns them."""
    params = info.parameters
    expect(sorted(params) == sorted(expected),
           observed=_("{owner}.named_parameters() lists {listed}").format(
               owner=owner, listed=sorted(params) or _("nothing")),
           expected=_("exactly {names}").format(names=sorted(expected)),
           fix=fix)
    return params


def expect_shape(tensor: TensorInfo, shape: tuple, what: str, fix: str) -> None:
    # Field names of their own: the engine's catalogue has "{what} has shape {shape}".
    expect(tuple(tensor.shape) == tuple(shape),
           observed=_("{what} has shape {actual_shape}").format(what=what,
                                                                actual_shape=tuple(tensor.shape)),
           expected=_("shape {wanted_shape}").format(wanted_shape=tuple(shape)),
           fix=fix)


def expect_trainable_leaf(p: TensorInfo, what: str, owner: str, name: str) -> None:
    """An nn.Parameter, leaf, requires_grad; a frozen one shares its cause with the optimizer
    checks (see expect_every_parameter_changes)."""
    expect(p.is_parameter,
           observed=_("{what} is of type {type}").format(what=what, type=p.type),
           expected=_("an nn.Parameter"),
           fix=_("make {what} an nn.Parameter wrapping a fresh tensor").format(what=what))
    expect(p.requires_grad, cause=f"frozen:{owner}.{name}",
           observed=_("{what}.requires_grad is False, so it never receives a gradient and no "
                      "optimizer step changes it").format(what=what),
           expected=_("requires_grad=True (an nn.Parameter's default)"),
           fix=_("leave requires_grad at its default when you create the nn.Parameter: do not "
                 "pass requires_grad=False"))
    expect(p.is_leaf,
           observed=_("{what} is not a leaf of the autograd graph (it was computed from another "
                      "tensor that requires grad), so .grad is never filled").format(what=what),
           expected=_("a leaf tensor"),
           fix=_("create the Parameter from a fresh tensor made by a factory function, not from "
                 "arithmetic on another parameter"))


def buffer(info: ModuleInfo, name: str, owner: str) -> TensorInfo:
    """The buffer called `name`, or a CheckFailed that explains buffers."""
    if name in info.buffers:
        return info.buffers[name]
    listed = sorted(info.buffers) or _("nothing")
    fix = _("register `{name}` with the module's register_buffer method, from a detached copy "
            "of the tensor you are given: a buffer is state that state_dict() saves and .to() "
            "moves, but that is not learned").format(name=name)
    if any(n == name for n, _tensor in info.parameter_list):
        raise CheckFailed(
            _("{owner}.{name} is an nn.Parameter, so parameters() lists it and an optimizer "
              "built from model.parameters() would train this constant (named_buffers() lists "
              "{listed})").format(owner=owner, name=name, listed=listed),
            _("`{name}` registered as a buffer").format(name=name), fix,
            cause=f"buffer:{owner}.{name}")
    if isinstance(info.attributes.get(name), TensorInfo):
        raise CheckFailed(
            _("{owner}.{name} is a plain tensor attribute: named_buffers() lists {listed}, so "
              "state_dict() does not save it and .to() does not move or convert it").format(
                owner=owner, name=name, listed=listed),
            _("`{name}` registered as a buffer").format(name=name), fix,
            cause=f"buffer:{owner}.{name}")
    raise CheckFailed(_("{owner} has no buffer `{name}` (named_buffers() lists {listed})").format(
                          owner=owner, name=name, listed=listed),
                      _("a buffer named `{name}`").format(name=name), fix,
                      cause=f"buffer:{owner}.{name}")


# -- what the judge verifies itself ---------------------------------------------------------------
#
# The learner process describes its modules (names, flags, types): those descriptions only
# explain a failure. A point is earned from values: the judge draws the parameters' and buffers'
# values itself (shapes from the contract, never from a description), loads them through
# nn.Module.load_state_dict, and compares what comes back (state_dict(), outputs on its inputs,
# the values after an optimizer step it specified) with what it computes with its own torch.

LR = 0.1


def judge_values(shapes: dict, generator: torch.Generator,
                 dtype: torch.dtype = torch.float32) -> dict:
    """Values the judge chose, by name, for `shapes` (the contract's). In float32 they are
    multiples of 1/8, held exactly by every floating-point dtype (a parameter kept in float16 or
    float64 reads them back unchanged); in float64, full-precision draws that no float32 tensor
    can hold."""
    if dtype == torch.float64:
        return {n: torch.randn(s, generator=generator, dtype=dtype) for n, s in shapes.items()}
    return {n: torch.randint(-24, 25, s, generator=generator).to(dtype) / 8
            for n, s in shapes.items()}


def _same(got, want: torch.Tensor) -> bool:
    """`got` holds exactly `want`'s values (in the judge: bytes of the judge's own tensors)."""
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(want.shape):
        return False
    if want.dtype == torch.float64 and got.dtype != torch.float64:
        return False
    return bool(torch.equal(plain(got).to(want.dtype), want))


def read_state(module: Remote, owner: str) -> dict:
    """The module's state_dict(), as nn.Module computes it in the learner process."""
    return module.state_dict()


def load_values(module: Remote, values: dict, owner: str, fix: str) -> dict:
    """Load the judge's `values` with nn.Module.load_state_dict, then read state_dict() back:
    every name must be there, holding exactly the values loaded. Returns the state read back.
    A tensor that is not registered is not in the state dict, so it cannot take them."""
    names = sorted(values)
    try:
        module.load_state_dict(values, strict=False)
    except LearnerError as exc:
        raise CheckFailed(
            _("{owner}.load_state_dict() with the grader's values for {names} raised "
              "{error}").format(owner=owner, names=names, error=exc.evidence.error),
            _("every one of {names} loaded, as nn.Module loads registered tensors").format(
                names=names), fix) from None
    state = read_state(module, owner)
    absent = [n for n in names if n not in state]
    expect(not absent,
           observed=_("{owner}.state_dict() holds {keys}, without {absent}: load_state_dict() "
                      "cannot give those the grader's values, because the module did not "
                      "register them").format(owner=owner, keys=sorted(state) or _("nothing"),
                                              absent=absent),
           expected=_("state_dict() entries for {names}").format(names=names), fix=fix)
    differ = [n for n in names if not _same(state[n], values[n])]
    expect(not differ,
           observed=_("after {owner}.load_state_dict() with the grader's values, state_dict() "
                      "gives other values (or another dtype) for {names}").format(
                          owner=owner, names=differ),
           expected=_("exactly the values just loaded"), fix=fix)
    return state


def set_all(module: Remote, shapes: dict, generator: torch.Generator, owner: str,
            fix: str | None = None) -> list:
    """Give the module's registered tensors `shapes` (name -> the contract's shape) values the
    judge drew, through load_state_dict; returns the judge's copies, in the order of `shapes`."""
    chosen = judge_values(shapes, generator)
    load_values(module, chosen, owner, fix or _(
        "register every learnable tensor as an nn.Parameter (assigned to a module attribute, "
        "or held by a submodule), so that state_dict() and load_state_dict() reach it"))
    return [chosen[n] for n in shapes]


def set_values(module: Remote, name: str, shape: tuple, generator: torch.Generator,
               owner: str) -> torch.Tensor:
    """set_all for one name."""
    return set_all(module, {name: shape}, generator, owner)[0]


def expect_converted(module: Remote, shapes: dict, generator: torch.Generator, owner: str,
                     fix: str) -> dict:
    """After .to(torch.float64): the judge loads float64 values no float32 tensor can hold and
    reads them back exactly (only a tensor .to() converted keeps them). Returns them."""
    chosen = judge_values(shapes, generator, torch.float64)
    load_values(module, chosen, owner, fix)
    return chosen


def expect_state_keys(module: Remote, keys: list, owner: str, fix: str) -> dict:
    """state_dict() holds exactly `keys` (any order)."""
    state = read_state(module, owner)
    expect(sorted(state) == sorted(keys),
           observed=_("{owner}.state_dict() holds {keys}").format(owner=owner,
                                                                 keys=sorted(state)),
           expected=str(sorted(keys)), fix=fix)
    return state


def expect_follows_state(module: Remote, shapes: dict, x: torch.Tensor,
                         generator: torch.Generator, owner: str, fix: str) -> None:
    """Verified registration, whatever forward computes: two sets of values the judge loads
    come back exactly, and the output on `x` changes from one to the other (so forward reads
    the tensors state_dict() saves and load_state_dict() sets)."""
    outputs = []
    for _round in range(2):
        set_all(module, shapes, generator, owner, fix)
        y = forward(module, x, owner, fix)
        outputs.append(plain(y, what=f"{owner}(x)"))
    same = tuple(outputs[0].shape) == tuple(outputs[1].shape) and bool(
        torch.equal(outputs[0], outputs[1]))
    expect(not same,
           observed=_("{owner}(x) stays the same when load_state_dict() gives {names} other "
                      "values: forward does not read the registered tensors").format(
                          owner=owner, names=sorted(shapes)),
           expected=_("an output that follows the values loaded into {names}").format(
               names=sorted(shapes)), fix=fix)


def fresh_entry(module: Remote, name: str, shape: tuple, owner: str) -> torch.Tensor:
    """state_dict()[name] of the module as it is, which must have the contract's shape."""
    state = read_state(module, owner)
    value = state.get(name)
    expect(isinstance(value, torch.Tensor),
           observed=_("{owner}.state_dict() holds {keys}, without `{name}`").format(
               owner=owner, keys=sorted(state) or _("nothing"), name=name),
           expected=_("a state_dict() entry `{name}`").format(name=name),
           fix=_("register `{name}` on the module (an nn.Parameter for a learnable tensor, "
                 "register_buffer for a constant): state_dict() saves only what the module "
                 "registered").format(name=name))
    expect_shape(value, shape, f"state_dict()['{name}']",
                 _("one value per feature: a 1-D tensor of length num_features"))
    return value


def expect_gradient(module: Remote, x: torch.Tensor, grad_out: torch.Tensor, name: str,
                    expected: torch.Tensor, owner: str, fix: str) -> None:
    """After module(x).backward(grad_out), the gradient of the registered `name` (read through
    model.<name>.grad) is the judge's `expected`."""
    y = output_tensor(module.call(x, keep=True, action=_("calling {owner}(x)").format(
        owner=owner)).value, owner)
    expect(y.describe(values=False).requires_grad,
           observed=_("{owner}(x) does not require grad: none of the registered parameters "
                      "took part in forward as far as autograd can see").format(owner=owner),
           expected=_("an output that depends on the parameters through autograd"),
           fix=_("use the registered parameters themselves in forward, not .data, .detach() or "
                 "a copy of them: those cut the graph, so no gradient ever reaches them"))
    y.call(grad_out, method="backward", action=_("calling backward() on your model's output"))
    grad = module.get(f"{name}.grad")
    expect(isinstance(grad, torch.Tensor),
           observed=_("after backward, {owner}.{name}.grad is {value}").format(
               owner=owner, name=name, value=grad if grad is None else type(grad).__name__),
           expected=_("the gradient of the loss with respect to {name}").format(name=name),
           fix=fix)
    expect_close(grad, expected, what=f"{owner}.{name}.grad", fix=fix, rtol=1e-5, atol=1e-5)


def output_tensor(answer, owner: str) -> Remote:
    """A kept call result that must be a tensor."""
    returned = answer.type if isinstance(answer, Remote) else type(answer).__name__
    expect(isinstance(answer, Remote) and answer.kind == "tensor",
           observed=_("{owner}(x) returned an object of type {type}, not a tensor").format(owner=owner,
                                                                            type=returned),
           expected=_("a tensor"),
           fix=_("return the output tensor from forward"))
    return answer


def judge_step(start: dict, reference, x: torch.Tensor, upstream: torch.Tensor,
               trainable) -> dict:
    """The values one SGD step (lr=LR) on the loss (reference(values) * upstream).sum() gives
    each of `trainable`, computed with the judge's own autograd from `start`."""
    copies = {n: v.clone().requires_grad_(n in trainable) for n, v in start.items()}
    (reference(copies) * upstream).sum().backward()
    return {n: (start[n] - LR * copies[n].grad) if copies[n].grad is not None else start[n]
            for n in trainable}


def registered_step(submission, module: Remote, x: torch.Tensor, upstream: torch.Tensor, *,
                    unfreeze: bool = False):
    """One SGD step, in the learner process, over the parameters nn.Module registered (the
    instrument reads nn.Module's own storage); returns the forward's output."""
    action = (_("making every registered parameter trainable, then taking one SGD step")
              if unfreeze else _("taking one SGD step on model.parameters()"))
    answer = submission.instrument("registered_sgd_step", action, module=module, inputs=[x],
                                   upstream=upstream, lr=LR, unfreeze=unfreeze)
    return answer.get("output") if isinstance(answer, dict) else None


def expect_every_parameter_changes(submission, module: Remote, owner: str, *, x: torch.Tensor,
                                   upstream: torch.Tensor, shapes: dict, reference, fix: str,
                                   generator: torch.Generator, compare=None) -> dict:
    """One SGD step (lr=LR) over the registered parameters, on the loss
    (module(x) * upstream).sum(), moves every parameter of `shapes` by exactly what the judge
    computes: the judge loads values it drew, runs the step, reads state_dict() back and
    compares. The forward's output is compared first with `reference(values)`;
    `compare(output, values)`, when given, makes that comparison instead (to name a known
    mistake). The module's description explains a failure; it never passes one. Returns the
    values read back after the step."""
    info = module.describe(values=False)
    params = info.parameters
    expect(bool(params),
           observed=_("{owner}.parameters() is empty").format(owner=owner),
           expected=_("the module's parameters"),
           fix=_("register every learnable tensor as an nn.Parameter (and submodules as "
                 "attributes or in an nn.ModuleList)"))
    for name, p in params.items():
        expect(p.requires_grad,
               observed=_("{owner}'s `{name}` has requires_grad=False, so backward never gives "
                          "it a gradient and the optimizer step skips it").format(owner=owner,
                                                                                  name=name),
               expected=_("every registered parameter trainable (requires_grad=True)"),
               fix=_("create it as an nn.Parameter, whose requires_grad defaults to True, and do "
                     "not switch it off"), cause=f"frozen:{owner}.{name}")
    chosen = judge_values(shapes, generator)
    load_values(module, chosen, owner, fix=_(
        "register every learnable tensor as an nn.Parameter (and submodules as attributes or in "
        "an nn.ModuleList)"))
    y = output_tensor(module.call(x, keep=True,
                                  action=_("calling {owner}(x)").format(owner=owner)).value, owner)
    output = y.describe()
    if compare is not None:
        compare(output.value, chosen)
    else:
        expect_close(output.value, reference(chosen), what=f"{owner}(x)", fix=fix)
    expect(output.requires_grad,
           observed=_("{owner}(x) does not require grad: none of the registered parameters "
                      "took part in forward as far as autograd can see").format(owner=owner),
           expected=_("an output that depends on the parameters through autograd"),
           fix=_("use the registered parameters themselves in forward, not .data, .detach() or "
                 "a copy of them: those cut the graph, so no gradient ever reaches them"))
    stepped = registered_step(submission, module, x, upstream)
    expect_close(stepped, reference(chosen), what=_("{owner}(x) in the optimizer step").format(
        owner=owner), fix=fix)
    expected = judge_step(chosen, reference, x, upstream, list(shapes))
    after = read_state(module, owner)
    for name in shapes:
        got = after.get(name)
        if isinstance(got, torch.Tensor) and bool(_allclose(plain(got).to(torch.float32),
                                                             expected[name], rtol=1e-5,
                                                             atol=1e-6)):
            continue
        _explain_step(module, owner, name, params, got, chosen[name])
        raise CheckFailed(
            _("after one SGD step (lr={lr}) on model.parameters(), `{name}` does not hold the "
              "values the grader computes for that step from the values it loaded and the "
              "gradient of the loss").format(lr=LR, name=name),
            _("every registered parameter moved by -lr times its gradient"), fix)
    return after


def _explain_step(module: Remote, owner: str, name: str, params: dict, got, before) -> None:
    """What the module's description says about a parameter the step did not move as it
    should (the description explains; the judge's values decided)."""
    after = module.describe(values=False).parameters
    p = after.get(name)
    expect(p is not None and name in params and p.id == params[name].id,
           observed=_("after one optimizer step, {owner}'s `{name}` is no longer the "
                      "Parameter object the optimizer was given").format(owner=owner,
                                                                         name=name),
           expected=_("the same Parameter objects before and after the step"),
           fix=_("create the parameters once, in __init__; never assign new ones in "
                 "forward"))
    expect(p.has_grad,
           observed=_("after backward, {owner}'s `{name}` has no gradient (.grad is "
                      "None)").format(owner=owner, name=name),
           expected=_("a gradient for every registered parameter"),
           fix=_("make forward use the registered `{name}` itself, not a copy, .detach() or "
                 ".data, so the loss's gradient reaches it").format(name=name))
    expect(not _same(got, before),
           observed=_("`{name}` did not change after optimizer.step()").format(name=name),
           expected=_("every registered parameter updated by the step"),
           fix=_("make forward use `{name}` so that it gets a non-zero gradient").format(
               name=name))


# -- outputs that show a known mistake -----------------------------------------------------------

_DIAGNOSIS_RTOL, _DIAGNOSIS_ATOL = 1e-4, 1e-5


def _matches(got: torch.Tensor, candidate: torch.Tensor) -> bool:
    return (tuple(got.shape) == tuple(candidate.shape)
            and got.device.type == candidate.device.type
            and bool(_allclose(got.to(candidate.dtype), candidate, rtol=_DIAGNOSIS_RTOL,
                               atol=_DIAGNOSIS_ATOL)))


def expect_output(output, reference: torch.Tensor, mistakes, *, what: str, fix: str,
                  rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """expect_close(output, reference, ...), with the same verdict; when it fails and the output
    is what a known mistake computes, the failure names that mistake instead. `mistakes` yields
    (what the mistake computes, the CheckFailed that names it, with its cause), tried in order;
    a candidate equal to the right output proves nothing and is skipped."""
    try:
        expect_close(output, reference, what=what, fix=fix, rtol=rtol, atol=atol)
        return
    except CheckFailed as failure:
        mismatch = failure        # raised as it is unless the output shows a known mistake
    got = plain(output, what=what)
    for candidate, named in mistakes:
        if _matches(got, candidate) and not _matches(reference, candidate):
            raise named
    raise mismatch


def expect_standardized(output, x: torch.Tensor, mean: torch.Tensor, std: torch.Tensor, *,
                        what: str, fix: str, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """expect_close(output, (x - mean) / std, ...), with the same verdict; when it fails and
    the output is (x - mean) / (std + eps) or (x - mean) / sqrt(std**2 + eps) for one small
    positive eps, the failure names the eps (the judge solves for it from the output)."""
    try:
        expect_close(output, (x - mean) / std, what=what, fix=fix, rtol=rtol, atol=atol)
        return
    except CheckFailed as failure:
        mismatch = failure
    got = plain(output, what=what)
    if tuple(got.shape) == tuple(x.shape) and got.is_floating_point():
        centred = (x - mean).double().expand_as(got)
        spread = std.double().expand_as(got)
        g = got.double()
        usable = (g.abs() > 1e-3) & (centred.abs() > 1e-3)
        if int(usable.sum()) >= 2:
            denominator = centred[usable] / g[usable]
            for form, values in (("add", denominator - spread[usable]),
                                 ("sqrt", denominator ** 2 - spread[usable] ** 2)):
                eps = float(values.median())
                if 1e-9 < eps <= 0.1 and bool(torch.allclose(
                        values, torch.full_like(values, eps), rtol=0.05, atol=1e-7)):
                    observed = (_("{what} equals (x - mean) / (std + {eps:.1g}): forward adds an "
                                  "eps to std") if form == "add" else
                                _("{what} equals (x - mean) / sqrt(std**2 + {eps:.1g}): forward "
                                  "adds an eps to the variance"))
                    raise CheckFailed(observed.format(what=what, eps=eps),
                                      _("(x - mean) / std exactly"),
                                      _("divide by self.std itself, with no eps: the statistics "
                                        "you are given are safe to divide by, and an eps changes "
                                        "every output"), cause="standardize:eps")
    raise mismatch


def values(params: dict) -> dict:
    """TensorInfo by name -> the judge's tensors by name."""
    return {n: p.value for n, p in params.items()}


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def standardize_module(submission, n=3, seed=0):
    g = generator(seed)
    mean, std = torch.randn(n, generator=g), torch.rand(n, generator=g) + 0.5
    return build(submission, "Standardize", mean, std), mean, std, g
