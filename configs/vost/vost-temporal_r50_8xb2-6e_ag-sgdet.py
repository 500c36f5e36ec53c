# Full VOST-SGG, temporal stage 2, SGDet on Action Genome: the full VOST
# (frozen CLIP, dual-source queries, multi-modal feature bank;
# vost_r50_8xb2-12e_ag-sgdet.py is its stage 1) plus the temporal stage.
# Loads the stage-1 checkpoint and trains only the temporal decoder and the
# temporal heads (whose feature banks start as copies of the spatial one):
#   tools/dist_train.sh configs/vost/<this file> 8 \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_12.pth
# The VLM feature cache must hold the reference frames too (extract it for
# all kept frames, tools/extract_vlm_features.py). See docs/temporal.md.
# Resolves to the spatial temporal stage 2 config
# (vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py)
# plus the VLM parts of vost_r50_8xb2-12e_ag-sgdet.py.
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

model = _base_.vlm_parts  # VLM encoder, dual-source queries, feature bank
