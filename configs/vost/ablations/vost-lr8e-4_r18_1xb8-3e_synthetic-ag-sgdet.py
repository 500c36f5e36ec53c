# The lr-8e-4 candidate trained 3 epochs instead of 2 (the same cosine
# decay stretched over 3 epochs): does a schedule closer to convergence
# narrow the seed-to-seed spread
# (docs/model.md#reproducibility-and-run-to-run-spread)? About 1.5x the
# training time of the main job.
_base_ = ['./vost-lr8e-4_r18_1xb8-2e_synthetic-ag-sgdet.py']

max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(_base_.cosine_schedule, T_max=max_epochs, end=max_epochs)
]
