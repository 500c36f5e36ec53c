# Ablation: feature bank without the visual VLM cue (patch features pooled
# over the union box); the relation-decoder feature stays.
_base_ = ['../vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(bbox_head=dict(feature_bank=dict(use_visual_vlm=False)))
