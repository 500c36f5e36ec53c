#!/usr/bin/env bash
# Install VOST and its pinned stack into the current Python environment.
#
# Idempotent: each step is skipped by pip when already satisfied, so a
# second run takes seconds. The first run builds mmcv 2.1.0 from source with
# its ops (about 9 minutes on 2 cores). docs/get_started.md explains every
# pin.
#
# Two modes, chosen from the machine (VOST_INSTALL_MODE=cpu|cuda forces one):
#   cpu   (no nvcc, or a CPU torch): pins torch 2.13.0 CPU and builds mmcv's
#         CPU ops (FORCE_CUDA=0);
#   cuda  (nvcc on PATH and an installed CUDA torch): keeps that torch and
#         builds mmcv with its CUDA ops (FORCE_CUDA=1), so RoIAlign and NMS
#         run on the GPU.
#
# Usage: bash tools/install.sh            (uses `python`)
#        PYTHON=/path/to/python bash tools/install.sh
#        bash tools/install.sh --check    (installs nothing: exit 0 if every
#                                          pin is met and vost is installed
#                                          from this tree, else 1 and why)
#        bash tools/install.sh --dry-run  (prints the mode and the commands
#                                          a full install runs; runs none)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
CHECK=0
DRY=0
case "${1:-}" in
    --check) CHECK=1 ;;
    --dry-run) DRY=1 ;;
    "") ;;
    *) echo "usage: bash tools/install.sh [--check | --dry-run]" >&2; exit 2 ;;
esac

# The mode: cuda needs both nvcc and a torch built with CUDA.
torch_cuda() {
    "$PY" -c 'import torch; print(torch.version.cuda or "")' 2>/dev/null || true
}
MODE=${VOST_INSTALL_MODE:-}
if [ -z "$MODE" ]; then
    MODE=cpu
    if command -v nvcc >/dev/null 2>&1 && [ -n "$(torch_cuda)" ]; then
        MODE=cuda
    fi
fi
case "$MODE" in
    cpu) FORCE_CUDA=0 ;;
    cuda) FORCE_CUDA=1 ;;
    *) echo "[install] VOST_INSTALL_MODE must be cpu or cuda, got $MODE" >&2
       exit 2 ;;
esac
export PIP_ROOT_USER_ACTION=ignore
PIP=("$PY" -m pip install --disable-pip-version-check)

step() { echo "[install] $*"; }
# run CMD...: runs it, or with --dry-run prints it
run() {
    if [ "$DRY" = 1 ]; then echo "[install] would run: $*"; else "$@"; fi
}
if [ "$DRY" = 1 ]; then
    step "mode: $MODE (nvcc: $(command -v nvcc || echo none), torch CUDA: $(torch_cuda || true))"
fi
# cuda mode keeps the installed torch: every build pin but torch's
BUILD_REQS=requirements/build.txt
if [ "$MODE" = cuda ]; then
    BUILD_REQS=$(mktemp)
    trap 'rm -f "$BUILD_REQS"' EXIT
    grep -v '^torch\b' requirements/build.txt > "$BUILD_REQS"
    step "cuda mode: build requirements without the torch pin:" \
        "$(grep -v '^#' "$BUILD_REQS" | grep . | tr '\n' ' ')"
fi

# Fast path: every pin already satisfied and vost installed from this tree.
# (Run from / so that `import vost` finds the installed package, not ./vost.)
if [ "$DRY" = 0 ] && REASON=$( (cd / && "$PY" - "$OLDPWD" "$MODE") 2>&1 <<'PYEOF'
import os, sys
from importlib.metadata import version
from packaging.requirements import Requirement
root, mode = sys.argv[1], sys.argv[2]
files = ['requirements/build.txt', 'requirements/mmcv.txt',
         'requirements/runtime.txt', 'requirements/tests.txt']
for fname in files:
    for line in open(os.path.join(root, fname)):
        line = line.split('#', 1)[0].strip()
        if not line or line.startswith('-r'):
            continue
        req = Requirement(line)
        if mode == 'cuda' and req.name == 'torch':
            continue  # the installed CUDA torch is kept
        try:
            have = version(req.name)
        except Exception:
            sys.exit(f'{req.name} is not installed ({fname}: {line})')
        if not req.specifier.contains(have, prereleases=True):
            sys.exit(f'{req.name} {have} does not meet {fname}: {line}')
try:
    import mmcv.ops  # noqa: F401  (the compiled ops, not an op-less wheel)
except Exception as exc:
    sys.exit(f'import mmcv.ops fails: {exc}')
if mode == 'cuda':
    from mmcv.ops import get_compiling_cuda_version
    if get_compiling_cuda_version() == 'not available':
        sys.exit('mmcv was built without CUDA ops (FORCE_CUDA=0)')
try:
    import vost
except ImportError as exc:
    sys.exit(f'vost is not installed: {exc}')
if not os.path.samefile(os.path.dirname(vost.__file__),
                        os.path.join(root, 'vost')):
    sys.exit(f'vost is installed from {os.path.dirname(vost.__file__)}, '
             f'not from this tree ({root})')
if not os.path.exists(os.path.join(root, 'vost', '.mim', 'configs')):
    sys.exit('vost/.mim/configs is missing: reinstall with pip install -e .')
PYEOF
); then
    echo "[install] everything is installed already (tools/install.sh is idempotent)"
    exit 0
elif [ "$CHECK" = 1 ]; then
    echo "[install] --check: not ready: ${REASON##*$'\n'}" >&2
    echo "[install] run: bash tools/install.sh" >&2
    exit 1
fi

if [ "$MODE" = cuda ]; then
    step "1/4 build requirements (keeping torch $("$PY" -c 'import torch; print(torch.__version__)'), setuptools<82, numpy)"
else
    step "1/4 build requirements (torch 2.13.0 CPU, setuptools<82, numpy)"
fi
run "${PIP[@]}" -q -r "$BUILD_REQS"

mmcv_ok() {  # mmcv 2.1.0 with compiled ops (CUDA ops in cuda mode)
    [ "$DRY" = 0 ] || return 1
    "$PY" - "$MODE" <<'PYEOF' 2>/dev/null
import sys
import mmcv, mmcv.ops  # mmcv.ops needs the compiled _ext
assert mmcv.__version__ == '2.1.0', mmcv.__version__
if sys.argv[1] == 'cuda':
    assert mmcv.ops.get_compiling_cuda_version() != 'not available'
PYEOF
}

build_mmcv() {  # extra pip options
    run env MMCV_WITH_OPS=1 FORCE_CUDA=$FORCE_CUDA MAX_JOBS=${MAX_JOBS:-2} \
        "${PIP[@]}" --no-build-isolation "$@" -r requirements/mmcv.txt
}

if mmcv_ok; then
    step "2/4 mmcv 2.1.0 with ops: already installed"
else
    step "2/4 mmcv 2.1.0 from source with $MODE ops, FORCE_CUDA=$FORCE_CUDA (first time: ~9 min on 2 cores)"
    build_mmcv
    if [ "$DRY" = 0 ] && ! mmcv_ok; then
        # A cached wheel without (CUDA) ops is a known silent failure: drop
        # it from pip's cache and build again.
        step "mmcv lacks its $MODE ops: rebuilding without pip's cache"
        "$PY" -m pip uninstall -y mmcv || true
        "$PY" -m pip cache remove mmcv || true
        build_mmcv --no-cache-dir
        mmcv_ok || { echo "[install] ERROR: mmcv.ops ($MODE) fails" >&2; exit 1; }
    fi
fi

step "3/4 runtime and test requirements (mmengine, mmdet, transformers, ...)"
run "${PIP[@]}" -q -r requirements/runtime.txt -r requirements/tests.txt

step "4/4 VOST (editable)"
run "${PIP[@]}" -q --no-build-isolation --no-deps -e .
if [ "$DRY" = 1 ]; then
    exit 0
fi

"$PY" - <<'PYEOF'
import mmcv.ops, mmdet.models, torch, transformers  # noqa: F401
import vost
from vost.utils import register_all_modules
register_all_modules()
print(f'[install] OK: vost {vost.__version__}, torch {torch.__version__}, '
      f'transformers {transformers.__version__}')
PYEOF
