# VOST spatial model, PredCls on synthetic Action Genome (2 CPU cores): the
# small synthetic model with one query per GT pair (content = embedding of
# the GT object class, anchors = the pair's GT boxes).
_base_ = [
    '../_base_/datasets/synthetic_ag_predcls.py',
    '../_base_/models/vost_r18_small.py',
    '../_base_/schedules/vost_adamw_cpu_2e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    task=_base_.task,  # the dataset base's
    query_generator=dict(_delete_=True, **_base_.gt_pair_query_generator))

train_dataloader = dict(batch_size=8)
default_hooks = dict(logger=dict(interval=20))
