# Ablation: no multi-modal feature bank (the predicate classifiers read the
# relation-decoder features; the VLM still feeds the dual-source queries).
_base_ = ['../vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(bbox_head=dict(feature_bank=None))
