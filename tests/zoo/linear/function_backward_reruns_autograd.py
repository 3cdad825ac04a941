"""
Misconception: backward can get its gradients by running the forward again under autograd and asking torch.autograd.grad (the gradients are right, but nothing was derived by hand).
Caught by: linear/function_backward_is_its_own
Mentions: autograd
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
        inputs = [t.detach().requires_grad_(True) if t is not None else None
                  for t in (x, weight, bias)]
        with torch.enable_grad():
            y = inputs[0] @ inputs[1].T
            if inputs[2] is not None:
                y = y + inputs[2]
            wanted = [t for t in inputs if t is not None]
            grads = list(torch.autograd.grad(y, wanted, grad_output))
        return tuple(grads.pop(0) if t is not None else None for t in inputs)
