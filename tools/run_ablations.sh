#!/usr/bin/env bash
# The ablation table on synthetic Action Genome (SGDet), the analogue of the
# paper's, over several training seeds. Each row trains one config with the
# main job's schedule (3 epochs of the 500-video data) through
# tools/main_job.py once per seed, into WORK_ROOT/ROW/seed_S; the table of
# mean +- std per row is written to WORK_ROOT/ablations.md
# (tools/analysis_tools/ablation_table.py):
#   spatial-only       the one-stage spatial model (no VLM, no temporal)
#   plus-temporal      spatial-only + temporal stage 2 (1 epoch) on its
#                      checkpoint of the same seed
#   plus-dual-source   spatial + VLM dual-source queries (pretrained VLM)
#   plus-feature-bank  spatial + multi-modal feature bank (pretrained VLM)
#   random-vlm         spatial + dual-source + feature bank, random VLM
#   vost-spatial       spatial + dual-source + feature bank, pretrained VLM
#                      (the main job's config)
#   full-vost          vost-spatial + temporal stage 2 on its checkpoint
#
# Usage: bash tools/run_ablations.sh [WORK_ROOT] [JOBS] [SEED ...]
#   SEEDS default: 0 1 2. ROWS="vost-spatial random-vlm" selects rows
#   (a stage-2 row runs its stage-1 row first). SHARE=0.1 (or VIDEOS=50)
#   trains every row on that share (number) of the training videos, the
#   same videos for every row and seed (main_job.py --train-share;
#   data-efficiency curves: one WORK_ROOT per share). Finished runs are skipped,
#   so an interrupted table resumes.
#   JOBS=1 (default): one run at a time, torch's default threads (about 15
#   minutes per spatial run on 2 idle cores).
#   JOBS=2: two runs at a time, one torch thread each (OMP_NUM_THREADS=1),
#   which uses 2 cores better; minutes are then per run on a shared machine.
#   Numbers depend on the thread count in the last bits: compare rows run
#   with the same JOBS.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-work_dirs/ablations}
JOBS=${2:-1}
shift $(( $# < 2 ? $# : 2 ))
SEEDS=${*:-0 1 2}
ALL_ROWS="spatial-only plus-temporal plus-dual-source plus-feature-bank random-vlm vost-spatial full-vost"
ROWS=${ROWS:-$ALL_ROWS}
SUBSET=()
if [ -n "${SHARE:-}" ]; then SUBSET=(--train-share "$SHARE"); fi
if [ -n "${VIDEOS:-}" ]; then SUBSET=(--train-videos "$VIDEOS"); fi
C=configs/vost
A=$C/ablations
mkdir -p "$ROOT"

config_of() {
    case $1 in
        spatial-only) echo $C/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py ;;
        plus-temporal) echo $C/vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py ;;
        plus-dual-source) echo $A/vost-no-feature-bank_r18_1xb8-3e_synthetic-ag-sgdet.py ;;
        plus-feature-bank) echo $A/vost-no-dual-source_r18_1xb8-3e_synthetic-ag-sgdet.py ;;
        random-vlm) echo $A/vost-random-vlm_r18_1xb8-3e_synthetic-ag-sgdet.py ;;
        vost-spatial) echo $C/vost_r18_1xb8-3e_synthetic-ag-sgdet.py ;;
        full-vost) echo $C/vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py ;;
        *) echo "unknown row $1" >&2; return 1 ;;
    esac
}

stage1_of() {  # the row whose checkpoint a stage-2 row loads
    case $1 in
        plus-temporal) echo spatial-only ;;
        full-vost) echo vost-spatial ;;
    esac
}

run_row() {  # name seed
    local name=$1 seed=$2 dir="$ROOT/$1/seed_$2" extra=() s1
    if [ -f "$dir/main_job_results.json" ]; then
        echo "[ablations] $name seed $seed: done already"
        return
    fi
    s1=$(stage1_of "$name")
    if [ -n "$s1" ]; then
        run_row "$s1" "$seed"
        extra=("load_from=$(cat "$ROOT/$s1/seed_$seed/last_checkpoint")")
    fi
    echo "[ablations] $name seed $seed: $(config_of "$name")"
    mkdir -p "$dir"
    python tools/main_job.py --no-baselines --config "$(config_of "$name")" \
        --work-dir "$dir" --seed "$seed" ${SUBSET[@]+"${SUBSET[@]}"} \
        ${extra[@]+--cfg-options "${extra[@]}"} \
        > "$dir/main_job.log" 2>&1 || {
        echo "[ablations] $name seed $seed failed: see $dir/main_job.log"
        return 1
    }
    echo "[ablations] $name seed $seed: done"
}

# the data and both tiny VLMs first, so parallel runs do not race for them
python tools/main_job.py --prepare-only --config $C/vost_r18_1xb8-3e_synthetic-ag-sgdet.py
python tools/main_job.py --prepare-only --config $A/vost-random-vlm_r18_1xb8-3e_synthetic-ag-sgdet.py

# one task per (row, seed); a stage-2 row brings its stage-1 row along
tasks=()
for seed in $SEEDS; do
    for name in $ROWS; do
        s1=$(stage1_of "$name")
        if [ -n "$s1" ] && [[ " $ROWS " == *" $s1 "* ]]; then
            continue  # chained after its stage-1 row's run below
        fi
        task="$name:$seed"
        for other in $ROWS; do
            if [ "$(stage1_of "$other")" = "$name" ]; then
                task="$task+$other"
            fi
        done
        tasks+=("$task")
    done
done

run_task() {  # "row:seed" or "row:seed+stage2row"
    local task=$1 name seed rest
    name=${task%%:*}
    rest=${task#*:}
    seed=${rest%%+*}
    run_row "$name" "$seed"
    if [[ $rest == *+* ]]; then
        run_row "${rest#*+}" "$seed"
    fi
}

if [ "$JOBS" -gt 1 ]; then
    export OMP_NUM_THREADS=1
fi
status=0
for task in "${tasks[@]}"; do
    if [ "$JOBS" -le 1 ]; then
        run_task "$task" || status=1
    else
        while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
            wait -n || status=1
        done
        run_task "$task" &
    fi
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do
    wait -n || status=1
done

# shellcheck disable=SC2086
python tools/analysis_tools/ablation_table.py "$ROOT" --rows $ALL_ROWS \
    --out "$ROOT/ablations.md"
exit $status
