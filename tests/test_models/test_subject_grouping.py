"""Post-processing for several people: subject grouping and the
subject-aware pair NMS, by hand and as invariants."""
import pytest
import torch
from mmdet.structures.bbox import bbox_overlaps

from vost.models.heads import build_frame_prediction, rank_pairs
from vost.models.heads.subject_grouping import (group_subjects,
                                                subject_aware_pair_nms)

LEFT, LEFT2 = [0., 0, 10, 20], [0., 0, 10, 18]  # IoU 0.9
RIGHT = [50., 0, 60, 20]


def _probs(num):
    probs = torch.zeros(num, 26)
    probs[:, 4] = 1.
    return probs


def test_group_subjects_by_hand():
    sub = torch.tensor([LEFT, RIGHT, LEFT2])
    persons, group = group_subjects(sub, torch.tensor([0.6, 0.5, 0.2]))
    assert group.tolist() == [0, 1, 0]
    # the left person: (0.6 LEFT + 0.2 LEFT2) / 0.8
    assert persons.tolist() == [pytest.approx([0, 0, 10, 19.5]),
                                pytest.approx(RIGHT)]
    empty, group = group_subjects(torch.zeros(0, 4), torch.zeros(0))
    assert empty.shape == (0, 4) and group.numel() == 0


@pytest.mark.parametrize('seed', range(4))
def test_group_subjects_invariants(seed):
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(30, 2, generator=gen) * 100
    sub = torch.cat([xy, xy + 20 + torch.rand(30, 2, generator=gen) * 30],
                    1)
    scores = torch.rand(30, generator=gen).sort(descending=True)[0]
    persons, group = group_subjects(sub, scores, subject_iou=0.5)
    ious = bbox_overlaps(sub, sub)
    seeds = [int(torch.nonzero(group == g)[0]) for g in range(len(persons))]
    # every group starts at its best pair; seeds do not overlap each other
    assert seeds == sorted(seeds)
    for a in seeds:
        for b in seeds:
            assert a == b or ious[a, b] < 0.5
    # a pair joins the first group whose seed it overlaps
    for k in range(30):
        first = next(g for g, s in enumerate(seeds) if ious[k, s] >= 0.5)
        assert group[k] == first
    # every person box lies inside the hull of its members
    for g, box in enumerate(persons):
        members = sub[group == g]
        assert (box[:2] >= members[:, :2].min(0)[0] - 1e-4).all()
        assert (box[2:] <= members[:, 2:].max(0)[0] + 1e-4).all()


def test_per_subject_prediction_keeps_two_people():
    sub = torch.tensor([LEFT, RIGHT, LEFT2])
    obj = torch.tensor([[20., 20, 30, 30]] * 3)
    args = (sub, obj, torch.tensor([0.9, 0.8, 0.7]), torch.tensor([4, 4, 5]),
            torch.full((3, 3), 1 / 3), torch.zeros(3, 6), torch.zeros(3, 17),
            torch.tensor([0.6, 0.5, 0.2]))
    inst, pairs = build_frame_prediction(*args, person_box='per_subject')
    assert inst.labels.tolist() == [1, 1, 4, 4, 5]
    assert inst.scores[:2].tolist() == [1., 1.]
    assert pairs.pair_inds.tolist() == [[0, 2], [1, 3], [0, 4]]
    assert inst.bboxes[1].tolist() == pytest.approx(RIGHT)
    # one person: equal to the one-person 'weighted' rule
    one = torch.tensor([LEFT, LEFT2, LEFT])
    single = build_frame_prediction(one, *args[1:], person_box='weighted')
    multi = build_frame_prediction(one, *args[1:], person_box='per_subject')
    for a, b in zip(single, multi):
        for field in ('bboxes', 'labels', 'scores', 'pair_inds'):
            if field in a:
                torch.testing.assert_close(a.get(field), b.get(field))
    with pytest.raises(ValueError, match='person_box must be one of'):
        build_frame_prediction(*args, person_box='all')


def test_subject_aware_nms_keeps_one_object_of_two_people():
    obj = torch.tensor([[20., 20, 30, 30]] * 3)
    sub = torch.tensor([LEFT, RIGHT, LEFT2])
    labels = torch.tensor([4, 4, 4])
    scores = torch.tensor([0.9, 0.8, 0.7])
    keep, _ = rank_pairs(scores, labels, obj, _probs(3),
                         pair_nms=dict(iou_threshold=0.5,
                                       subject_iou_threshold=0.5),
                         sub_boxes=sub)
    assert keep.tolist() == [0, 1]  # LEFT2's pair repeats LEFT's
    keep, _ = rank_pairs(scores, labels, obj, _probs(3),
                         pair_nms=dict(iou_threshold=0.5))
    assert keep.tolist() == [0]  # the one-person NMS merges the people


@pytest.mark.parametrize('seed', range(3))
def test_without_subject_overlap_rule_it_is_the_object_nms(seed):
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(40, 2, generator=gen) * 60
    obj = torch.cat([xy, xy + 15 + torch.rand(40, 2, generator=gen) * 20], 1)
    sub = torch.rand(40, 4, generator=gen)
    labels = torch.randint(2, 5, (40, ), generator=gen)
    scores = torch.rand(40, generator=gen)
    ours = subject_aware_pair_nms(sub, obj, scores, labels, 0.4, -1.)
    ref, _ = rank_pairs(scores, labels, obj, _probs(40),
                        pair_score='object', pair_nms=dict(iou_threshold=0.4))
    assert ours.tolist() == ref.tolist()
