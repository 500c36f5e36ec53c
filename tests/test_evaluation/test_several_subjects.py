"""The protocol generalised to several people per frame
(``subjects='per_triplet'``): hand-computed cases, the one-person
equality, and random several-people cases against the naive evaluator."""
import numpy as np
import pytest

from vost.evaluation.functional import build_gt_triplets, evaluate_sgg
from vost.evaluation.metrics import ActionGenomeSGGMetric
from .sgg_cases import (PERSON_BOX, data_list_of, make_pred, naive_recall,
                        random_case)

KEY = 'V.mp4/000001.png'
OTHER = [200.0, 0.0, 299.0, 99.0]  # a second person, far from the first
CUP = [100.0, 100.0, 149.0, 149.0]


def _two_people_frame(key=KEY):
    """Person 0 holds the cup and looks at it; person 1 only looks at it
    (attention looking_at 0; spatial in_front_of 2; contacting holding 5,
    not_contacting 12)."""
    instances = [
        dict(bbox=list(PERSON_BOX), bbox_label=1, ignore_flag=0),
        dict(bbox=list(OTHER), bbox_label=1, ignore_flag=0),
        dict(bbox=list(CUP), bbox_label=11, ignore_flag=0)
    ]
    relations = [
        dict(subject=0, object=2, attention=0, spatial=[2], contacting=[5]),
        dict(subject=1, object=2, attention=0, spatial=[2], contacting=[12])
    ]
    return dict(frame_key=key, instances=instances, relations=relations)


def _eval(frames, preds, **kwargs):
    subjects = kwargs.pop('subjects', 'per_triplet')
    gt = build_gt_triplets(data_list_of(frames), subjects)
    return evaluate_sgg(gt, preds, ks=(1, 2, 3, 6, 10), **kwargs)[0]


def test_one_person_protocol_refuses_several_subjects():
    with pytest.raises(ValueError,
                       match=r"GT frame 'V.mp4/000001.png', field "
                       r"'relations.subject'.*several subjects \[0, 1\].*"
                       r"subjects='per_triplet'"):
        build_gt_triplets(data_list_of([_two_people_frame()]))
    with pytest.raises(ValueError, match='subjects must be one of'):
        build_gt_triplets(data_list_of([_two_people_frame()]), 'all')
    with pytest.raises(ValueError, match='subjects must be one of'):
        ActionGenomeSGGMetric('root', task='sgdet', subjects='many')


def test_each_triplet_is_matched_on_its_own_subject_box():
    # One pair per person, both predicting the first person's relations:
    # pair 0 (person 0) hits looking_at, in_front_of and holding of
    # person 0; pair 1 (person 1) hits looking_at and in_front_of of
    # person 1, but holding is not person 1's contact (not_contacting is).
    con = np.zeros((2, 17))
    con[:, 5] = 0.9
    pred = make_pred(KEY, [PERSON_BOX, OTHER, CUP], [1, 1, 11],
                     [[0.8, 0.1, 0.1], [0.7, 0.2, 0.1]],
                     [[0, 0, 0.6, 0, 0, 0], [0, 0, 0.5, 0, 0, 0]], con,
                     pairs=[(0, 2), (1, 2)])
    m = _eval([_two_people_frame()], [pred])
    # with: 0.9 holding(p0) hit, 0.9 holding(p1) miss, 0.8 hit, 0.7 hit,
    # 0.6 hit, 0.5 hit: 5 of the 6 GT triplets.
    assert [m[f'with/R@{k}'] for k in (1, 2, 3, 6)] == pytest.approx(
        [1 / 6, 1 / 6, 2 / 6, 5 / 6])
    # Both pairs on person 0 (one person box, as the one-person
    # post-processing gives): person 1's three triplets are missed.
    one_box = dict(pred, pair_inds=np.array([[0, 2], [0, 2]]))
    assert _eval([_two_people_frame()], [one_box])['with/R@6'] == \
        pytest.approx(3 / 6)


@pytest.mark.parametrize('seed', [0, 1])
def test_one_person_frames_give_the_published_numbers(seed):
    frames, preds = random_case(np.random.default_rng(seed))
    one = _eval(frames, preds, subjects='one_person')
    per = _eval(frames, preds, subjects='per_triplet')
    assert per == one


def _several_people_case(rng, num_frames=30):
    """Random frames with 1-3 people, relations of random subjects, and
    noisy predictions whose pairs use every person box."""
    frames, preds = [], []
    for f in range(num_frames):
        people = int(rng.integers(1, 4))
        instances = [
            dict(bbox=[float(200 * p), 0., float(200 * p + 99), 99.],
                 bbox_label=1, ignore_flag=0) for p in range(people)
        ]
        relations = []
        for j in range(int(rng.integers(1, 4))):
            xy = rng.integers(0, 500, 2)
            instances.append(
                dict(bbox=[*map(float, xy), *map(float, xy + 40)],
                     bbox_label=int(rng.integers(2, 6)), ignore_flag=0))
            for sub in rng.choice(people, int(rng.integers(1, people + 1)),
                                  False):
                relations.append(
                    dict(subject=int(sub), object=len(instances) - 1,
                         attention=int(rng.integers(3)),
                         spatial=[int(rng.integers(6))],
                         contacting=[int(rng.integers(17))]))
        key = f'V.mp4/{f:06d}.png'
        frames.append(dict(frame_key=key, instances=instances,
                           relations=relations))
        boxes = np.asarray([i['bbox'] for i in instances])
        boxes = boxes + rng.integers(-15, 16, boxes.shape)
        objects = range(people, len(instances))
        pairs = [(int(rng.integers(people)), int(rng.choice(objects)))
                 for _ in range(int(rng.integers(1, 8)))]
        q = lambda *s: rng.integers(0, 5, s) / 4  # noqa: E731
        num = len(pairs)
        preds.append(make_pred(
            key, boxes, [i['bbox_label'] for i in instances], q(num, 3),
            q(num, 6), q(num, 17), scores=np.ones(len(instances)),
            pairs=pairs))
    return frames, preds


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('mode', ['with', 'semi', 'no'])
def test_several_people_equal_the_naive_evaluator(seed, mode):
    frames, preds = _several_people_case(np.random.default_rng(seed))
    ks = (1, 3, 10)
    m = _eval(frames, preds, constraints=(mode, ))
    expected, _, _ = naive_recall(frames, preds, mode, ks)
    for k in ks:
        assert m[f'{mode}/R@{k}'] == pytest.approx(expected[k])
