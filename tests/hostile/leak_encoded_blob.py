# Smuggle a long encoded blob through exception messages (base64 of compressed bytes, and hex).
import base64
import os
import zlib

blob = base64.b64encode(zlib.compress(os.urandom(3000))).decode()


class Linear(Linear):  # noqa: F821 - the stub's Linear
    def __init__(self, *args, **kwargs):
        raise ValueError(blob)

    def forward(self, x):
        raise RuntimeError(os.urandom(400).hex())
