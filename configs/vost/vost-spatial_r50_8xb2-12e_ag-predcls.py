# VOST spatial model, PredCls on Action Genome: GT boxes and labels given;
# one query per GT pair whose content is the embedding of its GT object
# class. Same backbone, depths and schedule as the SGDet config; the
# datasets and the metric take the task from model.task.
_base_ = ['./vost-spatial_r50_8xb2-12e_ag-sgdet.py']

model = dict(
    task='predcls',
    query_generator=dict(_delete_=True, **_base_.gt_pair_query_generator))
