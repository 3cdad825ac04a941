# A freeze that does not freeze: it swaps each parameter's class for an nn.Parameter subclass
# whose Python-level requires_grad always says False, while autograd's own flag stays True and
# the parameter keeps training. It clears the gradients and puts BatchNorm in eval mode, as the
# exercise asks. Its honest content is a freeze that leaves requires_grad on.
from torch import nn


class Frozen(nn.Parameter):
    @property
    def requires_grad(self):
        return False


def freeze(module):
    for parameter in module.parameters():
        parameter.__class__ = Frozen
        parameter.grad = None
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.eval()
    return module


def unfreeze(module):
    for parameter in module.parameters():
        parameter.__class__ = nn.Parameter
        parameter.requires_grad_(True)
    module.train()
    return module
