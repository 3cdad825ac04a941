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
# Only `nbgrader validate` of the instructor's source executes a notebook (autograde does not).
c.ExecutePreprocessor.timeout = 300

# Known-harmless noise, silenced so that what `make autograde` prints is worth reading:
# nbgrader 0.9's gradebook code triggers SQLAlchemy "not in session" autoflush warnings on every
# submission, and every kernel warns that it talks to nbgrader over local TCP without encryption
# (the kernel's connection file, readable only by its owner, holds the key that signs messages).
warnings.filterwarnings("ignore", message=r"Object of type <\w+> not in session")
c.ExecutePreprocessor.extra_arguments = ["--IPKernelApp.log_level=ERROR"]

# The graded test cells run `from autograder.notebook import check` in the kernels nbgrader starts
# (`nbgrader validate` of the source): the course's own engine comes first on their path,
# whatever is installed in the environment.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (c.CourseDirectory.root, os.environ.get("PYTHONPATH")) if p)

sys.path.insert(0, c.CourseDirectory.root)
# No learner code runs under nbgrader: autograde records submissions, timestamps and late
# penalties without a kernel, and the engine grades the notebooks in its sandbox (see
# autograder/course/nbgrader_setup.py and autograder/course/gradebook.py).
from autograder.course.nbgrader_setup import configure as autograde_without_kernel  # noqa: E402

autograde_without_kernel(c)

# Pages of learners' notebooks (feedback, formgrader): learner content inert, and feedback pages
# readable offline (math as MathML instead of MathJax from a CDN, lines that wrap).
from autograder.course.feedback_page import configure as inert_offline_pages  # noqa: E402

inert_offline_pages(c)
