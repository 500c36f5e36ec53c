# VOST spatial model, PredCls on synthetic Action Genome (2 CPU cores): the
# small synthetic model with one query per GT pair (content = embedding of
# the GT object class, anchors = the pair's GT boxes); the datasets and the
# metric take the task from model.task.
_base_ = ['./vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py']

model = dict(
    task='predcls',
    query_generator=dict(_delete_=True, **_base_.gt_pair_query_generator))
