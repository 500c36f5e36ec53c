# Ablation: feature bank without the textual cue (no object-class and
# predicate prompt embeddings, no predicate-text similarity logits).
_base_ = ['../vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(
    bbox_head=dict(
        feature_bank=dict(use_textual=False, text_logit_scale=None)))
