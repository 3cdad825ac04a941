"""Plain data between the learner process and the judge: a format that cannot run code on load.

A message is a length-prefixed frame holding a JSON header and raw byte blobs, in the spirit of
safetensors. The header's tree is made of plain values (None, bool, int, float, str, list, dict
with str keys) and a few tagged nodes, each a dict with one key starting with `$`:

    {"$t": [blob, dtype, shape, device, requires_grad]}   a tensor: raw bytes in blob `blob`
    {"$tuple": [...]}                                      a tuple
    {"$ref": [id, kind, type, mro]}                        an object that stays in the learner
                                                           process, named by an id
    {"$obj": [type, text]}                                 a summary of an object that cannot travel
    {"$dtype": "float64"}, {"$device": "meta"}             a torch dtype, a torch device
    {"$text": blob}                                        a string longer than MAX_STRING, as
                                                           UTF-8 in a blob (accepted only by a
                                                           decoder that asks for long text: the
                                                           learner side, which gets the cells)

`decode` is what the judge runs on every byte the learner side sends: it accepts nothing else,
bounds sizes and depth, allows only a fixed list of dtypes, and checks that each tensor's bytes
match its dtype and shape. There is no pickle, no `torch.load` and no eval anywhere on this path.
"""
from __future__ import annotations

import json
import math
import re
import socket
import struct

import torch

# The sizes a message may have (bytes, header, depth, values, string, dimensions, elements of a
# tensor), each documented in autograder/config.py.
from autograder.config import (MAX_DEPTH, MAX_DIMS, MAX_ELEMENTS, MAX_HEADER, MAX_MESSAGE,
                               MAX_NODES, MAX_STRING)

FRAME = struct.Struct("!II")           # total length after this header, JSON header length
DTYPES = {
    "float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
    "float64": torch.float64, "uint8": torch.uint8, "int8": torch.int8, "int16": torch.int16,
    "int32": torch.int32, "int64": torch.int64, "bool": torch.bool,
}
DTYPE_NAMES = {dtype: name for name, dtype in DTYPES.items()}
_DEVICE = re.compile(r"(cpu|meta|cuda)(:\d{1,2})?")
REF_KINDS = ("module", "optimizer", "tensor", "class", "function", "object")


class ProtocolError(Exception):
    """A message that is not well-formed plain data: the sender's fault, never a crash."""


class Closed(ProtocolError):
    """The other side closed the connection (it ended, crashed or was killed)."""


# -- values that travel ------------------------------------------------------------------------

class Ref:
    """An object that stays in the learner process: its id there, what kind of thing it is,
    its class name and the names of the classes it inherits from (all as the learner side
    reported them: plain strings, possibly lies)."""

    __slots__ = ("id", "kind", "type", "mro")

    def __init__(self, id: int, kind: str, type: str, mro: tuple[str, ...]):
        self.id, self.kind, self.type, self.mro = id, kind, type, mro

    def __repr__(self) -> str:
        return f"<{self.kind} {self.type} #{self.id}>"


class Oversized:
    """A meta tensor with more than MAX_ELEMENTS elements: only its shape and dtype name."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape: tuple[int, ...], dtype: str):
        self.shape, self.dtype = shape, dtype

    def __repr__(self) -> str:
        return f"<oversized tensor {self.shape}>"


class Opaque:
    """An object that could not travel: its class name and a short text (plain, capped)."""

    __slots__ = ("type", "text")

    def __init__(self, type: str, text: str):
        self.type, self.text = type, text

    def __repr__(self) -> str:
        return f"<{self.type}: {self.text}>"


# -- encoding (either side) --------------------------------------------------------------------

class Encoder:
    """Turns a tree of values into (header, blobs). `ref_for(obj)` is asked for every object that
    is not plain data nor a tensor; it returns a `Ref` to send, or None to send an `Opaque`."""

    def __init__(self, ref_for=None, *, max_items: int = 10_000):
        self.blobs: list[bytes] = []
        self._ref_for = ref_for
        self._max_items = max_items

    def tree(self, value, depth: int = 0):
        kind = type(value)
        if kind is str and len(value) > MAX_STRING:
            self.blobs.append(value.encode("utf-8", "surrogatepass"))
            return {"$text": len(self.blobs) - 1}
        if value is None or kind is bool or kind is str:
            return value
        if kind is int:
            return value if -(1 << 63) <= value < (1 << 63) else self._opaque(value)
        if kind is float:
            return value
        if depth >= MAX_DEPTH - 1:
            return self._opaque(value)
        if kind is list or kind is tuple:
            items = [self.tree(v, depth + 1) for v in value[:self._max_items]]
            return items if kind is list else {"$tuple": items}
        if isinstance(value, dict):   # OrderedDict too (state_dict)
            out = {}
            for key, item in list(dict.items(value))[:self._max_items]:
                if type(key) is str and not key.startswith("$") and len(key) <= 200:
                    out[key] = self.tree(item, depth + 1)   # other keys cannot travel
            return out
        if isinstance(value, torch.Tensor):
            return self.tensor(value)
        if kind is torch.dtype and value in DTYPE_NAMES:
            return {"$dtype": DTYPE_NAMES[value]}
        if kind is torch.device:
            return {"$device": str(value)}
        if isinstance(value, Ref):
            return {"$ref": [value.id, value.kind, value.type, list(value.mro)]}
        ref = self._ref_for(value) if self._ref_for is not None else None
        if ref is not None:
            return {"$ref": [ref.id, ref.kind, ref.type, list(ref.mro)]}
        return self._opaque(value)

    def tensor(self, t: torch.Tensor, requires_grad: bool | None = None):
        with torch._C.DisableTorchFunctionSubclass():
            plain = torch.Tensor._make_subclass(torch.Tensor, t.detach()) \
                if type(t) is not torch.Tensor else t.detach()
        dtype = DTYPE_NAMES.get(plain.dtype)
        if dtype is None:
            return self._opaque(t, f"a tensor of dtype {plain.dtype}")
        device = plain.device.type
        grad = bool(t.requires_grad) if requires_grad is None else requires_grad
        shape = list(plain.shape)
        if device == "meta":
            return {"$t": [-1, dtype, shape, "meta", grad]}
        data = plain.to("cpu").contiguous().reshape(-1)
        self.blobs.append(data.view(torch.uint8).numpy().tobytes() if data.numel() else b"")
        return {"$t": [len(self.blobs) - 1, dtype, shape, device, grad]}

    @staticmethod
    def _opaque(value, text: str | None = None):
        name = type(value).__name__
        if text is None:
            try:
                text = object.__repr__(value)
            except Exception:  # noqa: BLE001 - a learner's object is always described
                text = name
        return {"$obj": [str(name)[:100], str(text)[:200]]}


def encode(value, ref_for=None) -> bytes:
    """One message holding `value`."""
    encoder = Encoder(ref_for)
    header = json.dumps({"v": encoder.tree(value), "b": [len(b) for b in encoder.blobs]},
                        separators=(",", ":")).encode()
    total = len(header) + sum(len(b) for b in encoder.blobs)
    if total > MAX_MESSAGE:
        raise ProtocolError(f"a message of {total} bytes is over the limit of {MAX_MESSAGE}")
    return FRAME.pack(total, len(header)) + header + b"".join(encoder.blobs)


# -- decoding (the judge's side of the boundary) ----------------------------------------------

class _Decoder:
    def __init__(self, blobs: list[memoryview], *, keep_requires_grad: bool,
                 long_text: bool = False):
        self.blobs = blobs
        self.used: set[int] = set()
        self.nodes = 0
        self.keep_requires_grad = keep_requires_grad
        self.long_text = long_text

    def value(self, node, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ProtocolError("too many values in one message")
        if depth > MAX_DEPTH:
            raise ProtocolError("values nested too deeply")
        kind = type(node)
        if node is None or kind is bool:
            return node
        if kind is int:
            if not -(1 << 63) <= node < (1 << 63):
                raise ProtocolError("an integer out of range")
            return node
        if kind is float:
            return node
        if kind is str:
            if len(node) > MAX_STRING:
                raise ProtocolError("a string over the length limit")
            return node
        if kind is list:
            return [self.value(v, depth + 1) for v in node]
        if kind is not dict:
            raise ProtocolError(f"unexpected JSON value {kind.__name__}")
        tagged = [k for k in node if k.startswith("$")]
        if not tagged:
            out = {}
            for key, item in node.items():
                if len(key) > 200:
                    raise ProtocolError("a key over the length limit")
                out[key] = self.value(item, depth + 1)
            return out
        if len(node) != 1:
            raise ProtocolError("a tagged value with other keys beside its tag")
        (tag,) = tagged
        body = node[tag]
        if tag == "$tuple" and type(body) is list:
            return tuple(self.value(v, depth + 1) for v in body)
        if tag == "$t":
            return self.tensor(body)
        if tag == "$ref":
            return self.ref(body)
        if tag == "$dtype" and body in DTYPES:
            return DTYPES[body]
        if tag == "$device" and type(body) is str and _DEVICE.fullmatch(body):
            return torch.device(body)
        if tag == "$text" and self.long_text:
            return self.text(body)
        if tag == "$obj":
            if (type(body) is not list or len(body) != 2
                    or not all(type(x) is str for x in body)):
                raise ProtocolError("a malformed object summary")
            return Opaque(body[0][:100], body[1][:200])
        raise ProtocolError(f"unknown tag {tag[:20]!r}")

    def text(self, index) -> str:
        if type(index) is not int or not 0 <= index < len(self.blobs) or index in self.used:
            raise ProtocolError("a text naming a missing or reused blob")
        self.used.add(index)
        try:
            return bytes(self.blobs[index]).decode("utf-8", "surrogatepass")
        except UnicodeDecodeError:
            raise ProtocolError("a text that is not UTF-8") from None

    def ref(self, body) -> Ref:
        if (type(body) is not list or len(body) != 4 or type(body[0]) is not int
                or body[1] not in REF_KINDS or type(body[2]) is not str
                or type(body[3]) is not list or len(body[3]) > 64
                or not all(type(x) is str and len(x) <= 200 for x in body[3])):
            raise ProtocolError("a malformed object reference")
        return Ref(body[0], body[1], body[2][:200], tuple(body[3]))

    def tensor(self, body) -> torch.Tensor:
        if type(body) is not list or len(body) != 5:
            raise ProtocolError("a malformed tensor")
        index, dtype_name, shape, device, grad = body
        if dtype_name not in DTYPES or type(shape) is not list or len(shape) > MAX_DIMS:
            raise ProtocolError("a tensor with an unknown dtype or too many dimensions")
        if not all(type(n) is int and 0 <= n < (1 << 31) for n in shape):
            raise ProtocolError("a tensor with a malformed shape")
        if type(device) is not str or len(device) > 20 or type(grad) is not bool:
            raise ProtocolError("a tensor with a malformed device or flag")
        dtype = DTYPES[dtype_name]
        numel = math.prod(shape)
        if index == -1 and device == "meta":
            if numel > MAX_ELEMENTS:
                return Oversized(tuple(shape), dtype_name)
            return torch.empty(shape, dtype=dtype, device="meta")
        if numel > MAX_ELEMENTS:
            raise ProtocolError("a tensor with too many elements")
        if type(index) is not int or not 0 <= index < len(self.blobs) or index in self.used:
            raise ProtocolError("a tensor naming a missing or reused blob")
        self.used.add(index)
        blob = self.blobs[index]
        itemsize = torch.empty((), dtype=dtype).element_size()
        if len(blob) != numel * itemsize:
            raise ProtocolError("a tensor whose bytes do not match its dtype and shape")
        if numel == 0:
            tensor = torch.empty(shape, dtype=dtype)
        else:
            tensor = torch.frombuffer(bytearray(blob), dtype=torch.uint8).view(dtype).reshape(shape)
        if self.keep_requires_grad and grad and tensor.is_floating_point():
            tensor.requires_grad_(True)
        return tensor


def decode(data: bytes | memoryview, header_length: int, *, keep_requires_grad: bool = False,
           long_text: bool = False):
    """The value in one message body (after its frame header); raises ProtocolError. Strings
    over MAX_STRING are accepted only with `long_text`."""
    view = memoryview(data)
    if not 0 < header_length <= len(view):
        raise ProtocolError("a header length out of range")
    if header_length > MAX_HEADER and not long_text:
        raise ProtocolError(f"a header of {header_length} bytes, over the limit of {MAX_HEADER}")
    try:
        header = json.loads(bytes(view[:header_length]))
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise ProtocolError("a header that is not valid JSON") from None
    if type(header) is not dict or set(header) != {"v", "b"} or type(header["b"]) is not list:
        raise ProtocolError("a header without its value and blob list")
    sizes = header["b"]
    if not all(type(n) is int and n >= 0 for n in sizes) or \
            header_length + sum(sizes) != len(view):
        raise ProtocolError("blob sizes that do not add up to the message")
    blobs, offset = [], header_length
    for size in sizes:
        blobs.append(view[offset:offset + size])
        offset += size
    decoder = _Decoder(blobs, keep_requires_grad=keep_requires_grad, long_text=long_text)
    try:
        return decoder.value(header["v"])
    except RecursionError:
        raise ProtocolError("values nested too deeply") from None
    except ProtocolError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever the bytes make torch or json raise
        raise ProtocolError(f"a value that cannot be decoded ({type(exc).__name__})") from None


# -- a connection ------------------------------------------------------------------------------

class Channel:
    """Messages over a connected stream socket (one end of a socketpair)."""

    def __init__(self, sock: socket.socket, *, keep_requires_grad: bool = False,
                 long_text: bool = False, max_message: int = MAX_MESSAGE):
        self.sock = sock
        self.keep_requires_grad = keep_requires_grad
        self.long_text = long_text
        self.max_message = max_message

    def send(self, value, ref_for=None) -> None:
        try:
            self.sock.sendall(encode(value, ref_for))
        except (BrokenPipeError, ConnectionResetError):
            raise Closed("the other side closed the connection") from None

    def receive(self):
        header = self._exactly(FRAME.size)
        total, header_length = FRAME.unpack(header)
        if total > self.max_message:
            raise ProtocolError(f"a message of {total} bytes, over the limit")
        body = self._exactly(total)
        return decode(body, header_length, keep_requires_grad=self.keep_requires_grad,
                      long_text=self.long_text)

    def _exactly(self, size: int) -> bytearray:
        buffer = bytearray(size)
        view = memoryview(buffer)
        got = 0
        while got < size:
            try:
                n = self.sock.recv_into(view[got:], size - got)
            except ConnectionResetError:
                n = 0
            if n == 0:
                raise Closed("the other side closed the connection")
            got += n
        return buffer
