# VOST spatial at AdamW 4e-4 over 2 epochs (ablations/vost-lr4e-4_*; 2
# epochs) with 2 person anchors x 20 object proposals (40 pair
# queries) instead of 1 x 20: the dual-source generator pairs each of the 2
# best person proposals with the 20 best object proposals. A candidate
# against the seed-to-seed spread, which sits mostly in the person box
# (docs/model.md#reproducibility-and-run-to-run-spread). The
# post-processing keeps the base's 20 pairs per frame.
_base_ = ['./vost-lr4e-4_r18_1xb8-2e_synthetic-ag-sgdet.py']

model = dict(query_generator=dict(num_queries=40, num_person_anchors=2))
