"""Confine the process that runs learner code with the kernel's own mechanisms, where allowed.

One module per step, in the order bubblewrap and nsjail use (`confine` below runs them):

1. `namespaces`: new namespaces, made by the supervising process (the zygote's child) before it
   forks the learner process: PID (a fresh /proc; when the learner process ends, the kernel
   ends every process it started), mount, network (loopback only), IPC and UTS; as root
   directly, as an unprivileged user inside a user namespace where the system allows one;
2. `mounts`: a new root file system: a tmpfs holding read-only bind mounts of the system,
   Python and the engine (its graders folder covered by an empty tmpfs), and one writable
   tmpfs, the scratch folder; the old root is detached;
3. `limits`: resource limits (address space, processes, file size, open files, CPU time, no
   core files) and, as root, a cgroup per controller for the whole submission;
4. `identity`: a distinct unprivileged uid per concurrently graded submission (as root;
   grading processes on one machine claim separate blocks of uids, `claim_uids`), all
   capabilities dropped, `no_new_privs`.

Without namespaces, as root, two more keep learners apart: `permissions` takes other users'
permissions away from the course's private files while grading lasts, and `leftovers` removes
what a submission left outside its scratch folder (`scratch`) for the next one under its uid.
`kernel` holds the system calls, `locks` the folder where grading processes on one machine
agree, `plan` what the grading process decided for one learner process, and `report` what took
effect; the limits, sizes and environment variables are in autograder/config.py.

Each step that the system refuses is skipped and reported: a learner's laptop without user
namespaces gets limits and `no_new_privs` only; a container that forbids `unshare` (Gradescope)
gets the distinct uid and limits. `Report.protections` says what took effect, `Report.missing`
what did not and why; both go into the result.
"""
from __future__ import annotations

import os
import socket
import stat

from autograder.assignments import GRADERS_DIR
from autograder.config import COURSE_READABLE, SANDBOX, SHARED_FOLDERS, UID_BLOCKS, UIDS_PER_BLOCK
from autograder.learner_side.confine.identity import (UID_BASE, UID_RANGE, UidLock, claim_uids,
                                                      clear_keyrings, clear_persistent_keyring,
                                                      drop_privileges)
from autograder.learner_side.confine.kernel import (PR_SET_CHILD_SUBREAPER, PR_SET_DUMPABLE,
                                                    PR_SET_PDEATHSIG, prctl)
from autograder.learner_side.confine.leftovers import clear_uid_state
from autograder.learner_side.confine.limits import Cgroups, set_limits
from autograder.learner_side.confine.mounts import links_into, new_root, visible_paths
from autograder.learner_side.confine.namespaces import (REFUSE_ENV, loopback_up,
                                                        namespaces_available, namespaces_wanted,
                                                        unshare)
from autograder.learner_side.confine.permissions import (CourseFiles, private_course_paths,
                                                         protect_course_files,
                                                         restore_course_files)
from autograder.learner_side.confine.plan import Plan
from autograder.learner_side.confine.report import Report
from autograder.learner_side.confine.scratch import remove_tree, stage_run_dir

__all__ = [
    "COURSE_READABLE", "PR_SET_CHILD_SUBREAPER", "PR_SET_DUMPABLE", "PR_SET_PDEATHSIG",
    "REFUSE_ENV", "SANDBOX", "SHARED_FOLDERS", "UIDS_PER_BLOCK", "UID_BASE", "UID_BLOCKS",
    "UID_RANGE", "Cgroups", "CourseFiles", "Plan", "Report", "UidLock", "claim_uids",
    "clear_keyrings", "clear_persistent_keyring", "clear_uid_state", "confine",
    "drop_privileges", "links_into", "loopback_up", "namespaces_available", "namespaces_wanted",
    "new_root", "prctl", "private_course_paths", "protect_course_files", "remove_tree",
    "restore_course_files", "set_limits", "stage_run_dir", "unshare", "visible_paths",
]


# -- the whole sequence -------------------------------------------------------------------------------

def confine(plan: Plan, mode: str, report: Report, vm_bytes: int) -> str:
    """Run in the learner process (pid 1 of its PID namespace where there is one), before any
    learner code. Returns the scratch folder, which becomes the working directory."""
    uid = plan.uid
    if mode in ("root", "user"):
        if mode == "user":
            uid = UID_BASE
        workdir = new_root(plan, report, uid)
        report.protections += ["PID namespace", "mount namespace (read-only system, graders "
                               "hidden, writable scratch only)"]
        try:
            loopback_up()
            report.protections.append("network namespace (loopback only)")
        except OSError as exc:
            report.missing.append(f"loopback in the network namespace ({exc.strerror})")
        try:
            socket.sethostname("sandbox")
        except OSError:
            pass
    else:
        workdir = os.path.join(plan.run_dir, plan.assignment)
        if not os.path.isdir(workdir):   # staged by the grading process (`stage_run_dir`)
            stage_run_dir(plan.run_dir, plan.assignment, plan.helper_files)
        if os.geteuid() == 0:
            for folder, _dirs, files in os.walk(workdir):   # staged by root, no links
                for entry in [folder, *(os.path.join(folder, f) for f in files)]:
                    os.lchown(entry, uid, uid)
            os.chmod(plan.run_dir, 0o711)
            readable = [p for p in (GRADERS_DIR, *GRADERS_DIR.glob("*/hidden.py"))
                        if p.stat().st_mode & stat.S_IROTH] if GRADERS_DIR.stat().st_mode & 0o001 \
                else []
            if readable:
                report.missing.append("hidden graders out of reach (no mount namespace, and "
                                      "the graders' files are readable by every user)")
        report.missing.append("PID, mount and network namespaces")
    os.chdir(workdir)
    set_limits(plan, report, own_uid=(os.geteuid() == 0 and mode != "user"), vm_bytes=vm_bytes)
    drop_privileges(mode, uid, report)
    report.workdir = workdir
    return workdir
