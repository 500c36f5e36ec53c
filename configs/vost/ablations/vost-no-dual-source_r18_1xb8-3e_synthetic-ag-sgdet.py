# Ablation: plain learnable pair queries instead of dual-source queries
# (the VLM still feeds the feature bank).
_base_ = ['../vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(
    query_generator=dict(
        _delete_=True, **_base_.learnable_query_generator))
