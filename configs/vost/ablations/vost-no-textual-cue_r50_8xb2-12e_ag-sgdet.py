# Ablation: feature bank without the textual cue (no object-class and
# predicate prompt embeddings, no predicate-text similarity logits).
_base_ = ['../vost_r50_8xb2-12e_ag-sgdet.py']

model = dict(
    bbox_head=dict(
        feature_bank=dict(use_textual=False, text_logit_scale=None)))
