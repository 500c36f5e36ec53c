#!/usr/bin/env bash
# Extract a config's VLM feature cache with NUM_PROCESSES processes
# (torchrun; one GPU each on GPU machines): each writes its shard, process 0
# merges them. Run the same command again to resume an interrupted one.
# Usage: bash tools/dist_extract_vlm_features.sh CONFIG NUM_PROCESSES
#        [tools/extract_vlm_features.py options]
if [ $# -lt 2 ]; then
    echo "usage: bash tools/dist_extract_vlm_features.sh CONFIG NUM_PROCESSES [options]" >&2
    exit 2
fi
CONFIG=$1
NPROC=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29511}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
python -m torch.distributed.run \
    --nnodes=$NNODES \
    --node_rank=$NODE_RANK \
    --master_addr=$MASTER_ADDR \
    --nproc_per_node=$NPROC \
    --master_port=$PORT \
    "$(dirname "$0")/extract_vlm_features.py" \
    $CONFIG \
    --launcher pytorch ${@:3}
