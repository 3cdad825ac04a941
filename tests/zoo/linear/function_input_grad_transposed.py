"""
Misconception: the input gradient is grad_output @ weight.T (the forward's matrix again) instead of grad_output @ weight.
Caught by: linear/function_gradcheck_2d
Mentions: grad_x = grad_out @ W
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
        g2 = grad_output.reshape(-1, grad_output.shape[-1])
        grad_x = grad_output @ weight.T  # (*, out) @ (in, out): only valid when in == out
        grad_bias = g2.sum(0) if bias is not None else None
        return grad_x, g2.T @ x.reshape(-1, x.shape[-1]), grad_bias
