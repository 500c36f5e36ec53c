#!/usr/bin/env bash
# The ablation table on synthetic Action Genome (SGDet), the analogue of the
# paper's: each row trains one config for the main job's 10-epoch schedule
# through tools/main_job.py (same data, seed 0) and the table is written to
# work_dirs/ablations/ablations.md. About 15 minutes per row on 2 CPU cores.
#
# Usage: bash tools/run_ablations.sh [WORK_ROOT]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-work_dirs/ablations}
TEN_EPOCHS="train_cfg.max_epochs=10 train_cfg.val_interval=10 \
param_scheduler.0.end=10 param_scheduler.0.milestones=[8]"
C=configs/vost

row() {  # name config [cfg-options...]
    local name=$1 config=$2
    shift 2
    if [ -f "$ROOT/$name/main_job_results.json" ]; then
        echo "[ablations] $name: done already"
        return
    fi
    echo "[ablations] $name: $config"
    local start=$(date +%s)
    python tools/main_job.py --no-baselines --config "$config" \
        --work-dir "$ROOT/$name" --cfg-options randomness.seed=0 "$@"
    echo $(( $(date +%s) - start )) > "$ROOT/$name/seconds.txt"
}

# shellcheck disable=SC2086
row spatial-only $C/vost-spatial_r18_1xb8-20e_synthetic-ag-sgdet.py $TEN_EPOCHS
row plus-temporal $C/vost-spatial-temporal_r18_1xb8-10e_synthetic-ag-sgdet.py \
    "load_from=$(cat "$ROOT/spatial-only/last_checkpoint")"
# shellcheck disable=SC2086
row plus-dual-source $C/ablations/vost-no-feature-bank_r18_1xb8-20e_synthetic-ag-sgdet.py $TEN_EPOCHS
# shellcheck disable=SC2086
row plus-feature-bank $C/ablations/vost-no-dual-source_r18_1xb8-20e_synthetic-ag-sgdet.py $TEN_EPOCHS
row full-vost $C/vost_r18_1xb8-10e_synthetic-ag-sgdet.py

python - "$ROOT" <<'PYEOF'
import json, os, sys
root = sys.argv[1]
rows = ['spatial-only', 'plus-temporal', 'plus-dual-source',
        'plus-feature-bank', 'full-vost']
cols = ['with/R@10', 'with/R@20', 'with/R@50', 'no/R@20', 'no/R@50',
        'with/mR@20', 'no/mR@50']
lines = ['| row | config | ' + ' | '.join(cols) + ' | minutes |',
         '|---' * (len(cols) + 3) + '|']
for name in rows:
    with open(os.path.join(root, name, 'main_job_results.json')) as f:
        res = json.load(f)
    with open(os.path.join(root, name, 'seconds.txt')) as f:
        minutes = int(f.read()) / 60
    m = res['metrics']['VOST (trained)']
    lines.append(f"| {name} | `{os.path.basename(res['config'])}` | " +
                 ' | '.join(f'{100 * m[c]:.2f}' for c in cols) +
                 f' | {minutes:.1f} |')
table = '\n'.join(lines)
with open(os.path.join(root, 'ablations.md'), 'w') as f:
    f.write(table + '\n')
print(table)
PYEOF
