# Delete and rewrite everything of the course this process can find, and a sentinel outside it.
import os
import pathlib
import shutil

course = pathlib.Path(os.environ.get("KIT_DATA_DIR", "/nonexistent")).resolve().parent
for folder, dirs, files in os.walk(course):
    for name in files:
        try:
            with open(os.path.join(folder, name), "w") as handle:
                handle.write("# gone\n")
        except OSError:
            pass
for attempt in (lambda: shutil.rmtree(course / "assignments"),
                lambda: os.remove(course / "Makefile"),
                lambda: (course / "solutions" / "pwned.txt").write_text("x"),
                lambda: pathlib.Path("/tmp/kit-pwned.txt").write_text("x"),
                lambda: shutil.rmtree("/tmp/kit-hostile-sentinel")):
    try:
        attempt()
    except OSError:
        pass
