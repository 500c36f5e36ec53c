# CPU schedule for the small model trained from scratch on synthetic data:
# AdamW 4e-4 (backbone too: no pretrained weights), grad clip 0.1,
# 20 epochs, lr x0.1 after 16.
_base_ = './vost_adamw_12e.py'

max_epochs = 20
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(
    optimizer=dict(lr=4e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=1.0)}))
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[16],
        gamma=0.1)
]
auto_scale_lr = dict(base_batch_size=8)
