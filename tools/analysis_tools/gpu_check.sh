#!/usr/bin/env bash
# The device check: on a CUDA machine, in one go,
#   1. installs what is missing (tools/install.sh picks its cuda mode),
#   2. writes a small synthetic Action Genome set at AG frame size,
#   3. trains CONFIG for about ITERS iterations on it (--amp),
#   4. tests the checkpoint (--amp) and writes its predictions,
#   5. evaluates them (tools/analysis_tools/eval_sgg.py),
#   6. times VOST against DETR-R50 on the device, paired (benchmark.py),
#   7. prints s/iter, peak GPU memory, R@20 and the paired ratio, and writes
#      them to OUT/summary.json.
# On a CPU machine the same steps run on the CPU (DEVICE=cpu; set a small
# CONFIG / SIZE: tests/test_foundation/test_tool_smoke.py runs it so).
#
# Usage: bash tools/analysis_tools/gpu_check.sh [OUT_DIR]   (default
#        work_dirs/gpu_check; about 10 minutes on one GPU)
# Environment (defaults):
#   CONFIG=configs/vost/vost-spatial_r50_8xb2-12e_ag-sgdet.py
#   ITERS=20 training iterations (the data is sized for them)
#   BATCH=2  clips per iteration
#   SIZE="1000 600" frame width and height (AG: short side 600)
#   DEVICE=cuda when torch sees one, else cpu
#   AMP=1    train and test with --amp
#   BENCH_ITERS=20 paired benchmark iterations
#   SKIP_INSTALL=0 (1: do not run tools/install.sh)
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-work_dirs/gpu_check}
PY=${PYTHON:-python}
CONFIG=${CONFIG:-configs/vost/vost-spatial_r50_8xb2-12e_ag-sgdet.py}
ITERS=${ITERS:-20}
BATCH=${BATCH:-2}
read -r W H <<< "${SIZE:-1000 600}"
BENCH_ITERS=${BENCH_ITERS:-20}
AMP=${AMP:-1}
step() { echo "[gpu_check] $*"; }

if [ "${SKIP_INSTALL:-0}" != 1 ]; then
    step "1/7 install (tools/install.sh)"
    PYTHON=$PY bash tools/install.sh
fi
DEVICE=${DEVICE:-$("$PY" -c 'import torch; print("cuda" if torch.cuda.is_available() else "cpu")')}
AMP_ARG=()
[ "$AMP" = 1 ] && AMP_ARG=(--amp)
step "device $DEVICE, config $CONFIG, $ITERS iterations of $BATCH clips at ${W}x${H}, amp=$AMP"
if [ "$DEVICE" = cpu ]; then
    export CUDA_VISIBLE_DEVICES=""  # the tools then stay on the CPU
fi

# 4 annotated frames per video, a quarter of the videos for the test split:
# about 3 training frames per video (plus one video the filters drop)
VIDEOS=$(( (ITERS * BATCH + 2) / 3 + 1 ))
[ "$VIDEOS" -ge 4 ] || VIDEOS=4
DATA=$OUT/data
step "2/7 synthetic data: $VIDEOS videos at ${W}x${H} in $DATA"
rm -rf "$DATA"
"$PY" tools/dataset_converters/make_synthetic_ag.py "$DATA" --videos "$VIDEOS" \
    --frames 4 --seed 0 --size "$W" "$H" --test-fraction 0.25

ROOT_OPTS=(
    "train_dataloader.dataset.data_root=$DATA/"
    "val_dataloader.dataset.data_root=$DATA/"
    "test_dataloader.dataset.data_root=$DATA/"
    "val_evaluator.data_root=$DATA/"
    "test_evaluator.data_root=$DATA/"
    "model.backbone.init_cfg=None"  # no download: the time matters
)
WORK=$OUT/work
rm -rf "$WORK"
step "3/7 train (one epoch of the data, about $ITERS iterations)"
"$PY" tools/train.py "$CONFIG" --work-dir "$WORK" "${AMP_ARG[@]}" \
    --cfg-options "${ROOT_OPTS[@]}" "train_dataloader.batch_size=$BATCH" \
    train_cfg.max_epochs=1 train_cfg.val_interval=100 \
    default_hooks.logger.interval=1 default_hooks.checkpoint.interval=1
CKPT=$(cat "$WORK/last_checkpoint")

step "4/7 test $CKPT"
"$PY" tools/test.py "$CONFIG" "$CKPT" --work-dir "$OUT/test" "${AMP_ARG[@]}" \
    --out "$OUT/predictions.pkl" --cfg-options "${ROOT_OPTS[@]}"

step "5/7 evaluate"
"$PY" tools/analysis_tools/eval_sgg.py "$DATA" "$OUT/predictions.pkl" \
    --task sgdet --json "$OUT/eval.json"

step "6/7 paired benchmark against DETR on $DEVICE at ${H}x${W}"
"$PY" tools/analysis_tools/benchmark.py spatial "$CONFIG" --img-size "$H" "$W" \
    --device "$DEVICE" --parts paired vost_train --iters "$BENCH_ITERS" \
    --warmup 2 --train-batch "$BATCH" --cfg-options model.backbone.init_cfg=None \
    --json "$OUT/benchmark.json"

step "7/7 summary"
"$PY" - "$OUT" "$WORK" "$DEVICE" <<'PYEOF'
import glob, json, os.path as osp, statistics, sys
out, work, device = sys.argv[1:4]
logs = sorted(glob.glob(osp.join(work, '*', 'vis_data', 'scalars.json')))
train = []
for path in logs:
    with open(path) as f:
        train += [r for r in map(json.loads, f) if 'loss' in r and 'time' in r]
if not train:
    sys.exit(f'gpu_check: no training iterations logged under {work}')
times = [r['time'] for r in train[1:]] or [train[0]['time']]
with open(osp.join(out, 'eval.json')) as f:
    metrics = json.load(f)
with open(osp.join(out, 'benchmark.json')) as f:
    bench = json.load(f)
summary = {
    'device': device,
    'train_iters': len(train),
    'train_s_per_iter_median': statistics.median(times),
    'train_peak_memory_MB': max((r.get('memory', 0) for r in train),
                                default=0),
    'with/R@20': metrics.get('with/R@20'),
    'paired/vost_over_detr': bench.get('paired/vost_over_detr'),
    'paired/detr_infer_s': bench.get('paired/detr_infer'),
    'paired/vost_infer_s': bench.get('paired/vost_infer'),
    'benchmark_train_s_per_iter': bench.get('vost/train_s_per_iter'),
    'benchmark_peak_cuda_MB': bench.get('vost_train/peak_cuda_MB'),
}
with open(osp.join(out, 'summary.json'), 'w') as f:
    json.dump(summary, f, indent=1)
for key, value in summary.items():
    print(f'[gpu_check] {key}: {value}')
PYEOF
