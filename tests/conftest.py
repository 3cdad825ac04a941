import sys
from pathlib import Path

# The kit's tests import their helpers as `kit`.
sys.path.insert(0, str(Path(__file__).resolve().parent))
