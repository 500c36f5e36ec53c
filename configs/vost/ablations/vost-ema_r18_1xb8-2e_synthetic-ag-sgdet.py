# VOST spatial at AdamW 4e-4 over 2 epochs (ablations/vost-lr4e-4_*; 2
# epochs) with an exponential moving average of the weights
# (mmdet's ExpMomentumEMA through mmengine's EMAHook, as in YOLOX and
# RTMDet): the checkpoints and the test use the averaged weights. Momentum
# 0.002 (an average over the last ~500 of the 1,772 steps) with gamma 200
# (the average follows the model closely over the first few hundred steps).
# BatchNorm statistics are averaged too (update_buffers=True), since the
# small backbone trains its BatchNorm. A candidate against the seed-to-seed
# spread (docs/model.md#reproducibility-and-run-to-run-spread).
_base_ = ['./vost-lr4e-4_r18_1xb8-2e_synthetic-ag-sgdet.py']

custom_hooks = [
    *_base_.custom_hooks,
    dict(
        type='EMAHook',
        ema_type='mmdet.ExpMomentumEMA',
        momentum=0.002,
        gamma=200,
        update_buffers=True,
        priority=49)
]
