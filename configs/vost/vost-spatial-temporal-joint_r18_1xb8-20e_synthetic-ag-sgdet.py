# Joint option: the spatial model and the temporal stage train together
# (no freezing) on 3-frame clips, from scratch or from a stage-1 checkpoint
# (--cfg-options load_from=...; the temporal heads then start as copies of
# the spatial heads). The spatial head's key-frame losses stay as
# auxiliary losses beside the temporal ones (prefixed ``t.``).
_base_ = ['./vost-spatial-temporal_r18_1xb8-10e_synthetic-ag-sgdet.py']

custom_hooks = []

max_epochs = 20
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=4e-4))
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[16],
        gamma=0.1)
]
