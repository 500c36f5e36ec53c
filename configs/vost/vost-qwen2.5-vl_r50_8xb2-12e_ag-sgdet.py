# Full VOST on Action Genome with Qwen2.5-VL-7B-Instruct as the frozen VLM
# (the VLM a published review of VOST-SGG names) instead of CLIP ViT-B/16:
# the same model, only the VLM settings and the VLM parts' input width
# (the 7B language-model hidden size 3584) change. How the outputs are
# read off a generative VLM (merged vision tokens, pooled language-model
# states) is inferred: docs/vlm.md, "Qwen2.5-VL".
# The 7B vision tower is costly: extract the feature cache first, on the
# GPUs (resumable):
#   bash tools/dist_extract_vlm_features.sh \
#       configs/vost/vost-qwen2.5-vl_r50_8xb2-12e_ag-sgdet.py 8
# Offline machines: huggingface-cli download Qwen/Qwen2.5-VL-7B-Instruct
# --local-dir DIR elsewhere, then
#   --cfg-options model.vlm_encoder.model_name=DIR
_base_ = ['./vost_r50_8xb2-12e_ag-sgdet.py']

vlm_channels = 3584  # Qwen2.5-VL-7B hidden size (= merged token width)
model = dict(
    vlm_encoder=dict(
        model_name='Qwen/Qwen2.5-VL-7B-Instruct',
        qwen_image_size=448,  # 16 x 16 merged tokens, pooled to 7 x 7
        text_pooling='mean',
        qwen_prior='similarity',  # 'yes_probability' runs online only
        torch_dtype='bfloat16',
        vision_batch_size=8,  # SDPA vision attention: quadratic per call
        cache_dir='data/action_genome/vlm_cache/qwen2.5-vl-7b_448_grid7'),
    query_generator=dict(vlm_channels=vlm_channels),
    bbox_head=dict(feature_bank=dict(vlm_channels=vlm_channels)))
