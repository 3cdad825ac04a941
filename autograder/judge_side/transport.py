"""How the graders' requests reach the learner side.

* `PipeTransport`: over a socket to the learner process (the engine: `grade`, `grade-all`,
  Gradescope). The judge runs in another process and decodes nothing but plain data.
* `LocalTransport`: in the learner's own kernel (the check cells in JupyterLab and under
  nbgrader). Requests still go through the same encoding, so both give the same verdicts, but
  there is no boundary: learner code there can reach the checks.
"""
from __future__ import annotations

from autograder.judge_side.evidence import LearnerGone
from autograder.wire.protocol import FRAME, Channel, ProtocolError, decode, encode


class PipeTransport:
    """Requests over a socket to the learner process; `on_event` receives progress events."""

    def __init__(self, channel: Channel, on_event=None):
        self.channel = channel
        self.on_event = on_event

    def request(self, message: dict):
        try:
            self.channel.send(message)
            while True:
                answer = self.channel.receive()
                if type(answer) is dict and "event" in answer:
                    if self.on_event is not None:
                        self.on_event(answer)
                    continue
                return answer
        except ProtocolError as exc:
            raise LearnerGone(str(exc)) from None


class LocalTransport:
    """Requests to a `LearnerServer` in this very process, through the same encoding."""

    def __init__(self, server):
        self.server = server

    def request(self, message: dict):
        wire = encode(message)
        total, header = FRAME.unpack_from(wire)
        request = decode(memoryview(wire)[FRAME.size:], header, keep_requires_grad=True)
        answer = self.server.handle(request)
        wire = encode(answer, self.server.ref)
        total, header = FRAME.unpack_from(wire)
        return decode(memoryview(wire)[FRAME.size:], header)
