# Temporal stage 2, PredCls on synthetic Action Genome: the synthetic SGDet
# temporal config with one query per GT pair (as in
# vost-spatial_r18_1xb8-3e_synthetic-ag-predcls.py, its stage 1).
_base_ = ['./vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py']

model = dict(
    task='predcls',
    query_generator=dict(_delete_=True, **_base_.gt_pair_query_generator))
