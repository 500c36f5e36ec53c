# Temporal stage 2 of the small spatial model on synthetic Action Genome
# (2 CPU cores), as OED trains it (docs/temporal.md):
#   stage 1: vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py (single frames)
#   stage 2: this config, from the stage-1 checkpoint, trains only the
#            temporal decoder and the temporal heads (FreezeModulesHook):
#   python tools/train.py configs/vost/<this file> \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_2.pth
# Clips: key frame + 2 reference frames within +-4 annotated frames; test
# clips take the nearest frames on both sides (the published protocol).
# vost-spatial-temporal-causal_* uses past frames only.
_base_ = [
    './vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py',
    '../_base_/schedules/temporal_stage2.py'
]

num_ref_frames = 2
causal = False
clip_sample = dict(
    _base_.clip_sample, num_ref_frames=num_ref_frames, causal=causal)

model = dict(temporal=_base_.temporal_stage)

train_pipeline = [clip_sample, *_base_.train_pipeline[1:]]
test_pipeline = [dict(clip_sample, test_mode=True), *_base_.test_pipeline[1:]]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader

# stage 2: only the temporal parts train
custom_hooks = [*_base_.custom_hooks, _base_.freeze_spatial_hook]
model_wrapper_cfg = _base_.stage2_wrapper_cfg
load_from = None  # the stage-1 checkpoint (--cfg-options load_from=...)

# one epoch (about 890 steps of 8 three-frame clips), cosine decay
max_epochs = 1
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = [
    dict(_base_.cosine_schedule, T_max=max_epochs, end=max_epochs)
]
