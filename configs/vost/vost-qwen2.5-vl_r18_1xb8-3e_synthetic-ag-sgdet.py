# Full VOST on synthetic Action Genome with a tiny random-weight Qwen2.5-VL
# (112 px input = 4 x 4 merged tokens, width 32, the tiny CLIP's width and
# grid) as the frozen VLM: the CPU counterpart of
# vost-qwen2.5-vl_r50_8xb2-12e_ag-sgdet.py; only the VLM changes
# (docs/vlm.md, "Qwen2.5-VL"; text_pooling and qwen_prior keep their
# defaults, 'mean' and 'similarity'). Make the model first:
#   python tools/misc/make_tiny_vlm.py data/tiny_qwen2_5_vl \
#       --family qwen2_5_vl
_base_ = ['./vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(
    vlm_encoder=dict(
        model_name='data/tiny_qwen2_5_vl',
        qwen_image_size=112))
