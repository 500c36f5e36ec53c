# Temporal stage 2, SGCls on Action Genome: the SGDet temporal config with
# one query per GT pair, as in its stage 1
# vost-spatial_r50_8xb2-12e_ag-sgcls.py (load its checkpoint).
_base_ = ['./vost-spatial-temporal_r50_8xb2-6e_ag-sgdet.py']

task = 'sgcls'
model = dict(
    task=task,
    query_generator=dict(_delete_=True, **_base_.gt_pair_query_generator))
train_dataloader = dict(dataset=dict(task=task))
val_dataloader = dict(dataset=dict(task=task))
test_dataloader = val_dataloader
val_evaluator = dict(task=task)
test_evaluator = val_evaluator
