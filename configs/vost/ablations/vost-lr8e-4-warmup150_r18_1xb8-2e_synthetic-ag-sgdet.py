# The lr-8e-4 candidate with a linear warm-up over the first 150 steps
# (LinearLR 0.01 -> 1, chained with the same cosine decay): does the
# higher learning rate's spread come from the first steps
# (docs/model.md#reproducibility-and-run-to-run-spread)?
_base_ = ['./vost-lr8e-4_r18_1xb8-2e_synthetic-ag-sgdet.py']

param_scheduler = [
    dict(
        type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
        end=150),
    dict(
        _base_.cosine_schedule, T_max=_base_.max_epochs,
        end=_base_.max_epochs),
]
