# Temporal stage 2, SGCls on Action Genome: the PredCls temporal config with
# another task, as its stage 1 vost-spatial_r50_8xb2-12e_ag-sgcls.py (load
# its checkpoint).
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-predcls.py']

model = dict(task='sgcls')
