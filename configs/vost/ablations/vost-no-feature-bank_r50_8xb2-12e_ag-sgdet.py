# Ablation: no multi-modal feature bank (the predicate classifiers read the
# relation-decoder features; the VLM still feeds the dual-source queries).
_base_ = ['../vost_r50_8xb2-12e_ag-sgdet.py']

model = dict(bbox_head=dict(feature_bank=None))
