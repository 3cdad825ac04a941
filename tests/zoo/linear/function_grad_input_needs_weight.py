"""
Misconception: the input's gradient is needed when the weight needs one (ctx.needs_input_grad indexed by the wrong input), so a frozen weight loses the gradient that earlier layers need.
Caught by: linear/function_input_without_grad
Mentions: needs_input_grad, frozen weight
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
        grad_x = grad_output @ weight if ctx.needs_input_grad[1] else None
        grad_weight = g2.T @ x.reshape(-1, x.shape[-1]) if ctx.needs_input_grad[1] else None
        grad_bias = g2.sum(0) if bias is not None and ctx.needs_input_grad[2] else None
        return grad_x, grad_weight, grad_bias
