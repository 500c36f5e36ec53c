# Temporal stage 2, PredCls on Action Genome: the SGDet temporal config with
# one query per GT pair, as in its stage 1
# vost-spatial_r50_8xb2-12e_ag-predcls.py (load its checkpoint).
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

model = dict(
    task='predcls',
    query_generator=dict(_delete_=True, **_base_.gt_pair_query_generator))
