# VOST spatial model (no VLM, no temporal stage), SGDet on Action Genome:
# ResNet-50, 100 pair queries, 6-layer encoder, 6 + 6 decoder layers,
# AdamW 1e-4 (backbone 1e-5), grad clip 0.1, 8 GPUs x 2 clips, 12 epochs.
_base_ = [
    '../_base_/datasets/action_genome.py',
    '../_base_/models/vost_r50.py',
    '../_base_/schedules/vost_adamw_12e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=2)
