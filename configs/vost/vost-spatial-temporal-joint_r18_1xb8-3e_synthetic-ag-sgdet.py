# Joint option: the spatial model and the temporal stage train together
# (no freezing) on 3-frame clips, from scratch or from a stage-1 checkpoint
# (--cfg-options load_from=...; the temporal heads then start as copies of
# the spatial heads). The spatial head's key-frame losses stay as
# auxiliary losses beside the temporal ones (prefixed ``t.``).
_base_ = ['./vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py']

# no FreezeModulesHook: everything trains (the RNG hook stays for resume)
custom_hooks = [dict(type='RNGStateHook')]

# the spatial model's schedule (3 epochs, AdamW 8e-4, cosine), all parts
# trainable
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=8e-4))
param_scheduler = [
    dict(_base_.cosine_schedule, T_max=max_epochs, end=max_epochs)
]
