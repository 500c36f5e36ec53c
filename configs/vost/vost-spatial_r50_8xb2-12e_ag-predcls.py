# VOST spatial model, PredCls on Action Genome: GT boxes and labels given;
# one query per GT pair whose content is the embedding of its GT object
# class. Same backbone, depths and schedule as the SGDet config.
_base_ = [
    '../_base_/datasets/action_genome_predcls.py',
    '../_base_/models/vost_r50.py',
    '../_base_/schedules/vost_adamw_12e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    task=_base_.task,  # the dataset base's
    query_generator=dict(_delete_=True, **_base_.gt_pair_query_generator))

train_dataloader = dict(batch_size=2)
