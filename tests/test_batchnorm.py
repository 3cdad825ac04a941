"""Proof of the `batchnorm` graders: the tests are the shared ones of proof.py."""
from proof import *  # noqa: F403 - collected here for this module's assignment

ASSIGNMENT = "batchnorm"
