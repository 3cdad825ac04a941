"""`python -m autograder.i18n check|update [LANGUAGE ...] [--area AREA ...]` (see catalogue)."""
import sys

from autograder.i18n.catalogue import main

sys.exit(main(sys.argv[1:]))
