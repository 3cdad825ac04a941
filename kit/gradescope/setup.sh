#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (Ubuntu, with
# internet). It makes a virtual environment in the bundle's folder with CPU-only torch and the
# kit; run_autograder then grades every submission with that environment's python.
#
# AUTOGRADER_ROOT (default /autograder) moves everything, as for run_autograder.
set -euo pipefail

SOURCE="${AUTOGRADER_ROOT:-/autograder}/source"
VENV="$SOURCE/.venv"
cd "$SOURCE"

if command -v apt-get >/dev/null; then
    # Ubuntu's python3 cannot make a venv without python3-venv.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        python3 python3-venv python3-pip
fi

python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip

# The course's torch/torchvision pins for this architecture, when the kit has them.
CONSTRAINTS=()
if [ -f "constraints/$(uname -m).txt" ]; then
    CONSTRAINTS=(-c "constraints/$(uname -m).txt")
fi
# Gradescope has no GPU: the CPU-only wheels are a fraction of the size of the CUDA ones.
"$VENV/bin/python" -m pip install -q "${CONSTRAINTS[@]}" \
    --extra-index-url https://download.pytorch.org/whl/cpu torch torchvision
"$VENV/bin/python" -m pip install -q "${CONSTRAINTS[@]}" -e "$SOURCE"

# Fail the image build now, not the first learner's submission, if the engine cannot start.
"$VENV/bin/python" -c "import torch, autograder.course.gradescope; print('torch', torch.__version__)"
