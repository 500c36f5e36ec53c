# AdamW 1e-4 (backbone 1e-5), grad clip 0.1, 12 epochs, lr x0.1 after 8.
max_epochs = 12
# Like EpochBasedTrainLoop, but resuming from a checkpoint taken inside an
# epoch continues exactly (vost/engine/loops.py).
train_cfg = dict(
    type='ResumableEpochBasedTrainLoop',
    max_epochs=max_epochs,
    val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))

# the step decay as a fragment: a config with another max_epochs states
# param_scheduler = [dict(_base_.step_schedule, end=max_epochs,
# milestones=[...])]
step_schedule = dict(type='MultiStepLR', begin=0, by_epoch=True, gamma=0.1)
param_scheduler = [dict(step_schedule, end=max_epochs, milestones=[8])]

# 8 GPUs x 2 clips; --auto-scale-lr scales the lr for other batch sizes.
auto_scale_lr = dict(enable=False, base_batch_size=16)

# Every run is seeded (seed 0; `tools/train.py --seed S` or
# `--cfg-options randomness.seed=S` changes it). GPU runs keep cuDNN's and
# CUDA's fast non-deterministic kernels (torch has no deterministic
# version of some CUDA backward ops); the CPU schedule asks for
# deterministic algorithms.
randomness = dict(seed=0, deterministic=False)
