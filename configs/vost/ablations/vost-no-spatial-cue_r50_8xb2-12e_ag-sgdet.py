# Ablation: feature bank without the spatial (box geometry) cue.
_base_ = ['../vost_r50_8xb2-12e_ag-sgdet.py']

model = dict(bbox_head=dict(feature_bank=dict(use_spatial=False)))
