# Full VOST with the temporal stage on synthetic Action Genome (2 CPU
# cores): stage 1 is vost_r18_1xb8-3e_synthetic-ag-sgdet.py (tiny
# pretrained CLIP, dual-source queries, feature bank); this stage 2 loads its
# checkpoint and trains only the temporal parts (docs/temporal.md):
#   python tools/train.py configs/vost/<this file> \
#       --cfg-options load_from=work_dirs/<stage 1>/epoch_3.pth
# Resolves to the spatial temporal stage 2 config
# (vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py)
# plus the VLM parts of vost_r18_1xb8-3e_synthetic-ag-sgdet.py.
_base_ = ['./vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py']

stage1_config = 'configs/vost/vost_r18_1xb8-3e_synthetic-ag-sgdet.py'
model = _base_.vlm_parts  # VLM encoder, dual-source queries, feature bank
