#!/usr/bin/env bash
# Install VOST and its pinned stack into the current Python environment.
#
# Idempotent: each step is skipped by pip when already satisfied, so a
# second run takes seconds. The first run builds mmcv 2.1.0 from source with
# its CPU ops (about 9 minutes on 2 cores). ../shared/STACK.md and
# docs/get_started.md explain every pin.
#
# Usage: bash tools/install.sh            (uses `python`)
#        PYTHON=/path/to/python bash tools/install.sh
#        bash tools/install.sh --check    (installs nothing: exit 0 if every
#                                          pin is met and vost is installed
#                                          from this tree, else 1 and why)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
CHECK=0
case "${1:-}" in
    --check) CHECK=1 ;;
    "") ;;
    *) echo "usage: bash tools/install.sh [--check]" >&2; exit 2 ;;
esac
export PIP_ROOT_USER_ACTION=ignore
PIP=("$PY" -m pip install --disable-pip-version-check)

step() { echo "[install] $*"; }

# Fast path: every pin already satisfied and vost installed from this tree.
# (Run from / so that `import vost` finds the installed package, not ./vost.)
if REASON=$( (cd / && "$PY" - "$OLDPWD") 2>&1 <<'PYEOF'
import os, sys
from importlib.metadata import version
from packaging.requirements import Requirement
root = sys.argv[1]
files = ['requirements/build.txt', 'requirements/mmcv.txt',
         'requirements/runtime.txt', 'requirements/tests.txt']
for fname in files:
    for line in open(os.path.join(root, fname)):
        line = line.split('#', 1)[0].strip()
        if not line or line.startswith('-r'):
            continue
        req = Requirement(line)
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

step "1/4 build requirements (torch 2.13.0 CPU, setuptools<82, numpy)"
"${PIP[@]}" -q -r requirements/build.txt

mmcv_ok() {
    "$PY" - <<'PYEOF' 2>/dev/null
import mmcv, mmcv.ops  # mmcv.ops needs the compiled _ext
assert mmcv.__version__ == '2.1.0', mmcv.__version__
PYEOF
}

if mmcv_ok; then
    step "2/4 mmcv 2.1.0 with ops: already installed"
else
    step "2/4 mmcv 2.1.0 from source with CPU ops (first time: ~9 min)"
    MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=${MAX_JOBS:-2} \
        "${PIP[@]}" --no-build-isolation -r requirements/mmcv.txt
    if ! mmcv_ok; then
        # A cached op-less wheel (built without torch) is a known silent
        # failure: drop it from pip's cache and build again.
        step "mmcv has no ops: rebuilding without pip's cache"
        "$PY" -m pip uninstall -y mmcv || true
        "$PY" -m pip cache remove mmcv || true
        MMCV_WITH_OPS=1 FORCE_CUDA=0 MAX_JOBS=${MAX_JOBS:-2} \
            "${PIP[@]}" --no-build-isolation --no-cache-dir \
            -r requirements/mmcv.txt
        mmcv_ok || { echo "[install] ERROR: import mmcv.ops fails" >&2; exit 1; }
    fi
fi

step "3/4 runtime and test requirements (mmengine, mmdet, transformers, ...)"
"${PIP[@]}" -q -r requirements/runtime.txt -r requirements/tests.txt

step "4/4 VOST (editable)"
"${PIP[@]}" -q --no-build-isolation --no-deps -e .

"$PY" - <<'PYEOF'
import mmcv.ops, mmdet.models, torch, transformers  # noqa: F401
import vost
from vost.utils import register_all_modules
register_all_modules()
print(f'[install] OK: vost {vost.__version__}, torch {torch.__version__}, '
      f'transformers {transformers.__version__}')
PYEOF
