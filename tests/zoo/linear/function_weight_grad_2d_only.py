"""
Misconception: the weight gradient is grad_output.T @ x, which only holds for 2-D inputs (3-D needs a sum over all leading dims).
Caught by: linear/function_gradcheck_3d
Mentions: leading dimension
"""
import torch


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight, bias)
        y = x @ weight.T
        return y + bias if bias is not None else y

    @staticmethod
    def backward(ctx, grad_output):
        x, weight, bias = ctx.saved_tensors
        grad_weight = grad_output.transpose(-1, -2) @ x
        if grad_weight.dim() > 2:
            grad_weight = grad_weight[0]
        grad_bias = grad_output.sum(0) if bias is not None else None
        if grad_bias is not None and grad_bias.dim() > 1:
            grad_bias = grad_bias.sum(0)
        return grad_output @ weight, grad_weight, grad_bias
