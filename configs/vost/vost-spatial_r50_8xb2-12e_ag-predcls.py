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
    task='predcls',
    query_generator=dict(
        _delete_=True,
        type='GTPairQueryGenerator',
        embed_dims={{_base_.embed_dims}}))

train_dataloader = dict(batch_size=2)
