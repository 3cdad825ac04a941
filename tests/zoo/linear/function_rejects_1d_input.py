"""
Misconception: LinearFunction only ever sees batches, so backward may flatten the leading dimensions with flatten(0, -2); a 1-D input, which the docstring's (*, in) allows, then fails in backward.
Caught by: linear/function_1d_input
Mentions: (4,), 1-D
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
        g2 = grad_output.flatten(0, -2)
        grad_x = grad_output @ weight
        grad_weight = g2.T @ x.flatten(0, -2)
        grad_bias = g2.sum(0) if bias is not None else None
        return grad_x, grad_weight, grad_bias
