"""The learner process's scratch folder outside a mount namespace: staged with its helper files
before any learner code runs, and removed whole, whatever was left in it, after."""
from __future__ import annotations

import os
import shutil
import subprocess


def stage_run_dir(run_dir: str, assignment: str, helper_files) -> None:
    """The scratch folder of a learner process without a mount namespace, with its helper
    files. The grading process stages every submission's before any learner code runs, so a
    submission that fills the file system cannot leave a classmate's set-up without room."""
    workdir = os.path.join(run_dir, assignment)
    os.makedirs(workdir, exist_ok=True)
    for helper in helper_files:
        shutil.copy2(helper, workdir)
    # What IPython's shell writes before the first cell runs (it copies a README into a new
    # profile, and cannot start without it); its history database it can do without.
    profile = os.path.join(workdir, ".ipython", "profile_default")
    for folder in ("startup", "log", "security", "pid", "db"):
        os.makedirs(os.path.join(profile, folder), exist_ok=True)
    open(os.path.join(profile, "startup", "README"), "a").close()


def remove_tree(path: str) -> None:
    """Remove a scratch folder whatever the learner left in it (deep trees, read-only or
    foreign-owned files, symbolic links, which are never followed). Never raises."""
    if not os.path.lexists(path):
        return
    try:
        shutil.rmtree(path)
        return
    except (OSError, RecursionError):
        pass
    for command in (["chmod", "-R", "u+rwX", "--", path], ["rm", "-rf", "--", path]):
        try:
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=120, check=False)
        except (OSError, subprocess.SubprocessError):
            pass
