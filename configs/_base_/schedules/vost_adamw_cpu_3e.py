# CPU schedule for the small model trained from scratch on synthetic data
# (1,000 videos: about 890 steps of 8 clips per epoch): AdamW 8e-4
# (backbone too: no pretrained weights), grad clip 0.1, 3 epochs, cosine
# decay to 1% applied per iteration (so it fits any number of epochs and
# any data size: set max_epochs and param_scheduler's T_max / end).
# Chosen by measurement over 3 seeds
# (docs/model.md#reproducibility-and-run-to-run-spread): the previous
# 2-epoch 4e-4 schedule was under-trained and its seeds spread by 2.7-4.2
# points (std); it is kept as
# ../../vost/ablations/vost-lr4e-4_r18_1xb8-2e_synthetic-ag-sgdet.py.
_base_ = './vost_adamw_12e.py'

max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    optimizer=dict(lr=8e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
# the cosine decay as a fragment: a config with another max_epochs states
# param_scheduler = [dict(_base_.cosine_schedule, T_max=max_epochs,
# end=max_epochs)]
cosine_schedule = dict(
    type='CosineAnnealingLR',
    eta_min_ratio=0.01,
    begin=0,
    by_epoch=True,
    convert_to_iter_based=True)
param_scheduler = [dict(cosine_schedule, T_max=max_epochs, end=max_epochs)]
auto_scale_lr = dict(base_batch_size=8)

# CPU runs are bit-for-bit reproducible: the same seed and the same number
# of torch threads give the same weights and metrics (tested in
# tests/test_foundation/test_determinism.py).
randomness = dict(deterministic=True)
