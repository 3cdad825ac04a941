"""
Misconception: inside an autograd.Function, forward may call F.linear (the point is to write the map by hand).
Caught by: linear/function_backward_is_its_own
Mentions: torch.nn.functional.linear
"""
import torch
import torch.nn.functional as F


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight, bias)
        return F.linear(x, weight, bias)

    @staticmethod
    def backward(ctx, grad_output):
        x, weight, bias = ctx.saved_tensors
        g2 = grad_output.reshape(-1, grad_output.shape[-1])
        grad_bias = g2.sum(0) if bias is not None else None
        return grad_output @ weight, g2.T @ x.reshape(-1, x.shape[-1]), grad_bias
