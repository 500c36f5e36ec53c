# The previous 2-epoch CPU schedule (vost-lr4e-4_*) at four times its
# learning rate (AdamW 1.6e-3 instead of 4e-4; same cosine decay, grad
# clip 0.1): does the trend of lr 2e-4 / 4e-4 / 8e-4 go on
# (docs/model.md#reproducibility-and-run-to-run-spread)?
_base_ = ['./vost-lr4e-4_r18_1xb8-2e_synthetic-ag-sgdet.py']

optim_wrapper = dict(optimizer=dict(lr=1.6e-3))
