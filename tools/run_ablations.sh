#!/usr/bin/env bash
# The ablation table on synthetic Action Genome (SGDet), the analogue of the
# paper's. Each row trains one config with the main job's schedule (2
# epochs of the 1,000-video data, seed 0) through tools/main_job.py and
# the table is written to WORK_ROOT/ablations.md:
#   spatial-only       the one-stage spatial model (no VLM, no temporal)
#   plus-temporal      spatial-only + temporal stage 2 (1 epoch) on its
#                      checkpoint
#   plus-dual-source   spatial + VLM dual-source queries
#   plus-feature-bank  spatial + multi-modal feature bank
#   vost-spatial       spatial + dual-source + feature bank (the main job's
#                      config)
#   full-vost          vost-spatial + temporal stage 2 on its checkpoint
#
# Usage: bash tools/run_ablations.sh [WORK_ROOT] [JOBS]
#   JOBS=1 (default): rows one after another, torch's default threads
#   (about 15 minutes per spatial row on 2 idle cores).
#   JOBS=2: two chains of rows at a time, one torch thread each
#   (OMP_NUM_THREADS=1), which uses 2 cores better; the minutes column is
#   then per row on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-work_dirs/ablations}
JOBS=${2:-1}
C=configs/vost
mkdir -p "$ROOT"

row() {  # name config [cfg-options...]
    local name=$1 config=$2
    shift 2
    if [ -f "$ROOT/$name/main_job_results.json" ]; then
        echo "[ablations] $name: done already"
        return
    fi
    echo "[ablations] $name: $config"
    mkdir -p "$ROOT/$name"
    local start
    start=$(date +%s)
    python tools/main_job.py --no-baselines --config "$config" \
        --work-dir "$ROOT/$name" --cfg-options randomness.seed=0 "$@" \
        > "$ROOT/$name/main_job.log" 2>&1 || {
        echo "[ablations] $name failed: see $ROOT/$name/main_job.log"
        return 1
    }
    echo $(( $(date +%s) - start )) > "$ROOT/$name/seconds.txt"
    echo "[ablations] $name: done in $(cat "$ROOT/$name/seconds.txt") s"
}

stage2() {  # name config stage-1-row
    row "$1" "$2" "load_from=$(cat "$ROOT/$3/last_checkpoint")"
}

# the data and the tiny VLM first, so parallel rows do not race for them
python tools/main_job.py --prepare-only --config $C/vost_r18_1xb8-2e_synthetic-ag-sgdet.py

chain_a() {
    row spatial-only $C/vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py &&
    stage2 plus-temporal $C/vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py spatial-only &&
    row plus-feature-bank $C/ablations/vost-no-dual-source_r18_1xb8-2e_synthetic-ag-sgdet.py
}
chain_b() {
    row plus-dual-source $C/ablations/vost-no-feature-bank_r18_1xb8-2e_synthetic-ag-sgdet.py &&
    row vost-spatial $C/vost_r18_1xb8-2e_synthetic-ag-sgdet.py &&
    stage2 full-vost $C/vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py vost-spatial
}

if [ "$JOBS" -le 1 ]; then
    chain_a
    chain_b
else
    export OMP_NUM_THREADS=1
    chain_a &
    first=$!
    chain_b &
    second=$!
    wait $first
    wait $second
fi

python - "$ROOT" <<'PYEOF'
import json, os, sys
root = sys.argv[1]
rows = ['spatial-only', 'plus-temporal', 'plus-dual-source',
        'plus-feature-bank', 'vost-spatial', 'full-vost']
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
