# VOST spatial at AdamW 4e-4 over 2 epochs (ablations/vost-lr4e-4_*; 2
# epochs) with the Hungarian matching measured during training
# (MatchingStabilityHook: every 20 steps, the share of GT pairs of 16 fixed
# training frames matched to another query than at the last check, logged
# as match/flip_rate and written to matching_stability.json). The hook
# does not change the training (tested bit for bit): the weights and the
# metrics are the main-job config's. A measurement of one candidate cause
# of the seed-to-seed spread
# (docs/model.md#reproducibility-and-run-to-run-spread).
_base_ = ['./vost-lr4e-4_r18_1xb8-2e_synthetic-ag-sgdet.py']

custom_hooks = [
    *_base_.custom_hooks,
    dict(type='MatchingStabilityHook', interval=20, num_samples=16)
]
