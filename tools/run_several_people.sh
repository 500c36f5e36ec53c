#!/usr/bin/env bash
# Several people on synthetic Action Genome (docs/results.md, "Several
# people"): per training seed, through tools/main_job.py,
#   many                  the 3-people config trained on data with up to 3
#                         people per video (--max-people 3), tested there
#   many-on-1person       the same checkpoint on the one-person test split
#   one                   the main job's one-person config, on its own data
#   one-on-3people        its checkpoint on the 3-people test split, with
#                         its one-person post-processing
#   one-on-3people-per-subject
#                         the same, with person_box='per_subject'
# Every row is evaluated with the several-people protocol
# (subjects='per_triplet'; equal to the published one on one-person data).
# The table of mean +- std per row: WORK_ROOT/several_people.md.
#
# Usage: bash tools/run_several_people.sh [WORK_ROOT] [SEED ...]
#   SEEDS default: 0 1 2. Finished runs are skipped, so an interrupted run
#   resumes; a finished one-person main job (e.g. the ablation table's
#   vost-spatial/seed_S) can be linked as WORK_ROOT/one/seed_S.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=${1:-work_dirs/several_people}
shift $(( $# < 1 ? $# : 1 ))
SEEDS=${*:-0 1 2}
ONE=configs/vost/vost_r18_1xb8-3e_synthetic-ag-sgdet.py
MANY=configs/vost/vost_r18_1xb8-3e_synthetic-ag-3people-sgdet.py
D1=data/synthetic_ag
D3=data/synthetic_ag_3people
PER=(test_evaluator.subjects=per_triplet)
mkdir -p "$ROOT"

job() {  # row seed main_job-arguments...
    local row=$1 seed=$2 dir="$ROOT/$1/seed_$2"
    shift 2
    if [ -f "$dir/main_job_results.json" ]; then
        echo "[several people] $row seed $seed: done already"
        return
    fi
    echo "[several people] $row seed $seed"
    mkdir -p "$dir"
    python tools/main_job.py --no-baselines --vlm-class-weight 0 \
        --work-dir "$dir" --seed "$seed" "$@" > "$dir/main_job.log" 2>&1 || {
        echo "[several people] $row seed $seed failed: see $dir/main_job.log"
        return 1
    }
}

checkpoint() {  # row seed
    cat "$ROOT/$1/seed_$2/last_checkpoint"
}

python tools/main_job.py --prepare-only --config $ONE
python tools/main_job.py --prepare-only --config $MANY
for seed in $SEEDS; do
    job many "$seed" --config $MANY
    job many-on-1person "$seed" --config $MANY --data-root $D1 \
        --checkpoint "$(checkpoint many "$seed")"
    job one "$seed" --config $ONE --cfg-options "${PER[@]}"
    job one-on-3people "$seed" --config $ONE --data-root $D3 \
        --checkpoint "$(checkpoint one "$seed")" --cfg-options "${PER[@]}"
    job one-on-3people-per-subject "$seed" --config $ONE --data-root $D3 \
        --checkpoint "$(checkpoint one "$seed")" --cfg-options "${PER[@]}" \
        model.test_cfg.person_box=per_subject
done

python tools/analysis_tools/ablation_table.py "$ROOT" --rows many \
    many-on-1person one one-on-3people one-on-3people-per-subject \
    --out "$ROOT/several_people.md"
