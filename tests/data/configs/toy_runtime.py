# A tiny config for launch tests: 2 iterations of a linear regressor.
_base_ = ['vost::_base_/default_runtime.py']
custom_imports = dict(
    imports=['vost.testing.toy_modules'], allow_failed_imports=False)

model = dict(type='ToyRegressor', dim=4)
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type='ToyRegressionDataset', num_samples=16, dim=4))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2, val_interval=100)
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = [dict(type='MultiStepLR', milestones=[3], by_epoch=False)]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1),
    checkpoint=dict(type='CheckpointHook', interval=2, by_epoch=False))
custom_hooks = [dict(type='RankRecorderHook')]
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
