# The main job's config (tools/main_job.py): full VOST on synthetic Action
# Genome with a 10-epoch schedule that fits the job's 20-minute budget on
# 2 CPU cores (lr x0.1 after epoch 8). See the 20-epoch config for the model.
_base_ = ['./vost_r18_1xb8-20e_synthetic-ag-sgdet.py']

max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_epochs,
        by_epoch=True,
        milestones=[8],
        gamma=0.1)
]
