# Full VOST (spatial stages): the spatial SGDet model plus the frozen VLM
# (CLIP ViT-B/16, 512-d), dual-source pair queries and the multi-modal
# feature bank (docs/vlm.md). Extract the VLM feature cache once first:
#   python tools/extract_vlm_features.py \
#       configs/vost/vost_r50_8xb2-12e_ag-sgdet.py
# The VLM parts are fragments of ../_base_/models/vost_r50.py (offline
# machines: see there).
# Run the VLM online instead of the cache (demo on new videos):
#   --cfg-options model.vlm_encoder.cache_dir=None
_base_ = ['./vost-spatial_r50_8xb2-12e_ag-sgdet.py']

model = _base_.vlm_parts  # VLM encoder, dual-source queries, feature bank
