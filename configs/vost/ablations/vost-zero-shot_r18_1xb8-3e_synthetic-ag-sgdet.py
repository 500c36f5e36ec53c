# Zero-shot predicates: the main job's VOST trained with three predicates
# held out of its labels, tested with them scored by the feature bank's
# predicate-text logits alone (vost/models/heads/novel_predicates.py);
# recall reported on the novel predicates' GT triplets (novel/..., the
# zero-shot zR@K) and on the others (base/...), docs/evaluation.md.
# The pretrained tiny CLIP saw every predicate word on its own synthetic
# set, as a web-pretrained CLIP has; the random-VLM row is
# vost-zero-shot-random-vlm_r18_1xb8-3e_synthetic-ag-sgdet.py.
_base_ = ['../vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

novel_predicates = ['on_the_side_of', 'sitting_on', 'wiping']

train_dataloader = dict(dataset=dict(hold_out_predicates=novel_predicates))
model = dict(test_cfg=dict(novel_predicates=novel_predicates))
val_evaluator = dict(
    predicate_subsets=dict(novel=novel_predicates, base='rest'))
test_evaluator = val_evaluator
