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
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python}
export PIP_ROOT_USER_ACTION=ignore
PIP=("$PY" -m pip install --disable-pip-version-check)

step() { echo "[install] $*"; }

# Fast path: every pin already satisfied and vost installed from this tree.
# (Run from / so that `import vost` finds the installed package, not ./vost.)
if (cd / && "$PY" - "$OLDPWD") <<'PYEOF' 2>/dev/null
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
        if not req.specifier.contains(version(req.name), prereleases=True):
            sys.exit(1)
import mmcv.ops  # noqa: F401  (the compiled ops, not an op-less wheel)
import vost
assert os.path.samefile(os.path.dirname(vost.__file__),
                        os.path.join(root, 'vost'))
assert os.path.exists(os.path.join(root, 'vost', '.mim', 'configs'))
PYEOF
then
    echo "[install] everything is installed already (tools/install.sh is idempotent)"
    exit 0
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
