# Ablation: feature bank without the spatial (box geometry) cue.
_base_ = ['../vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(bbox_head=dict(feature_bank=dict(use_spatial=False)))
