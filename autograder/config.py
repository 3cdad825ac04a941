"""Every limit, size, path and environment variable of the grading engine, in one place.

Each entry is documented once, here (the string under it), and listed in README's table
("Layout" > "Configuration"; tests/test_config.py keeps the two in step). The modules that use a
value import it from here; some keep their old names as aliases (`session.DEFAULT_TIME_LIMIT_S`,
`judge.JUDGE_MEMORY_BYTES`, `protocol.MAX_MESSAGE`, ...) for the tests and scripts that use them.

Environment variables are read by the functions below, each time one is called: nothing here is
cached at import. A module that needs a value fixed for its process's life (learner_side/confine's
uid range) calls the function once, at its own import, as it used to read `os.environ` there.
Outside this module the engine reads no environment variable itself (tests/test_config.py
enforces it); the few places that build or pass on an environment (the learner process's, a
cluster worker's) are listed in that test.

This module is neutral (tests/test_layout.py): it imports nothing of the engine and not torch,
so both sides use it and `python -m autograder --help` answers without importing torch.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

# == environment variables ========================================================================
# The name of each, then the function that reads it. Set by the instructor (or a test) unless
# said otherwise.

UID_BASE_ENV = "AUTOGRADER_UID_BASE"
"""The first uid learner processes run as, when grading as root (default 61000). Each grading
process claims a block of uids from there (learner_side/confine: 16 blocks of 256), so two
grading processes on one machine never give two learners the same uid. Read once, when
learner_side/confine is imported: pick a range no account of the machine uses."""
DEFAULT_UID_BASE = 61000
"""The default of AUTOGRADER_UID_BASE."""

LOCKS_ENV = "AUTOGRADER_LOCKS"
"""The folder where grading processes running as root on one machine agree on uids and course
files (learner_side/confine; default /run/autograder; made root-only). Read once, when
learner_side/confine is imported."""
DEFAULT_LOCKS = "/run/autograder"
"""The default of AUTOGRADER_LOCKS."""

NO_NAMESPACES_ENV = "AUTOGRADER_NO_NAMESPACES"
"""`1`: grade as if the system refused every namespace (learner_side/confine), which is what a
container that forbids `unshare`, such as Gradescope's, gets; any other value or none: use them
where the system allows. Read at each submission; part of the set-up proof's key
(grading/selfcheck)."""

SCHEDULER_ENV = "AUTOGRADER_SCHEDULER"
"""The Dask scheduler `grade-all` grades on when `--scheduler` is not given (cli,
grading/cluster); empty or unset: this machine's cores."""

CLUSTER_RESOURCES_ENV = "AUTOGRADER_CLUSTER_RESOURCES"
"""JSON `{"<assignment id>": {"GPU": 1}}`: the Dask worker resources a submission of each
assignment needs, over its grader folder's `resources.json` (grading/cluster)."""

GRADESCOPE_ROOT_ENV = "AUTOGRADER_ROOT"
"""Gradescope's folder, which holds `submission/` and `results/` (course/gradescope, the
bundle's `setup.sh` and `run_autograder`; default /autograder)."""
DEFAULT_GRADESCOPE_ROOT = "/autograder"
"""The default of AUTOGRADER_ROOT."""

GRADESCOPE_TIME_LIMIT_ENV = "AUTOGRADER_TIME_LIMIT"
"""Wall-clock seconds per submission on Gradescope (course/gradescope; default
DEFAULT_TIME_LIMIT_S). Not a number: ignored, with a warning."""

GRADESCOPE_MEMORY_LIMIT_ENV = "AUTOGRADER_MEMORY_LIMIT"
"""Extra MB per submission on Gradescope, 0 for none (course/gradescope; default
DEFAULT_MEMORY_LIMIT_MB). Not a number: ignored, with a warning."""

GRADESCOPE_PYTHON_ENV = "AUTOGRADER_PYTHON"
"""The interpreter the Gradescope bundle's `run_autograder` grades with (a shell script: never
read by Python; default: the one `setup.sh` installed)."""

GRADESCOPE_ASSIGNMENT_ENV = "AUTOGRADER_ASSIGNMENT"
"""The assignment the Gradescope bundle's `run_autograder` grades (a shell script: never read by
Python; default: the one the bundle was built for)."""

ENGINE_ENV = "AUTOGRADER_ENGINE"
"""Set to `1` by the engine in every learner process (learner_side/zygote): the graded test
cells left in a notebook (`autograder.notebook.check`) then do nothing, since the judge runs the
checks itself. Not for instructors to set."""

DATA_DIR_ENV = "KIT_DATA_DIR"
"""Where the assignments' helper modules (`yolo.py`) find the course's `data/`. The engine sets
it in the learner process (learner_side/zygote) unless it is already set; read by the helpers,
not by the engine."""

JUPYTER_SESSION_ENV = "JPY_SESSION_NAME"
"""Set by JupyterLab in a kernel: the notebook's path, which `autograder.notebook` reads to name
the cells of its report as the engine does."""

CACHE_HOME_ENV = "XDG_CACHE_HOME"
"""The user's cache folder (default ~/.cache), which holds SETUP_PROOFS (grading/selfcheck)."""

VERDICT_LOG_ENV = "KIT_VERDICT_LOG"
"""A file the kit's own test suite appends every graded file's verdict to (tests/kit.py, set by
`.ci/loaded`), to compare the verdicts of two runs. Not read by the engine."""

MPLBACKEND_ENV = "MPLBACKEND"
"""Set to `Agg` by the engine in the grading process (grading/warmup, unless set) and in every
learner process (learner_side/zygote): no GUI backend."""

PYTEST_AUTOLOAD_ENV = "PYTEST_DISABLE_PLUGIN_AUTOLOAD"
"""Set to `1` by the judge while pytest runs the graders (judge_side/runner), then restored:
no installed pytest plugin takes part in grading."""


def uid_base() -> int:
    """AUTOGRADER_UID_BASE, else DEFAULT_UID_BASE."""
    value = os.environ.get(UID_BASE_ENV, "").strip()
    if not value:
        return DEFAULT_UID_BASE
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{UID_BASE_ENV}={value!r} is not a whole number (a uid, such as "
                         f"{DEFAULT_UID_BASE})") from None


def locks_dir() -> str:
    """AUTOGRADER_LOCKS, else DEFAULT_LOCKS."""
    return os.environ.get(LOCKS_ENV) or DEFAULT_LOCKS


def namespaces_refused() -> bool:
    """Whether AUTOGRADER_NO_NAMESPACES asks to grade as if namespaces were refused."""
    return os.environ.get(NO_NAMESPACES_ENV) == "1"


def scheduler() -> str | None:
    """AUTOGRADER_SCHEDULER, None when unset or empty."""
    return os.environ.get(SCHEDULER_ENV) or None


def cluster_resources() -> str | None:
    """AUTOGRADER_CLUSTER_RESOURCES as written (JSON, parsed by grading/cluster), or None."""
    return os.environ.get(CLUSTER_RESOURCES_ENV) or None


def gradescope_root() -> Path:
    """AUTOGRADER_ROOT, else DEFAULT_GRADESCOPE_ROOT."""
    return Path(os.environ.get(GRADESCOPE_ROOT_ENV, DEFAULT_GRADESCOPE_ROOT))


def _number(name: str, kind):
    value = os.environ.get(name, "").strip()
    try:
        return kind(value) if value else None
    except ValueError:
        print(f"autograder: ignoring {name}={value!r}: not a number", file=sys.stderr)
        return None


def gradescope_time_limit() -> float | None:
    """AUTOGRADER_TIME_LIMIT as a number, None when unset (or not a number: warned)."""
    return _number(GRADESCOPE_TIME_LIMIT_ENV, float)


def gradescope_memory_limit() -> int | None:
    """AUTOGRADER_MEMORY_LIMIT as a number, None when unset (or not a number: warned)."""
    return _number(GRADESCOPE_MEMORY_LIMIT_ENV, int)


def engine_running() -> bool:
    """Whether this process is a learner process of the engine (AUTOGRADER_ENGINE=1)."""
    return os.environ.get(ENGINE_ENV) == "1"


def jupyter_session_name() -> str | None:
    """JPY_SESSION_NAME, or None."""
    return os.environ.get(JUPYTER_SESSION_ENV)


# == time and memory ==============================================================================

DEFAULT_TIME_LIMIT_S = 120.0
"""Wall-clock seconds per submission: its cells and its checks (grading/session; `--time-limit`,
AUTOGRADER_TIME_LIMIT on Gradescope)."""

DEFAULT_MEMORY_LIMIT_MB = 4096
"""MB a learner process may allocate beyond the warm interpreter it is forked from
(grading/session; `--memory-limit`, 0 for none; AUTOGRADER_MEMORY_LIMIT on Gradescope)."""

STOP_GRACE_S = 10.0
"""Seconds the grading process waits, once it asked a submission's supervisor to end the
learner process, for its last report and its exit (grading/session)."""

JUDGE_MEMORY_BYTES = 2 << 30
"""Address space the judge process may add to what it inherits from the warm grading process
(judge_side/judge `limit_judge`). Every size the judge reads from the learner side is bounded
before anything is allocated (wire/protocol, judge_side/client): an honest judge grows by under
200 MB."""

JUDGE_PROCESSES = 256
"""Processes and threads in the judge's pids cgroup (judge_side/judge): torch's threads count."""

EVENT_MARGIN = 64
"""Progress events a learner process may send beyond one per cell before the judge paces it
(judge_side/judge): past that, each further event makes the judge wait, so a flood of them costs
the learner process its wall-clock time rather than the judge its CPU."""

EVENT_PACE = 20.0
"""Seconds the judge waits per second of CPU an excess progress event cost it
(judge_side/judge)."""

EVENT_MIN_WAIT_S = 0.005
"""The least the judge waits after an excess progress event (judge_side/judge)."""


# == sizes ========================================================================================

MAX_SUBMISSION_MB = 40
"""MB of a submitted file (course/submission): its cells travel to the learner process whole."""

MAX_NOTEBOOK_BYTES = 40 * 1024 * 1024
"""Bytes of a saved notebook read to name its cells (autograder.notebook, in the learner's
kernel) or to tell whether it is still as released (reports/report)."""

MAX_MESSAGE = 64 << 20
"""Bytes in one message between the learner process and the judge, blobs included
(wire/protocol); also the most elements of one tensor on the wire (MAX_ELEMENTS)."""

MAX_HEADER = 8 << 20
"""Bytes of the JSON header of one wire message the judge parses (wire/protocol): json.loads
builds every value before MAX_NODES can be counted; far above any honest answer. The learner
side, which receives the cells of a notebook of any size, reads headers up to MAX_MESSAGE."""

MAX_DEPTH = 24
"""Nesting depth of one wire message's tree (wire/protocol)."""

MAX_NODES = 200_000
"""Values in one wire message's tree (wire/protocol)."""

MAX_STRING = 20_000
"""Characters in one string of a wire message's tree (wire/protocol)."""

MAX_DIMS = 8
"""Dimensions of one tensor or shape on the wire (wire/protocol)."""

MAX_ELEMENTS = MAX_MESSAGE
"""Elements in one tensor on the wire (wire/protocol): as many as the largest message could
carry as bytes. A meta tensor of more arrives as an `Oversized` holding its shape, never as a
tensor, since the judge may allocate from a shape (`torch.ones(shape)`); the graders' API bounds
shapes further (judge_side/client)."""

SESSION_MAX_MESSAGE = 1 << 20
"""Bytes in one message from a submission's processes to the grading process
(grading/session)."""

SESSION_MAX_REPORT_BYTES = 1 << 16
"""Bytes of the supervisor's reports on one submission (trusted: sent before any learner code
runs) that the grading process reads (grading/session)."""

JUDGE_MAX_REPORT = 1 << 20
"""Bytes in one message from the judge to the grading process (judge_side/judge)."""

JUDGE_MAX_CELL_ERRORS = 20
"""Cells that raised that the judge describes one by one to the grading process, with how many
raised in all (judge_side/judge)."""

LEARNER_MAX_CELL_ERRORS = 100
"""Cells that raised that the learner process describes in its answer to `run_cells`
(learner_side/server)."""

MAX_CELL_ERRORS_SHOWN = 20
"""Cells that raised quoted in a result's summary, with how many in all (grading/result)."""

MAX_FRAMES = 4
"""Frames of the learner's own code (the innermost ones) in the evidence of one exception
(learner_side/evidence)."""

MAX_OPS = 400
"""Names the op watch records for one watched block, its own marks included: the distinct
operators run, sorted; past that, `kit::truncated` (learner_side/instruments)."""

MAX_MATH = 2000
"""Characters of one formula of a learner's markdown that nbgrader's feedback page renders as
MathML (course/feedback_page); a longer one is left as text (a learner's cell is untrusted)."""

TOP_FAILURES = 3
"""Checks the class report names as the class's most common failures (reports/classreport)."""

TIED_FEEDBACK_SHOWN = 3
"""Feedback texts the class report quotes for one check when several are equally common
(reports/classreport)."""


# == grading on a cluster (grading/cluster) =======================================================

CLUSTER_RETRIES = 2
"""Times a task whose worker-side grading service died is tried again."""

CLUSTER_CONNECT_TIMEOUT_S = 60
"""Seconds given to reaching the Dask scheduler."""

CLUSTER_RESOURCES_FILE = "resources.json"
"""The file in a grader folder (`autograder/graders/<id>/`) naming the Dask worker resources a
submission of that assignment needs, e.g. `{"GPU": 1}` (AUTOGRADER_CLUSTER_RESOURCES wins)."""


# == paths ========================================================================================

SETUP_PROOFS = Path("pytorch-exercise-kit") / "setup-proofs"
"""Where, under the user's cache folder (XDG_CACHE_HOME, else ~/.cache), `grade` remembers the
set-ups that passed their reference solution, one empty file per key (grading/selfcheck)."""


def setup_proofs_dir() -> Path:
    """The folder of SETUP_PROOFS, under XDG_CACHE_HOME else ~/.cache."""
    base = os.environ.get(CACHE_HOME_ENV) or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / SETUP_PROOFS


# == learner_side/confine =========================================================================
# Its environment variables are above: uid_base(), locks_dir(), namespaces_refused().

UIDS_PER_BLOCK = 256
"""Uids in the block one grading process claims as root (confine/identity): the most submissions
one grading process runs at once."""

UID_BLOCKS = 16
"""Blocks of uids from AUTOGRADER_UID_BASE on (confine/identity): the most grading processes
running as root at once on one machine; one more waits for a block."""

UID_WAIT_S = 600.0
"""Seconds a grading process waits for a free block of uids before it gives up
(confine/identity `claim_uids`)."""

SANDBOX = "/sandbox"
"""The scratch folder's parent inside the learner's new root (confine/mounts)."""

SCRATCH_MB = 512
"""MB of the learner's writable scratch folder, a tmpfs in its new root (confine/mounts)."""

LEARNER_TMP_MB = 64
"""MB of the learner's /tmp and of its /dev/shm, each a tmpfs in its new root (confine/mounts)."""

SHARED_FOLDERS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock", "/dev/mqueue")
"""World-writable folders a learner process without a mount namespace can leave files in for the
next submission under its uid, emptied of that uid's files after it (confine/leftovers)."""

COURSE_READABLE = ("autograder", "data", "assignments")
"""Entries of the course root a learner process without a mount namespace may still read, as
root (confine/permissions): the engine (its graders excepted), the data, the released
assignments; every other entry loses other users' permissions while grading."""

LEARNER_FILE_SIZE_BYTES = 256 << 20
"""The largest file a learner process may write (RLIMIT_FSIZE; confine/limits)."""

LEARNER_OPEN_FILES = 1024
"""Files a learner process may hold open (RLIMIT_NOFILE; confine/limits)."""

LEARNER_PROCESSES = 128
"""Processes of a submission with a uid of its own (RLIMIT_NPROC; confine/limits)."""

LEARNER_EXTRA_PROCESSES = 256
"""Processes a submission sharing the grader's uid may start on top of what that user already
runs (RLIMIT_NPROC counts the whole uid; confine/limits)."""

CGROUP_PROCESSES = 256
"""Processes and threads in a submission's pids cgroup, as root (confine/limits `Cgroups`)."""


# == judge_side/client ============================================================================
# The graders' API bounds what the learner side describes before a grader sees it; MAX_DIMS
# (above) bounds the dimensions of a described shape too.

MAX_TEXT = 300
"""Characters of a string from the learner side quoted in feedback (judge_side/text `clean`)."""

MAX_SHAPE_ELEMENTS = 1 << 22
"""Elements in any tensor or shape the learner side describes (judge_side/descriptions): graders
allocate from described shapes (`torch.randn(info.shape)`), so a shape over this fails the check
(`OversizedTensor`) instead of costing the judge its size. 4 Mi elements (16 MiB as float32) is
a hundred times any tensor the exercises make."""

MAX_ITEMS = 10_000
"""Entries in one list of a description (judge_side/descriptions; the learner side sends at most
these)."""

MAX_MODULE_ELEMENTS = 4 * MAX_SHAPE_ELEMENTS
"""Elements of all the tensors one module description names together (judge_side/descriptions):
graders may allocate a copy of each; the exercises' largest model has under 100,000."""


# == i18n =========================================================================================
# Reserved for the engineer splitting autograder/i18n/ (issue 22): LANGUAGES, DEFAULT, DOMAIN,
# LOCALE move here.
