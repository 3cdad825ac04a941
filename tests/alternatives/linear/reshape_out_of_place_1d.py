"""A correct solution written the way the issue's honest learners wrote it: the 1-D case made a
batch out of place (unsqueeze, then squeeze), the product over a flattened 2-D view (which also
handles an empty batch), the transpose computed in forward each time, and a Function that
handles a 1-D input explicitly and uses needs_input_grad."""
import math

import torch
from torch import nn


class Linear(nn.Module):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = nn.Parameter(torch.empty((out_features, in_features), device=device,
                                               dtype=dtype))
        if bias:
            self.bias = nn.Parameter(torch.empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        k = 1 / math.sqrt(self.in_features)
        with torch.no_grad():
            self.weight.uniform_(-k, k)
            if self.bias is not None:
                self.bias.uniform_(-k, k)

    def forward(self, x):
        single = x.dim() == 1
        if single:
            x = x.unsqueeze(0)
        flat = x.reshape(-1, self.in_features)
        y = flat.matmul(self.weight.t())
        if self.bias is not None:
            y = y + self.bias
        y = y.reshape(*x.shape[:-1], self.out_features)
        return y.squeeze(0) if single else y

    def extra_repr(self):
        return "in_features={}, out_features={}, bias={}".format(
            self.in_features, self.out_features, self.bias is not None)


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        ctx.with_bias = bias is not None
        y = x.matmul(weight.t())
        return y + bias if bias is not None else y

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        if x.dim() == 1:
            g2, x2 = grad_output.unsqueeze(0), x.unsqueeze(0)
        else:
            g2, x2 = grad_output.reshape(-1, weight.shape[0]), x.reshape(-1, weight.shape[1])
        grad_x = grad_output.matmul(weight) if ctx.needs_input_grad[0] else None
        grad_w = g2.t().matmul(x2) if ctx.needs_input_grad[1] else None
        grad_b = g2.sum(0) if ctx.with_bias and ctx.needs_input_grad[2] else None
        return grad_x, grad_w, grad_b
