"""
Misconception: a batch always holds at least one sample, so the layer may loop over the samples and stack the rows; a (0, in_features) batch then crashes instead of giving a (0, out_features) output.
Caught by: linear/forward_empty_batch
Mentions: (0, 4), zero samples
"""
import torch


class Linear(Linear):  # noqa: F821
    def forward(self, x):
        rows = x.reshape(-1, self.in_features)
        y = torch.stack([self.weight @ row for row in rows])
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*x.shape[:-1], self.out_features)
