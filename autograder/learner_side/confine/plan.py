"""What to set up for one learner process: decided by the grading process, carried to the
zygote as plain data, read by each step."""
from __future__ import annotations

from dataclasses import dataclass

from autograder.config import SCRATCH_MB


@dataclass(frozen=True)
class Plan:
    """What to set up for one learner process (decided by the grading process)."""

    run_dir: str                    # an empty folder of the grading process's, for the new root
    assignment: str
    helper_files: tuple[str, ...]   # copied into the scratch folder
    uid: int                        # the learner's own uid, as root (see `claim_uids`)
    memory_bytes: int | None        # address space on top of the current size
    cpu_seconds: int
    threads: int = 1                # torch intra-op threads
    scratch_mb: int = SCRATCH_MB
    hide: tuple[str, ...] = ()      # further folders the learner must not see (submissions, results)
    namespaces: bool = True         # False: act as if the system refused them (REFUSE_ENV)
