# Temporal stage 2 of the small spatial model on synthetic Action Genome
# (2 CPU cores), as OED trains it (docs/temporal.md):
#   stage 1: vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py (single frames)
#   stage 2: this config, from the stage-1 checkpoint, trains only the
#            temporal decoder and the temporal heads (FreezeModulesHook):
#   python tools/train.py configs/vost/<this file> \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_3.pth
# Clips: key frame + 2 reference frames within +-4 annotated frames; test
# clips take the nearest frames on both sides (the published protocol).
# vost-spatial-temporal-causal_* uses past frames only.
_base_ = [
    './vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py',
    '../_base_/schedules/temporal_stage2.py'
]

# the config whose checkpoint stage 2 loads (tools/main_job.py trains it
# first when no load_from is given)
stage1_config = 'configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py'
clip = dict(clip_sampler=dict(num_ref_frames=2))
train_dataloader = dict(dataset=clip)
val_dataloader = dict(dataset=clip)
test_dataloader = val_dataloader
model = dict(temporal=_base_.temporal_stage)

# stage 2: only the temporal parts train, from the stage-1 checkpoint
# (--cfg-options load_from=...)
custom_hooks = [*_base_.custom_hooks, _base_.freeze_spatial_hook]

# one epoch (about 890 steps of 8 three-frame clips), cosine decay
max_epochs = 1
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2e-4))
param_scheduler = [
    dict(_base_.cosine_schedule, T_max=max_epochs, end=max_epochs)
]
