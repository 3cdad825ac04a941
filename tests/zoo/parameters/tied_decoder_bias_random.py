"""
Misconception: every bias starts at random values, the decoder's too.
Caught by: parameters/tied_decoder_bias_starts_at_zero
Mentions: zeros
"""
import torch
from torch import nn


class TiedAutoencoder(TiedAutoencoder):  # noqa: F821
    def __init__(self, in_features, hidden_features):
        super().__init__(in_features, hidden_features)
        self.decoder_bias = nn.Parameter(torch.randn(in_features))
