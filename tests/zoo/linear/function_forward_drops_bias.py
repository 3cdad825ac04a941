"""
Misconception: the bias is the Function's business only in backward (its gradient is there), so forward may return x @ W.T alone; the layer's output then misses the bias whenever one is given.
Caught by: linear/function_forward
Mentions: bias
"""
import torch


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight, bias)
        return x @ weight.T

    @staticmethod
    def backward(ctx, grad_output):
        x, weight, bias = ctx.saved_tensors
        g2 = grad_output.reshape(-1, grad_output.shape[-1])
        grad_x = grad_output @ weight
        grad_bias = g2.sum(0) if bias is not None else None
        return grad_x, g2.T @ x.reshape(-1, x.shape[-1]), grad_bias
