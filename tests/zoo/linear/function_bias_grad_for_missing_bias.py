"""
Misconception: backward may return a bias gradient even when the bias is None.
Caught by: linear/function_gradcheck_without_bias
Mentions: None
"""
import torch


class LinearFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        ctx.save_for_backward(x, weight)
        y = x @ weight.T
        return y + bias if bias is not None else y

    @staticmethod
    def backward(ctx, grad_output):
        x, weight = ctx.saved_tensors
        g2 = grad_output.reshape(-1, grad_output.shape[-1])
        return grad_output @ weight, g2.T @ x.reshape(-1, x.shape[-1]), g2.sum(0)
