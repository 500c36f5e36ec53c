"""Tests of the GT triplet builder."""
import copy

import numpy as np
import pytest

from vost.evaluation.functional import build_gt_triplets
from .sgg_cases import data_list_of, make_frame

CUP = [100.0, 100.0, 149.0, 149.0]
BAG = [10.0, 10.0, 50.0, 60.0]


def _two_frames():
    return [
        # looking_at; in_front_of + beneath; holding.
        make_frame('V.mp4/000001.png', [(CUP, 11, 0, [2, 1], [5])]),
        # cup: unsure, above, none; bag: not_looking_at, in, wearing+holding.
        make_frame('V.mp4/000002.png', [(CUP, 11, 2, [0], []),
                                        (BAG, 2, 1, [5], [14, 5])]),
    ]


def test_triplets_per_frame_and_group_offsets():
    gt = build_gt_triplets(data_list_of(_two_frames()))
    assert gt.frame_keys == ['V.mp4/000001.png', 'V.mp4/000002.png']
    np.testing.assert_array_equal(gt.num_triplets, [4, 6])
    triplets = sorted(
        zip(gt.frame.tolist(), gt.predicate.tolist(), gt.obj_labels.tolist()))
    assert triplets == sorted([
        (0, 0, 11), (0, 3 + 2, 11), (0, 3 + 1, 11), (0, 9 + 5, 11),
        (1, 2, 11), (1, 3 + 0, 11), (1, 1, 2), (1, 3 + 5, 2),
        (1, 9 + 14, 2), (1, 9 + 5, 2)
    ])
    # Pair orientation: the person is always "sub", also for spatial.
    assert (gt.sub_labels == 1).all()
    np.testing.assert_array_equal(gt.sub_boxes[0], [0, 0, 99, 99])
    bag = gt.obj_labels == 2
    np.testing.assert_array_equal(gt.obj_boxes[bag],
                                  np.tile(BAG, (bag.sum(), 1)))


def test_frame_with_no_relation_has_zero_triplets():
    frame = make_frame('V.mp4/000003.png', [])
    gt = build_gt_triplets(data_list_of([frame]))
    np.testing.assert_array_equal(gt.num_triplets, [0])


@pytest.mark.parametrize('edit, field', [
    (lambda f: f['relations'][0].update(object=5), 'relations.object'),
    (lambda f: f['relations'][0].update(spatial=[6]), 'relations.spatial'),
    (lambda f: f['relations'][0].update(attention='x'),
     'relations[0].attention'),
    (lambda f: f['relations'][0].pop('contacting'),
     'relations[0].contacting'),
    (lambda f: f['instances'][1].update(bbox_label=0),
     'instances.bbox_label'),
    (lambda f: f['instances'][1].update(bbox=[0, 0, 1]),
     'instances[1].bbox'),
    (lambda f: f['instances'][1].update(bbox=[0, 0, np.nan, 1]),
     'instances.bbox'),
])
def test_bad_frames_name_frame_and_field(edit, field):
    frames = _two_frames()
    bad = copy.deepcopy(frames[1])
    edit(bad)
    with pytest.raises(ValueError) as info:
        build_gt_triplets(data_list_of([frames[0], bad]))
    assert "'V.mp4/000002.png'" in str(info.value)
    assert field in str(info.value)


def test_duplicate_frame_key_raises():
    frames = _two_frames()
    with pytest.raises(ValueError, match='occurs twice'):
        build_gt_triplets(data_list_of([frames[0], frames[0]]))
