"""
Misconception: an autoencoder's decoder is its own nn.Linear, even when the weights should be tied.
Caught by: parameters/tied_parameter_names
Mentions: not tied
"""
import torch
from torch import nn


class TiedAutoencoder(nn.Module):
    def __init__(self, in_features, hidden_features):
        super().__init__()
        self.encoder = nn.Linear(in_features, hidden_features)
        self.decoder = nn.Linear(hidden_features, in_features)
        with torch.no_grad():
            self.decoder.weight.copy_(self.encoder.weight.T)
            self.decoder.bias.zero_()

    def forward(self, x):
        return self.decoder(torch.relu(self.encoder(x)))
