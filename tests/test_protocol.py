"""autograder/wire/protocol.py on its own (issue 22, item 5): every value type survives a round
trip, and `decode`, which the judge runs on every byte the learner side sends, answers anything
else with a ProtocolError (or an `Oversized` placeholder for a huge meta tensor): never another
exception, never a hang, never a value of another type.

The fuzzing runs with hypothesis, without deadlines (the machine is shared and loaded) and with
few examples, so the file takes seconds; no example database is written."""
from __future__ import annotations

import json
import math
import socket
import struct
import threading

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.wire import protocol
from autograder.wire.protocol import (DTYPES, FRAME, Channel, Closed, Opaque, Oversized,
                                      ProtocolError, Ref, decode, encode)

FUZZ = settings(deadline=None, max_examples=150, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def body_of(wire: bytes) -> tuple[memoryview, int]:
    """A message's body and header length, as Channel.receive hands them to decode."""
    total, header_length = FRAME.unpack_from(wire)
    assert total == len(wire) - FRAME.size, "the frame's length is not the body's"
    return memoryview(wire)[FRAME.size:], header_length


def roundtrip(value, ref_for=None, **options):
    return decode(*body_of(encode(value, ref_for)), **options)


def message(tree, blobs: list[bytes] = ()) -> tuple[bytes, int]:
    """A body whose header is `tree` (any JSON) and whose blobs are `blobs`, sizes declared."""
    header = json.dumps({"v": tree, "b": [len(b) for b in blobs]}).encode()
    return header + b"".join(blobs), len(header)


def refused(data, header_length: int, **options) -> str:
    with pytest.raises(ProtocolError) as error:
        decode(data, header_length, **options)
    return str(error.value)


# -- round trips ------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [
    None, True, False, 0, -1, (1 << 63) - 1, -(1 << 63), 0.0, -2.5, 1e308, math.inf, -math.inf,
    "", "plain", "ünïcödé ✓ 中文", "x" * protocol.MAX_STRING,
    [], [1, "a", None], {"a": 1, "b": [2.0, {"c": "d"}]}, {},
])
def test_plain_values_come_back_equal(value):
    back = roundtrip(value)
    assert back == value and type(back) is type(value)


def test_nan_comes_back_nan():
    assert math.isnan(roundtrip(math.nan))


def test_tuples_come_back_as_tuples_lists_as_lists():
    back = roundtrip({"t": (1, (2, [3, (4,)])), "l": [(), []]})
    assert back == {"t": (1, (2, [3, (4,)])), "l": [(), []]}
    assert type(back["t"]) is tuple and type(back["t"][1][1]) is list
    assert type(back["t"][1][1][1]) is tuple and type(back["l"][0]) is tuple


@pytest.mark.parametrize("name", sorted(DTYPES))
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 3), (2, 0, 4), (1, 1, 1, 1, 1, 1, 1, 2)])
def test_tensors_of_every_dtype_and_shape_come_back_equal(name, shape):
    dtype = DTYPES[name]
    source = (torch.arange(math.prod(shape), dtype=torch.float64) * 1.5 - 2).reshape(shape)
    t = source.to(dtype)
    back = roundtrip(t)
    assert type(back) is torch.Tensor and back.dtype == dtype and tuple(back.shape) == shape
    assert torch.equal(back, t)


def test_a_tensor_that_is_not_contiguous_comes_back_with_its_values():
    t = torch.arange(12.0).reshape(3, 4).T[1:]
    assert not t.is_contiguous()
    assert torch.equal(roundtrip(t), t)


def test_requires_grad_travels_only_where_the_decoder_keeps_it():
    t = torch.ones(2, requires_grad=True)
    assert roundtrip(t).requires_grad is False
    kept = roundtrip(t, keep_requires_grad=True)
    assert kept.requires_grad is True and kept.is_leaf and kept.grad_fn is None
    integers = torch.ones(2, dtype=torch.int64)
    assert roundtrip(integers, keep_requires_grad=True).requires_grad is False


def test_a_tensor_subclass_comes_back_as_a_plain_tensor():
    class Sneaky(torch.Tensor):
        pass

    t = torch.arange(4.0).as_subclass(Sneaky)
    back = roundtrip(t)
    assert type(back) is torch.Tensor and torch.equal(back, torch.arange(4.0))


def test_meta_tensors_keep_their_shape_and_a_huge_one_only_its_description():
    back = roundtrip(torch.empty(3, 5, dtype=torch.float16, device="meta"))
    assert back.device.type == "meta" and tuple(back.shape) == (3, 5)
    assert back.dtype == torch.float16
    huge = roundtrip(torch.empty(1 << 20, 1 << 20, device="meta"))
    assert isinstance(huge, Oversized)
    assert huge.shape == (1 << 20, 1 << 20) and huge.dtype == "float32"


def test_dtypes_devices_refs_and_opaque_objects():
    assert roundtrip(torch.float64) is torch.float64
    assert roundtrip(torch.device("meta")) == torch.device("meta")
    assert roundtrip(torch.device("cpu")) == torch.device("cpu")
    ref = roundtrip(Ref(7, "module", "Linear", ("Linear", "Module")))
    assert (type(ref), ref.id, ref.kind, ref.type, ref.mro) == (
        Ref, 7, "module", "Linear", ("Linear", "Module"))
    opaque = roundtrip(object())
    assert type(opaque) is Opaque and opaque.type == "object" and "object at" in opaque.text


def test_an_opaque_summary_does_not_ask_the_object_for_its_repr():
    class Liar:
        def __repr__(self):
            raise RuntimeError("learner code ran")

    opaque = roundtrip(Liar())
    assert type(opaque) is Opaque and opaque.type == "Liar"
    assert opaque.text.startswith("<") and "Liar object at" in opaque.text


def test_an_unknown_object_travels_as_the_ref_its_sender_gives():
    class Thing:
        pass

    thing = Thing()
    asked = []

    def ref_for(obj):
        asked.append(obj)
        return Ref(3, "object", "Thing", ("Thing", "object"))

    back = roundtrip({"x": thing}, ref_for)
    assert asked == [thing] and type(back["x"]) is Ref and back["x"].id == 3


def test_what_cannot_travel_is_summarised_not_sent():
    back = roundtrip({"big": 1 << 64, "dt": torch.complex64,
                      "c": torch.zeros(2, dtype=torch.complex64), 1: "int key",
                      "$t": "a tag as a key", "k" * 201: "long key"})
    assert set(back) == {"big", "dt", "c"}
    assert all(type(v) is Opaque for v in back.values())
    assert back["c"].text == "a tensor of dtype torch.complex64"


def test_nesting_past_the_depth_limit_is_cut_where_it_becomes_too_deep():
    value = cut = []
    for _ in range(protocol.MAX_DEPTH + 5):
        cut.append([])
        cut = cut[0]
    back, depth = roundtrip(value), 0
    while type(back) is list and back:
        back, depth = back[0], depth + 1
    assert type(back) is Opaque and depth == protocol.MAX_DEPTH - 1


def test_long_text_travels_in_a_blob_only_to_a_decoder_that_asks_for_it():
    text = "λ" * (protocol.MAX_STRING + 1)
    wire = encode({"cell": text})
    assert roundtrip({"cell": text}, long_text=True) == {"cell": text}
    assert "unknown tag" in refused(*body_of(wire))


def test_a_message_over_the_size_limit_is_not_encoded(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_MESSAGE", 1000)
    with pytest.raises(ProtocolError, match="over the limit"):
        encode(torch.zeros(1000))


# -- malformed messages, one by one ------------------------------------------------------------

def tensor_message(index=0, dtype="float32", shape=(2,), device="cpu", grad=False,
                   blobs=(b"\0" * 8,)):
    return message({"$t": [index, dtype, list(shape), device, grad]}, list(blobs))


@pytest.mark.parametrize("body, why", [
    (tensor_message(index=1), "missing or reused blob"),
    (tensor_message(index=-1), "missing or reused blob"),
    (tensor_message(index=True), "missing or reused blob"),
    (tensor_message(index="0"), "missing or reused blob"),
    (message([{"$t": [0, "float32", [2], "cpu", False]}, {"$t": [0, "float32", [2], "cpu", False]}],
             [b"\0" * 8]), "missing or reused blob"),
    (tensor_message(blobs=(b"\0" * 7,)), "do not match"),
    (tensor_message(blobs=(b"\0" * 9,)), "do not match"),
    (tensor_message(dtype="complex64"), "unknown dtype"),
    (tensor_message(dtype="object"), "unknown dtype"),
    (tensor_message(shape=[1] * (protocol.MAX_DIMS + 1), blobs=(b"\0" * 4,)),
     "too many dimensions"),
    (tensor_message(shape=(-1,)), "malformed shape"),
    (tensor_message(shape=(2.0,)), "malformed shape"),
    (tensor_message(shape=(1 << 31,)), "malformed shape"),
    (tensor_message(shape=(1 << 16, 1 << 16)), "too many elements"),
    (tensor_message(device=0), "malformed device"),
    (tensor_message(grad=1), "malformed device or flag"),
    (message({"$t": [0, "float32", [2], "cpu"]}, [b"\0" * 8]), "malformed tensor"),
    (message({"$text": 0}, [b"abc"]), "unknown tag"),
    (message({"$pickle": "x"}), "unknown tag"),
    (message({"$dtype": "complex64"}), "unknown tag"),
    (message({"$dtype": ["float32"]}), "cannot be decoded"),
    (message({"$device": "tpu"}), "unknown tag"),
    (message({"$device": "cuda:123"}), "unknown tag"),
    (message({"$tuple": {"a": 1}}), "unknown tag"),
    (message({"$tuple": [], "x": 1}), "other keys beside its tag"),
    (message({"$ref": [1, "module", "Linear"]}), "malformed object reference"),
    (message({"$ref": [1, "virus", "Linear", []]}), "malformed object reference"),
    (message({"$ref": [1, "module", "Linear", ["x"] * 65]}), "malformed object reference"),
    (message({"$ref": ["1", "module", "Linear", []]}), "malformed object reference"),
    (message({"$obj": ["a"]}), "malformed object summary"),
    (message({"$obj": ["a", 1]}), "malformed object summary"),
    (message(1 << 63), "integer out of range"),
    (message(-(1 << 63) - 1), "integer out of range"),
    (message("x" * (protocol.MAX_STRING + 1)), "string over the length limit"),
    (message({"k" * 201: 1}), "key over the length limit"),
    (message([0] * (protocol.MAX_NODES + 1)), "too many values"),
])
def test_a_malformed_value_is_refused(body, why):
    assert why in refused(*body)


def test_values_nested_too_deeply_are_refused():
    tree = 1
    for _ in range(protocol.MAX_DEPTH + 1):
        tree = [tree]
    assert "nested too deeply" in refused(*message(tree))
    deep = b'{"v":' + b"[" * 100_000 + b"]" * 100_000 + b',"b":[]}'
    assert "not valid JSON" in refused(deep, len(deep))


def test_long_text_that_is_not_utf8_or_names_a_missing_blob_is_refused():
    assert "not UTF-8" in refused(*message({"$text": 0}, [b"\xff\xfe"]), long_text=True)
    assert "missing or reused blob" in refused(*message({"$text": 1}, [b"ok"]), long_text=True)


@pytest.mark.parametrize("header, why", [
    (b"not json", "not valid JSON"),
    (b"\xff\xfe{}", "not valid JSON"),
    (b"[1, 2]", "without its value and blob list"),
    (b'{"v": 1}', "without its value and blob list"),
    (b'{"v": 1, "b": [], "x": 0}', "without its value and blob list"),
    (b'{"v": 1, "b": {}}', "without its value and blob list"),
    (b'{"v": 1, "b": [-1]}', "do not add up"),
    (b'{"v": 1, "b": [true]}', "do not add up"),
    (b'{"v": 1, "b": [1.0]}', "do not add up"),
    (b'{"v": 1, "b": [5]}', "do not add up"),
])
def test_a_malformed_header_is_refused(header, why):
    assert why in refused(header, len(header))


@pytest.mark.parametrize("length", [0, -1, 100])
def test_a_header_length_out_of_range_is_refused(length):
    body, _ = message(1)
    assert "header length out of range" in refused(body, length)


def test_a_header_over_its_limit_is_refused_unless_long_text(monkeypatch):
    monkeypatch.setattr(protocol, "MAX_HEADER", 10)
    body, length = message([1, 2, 3, 4, 5])
    assert "over the limit" in refused(body, length)
    assert decode(body, length, long_text=True) == [1, 2, 3, 4, 5]


def test_blob_sizes_must_add_up_to_the_message():
    body, length = tensor_message()
    assert "do not add up" in refused(body + b"\0", length)
    assert "do not add up" in refused(body[:-1], length)


# -- fuzzing -----------------------------------------------------------------------------------

PLAIN_TYPES = (type(None), bool, int, float, str, list, tuple, dict, torch.Tensor, torch.dtype,
               torch.device, Ref, Opaque, Oversized)


def assert_plain(value, depth=0):
    """A decoded value holds only the types the format allows (nothing that could run code)."""
    assert depth <= protocol.MAX_DEPTH + 1
    assert type(value) in PLAIN_TYPES, type(value)
    if type(value) in (list, tuple):
        for v in value:
            assert_plain(v, depth + 1)
    elif type(value) is dict:
        for k, v in value.items():
            assert type(k) is str
            assert_plain(v, depth + 1)


def decodes_or_refuses(data, header_length, **options):
    try:
        value = decode(data, header_length, **options)
    except ProtocolError:
        return None
    assert_plain(value)
    return value


TAGS = ["$t", "$tuple", "$ref", "$obj", "$dtype", "$device", "$text", "$x", "$"]
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(-(1 << 70), 1 << 70),
                      st.floats(allow_nan=True), st.text(max_size=8),
                      st.sampled_from(sorted(DTYPES) + ["cpu", "meta", "cuda:1", "module"]))


def _nodes(children):
    plain = st.one_of(st.lists(children, max_size=5),
                      st.dictionaries(st.text(max_size=4), children, max_size=4))
    tagged = st.builds(lambda tag, body: {tag: body}, st.sampled_from(TAGS),
                       st.one_of(children, st.lists(children, min_size=4, max_size=5)))
    tensor = st.builds(lambda index, dtype, shape, device, grad: {"$t": [index, dtype, shape,
                                                                         device, grad]},
                       st.integers(-2, 3), st.sampled_from(sorted(DTYPES) + ["complex64"]),
                       st.lists(st.integers(-1, 1 << 32), max_size=9), st.sampled_from(
                           ["cpu", "meta", 0]), st.one_of(st.booleans(), st.integers(0, 1)))
    return st.one_of(plain, tagged, tensor)


json_tree = st.recursive(json_leaf, _nodes, max_leaves=30)
blob_lists = st.lists(st.binary(max_size=24), max_size=4)


@FUZZ
@given(tree=json_tree, blobs=blob_lists, keep=st.booleans(), long_text=st.booleans())
def test_any_json_header_decodes_to_plain_data_or_is_refused(tree, blobs, keep, long_text):
    decodes_or_refuses(*message(tree, blobs), keep_requires_grad=keep, long_text=long_text)


@FUZZ
@given(data=st.binary(max_size=200), header_length=st.integers(-5, 220))
def test_random_bytes_are_refused(data, header_length):
    decodes_or_refuses(data, header_length)


@FUZZ
@given(tree=json_tree, blobs=blob_lists, at=st.integers(0, 1 << 16), sizes=st.lists(
    st.integers(-3, 1 << 40), max_size=5))
def test_lying_blob_sizes_and_header_lengths_are_refused(tree, blobs, at, sizes):
    body, length = message(tree, blobs)
    # the header's own blob list replaced by sizes that need not match the blobs
    header = json.dumps({"v": tree, "b": sizes}).encode()
    decodes_or_refuses(header + b"".join(blobs), len(header))
    decodes_or_refuses(body, at % (len(body) + 2))


values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(1 << 63), (1 << 63) - 1),
              st.floats(allow_nan=False), st.text(max_size=10),
              st.builds(lambda n, name: torch.arange(n).to(DTYPES[name]),
                        st.integers(0, 6), st.sampled_from(sorted(DTYPES)))),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.lists(children, max_size=4).map(tuple),
                               st.dictionaries(st.text(max_size=5).filter(
                                   lambda k: not k.startswith("$")), children, max_size=4)),
    max_leaves=20)


def same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return type(b) is torch.Tensor and a.dtype == b.dtype and torch.equal(a, b)
    if type(a) is not type(b):
        return False
    if type(a) in (list, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@FUZZ
@given(value=values)
def test_generated_values_come_back_the_same(value):
    assert same(roundtrip(value), value)


@FUZZ
@given(value=values, cut=st.integers(1, 1 << 16))
def test_a_truncated_message_is_refused(value, cut):
    body, length = body_of(encode(value))
    cut = 1 + cut % len(body)            # 1 .. len(body) bytes missing
    with pytest.raises(ProtocolError):
        decode(body[:len(body) - cut], length)


@FUZZ
@given(value=values, position=st.integers(0, 1 << 16), byte=st.integers(0, 255))
def test_a_message_with_one_byte_changed_decodes_to_plain_data_or_is_refused(value, position,
                                                                             byte):
    body, length = body_of(encode(value))
    changed = bytearray(body)
    changed[position % len(changed)] = byte
    decodes_or_refuses(bytes(changed), length)


# -- a connection --------------------------------------------------------------------------------

@pytest.fixture
def pair():
    a, b = socket.socketpair()
    b.settimeout(20)                  # a receive that waits for bytes that never come fails
    yield a, b
    a.close()
    b.close()


def test_a_channel_carries_messages_in_order(pair):
    a, b = pair
    sender, receiver = Channel(a), Channel(b, keep_requires_grad=True)
    sender.send({"x": torch.ones(3, requires_grad=True)})
    sender.send([1, (2, "three")])
    first = receiver.receive()
    assert torch.equal(first["x"], torch.ones(3)) and first["x"].requires_grad
    assert receiver.receive() == [1, (2, "three")]


def test_a_frame_over_the_limit_is_refused_before_its_body_is_read(pair):
    a, b = pair
    a.sendall(FRAME.pack(protocol.MAX_MESSAGE + 1, 10))     # the body never comes
    with pytest.raises(ProtocolError, match="over the limit") as error:
        Channel(b).receive()
    assert not isinstance(error.value, Closed)
    a.sendall(FRAME.pack(1001, 10))
    with pytest.raises(ProtocolError, match="over the limit"):
        Channel(b, max_message=1000).receive()


def in_time(function, seconds=60):
    """What `function()` raised or returned, from a thread: a failure, not a hang, if it spins."""
    outcome = []

    def run():
        try:
            outcome.append(function())
        except BaseException as exc:  # noqa: BLE001 - handed to the test, which asserts on it
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"no answer in {seconds} s: it hangs"
    return outcome[0]


@pytest.mark.parametrize("keep", [0, 3, FRAME.size, FRAME.size + 5])
def test_a_connection_closed_mid_frame_is_closed_not_a_hang(pair, keep):
    a, b = pair
    a.sendall(encode({"x": [1, 2, 3]})[:keep])
    a.shutdown(socket.SHUT_WR)
    assert isinstance(in_time(Channel(b).receive), Closed)


def test_a_frame_whose_header_length_lies_is_refused(pair):
    a, b = pair
    wire = bytearray(encode([1, 2]))
    struct.pack_into("!I", wire, 4, len(wire))        # header length past the body
    a.sendall(bytes(wire))
    with pytest.raises(ProtocolError, match="header length out of range"):
        Channel(b).receive()


def test_sending_to_a_closed_peer_raises_closed(pair):
    a, b = pair
    b.close()
    with pytest.raises(Closed):
        for _ in range(100):          # the first send can still land in the socket's buffer
            Channel(a).send("x" * 10_000)
