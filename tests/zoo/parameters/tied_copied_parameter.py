"""
Misconception: a Parameter initialised with a copy of the encoder's weight is tied to it.
Caught by: parameters/tied_parameter_names
Mentions: copy
"""
import torch
from torch import nn


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.decoder_weight = nn.Parameter(self.encoder.weight.detach().clone())
        self.decoder_bias = nn.Parameter(torch.zeros(in_features))

    def forward(self, x):
        return torch.relu(self.encoder(x)) @ self.decoder_weight + self.decoder_bias
