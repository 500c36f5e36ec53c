# Ablation: the tiny CLIP with random weights instead of the one pretrained
# on the separate synthetic set: the VLM parts are there but know nothing.
#   python tools/misc/make_tiny_vlm.py data/tiny_clip --family clip
_base_ = ['../vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(vlm_encoder=dict(model_name='data/tiny_clip'))
