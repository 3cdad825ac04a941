"""What both grader files of `batchnorm` share: building the learner's layer, the judge's own
references, and the classic mistakes recognised from the values the learner's layer produced.

Every point is earned by a value the judge checked against its own torch (nn.BatchNorm1d or
F.batch_norm) on inputs and states it chose: outputs, running statistics read back after
batches it sent, state_dicts loaded in either direction. What the learner side says about itself
(types, bases, names, the operators it ran) only takes points away or explains a failure.
"""
from __future__ import annotations

import torch
from torch import nn

from autograder.judge_side import static
from autograder.judge_side.checks import CheckFailed, expect, expect_close, plain
from autograder.judge_side.client import LearnerError, Remote, TensorInfo
from autograder.i18n import _

BATCHNORM = "torch.nn.modules.batchnorm._BatchNorm"
FORBIDDEN_NAMES = ("nn.BatchNorm1d", "BatchNorm1d", "F.batch_norm", "functional.batch_norm",
                   "torch.batch_norm", "_BatchNorm", "torch.native_batch_norm")
FORBIDDEN_OPS = ("aten::batch_norm", "aten::native_batch_norm", "aten::_batch_norm_impl_index",
                 "aten::_native_batch_norm_legit", "aten::_native_batch_norm_legit_no_training",
                 "aten::cudnn_batch_norm", "aten::_batch_norm_with_update",
                 "aten::_batch_norm_no_update")
STATS = ("running_mean", "running_var", "num_batches_tracked")
FORBIDDEN_CAUSE = "forbidden-api:batchnorm"


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def batch(shape, seed: int, scale: float = 2.0, shift: float = 1.0) -> torch.Tensor:
    """A batch whose channels have different means and spreads (so that no statistic is 0 or 1)."""
    g = generator(seed)
    x = torch.randn(*shape, generator=g)
    channels = shape[1]
    spread = torch.linspace(0.5, scale, channels).reshape((1, -1) + (1,) * (len(shape) - 2))
    offset = torch.linspace(-shift, shift, channels).reshape((1, -1) + (1,) * (len(shape) - 2))
    return x * spread + offset


def _own_evidence(submission) -> list[str]:
    cached = getattr(submission, "_batchnorm_evidence", None)
    if cached is not None:
        return cached
    found = []
    node = static.definition(submission.sources, "BatchNorm1d")
    if node is not None:
        names = static.dotted_names(node)
        used = sorted(n for n in names if n in FORBIDDEN_NAMES or n.endswith(
            ("nn.BatchNorm1d", "functional.batch_norm", "torch.batch_norm", "_BatchNorm")))
        used = [n for n in used if n != "BatchNorm1d"]
        if used:
            found.append(_("the class statement of BatchNorm1d uses {names}").format(
                names=", ".join(used)))
    try:
        cls = submission.lookup("BatchNorm1d")
    except CheckFailed:
        cls = None
    if isinstance(cls, Remote) and cls.inherits(BATCHNORM):
        found.append(_("the class `BatchNorm1d` inherits from nn.BatchNorm1d"))
    if isinstance(cls, Remote) and cls.kind == "class" and not found:
        try:
            built = cls.call(3, keep=True, seed=0, action=_("creating BatchNorm1d(3)"))
            layer = built.value
            if isinstance(layer, Remote) and layer.kind == "module":
                ops = layer.call(batch((4, 3), 0), watch=True,
                                 action=_("calling BatchNorm1d(3) on a (4, 3) batch")).ops
                seen = sorted({op for op in ops if op in FORBIDDEN_OPS})
                if seen:
                    found.append(_("its forward runs {ops}, which is F.batch_norm").format(
                        ops=", ".join(seen)))
        except (LearnerError, CheckFailed):
            pass        # a layer that cannot be built or run fails the checks on its own
    submission._batchnorm_evidence = found
    return found


def make_layer(submission, *args, seed: int | None = 0, **kwargs) -> Remote:
    """The learner's BatchNorm1d(*args, **kwargs), refused when it is torch's own."""
    evidence = _own_evidence(submission)
    expect(not evidence,
           observed=_("your BatchNorm1d is built on nn.BatchNorm1d / F.batch_norm, so what it "
                      "computes is torch's, not yours: {evidence}").format(
               evidence="; ".join(evidence)),
           expected=_("a BatchNorm1d written from scratch: a subclass of nn.Module only, with "
                      "its own parameters and buffers, normalising with tensor operations"),
           fix=_("declare `class BatchNorm1d(nn.Module):` and compute the statistics yourself "
                 "(mean, var); no check gives points for what nn.BatchNorm1d does"),
           cause=FORBIDDEN_CAUSE)
    layer = submission.new("BatchNorm1d", *args, seed=seed, **kwargs)
    expect(layer.kind == "module",
           observed=_("BatchNorm1d(...) built an object of type {type}").format(type=layer.type),
           expected=_("an nn.Module subclass"),
           fix=_("declare the class as `class BatchNorm1d(nn.Module):` and call "
                 "super().__init__()"))
    return layer


def reference(num_features: int, **kwargs) -> nn.BatchNorm1d:
    """The judge's own layer."""
    return nn.BatchNorm1d(num_features, **kwargs)


def chosen(num_features: int, seed: int) -> dict[str, torch.Tensor]:
    """Parameter and statistic values the judge drew (none of them the initial ones)."""
    g = generator(seed)
    return {"weight": torch.randn(num_features, generator=g) + 1.0,
            "bias": torch.randn(num_features, generator=g),
            "running_mean": torch.randn(num_features, generator=g),
            "running_var": torch.rand(num_features, generator=g) * 2 + 0.5,
            "num_batches_tracked": torch.tensor(5, dtype=torch.long)}


def reference_with(num_features: int, values: dict, **kwargs) -> nn.BatchNorm1d:
    ref = reference(num_features, **kwargs)
    own = ref.state_dict()
    ref.load_state_dict({k: values[k] for k in own}, strict=True)
    return ref


def set_values(layer: Remote, values: dict, names) -> None:
    """Write the judge's values into the layer's tensors in place (plain attributes too, so that
    a registration mistake costs the registration checks only)."""
    for name in names:
        try:
            target = layer.get(name, keep=True)
        except LearnerError:
            continue
        if isinstance(target, Remote) and target.kind == "tensor":
            try:
                target.method("copy_", values[name], no_grad=True)
            except LearnerError:
                pass


def run(layer: Remote, x: torch.Tensor, what: str):
    """layer(x) as a tensor the judge owns."""
    return plain(layer.call(x, action=_("calling your layer on {what}").format(what=what)).value,
                 what=what)


def read(layer: Remote, name: str) -> torch.Tensor | None:
    """The values layer.<name> holds (None when it is not a tensor)."""
    try:
        value = layer.get(name)
    except LearnerError:
        return None
    if isinstance(value, torch.Tensor):
        return plain(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(value)
    return None


def close(a, b, atol: float = 1e-4) -> bool:
    return (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)
            and tuple(a.shape) == tuple(b.shape)
            and bool(torch.allclose(a.double(), b.double(), rtol=1e-4, atol=atol)))


def dims_of(x: torch.Tensor) -> tuple[int, ...]:
    return (0,) if x.dim() == 2 else (0, 2)


def _normalise(x, mean, var, eps, weight, bias, *, eps_outside=False):
    shape = (1, -1) + (1,) * (x.dim() - 2)
    denominator = (var.sqrt() + eps) if eps_outside else (var + eps).sqrt()
    y = (x - mean.reshape(shape)) / denominator.reshape(shape)
    if weight is not None:
        y = y * weight.reshape(shape) + bias.reshape(shape)
    return y


def train_mistake(y, x, weight, bias, eps, running_mean=None, running_var=None) -> str | None:
    """Which classic wrong train-mode forward the output shows, in the learner's words
    (`running_mean`, `running_var`: the statistics the layer held before the batch)."""
    d = dims_of(x)
    mean, biased = x.mean(dim=d), x.var(dim=d, unbiased=False)
    unbiased = x.var(dim=d, unbiased=True)
    if close(y, _normalise(x, mean, biased, eps, weight, bias), atol=1e-5):
        return None
    if running_mean is not None:
        # Normalising with the running statistics, before or after this batch's update.
        for rm, rv in ((running_mean, running_var),
                       (0.9 * running_mean + 0.1 * mean, 0.9 * running_var + 0.1 * unbiased)):
            if close(y, _normalise(x, rm, rv, eps, weight, bias)):
                return _("in train mode the output is normalised with the running statistics: "
                         "train mode normalises with the statistics of the batch itself")
    if close(y, _normalise(x, mean, unbiased, eps, weight, bias)):
        return _("the output is normalised with the unbiased variance (divided by n - 1): "
                 "normalising uses the biased variance of the batch (divided by n, "
                 "var(unbiased=False)); only the running update uses the unbiased one")
    if close(y, _normalise(x, mean, biased, eps, weight, bias, eps_outside=True)):
        return _("the output equals (x - mean) / (sqrt(var) + eps): eps is added outside the "
                 "square root; it belongs inside, (x - mean) / sqrt(var + eps)")
    if weight is not None and close(y, _normalise(x, mean, biased, eps, None, None)):
        return _("the output is normalised but weight and bias are never applied: y = x_hat * "
                 "weight + bias")
    if x.dim() == 3:
        for wrong in ((0,), (0, 1), (2,), (1, 2)):
            if isinstance(y, torch.Tensor) and tuple(y.shape) == tuple(x.shape):
                m, v = x.mean(dim=wrong, keepdim=True), x.var(dim=wrong, unbiased=False,
                                                                keepdim=True)
                w = weight.reshape(1, -1, 1) if weight is not None else 1
                b = bias.reshape(1, -1, 1) if bias is not None else 0
                if close(y, (x - m) / (v + eps).sqrt() * w + b):
                    return _("on a (N, C, L) input the statistics are taken over dims {dims}: "
                             "each channel's mean and variance are over the batch and the "
                             "length, dims (0, 2)").format(dims=wrong)
    return None


def expect_output(y, expected, what: str, fix: str, mistake: str | None, cause: str) -> None:
    expect(mistake is None, observed=mistake or "", expected=_("{what} as nn.BatchNorm1d computes "
                                                               "it").format(what=what),
           fix=fix, cause=cause if mistake else None)
    expect_close(y, expected, what=what, fix=fix, rtol=1e-4, atol=1e-5)


def update_mistake(observed, x, start_mean, start_var, momentum, steps_done=1) -> str | None:
    """Which classic wrong running update the running_var/mean shows (one batch from start)."""
    d = dims_of(x)
    mean, biased = x.mean(dim=d), x.var(dim=d, unbiased=False)
    unbiased = x.var(dim=d, unbiased=True)
    m = momentum
    mean_obs, var_obs = observed
    if (close(mean_obs, (1 - m) * start_mean + m * mean, atol=1e-5)
            and close(var_obs, (1 - m) * start_var + m * unbiased, atol=1e-5)):
        return None
    if close(var_obs, (1 - m) * start_var + m * biased):
        return _("running_var moved towards the biased variance of the batch (divided by n): "
                 "the running update uses the unbiased one (divided by n - 1), as "
                 "nn.BatchNorm1d does")
    if close(mean_obs, m * start_mean + (1 - m) * mean):
        return _("running_mean = momentum * old + (1 - momentum) * batch: the momentum is the "
                 "wrong way round; in PyTorch's convention new = (1 - momentum) * old + momentum "
                 "* batch, so momentum is the weight of the new batch")
    if close(mean_obs, start_mean) and close(var_obs, start_var):
        return _("the running statistics did not change after a batch in train mode")
    if x.dim() == 3:
        n_wrong = x.shape[0]
        if n_wrong > 1 and close(var_obs, (1 - m) * start_var + m * biased * n_wrong / (n_wrong - 1)):
            return _("running_var used the correction n / (n - 1) with n = N, the batch size; "
                     "on a (N, C, L) input each channel has n = N * L values")
        wrong = x.var(dim=(0,), unbiased=True).mean(dim=1)
        if close(var_obs, (1 - m) * start_var + m * wrong):
            return _("on a (N, C, L) input the running statistics are taken over the wrong "
                     "dimensions: each channel's are over dims (0, 2)")
    return None


def expect_stats(layer: Remote, ref: nn.BatchNorm1d, what: str, fix: str,
                 mistake: str | None = None, cause: str | None = None,
                 counted: tuple | None = None) -> None:
    """The layer's running statistics and count equal the judge's reference's; with `counted`
    (the count the layer held before, the batches since), the count is checked against the
    layer's own start, so that a count the judge could not set costs the buffer checks only."""
    expect(mistake is None, observed=mistake or "",
           expected=_("{what} as nn.BatchNorm1d has them").format(what=what), fix=fix,
           cause=cause if mistake else None)
    for name in STATS:
        value = read(layer, name)
        expected = getattr(ref, name)
        if name == "num_batches_tracked" and counted is not None and counted[0] is not None:
            expected = counted[0].reshape(()).long() + counted[1]
        expect(value is not None,
               observed=_("the layer has no tensor `{name}`").format(name=name),
               expected=_("a buffer `{name}`").format(name=name),
               fix=_("create {name} with self.register_buffer in __init__").format(name=name))
        expect_close(value.reshape(expected.shape) if value.numel() == expected.numel() else value,
                     expected, what=_("{name} after {what}").format(name=name, what=what),
                     fix=fix, rtol=1e-4, atol=1e-5)


def registered_buffers(info, names=STATS) -> None:
    """Each of `names` is a buffer, or a CheckFailed that explains registration."""
    for name in names:
        if name in info.buffers:
            continue
        value = info.attributes.get(name)
        if name in info.parameters:
            observed = _("`{name}` is an nn.Parameter: parameters() lists it, so an optimizer "
                         "would change it by gradients").format(name=name)
        elif isinstance(value, TensorInfo) or isinstance(value, (int, float)):
            observed = _("`{name}` is a plain attribute, not a buffer: state_dict() does not "
                         "save it, load_state_dict() does not restore it and .to() does not "
                         "move it").format(name=name)
        else:
            observed = _("the layer has no buffer `{name}` (buffers: {listed})").format(
                name=name, listed=sorted(info.buffers))
        raise CheckFailed(observed, _("`{name}` registered as a buffer").format(name=name),
                          _("create it with self.register_buffer(\"{name}\", tensor) in "
                            "__init__").format(name=name), cause=f"buffers:{name}")


def registered_parameter(info, name: str) -> None:
    if name in info.parameters:
        return
    value = info.attributes.get(name)
    if isinstance(value, TensorInfo):
        observed = _("`{name}` is a plain {type} (requires_grad={requires_grad}), not an "
                     "nn.Parameter: parameters() does not list it, so no optimizer built from "
                     "model.parameters() updates it").format(
            name=name, type=value.type, requires_grad=value.requires_grad)
    elif name in info.buffers:
        observed = _("`{name}` is a buffer: no optimizer built from model.parameters() updates "
                     "it").format(name=name)
    else:
        observed = _("the layer has no parameter `{name}` (named_parameters() lists {listed})"
                     ).format(name=name, listed=sorted(info.parameters))
    raise CheckFailed(observed, _("`{name}` registered as an nn.Parameter").format(name=name),
                      _("wrap the tensor in nn.Parameter when you assign it to the module"),
                      cause=f"registration:{name}")


def load(layer: Remote, state: dict, what: str) -> None:
    """layer.load_state_dict(state) (strict), a failure worded for the learner."""
    try:
        layer.load_state_dict(state)
    except LearnerError as exc:
        raise CheckFailed(
            _("loading {what} into your layer failed: {error}").format(
                what=what, error=exc.evidence.error),
            _("a layer with nn.BatchNorm1d's parameters and buffers, so that its state_dict "
              "loads"),
            _("register weight and bias as parameters and running_mean, running_var, "
              "num_batches_tracked as buffers, with nn.BatchNorm1d's shapes and dtypes"),
            cause="buffers:load") from None
