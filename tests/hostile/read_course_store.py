# Without a mount namespace the course root is a path away (KIT_DATA_DIR names its data/):
# read the solution from the git store, the hidden graders, the autograded and feedback folders
# and the bundles. Whatever is read reaches the feedback through an error (nothing must be).
import os

root = os.path.dirname(os.environ.get("KIT_DATA_DIR", "/nonexistent/data"))
engine = "auto" + "grader".lower()   # the engine's name, which the static scan would flag
read = []
for relative in (".git/HEAD", ".git/config", "solutions/linear/linear.ipynb",
                 engine + "/graders/linear/hidden.py", "tests/kit.py", "Makefile",
                 "README.md", "autograded", "feedback", "dist", "submitted", "results",
                 "gradebook.db", "grades.csv"):
    path = os.path.join(root, relative)
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(16)
        read.append(relative)
    except OSError:
        pass


class Linear(Linear):  # noqa: F821 - the reference's Linear
    def extra_repr(self):
        if read:
            raise ValueError("found: " + ", ".join(read))
        return super().extra_repr()
