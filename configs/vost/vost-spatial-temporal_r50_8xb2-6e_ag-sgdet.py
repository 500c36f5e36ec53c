# Temporal stage 2 of the spatial model, SGDet on Action Genome (OED's
# temporal stage; docs/temporal.md). Stage 1 is
# vost-spatial_r50_8xb2-12e_ag-sgdet.py; this config loads its checkpoint
# and trains only the temporal decoder and the temporal heads:
#   tools/dist_train.sh configs/vost/<this file> 8 \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_12.pth
# Clips: key frame + 2 reference frames within +-4 annotated frames (OED);
# test clips take the nearest frames on both sides (published protocol).
# Streaming (past frames only): vost-spatial-temporal-causal_*.
# Inferred (not stated by OED/VOST): 6 epochs, lr 1e-4 dropped after 4.
_base_ = [
    './vost-spatial_r50_8xb2-12e_ag-sgdet.py',
    '../_base_/schedules/temporal_stage2.py'
]

clip = dict(clip_sampler=dict(num_ref_frames=2))
train_dataloader = dict(batch_size=2, dataset=clip)
# Neighbouring key frames share reference frames: in one batch a shared
# frame runs through the spatial model once (VOST._key_frame_outputs).
val_dataloader = dict(batch_size=4, dataset=clip)
test_dataloader = val_dataloader
model = dict(temporal=_base_.temporal_stage)

# stage 2: only the temporal parts train, from the stage-1 checkpoint
# (--cfg-options load_from=...)
custom_hooks = [*_base_.custom_hooks, _base_.freeze_spatial_hook]

max_epochs = 6
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [dict(_base_.step_schedule, end=max_epochs, milestones=[4])]
