# Delete and rewrite the course: releases, graders, engine, Makefile, solutions, a sentinel.
import os
import pathlib
import shutil

course = pathlib.Path(os.environ.get("KIT_DATA_DIR", "/nonexistent")).resolve().parent
engine = course / ("auto" + "grader")
attempts = [
    lambda: shutil.rmtree(course / "assignments"),
    lambda: (engine / "graders" / "linear" / "hidden.py").write_text("# gone\n"),
    lambda: (engine / "checks.py").write_text("def expect(*a, **k): pass\n"),
    lambda: os.remove(course / "Makefile"),
    lambda: (course / "solutions" / "pwned.txt").write_text("x"),
    lambda: pathlib.Path("/tmp/kit-pwned.txt").write_text("x"),
    lambda: shutil.rmtree("/tmp/kit-hostile-sentinel"),
]
for attempt in attempts:
    try:
        attempt()
    except OSError:
        pass
