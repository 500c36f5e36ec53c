# Synthetic Action Genome, PredCls: the SGDet settings with task='predcls'
# (no small-box filter; GT boxes and labels are model inputs).
_base_ = './synthetic_ag_sgdet.py'

task = 'predcls'
train_dataloader = dict(dataset=dict(task=task))
val_dataloader = dict(dataset=dict(task=task))
test_dataloader = val_dataloader
val_evaluator = dict(task=task)
test_evaluator = val_evaluator
