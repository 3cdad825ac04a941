"""The report of protections: what confinement took effect for one learner process and what
did not, and why, in words for the learner and the instructor (both go into the result)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    """What confinement took effect, in words for the learner and the instructor."""

    protections: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    workdir: str = ""
