# Full VOST on synthetic Action Genome, for 2 CPU cores: the small spatial
# model plus a tiny CLIP (64 px, 32-d), dual-source queries and the
# feature bank. The CLIP is pretrained contrastively on a separate
# synthetic set (data seed 1000, train split only), the role a
# web-pretrained CLIP plays on real AG (docs/vlm.md); its fragments are
# in ../_base_/models/vost_r18_small.py.
# The random-weight CLIP is the ablation
# ablations/vost-random-vlm_r18_1xb8-3e_synthetic-ag-sgdet.py.
_base_ = ['./vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = _base_.vlm_parts  # VLM encoder, dual-source queries, feature bank
