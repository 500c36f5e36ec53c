# VOST spatial model, SGDet on synthetic Action Genome, 1 CPU process x 8
# clips (T = 1) of 128x128 frames; see configs/_base_/models/vost_r18_small.py.
_base_ = [
    '../_base_/datasets/synthetic_ag.py',
    '../_base_/models/vost_r18_small.py',
    '../_base_/schedules/vost_adamw_cpu_3e.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(batch_size=8)
default_hooks = dict(logger=dict(interval=20))
