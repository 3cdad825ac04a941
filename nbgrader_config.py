"""Makes the repository root an nbgrader course (see shared contract, section 1)."""
import os
import sys
import warnings

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.CourseDirectory.assignment_id = ""

# Released notebooks must be identical on every run, so `make release` output can be committed
# and compared by the kit's tests.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Learner output in the notebooks is never graded on; each check cell decides its own points.
c.ExecutePreprocessor.timeout = 300

# Known-harmless noise, silenced so that what `make autograde` prints is worth reading:
# nbgrader 0.9's gradebook code triggers SQLAlchemy "not in session" autoflush warnings on every
# submission, and every kernel warns that it talks to nbgrader over local TCP without encryption
# (the kernel's connection file, readable only by its owner, holds the key that signs messages).
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
c.ExecutePreprocessor.extra_arguments = ["--IPKernelApp.log_level=ERROR"]

# The graded test cells run `from autograder.notebook import check` in the kernels nbgrader starts
# (autograde runs them in autograded/<student>/<id>/): the course's own engine comes first on
# their path, whatever is installed in the environment.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (c.CourseDirectory.root, os.environ.get("PYTHONPATH")) if p)

# Feedback pages readable offline: math as MathML instead of MathJax from a CDN, lines that wrap.
sys.path.insert(0, c.CourseDirectory.root)
from autograder.feedback_page import configure as offline_feedback  # noqa: E402

offline_feedback(c)
