# Joint option on Action Genome: spatial model and temporal stage trained
# together on 3-frame clips (no freezing), from the ImageNet backbone or a
# stage-1 checkpoint (--cfg-options load_from=...). The spatial head's
# key-frame losses stay as auxiliary losses beside the temporal ones (t.*).
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

# no FreezeModulesHook: everything trains (the RNG hook stays for resume)
custom_hooks = [dict(type='RNGStateHook')]

max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
param_scheduler = [dict(_base_.step_schedule, end=max_epochs, milestones=[8])]
