"""Proof of the `parameters` graders: the tests are the shared ones of proof.py."""
from proof import *  # noqa: F401,F403 - collected here for this module's assignment

ASSIGNMENT = "parameters"
