"""What both grader files of `linear` share: building the learner's layer, references, and
running LinearFunction forward and backward on inputs the judge chose.

Every fact about the learner's code arrives as plain data through `submission` (a
`client.Learner`); every reference is computed here with the judge's own torch.

What earns a point is always a value the judge checked against its own computation, on inputs
it chose: forward outputs, gradients, parameters read back after an optimizer step it specified
(learning rate, gradients, the moment of a reset), state_dicts holding values it wrote. What the
learner side says about itself (types, bases, flags, names, the operators it saw) can only take
points away or explain a failure. A Linear that is, inherits from, holds or runs nn.Linear or
F.linear (`nn_linear_evidence`: the judge's own reading of the class statement, the reported
bases and submodules, the operator watch on every thread) fails every check of the layer, since
nn.Linear would have earned each of them.
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass

import torch

from autograder.judge_side import static
from autograder.judge_side.checks import CheckFailed, expect, expect_close, plain
from autograder.judge_side.client import LearnerError, Remote, TensorInfo
from autograder.i18n import N_, _, translate

LINEAR = "torch.nn.modules.linear.Linear"
FUNCTION = "torch.autograd.function.Function"
# Dispatcher operators that would make the exercise pointless, and source names that reach them.
FORBIDDEN_OPS = {"aten::linear": "torch.nn.functional.linear"}
# The label of a bare `linear` is worded for the learner: translated where it is used.
IMPORTED_LINEAR = N_("linear (F.linear imported by name)")
FORBIDDEN_NAMES = {"F.linear": "F.linear", "functional.linear": "torch.nn.functional.linear",
                   "_nn.linear": "torch._C._nn.linear", "aten.linear": "torch.ops.aten.linear",
                   "nn.Linear": "nn.Linear", "linear": IMPORTED_LINEAR}
# Ways of hiding an operator from the watch (any cell that names them is flagged).
EVASIONS = ("DisableTorchFunction", "_disabled_torch_function", "profiler", "_set_record_function",
            "RecordFunction", "_C._autograd")


def make_layer(submission, *args, seed: int | None = None, **kwargs) -> Remote:
    """The learner's Linear(*args, **kwargs), with construction errors worded for the learner."""
    expect_own_linear(submission)
    layer = submission.new("Linear", *args, seed=seed, **kwargs)
    expect(layer.kind == "module",
           observed=_("Linear(...) built an object of type {type}").format(type=layer.type),
           expected=_("an nn.Module subclass"),
           fix=_("declare the class as `class Linear(nn.Module):` and call super().__init__()"))
    return layer


def registered_weight(info, name: str = "weight") -> TensorInfo:
    """The layer's `name` parameter, or a CheckFailed that explains registration."""
    params = info.parameters
    if name in params:
        return params[name]
    value = info.attributes.get(name)
    listed = sorted(params)
    if isinstance(value, TensorInfo):
        plain = (_("`{name}` is a plain {type} (requires_grad={requires_grad}), so "
                   "named_parameters() lists {listed}; no optimizer built from model.parameters() "
                   "will ever update it, state_dict() does not save it and .to() does not move it")
                 if listed else
                 _("`{name}` is a plain {type} (requires_grad={requires_grad}), so "
                   "named_parameters() lists nothing; no optimizer built from model.parameters() "
                   "will ever update it, state_dict() does not save it and .to() does not move it"))
        raise CheckFailed(
            plain.format(name=name, type=value.type, requires_grad=value.requires_grad,
                         listed=listed),
            _("`{name}` registered as a parameter").format(name=name),
            _("wrap the tensor in nn.Parameter when you assign it to the module: assigning an "
              "nn.Parameter to a module attribute is what registers it"),
            cause=f"registration:{name}",
        )
    if name == "bias" and name in info.none_parameters:
        raise CheckFailed(_("`bias` is registered as None although bias=True"),
                          _("a bias parameter of shape (out_features,)"),
                          _("create the bias parameter whenever bias is True; register None only "
                            "when bias is False"), cause="registration:bias-none")
    missing = (_("the layer has no `{name}` (named_parameters() lists {listed})") if listed else
               _("the layer has no `{name}` (named_parameters() lists nothing)"))
    raise CheckFailed(missing.format(name=name, listed=listed),
                      _("a parameter named `{name}`").format(name=name),
                      _("create self.{name} as an nn.Parameter in __init__").format(name=name),
                      cause=f"registration:{name}")


def layer_tensor(info, name: str = "weight") -> TensorInfo:
    """The layer's `name` tensor for checks about something else than registration (shapes,
    initialisation, forward, gradients): the registered parameter, or else the plain tensor
    attribute, so that a registration mistake costs the registration checks only."""
    value = info.attributes.get(name)
    if name not in info.parameters and isinstance(value, TensorInfo):
        return value
    return registered_weight(info, name)


def known_weights(layer: Remote, info, bias: bool, seed: int):
    """Give the layer weight and bias values the judge drew, in place, so that a check of the
    forward pass does not depend on the initialisation; returns (weight, bias) as set."""
    g = torch.Generator().manual_seed(seed)
    chosen = []
    for name in ("weight", "bias") if bias else ("weight",):
        tensor = layer_tensor(info, name)
        values = torch.randn(tensor.shape, generator=g).to(_dtype(tensor.dtype))
        layer.get(name, keep=True).method("copy_", values, no_grad=True)
        chosen.append(values)
    return chosen[0], (chosen[1] if bias else None)


def reference_forward(x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
    """y = x W^T + b with the judge's torch: (*, in) -> (*, out)."""
    y = torch.matmul(x, weight.transpose(0, 1))
    return y + bias if bias is not None else y


def uniform_bound(in_features: int) -> float:
    return 1.0 / math.sqrt(in_features)


def expect_drawn(values: torch.Tensor, bound: float, name: str) -> None:
    """Fail, naming the cause, when `values` cannot come from any uniform draw: not finite, or
    far outside the bound (what torch.empty leaves when reset_parameters is never called)."""
    finite = bool(torch.isfinite(values).all())
    worst = float(values.abs().max()) if finite and values.numel() else math.inf
    observed = (_("{name} holds values no uniform draw gives (some are not finite): it still "
                  "holds what torch.empty left in memory") if not finite else
                _("{name} holds values no uniform draw gives (up to {worst:.3g}): it still holds "
                  "what torch.empty left in memory"))
    expect(finite and worst <= 10 * bound,
           observed=observed.format(name=name, worst=worst),
           expected=_("values drawn from U(-{bound:.3f}, {bound:.3f})").format(bound=bound),
           fix=_("fill the parameters in reset_parameters, and call reset_parameters at the end "
                 "of __init__"), cause="init:not-drawn")


def forward_mistake(y, x: torch.Tensor, weight: torch.Tensor, bias) -> str | None:
    """Which classic wrong forward the output shows: "layout" (weight @ x.T), "no-bias"."""
    if not isinstance(y, torch.Tensor):
        return None
    out, inp = weight.shape
    reference = reference_forward(x, weight, bias)
    if x.dim() == 2 and tuple(y.shape) == (out, x.shape[0]):
        if out != x.shape[0] or torch.allclose(y.double(), reference.T.double(), atol=1e-5):
            return "layout"
    if bias is not None and tuple(y.shape) == tuple(reference_forward(x, weight, None).shape):
        if torch.allclose(y.double(), reference_forward(x, weight, None).double(), atol=1e-5):
            return "no-bias"
    return None


def forward_diagnosis(y, x: torch.Tensor, weight: torch.Tensor, bias) -> str | None:
    """The classic wrong forwards, recognised from the output, in a learner's words."""
    mistake = forward_mistake(y, x, weight, bias)
    if mistake == "layout":
        return _("the output has shape {shape} laid out as (out_features, batch): the "
                 "product is taken as weight times the input (weight @ x.T) instead of the "
                 "input times the transposed weight, so each row is one output feature "
                 "rather than one sample").format(shape=tuple(y.shape))
    if mistake == "no-bias":
        return _("the output equals x @ weight.T without the bias: the bias is never added")
    return None


def diagnosis_cause(y, x: torch.Tensor, weight: torch.Tensor, bias) -> str | None:
    """The cause of a recognised wrong forward, so that it is explained once."""
    mistake = forward_mistake(y, x, weight, bias)
    return f"forward:{mistake}" if mistake else None


def not_implemented(exc: LearnerError) -> bool:
    """The learner's code still raises NotImplementedError: the engine says so itself."""
    return exc.evidence.type == "NotImplementedError"


UNTRANSPOSED_CAUSE = "forward:untransposed"
# A forward whose output is cut from weight and bias (.data, .detach()): one mistake.
GRAD_CUT_CAUSE = "grad-flow:cut"


def untransposed_diagnosis(error: str, x: torch.Tensor, weight: torch.Tensor) -> str | None:
    """When the learner's forward raised exactly what the judge's own `x @ weight` raises on
    the same shapes, the forward multiplies by the weight as stored, (out_features,
    in_features), instead of by its transpose. The learner's message only words the
    diagnosis; it never earns a point."""
    try:
        torch.matmul(x, weight)
    except RuntimeError as exc:
        mine = str(exc).splitlines()[0] if str(exc) else ""
        if mine and mine in error:
            out, inp = weight.shape
            return _("forward raised {error}: x has shape {x_shape} and weight is "
                     "(out_features, in_features) = ({out}, {inp}), so x @ weight multiplies "
                     "{inp} input features by {out} rows; the product needs the transposed "
                     "weight, x @ weight.T, which is (in_features, out_features)").format(
                error=error, x_shape=tuple(x.shape), out=out, inp=inp)
    return None


def call_layer(layer: Remote, x: torch.Tensor, weight: torch.Tensor, *,
               action: str | None = None, keep: bool = False, sent=None):
    """layer(x) (or layer(sent), a handle on the learner side's copy of x), with a forward that
    raised because it multiplies by the untransposed weight diagnosed as such (one cause, so
    the checks after the first say it is the same mistake)."""
    try:
        return layer.call(x if sent is None else sent, keep=keep,
                          action=action or _("calling your layer")).value
    except LearnerError as exc:
        diagnosis = untransposed_diagnosis(exc.evidence.error, x, weight)
        if diagnosis is None:
            raise
        raise CheckFailed(diagnosis, _("x @ weight.T + bias, of shape (*, out_features)"),
                          _("multiply the input by the transposed weight (.T turns (out, in) into (in, out)), "
                            "then add the bias"), cause=UNTRANSPOSED_CAUSE) from None


def get_function(submission) -> Remote:
    fn = submission.lookup("LinearFunction")
    is_function = isinstance(fn, Remote) and fn.kind == "class" and fn.inherits(FUNCTION)
    expect(is_function,
           observed=_("LinearFunction is {value!r}").format(value=fn),
           expected=_("a subclass of torch.autograd.Function"),
           fix=_("declare `class LinearFunction(torch.autograd.Function):` with static forward "
                 "and backward methods"))
    return fn


def function_inputs(shape_x, in_features=5, out_features=3, *, bias=True, x_grad=True,
                    w_grad=True, seed=0):
    """float64 inputs for LinearFunction, drawn by the judge."""
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(*shape_x, in_features, dtype=torch.float64, generator=g).requires_grad_(x_grad)
    w = torch.randn(out_features, in_features, dtype=torch.float64,
                    generator=g).requires_grad_(w_grad)
    b = (torch.randn(out_features, dtype=torch.float64, generator=g).requires_grad_()
         if bias else None)
    return x, w, b


@dataclass
class FunctionRun:
    """LinearFunction.apply(x, weight, bias) and one backward pass, as the learner side did them."""

    x: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor | None
    output: torch.Tensor
    grad_fn: str | None
    upstream: torch.Tensor
    grads: dict[str, torch.Tensor | None]     # "x", "weight", "bias" -> .grad after backward
    forward_ops: tuple[str, ...]
    backward_ops: tuple[str, ...]
    x_requires_grad: bool
    w_requires_grad: bool = True


def run_function(submission, shape_x, in_features=4, out_features=3, *, bias=True,
                 x_grad=True, w_grad=True, seed=0, condition: str | None = None,
                 backward: bool = True, upstream: torch.Tensor | None = None) -> FunctionRun:
    """Forward and backward through the learner's LinearFunction, on the judge's inputs; the
    output is checked against x @ weight.T + bias first, so a function that ignores its inputs
    never gets as far as its gradients. `condition` (translated, "on a (2, 3, 4) input") says
    what sets this run apart; the feedback names the call and its backward with it. Without
    `backward`, only the forward runs (a check of the forward pass does not depend on the
    gradients); `upstream` replaces the judge's drawn grad_output."""
    fn = get_function(submission)
    x, w, b = function_inputs(shape_x, in_features, out_features, bias=bias, x_grad=x_grad,
                              w_grad=w_grad, seed=seed)
    remote = {"x": submission.tensor(x), "weight": submission.tensor(w),
              "bias": submission.tensor(b) if b is not None else None}
    call = (_("LinearFunction.apply(x, weight, bias) {condition}").format(condition=condition)
            if condition else "LinearFunction.apply(x, weight, bias)")
    try:
        answer = fn.call(remote["x"], remote["weight"], remote["bias"], method="apply",
                         keep=True, watch=True,
                         action=_("calling LinearFunction.apply(x, weight, bias)"))
    except LearnerError as exc:
        if not_implemented(exc):
            raise
        evidence = exc.evidence
        place = evidence.frames[-1].place() if evidence.frames else None
        failed = (_("{call} failed with {error} at {place}") if place else
                  _("{call} failed with {error}"))
        raise CheckFailed(failed.format(call=call, error=evidence.error, place=place),
                          _("an output of shape (*, out) for an input of shape (*, in), "
                            "whatever the leading dimensions (none, for a 1-D input)"),
                          _("in forward, compute x @ weight.T and add the bias when it is not "
                            "None: @ with the transposed weight works for 1-D, 2-D and 3-D "
                            "inputs alike"), cause=f"function-forward:{condition}") from None
    y = answer.value
    expect(isinstance(y, Remote) and y.kind == "tensor",
           observed=_("LinearFunction.apply returned {value!r}").format(value=y),
           expected=_("a tensor"),
           fix=_("return the output tensor from forward"))
    info = y.describe()
    reference = reference_forward(x.detach(), w.detach(), b.detach() if b is not None else None)
    expect_close(info.value, reference, what=call,
                 fix=_("in forward, compute x @ weight.T and add the bias when it is not None; "
                       "every output must depend on the inputs you are given"))
    if upstream is None:
        g = torch.Generator().manual_seed(seed + 100)
        upstream = torch.randn(reference.shape, dtype=torch.float64, generator=g)
    if not backward:
        return FunctionRun(x.detach(), w.detach(), b.detach() if b is not None else None,
                           info.value, info.grad_fn, upstream, {}, answer.ops, (), x_grad, w_grad)
    try:
        backward = y.call(upstream, method="backward", watch=True,
                          action=_("calling backward() on LinearFunction's output"))
    except LearnerError as exc:
        evidence = exc.evidence
        place = evidence.frames[-1].place() if evidence.frames else None
        if condition:
            failed = (_("backward {condition} failed with {error} at {place}") if place else
                      _("backward {condition} failed with {error}"))
        else:
            failed = (_("backward failed with {error} at {place}") if place else
                      _("backward failed with {error}"))
        # The same line failing the same way on other inputs is one mistake, said once.
        raise CheckFailed(failed.format(condition=condition, error=evidence.error, place=place),
                          _("one gradient per forward input, each shaped like that input"),
                          _(GRADIENT_FIX),
                          cause=f"function-backward:{evidence.type}:{place}" if place
                          else None) from None
    grads = {}
    for name, tensor in remote.items():
        grads[name] = tensor.describe().grad if tensor is not None else None
    return FunctionRun(x.detach(), w.detach(), b.detach() if b is not None else None,
                       info.value, info.grad_fn, upstream, grads, answer.ops, backward.ops,
                       x_grad, w_grad)


GRADIENT_FIX = N_("in backward, with y = x W^T + b: grad_x = grad_out @ W; grad_W = "
                  "grad_output^T @ x summed over every leading dimension (flatten both to 2-D "
                  "first); grad_b = grad_output summed over every dimension but the last; return "
                  "one gradient per forward input, in order, None for a bias that is None")


def expect_gradients(run: FunctionRun, what: str) -> None:
    """Each gradient the backward produced equals the formula's, on the same inputs; `what`
    (translated, "a (6, 4) input with bias") names the inputs in the feedback."""
    g, x, w = run.upstream, run.x, run.weight
    g2, x2 = g.reshape(-1, g.shape[-1]), x.reshape(-1, x.shape[-1])
    expected = {"x": g @ w, "weight": g2.T @ x2, "bias": g2.sum(0) if run.bias is not None else None}
    for name in ("x", "weight", "bias"):
        if expected[name] is None or (name == "x" and not run.x_requires_grad) or \
                (name == "weight" and not run.w_requires_grad):
            continue
        got = run.grads[name]
        label = {"x": "grad_x", "weight": "grad_W", "bias": "grad_b"}[name]
        if got is None:
            raise CheckFailed(_("after backward on {what}, {name}.grad is None: backward "
                                "returned None for {label}").format(what=what, name=name,
                                                                    label=label),
                              _("{label} computed from grad_output").format(label=label),
                              _(GRADIENT_FIX))
        if name == "weight" and x.dim() == 3 and tuple(got.shape) == tuple(w.shape):
            last = g[-1].T @ x[-1]
            if torch.allclose(got.double(), last, atol=1e-8):
                raise CheckFailed(_("on {what}, grad_W only holds the last sample of the leading "
                                    "dimension").format(what=what),
                                  _("grad_W summed over every leading dimension"),
                                  _(GRADIENT_FIX))
        try:
            expect_close(got, expected[name],
                         what=_("{label} on {what}").format(label=label, what=what),
                         fix=_(GRADIENT_FIX), rtol=1e-7, atol=1e-9)
        except CheckFailed as failure:
            # One wrong formula, met again on other inputs: said once, then "the same mistake".
            failure.cause = failure.cause or f"function-gradient:{label}"
            raise


def forbidden_ops(ops: tuple[str, ...]) -> list[str]:
    return sorted({FORBIDDEN_OPS[o] for o in ops if o in FORBIDDEN_OPS})


def forbidden_in_source(submission, class_name: str) -> list[str]:
    """Forbidden names that the class's own source uses (nn.Linear, F.linear, ...)."""
    node = static.definition(submission.sources, class_name)
    used = static.dotted_names(node)
    found = {label for name, label in FORBIDDEN_NAMES.items()
             if name in used and name != "linear"}
    if "linear" in used and not any(n.endswith(".linear") for n in used if n != "linear"):
        found.add(_(IMPORTED_LINEAR))
    return sorted(found)


def expect_no_forbidden(found: list[str], what: str) -> None:
    expect(not found,
           observed=_("{what} uses {names}").format(what=what, names=", ".join(found)),
           expected=_("the affine map written with tensor operations (matmul, @, +, addmm)"),
           fix=_("compute the product of the input and the transposed weight yourself, then add "
                 "the bias; the point of the exercise is to build what nn.Linear and F.linear "
                 "do, not to call them"))


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def forward_case(submission, in_f, out_f, x_shape, what, bias=True):
    layer = make_layer(submission, in_f, out_f, bias=bias, seed=2)
    weight, b = known_weights(layer, layer.describe(values=False), bias, seed=2)
    x = torch.randn(*x_shape, generator=generator(2))
    y = call_layer(layer, x, weight)
    diagnosis = forward_diagnosis(y, x, weight, b)
    fix = _("forward maps (*, in_features) to (*, out_features): a product with the transposed "
            "weight works for any number of leading dimensions; then add the bias if there is "
            "one")
    expect(diagnosis is None, observed=diagnosis or "",
           expected=_("{what}: x @ weight.T (+ bias)").format(what=what), fix=fix,
           cause=diagnosis_cause(y, x, weight, b))
    expect_close(y, reference_forward(x, weight, b), what=what, fix=fix)


AUTOGRAD_CALLS = ("autograd.grad", "autograd.backward", "enable_grad", "functional.vjp",
                  "functional.jacobian", "backward")


# -- nn.Linear itself: evidence, from the judge's own reading and from the learner side --------

NN_LINEAR_CAUSE = "forbidden:nn-linear"
# The classes that are nn.Linear or inherit from it (by the last part of their dotted name, under
# torch): what `class Linear(...)` must not be built on.
_LINEAR_CLASSES = ("Linear", "LazyLinear", "NonDynamicallyQuantizableLinear")
DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
          "float64": torch.float64}


def _dtype(name: str) -> torch.dtype:
    """A dtype the learner side described, as one of the judge's (float32 if unknown)."""
    return DTYPES.get(name, torch.float32)


def _is_linear_path(path: str | None) -> bool:
    return bool(path) and path.startswith("torch.") and path.rsplit(".", 1)[-1] in _LINEAR_CLASSES


def _statements(tree: ast.AST):
    """Top-level statements, and those inside if/try/with blocks at top level, in order."""
    for node in tree.body:
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            for inner in getattr(node, field, []) if not isinstance(
                    node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) else []:
                if isinstance(inner, ast.ExceptHandler):
                    yield from inner.body
                else:
                    yield inner


def static_linear_evidence(sources: dict[int, str], labels: dict[int, str],
                           name: str = "Linear") -> list[str]:
    """What the cells, as the judge read them, say about `name`: built on nn.Linear (its class
    statement's bases, followed through aliases, imports and the cells' own classes), nn.Linear
    itself under that name, or holding an nn.Linear it creates. Plain reading, no code run."""
    env: dict[str, object] = {"torch": "torch", "nn": "torch.nn"}

    def resolve(node) -> object:
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if isinstance(node, ast.Attribute):
            head = resolve(node.value)
            return f"{head}.{node.attr}" if isinstance(head, str) else None
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "getattr" and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            head = resolve(node.args[0])
            return f"{head}.{node.args[1].value}" if isinstance(head, str) else None
        return None

    def linear(value) -> bool:
        return (isinstance(value, str) and _is_linear_path(value)) or \
            (isinstance(value, dict) and value["linear"])

    def makes_linear(body: list) -> bool:
        return any(isinstance(sub, ast.Call) and linear(resolve(sub.func))
                   for stmt in body for sub in ast.walk(stmt))

    for index in sorted(sources):
        tree = static._parse(sources[index])
        for node in (_statements(tree) if tree else ()):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        env[alias.asname] = alias.name
                    else:
                        env[alias.name.split(".")[0]] = alias.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    if alias.name == "*":
                        for cls in _LINEAR_CLASSES:
                            env[cls] = f"{node.module}.{cls}"
                    else:
                        env[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.ClassDef):
                bases = [resolve(b) for b in node.bases]
                env[node.name] = {
                    "linear": any(linear(b) for b in bases),
                    "holds": makes_linear(node.body) or any(
                        isinstance(b, dict) and b["holds"] for b in bases),
                    "cell": index}
            elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = resolve(node.value)
                if (isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name)
                        and node.value.func.id == "type" and len(node.value.args) >= 2
                        and isinstance(node.value.args[1], (ast.Tuple, ast.List))):
                    value = {"linear": any(linear(resolve(e)) for e in node.value.args[1].elts),
                             "holds": False, "cell": index}
                for target in targets:
                    if isinstance(target, ast.Name):
                        env[target.id] = value
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                env[node.name] = None
    found = env.get(name)
    where = (labels.get(found["cell"]) or _("code cell {number}").format(number=found["cell"])
             if isinstance(found, dict) else "")
    if isinstance(found, str) and _is_linear_path(found):
        return [_("`{name}` is torch's own {path}").format(name=name, path=found)]
    if isinstance(found, dict) and found["linear"]:
        return [_("the class statement of `{name}` ({where}) inherits from nn.Linear").format(
            name=name, where=where)]
    if isinstance(found, dict) and found["holds"]:
        return [_("`{name}` ({where}) creates an nn.Linear inside").format(name=name, where=where)]
    return []


WATCH_MARKS = {
    "kit::fork": N_("it forked a process while it ran, and what a child process computes is out "
                    "of the grader's sight"),
    "kit::unwatched": N_("the grader's operator watch was stopped while it ran"),
    "kit::truncated": N_("it ran more distinct operators than the grader can list"),
}


def watch_findings(ops: tuple[str, ...]) -> list[str]:
    """What the operators seen during a call say against it: forbidden operators, and the
    watch's own marks (a fork, a stopped watch, too many operators to list)."""
    found = [_("it ran {name} (aten::linear)").format(name=name) for name in forbidden_ops(ops)]
    return found + [translate(text) for mark, text in WATCH_MARKS.items() if mark in ops]


def nn_linear_evidence(submission) -> list[str]:
    """Why the learner's `Linear` counts as nn.Linear, once per submission: the judge's own
    reading of the class statement (see static_linear_evidence); the class's bases as the
    learner side reports them; an nn.Linear among the submodules of a layer it builds; the
    operators seen while it builds Linear(4, 3) and runs it on the judge's input. Evidence only
    ever takes points away: a layer that shows none still earns each check from values."""
    cached = getattr(submission, "_nn_linear_evidence", None)
    if cached is not None:
        return cached
    found = static_linear_evidence(submission.sources, submission.labels)
    try:
        cls = submission.lookup("Linear")
    except CheckFailed:
        cls = None
    if isinstance(cls, Remote) and cls.inherits(LINEAR):
        found.append(_("the class `Linear` inherits from nn.Linear"))
    if isinstance(cls, Remote) and cls.kind in ("class", "function"):
        try:
            built = cls.call(4, 3, keep=True, watch=True, seed=6,
                             action=_("creating Linear(4, 3)"))
            ops = list(built.ops)
            layer = built.value
            if isinstance(layer, Remote) and layer.kind == "module":
                if layer.inherits(LINEAR) and not found:
                    found.append(_("the layer `Linear(4, 3)` builds is an nn.Linear"))
                info = layer.describe(values=False)
                inner = [n for n, m in info.modules if n and m.inherits(LINEAR)]
                if inner:
                    found.append(_("the layer holds nn.Linear submodules: {inner}").format(
                        inner=inner))
                ops += layer.call(torch.randn(2, 4, generator=generator(6)), watch=True,
                                  action=_("calling your layer")).ops
            found += [_("building and calling Linear: {finding}").format(finding=f)
                      for f in watch_findings(tuple(ops))]
        except (LearnerError, CheckFailed):
            pass   # a layer that does not build or run yet: the checks say why
    submission._nn_linear_evidence = found
    return found


def expect_own_linear(submission) -> None:
    """Fail every check of the layer for a Linear that is, or inherits from, or runs nn.Linear
    or F.linear: whatever it computes, nn.Linear computed it, so it earns none of the points
    nn.Linear would earn."""
    evidence = nn_linear_evidence(submission)
    expect(not evidence,
           observed=_("your Linear is built on nn.Linear / torch.nn.functional.linear, so what "
                      "it computes is torch's, not yours: {evidence}").format(
               evidence="; ".join(evidence)),
           expected=_("a Linear written from scratch: a subclass of nn.Module only, holding its "
                      "own nn.Parameters and computing the affine map with tensor operations"),
           fix=_("declare `class Linear(nn.Module):`, create weight and bias yourself and "
                 "compute x @ weight.T + bias in forward; no check of the layer gives points "
                 "for what nn.Linear does"),
           cause=NN_LINEAR_CAUSE)


# -- registration, verified through an optimizer ---------------------------------------------

def read_tensor(layer: Remote, name: str, what: str | None = None) -> torch.Tensor:
    """The values `layer.<name>` holds, as a tensor the judge owns."""
    try:
        value = layer.get(name)
    except LearnerError as exc:
        raise CheckFailed(_("reading layer.{name} failed: {error}").format(
                              name=name, error=exc.evidence.error),
                          _("a tensor attribute `{name}`").format(name=name),
                          _("create self.{name} as an nn.Parameter in __init__").format(
                              name=name), cause=f"registration:{name}") from None
    if not isinstance(value, torch.Tensor):
        raise CheckFailed(_("layer.{name} is {value!r}").format(name=name, value=value),
                          _("a tensor attribute `{name}`").format(name=name),
                          _("create self.{name} as an nn.Parameter in __init__").format(
                              name=name), cause=f"registration:{name}")
    return plain(value, what=what or f"layer.{name}")


def expect_step_moves(submission, layer: Remote, names: tuple[str, ...], *, seed: int,
                      lr: float = 0.25) -> None:
    """Registration, verified: the judge writes values of its own into `names`, asks for one
    SGD step (at a learning rate it chose) of an optimizer built over the parameters the module
    registered, on gradients it chose (the loss is sum(getattr(layer, name) * G)), reads the
    values back and compares them with its own update W - lr * G. A tensor that is not
    registered keeps its value; the feedback explains why from the layer's description."""
    info = layer.describe(values=False)
    g = generator(seed)
    start, grads = {}, {}
    for name in names:
        tensor = layer_tensor(info, name)
        dtype = _dtype(tensor.dtype)
        start[name] = torch.randn(tensor.shape, generator=g).to(dtype)
        grads[name] = torch.randn(tensor.shape, generator=g).to(dtype)
        layer.get(name, keep=True).method("copy_", start[name], no_grad=True)
    submission.instrument("gradient_step", _("taking one SGD step on model.parameters()"),
                          module=layer, grads=grads, lr=lr)
    for name in names:
        after = read_tensor(layer, name)
        expected = start[name] - lr * grads[name]
        if tuple(after.shape) == tuple(expected.shape) and torch.allclose(
                after.double(), expected.double(), rtol=1e-5, atol=1e-6):
            continue
        if tuple(after.shape) == tuple(expected.shape) and torch.equal(after, start[name]):
            registered_weight(info, name)   # explains a plain tensor or a missing parameter
            p = info.parameters[name]
            raise CheckFailed(
                _("an SGD optimizer built from model.parameters() took a step and `{name}` "
                  "kept its value (requires_grad={requires_grad})").format(
                    name=name, requires_grad=p.requires_grad),
                _("`{name}` updated by the step: the value minus lr times its gradient").format(
                    name=name),
                _("create self.{name} as nn.Parameter(tensor) and keep requires_grad at its "
                  "default (True)").format(name=name), cause=f"registration:{name}")
        expect_close(after, expected,
                     what=_("`{name}` after one SGD step on model.parameters()").format(name=name),
                     fix=_("register {name} once, as an nn.Parameter, and let the optimizer "
                           "update it").format(name=name))
