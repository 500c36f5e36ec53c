# Zero-shot predicates with the random-weight tiny CLIP: the text logits of
# the held-out predicates come from prompts the VLM cannot read.
_base_ = ['./vost-zero-shot_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(vlm_encoder=dict(model_name='data/tiny_clip'))
