# Action Genome, SGCls (real data): the SGDet settings with task='sgcls'.
_base_ = './action_genome_sgdet.py'

task = 'sgcls'
train_dataloader = dict(dataset=dict(task=task))
val_dataloader = dict(dataset=dict(task=task))
test_dataloader = val_dataloader
val_evaluator = dict(task=task)
test_evaluator = val_evaluator
