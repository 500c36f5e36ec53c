# The main-job config at four times the learning rate (AdamW 1.6e-3
# instead of 4e-4; same cosine decay, grad clip 0.1): does the trend of
# lr 2e-4 / 4e-4 / 8e-4 go on
# (docs/model.md#reproducibility-and-run-to-run-spread)?
_base_ = ['../vost_r18_1xb8-2e_synthetic-ag-sgdet.py']

optim_wrapper = dict(optimizer=dict(lr=1.6e-3))
