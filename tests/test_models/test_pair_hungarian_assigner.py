"""Invariants of the pair Hungarian assigner and its costs."""
import pytest
import torch
from mmengine.structures import InstanceData

from vost.registry import TASK_UTILS
from vost.utils import register_all_modules

register_all_modules()

COSTS = [
    dict(type='mmdet.ClassificationCost', weight=1.0),
    dict(type='PairBoxCost', box='subject',
         box_cost=dict(type='mmdet.BBoxL1Cost', weight=5.0,
                       box_format='xywh')),
    dict(type='PairBoxCost', box='object',
         box_cost=dict(type='mmdet.BBoxL1Cost', weight=5.0,
                       box_format='xywh')),
    dict(type='PairBoxCost', box='subject',
         box_cost=dict(type='mmdet.IoUCost', iou_mode='giou', weight=2.0)),
    dict(type='PairBoxCost', box='object',
         box_cost=dict(type='mmdet.IoUCost', iou_mode='giou', weight=2.0)),
    dict(type='PredicateCost', group='attention'),
    dict(type='PredicateCost', group='spatial'),
    dict(type='PredicateCost', group='contacting'),
]
META = dict(img_shape=(100, 120))


def _boxes(gen, num):
    xy = torch.rand(num, 2, generator=gen) * 60
    wh = 10 + torch.rand(num, 2, generator=gen) * 40
    return torch.cat([xy, xy + wh], 1)


def _preds(gen, num):
    return InstanceData(
        scores=torch.randn(num, 37, generator=gen),
        sub_bboxes=_boxes(gen, num),
        obj_bboxes=_boxes(gen, num),
        attention_logits=torch.randn(num, 3, generator=gen),
        spatial_logits=torch.randn(num, 6, generator=gen),
        contacting_logits=torch.randn(num, 17, generator=gen))


def _gts(gen, num):
    return InstanceData(
        labels=torch.randint(2, 37, (num, ), generator=gen),
        sub_bboxes=_boxes(gen, num),
        obj_bboxes=_boxes(gen, num),
        attention=torch.randint(0, 3, (num, ), generator=gen),
        spatial=(torch.rand(num, 6, generator=gen) < 0.4).float(),
        contacting=(torch.rand(num, 17, generator=gen) < 0.2).float())


@pytest.fixture
def assigner():
    return TASK_UTILS.build(
        dict(type='PairHungarianAssigner', match_costs=COSTS))


def test_empty_gt_gives_empty_assignment(assigner):
    gen = torch.Generator().manual_seed(0)
    result = assigner.assign(_preds(gen, 7), _gts(gen, 0), META)
    assert result.num_gts == 0
    assert torch.equal(result.gt_inds, torch.zeros(7, dtype=torch.long))
    assert torch.equal(result.labels, torch.full((7, ), -1))


def test_one_to_one_and_labels(assigner):
    gen = torch.Generator().manual_seed(1)
    preds, gts = _preds(gen, 9), _gts(gen, 4)
    result = assigner.assign(preds, gts, META)
    assigned = result.gt_inds[result.gt_inds > 0]
    assert sorted(assigned.tolist()) == [1, 2, 3, 4]
    pos = result.gt_inds > 0
    assert torch.equal(result.labels[pos], gts.labels[result.gt_inds[pos] -
                                                      1])
    assert (result.labels[~pos] == -1).all()


def test_gt_permutation_permutes_assignment(assigner):
    gen = torch.Generator().manual_seed(2)
    preds, gts = _preds(gen, 8), _gts(gen, 5)
    perm = torch.tensor([3, 0, 4, 1, 2])
    base = assigner.assign(preds, gts, META).gt_inds
    permuted = assigner.assign(preds, gts[perm], META).gt_inds
    # GT i of the permuted set is GT perm[i] of the original
    mapped = torch.where(permuted > 0, perm[(permuted - 1).clamp(min=0)] + 1,
                         permuted)
    assert torch.equal(mapped, base)


def test_batched_equals_per_sample(assigner):
    """Frames assigned in one loop (as the head does) match single calls,
    whatever else is in the batch."""
    gen = torch.Generator().manual_seed(3)
    frames = [(_preds(gen, 6), _gts(gen, n)) for n in (3, 0, 5)]
    single = [assigner.assign(p, g, META).gt_inds for p, g in frames]
    again = [assigner.assign(p, g, META).gt_inds for p, g in frames[::-1]]
    for a, b in zip(single, again[::-1]):
        assert torch.equal(a, b)


def test_hand_computed_assignment():
    """Two perfect matches in swapped order are found by the box cost."""
    assigner = TASK_UTILS.build(
        dict(type='PairHungarianAssigner', match_costs=COSTS[1:3]))
    sub = torch.tensor([[0., 0., 10., 10.], [50., 50., 60., 60.]])
    obj = torch.tensor([[20., 20., 30., 30.], [70., 70., 90., 90.]])
    preds = InstanceData(sub_bboxes=sub.flip(0), obj_bboxes=obj.flip(0))
    gts = InstanceData(
        sub_bboxes=sub, obj_bboxes=obj, labels=torch.tensor([5, 7]))
    result = assigner.assign(preds, gts, META)
    assert result.gt_inds.tolist() == [2, 1]
    assert result.labels.tolist() == [7, 5]


def test_predicate_cost_hand_computed():
    cost = TASK_UTILS.build(dict(type='PredicateCost', group='spatial',
                                 weight=2.0))
    preds = InstanceData(spatial_logits=torch.tensor([[20., -20.] + [-20.] *
                                                      4]))
    gts = InstanceData(
        spatial=torch.tensor([[1., 0, 0, 0, 0, 0], [0., 1, 0, 0, 0, 0]]))
    value = cost(preds, gts)
    # GT 0: positives all right (1), negatives all right (1) -> -(1+1)/2*2
    assert value[0, 0].item() == pytest.approx(-2.0, abs=1e-4)
    # GT 1: positive prob 0, negatives: 4 of 5 right -> -(0 + 0.8)/2*2
    assert value[0, 1].item() == pytest.approx(-0.8, abs=1e-4)
    att = TASK_UTILS.build(dict(type='PredicateCost', group='attention'))
    value = att(InstanceData(attention_logits=torch.tensor([[0., 0., 0.]])),
                InstanceData(attention=torch.tensor([2])))
    assert value.item() == pytest.approx(-1 / 3, abs=1e-6)


def test_bad_config_names_the_field():
    with pytest.raises(ValueError, match='group'):
        TASK_UTILS.build(dict(type='PredicateCost', group='verbs'))
    with pytest.raises(ValueError, match='box'):
        TASK_UTILS.build(
            dict(type='PairBoxCost', box='union',
                 box_cost=dict(type='mmdet.BBoxL1Cost')))
