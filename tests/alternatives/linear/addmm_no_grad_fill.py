"""A correct solution in another idiom: filling under torch.no_grad, addmm on a 2-D view, and
a Function that skips the gradients autograd does not need."""
import math

import torch
import torch.nn as nn
from torch.nn import Parameter


class Linear(nn.Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device=None, dtype=None) -> None:
        super().__init__()
        kw = dict(device=device, dtype=dtype)
        self.in_features, self.out_features = in_features, out_features
        self.register_parameter("weight", Parameter(torch.empty(out_features, in_features, **kw)))
        self.register_parameter("bias", Parameter(torch.empty(out_features, **kw)) if bias else None)
        self.reset_parameters()

    @torch.no_grad()
    def reset_parameters(self) -> None:
        k = 1.0 / math.sqrt(self.in_features)
        self.weight.uniform_(-k, k)
        if self.bias is not None:
            self.bias.uniform_(-k, k)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        flat = input.reshape(-1, self.in_features)
        if self.bias is None:
            out = flat.mm(self.weight.t())
        else:
            out = torch.addmm(self.bias, flat, self.weight.t())
        return out.reshape(*input.shape[:-1], self.out_features)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight)
        ctx.bias_given = bias is not None
        out = input.matmul(weight.t())
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, grad_output):
        input, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        g = grad_output.reshape(-1, weight.shape[0])
        grad_input = grad_output.matmul(weight) if need_x else None
        grad_weight = g.t().mm(input.reshape(-1, weight.shape[1])) if need_w else None
        grad_bias = g.sum(0) if (ctx.bias_given and need_b) else None
        return grad_input, grad_weight, grad_bias
