"""Pay torch's one-off costs once, in the parent, before it forks a child per submission.

The first optimizer step, the first gradcheck and the first convolution each import or build
something lazily (0.3-0.7 s apiece on the course machines); done here, every forked child
inherits them for free. The parent runs on one intra-op thread: a parent that had started an
OpenMP thread pool could hang a forked child, so the pool is only ever created in the children.
"""
from __future__ import annotations

import gc

_done = False


def warm_up() -> None:
    global _done
    if _done:
        return
    import IPython.core.interactiveshell  # noqa: F401 - the notebook cells' shell
    import pytest  # noqa: F401
    import torch
    from torch import nn

    torch.set_num_threads(1)
    with torch.random.fork_rng():
        model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.SiLU(),
                              nn.Flatten(), nn.Linear(4 * 4 * 4, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
        model(torch.randn(2, 3, 4, 4)).sum().backward()
        optimizer.step()
        optimizer.zero_grad()
        x = torch.randn(3, dtype=torch.float64, requires_grad=True)
        torch.autograd.gradcheck(lambda t: (t * t).sum(), (x,))
    # Everything alive now is shared with the forked children: keep the garbage collector
    # from walking it (and from touching its pages, which copy-on-write would then copy).
    gc.collect()
    gc.freeze()
    _done = True
