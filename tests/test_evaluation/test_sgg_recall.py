"""Hand-computed cases and invariants of the recall computation."""
import numpy as np
import pytest

from vost.evaluation.functional import (build_gt_triplets, evaluate_sgg,
                                        metric_keys)
from .sgg_cases import (PERSON_BOX, data_list_of, empty_prediction,
                        make_frame, make_pred, naive_recall,
                        perfect_prediction, random_case)

CUP = [100.0, 100.0, 149.0, 149.0]  # 50 x 50 px with the legacy +1
KEY = 'V.mp4/000001.png'


def _cup_frame(key=KEY):
    # looking_at; beneath + in_front_of (two spatial labels); holding.
    return make_frame(key, [(CUP, 11, 0, [1, 2], [5])])


def _cup_pred(key=KEY, cup_box=CUP, cup_label=11, scores=None):
    spa = [0.1, 0.8, 0.6, 0, 0, 0]  # beneath 0.8, in_front_of 0.6
    con = np.zeros(17)
    con[5] = 0.9  # holding: exactly the semi threshold, not above it
    return make_pred(key, [PERSON_BOX, cup_box], [1, cup_label],
                     [0.7, 0.2, 0.1], spa, con, scores=scores)


def _eval(frames, preds, **kwargs):
    kwargs.setdefault('ks', (1, 2, 3, 10))
    return evaluate_sgg(build_gt_triplets(data_list_of(frames)), preds,
                        **kwargs)[0]


def test_with_semi_no_by_hand():
    m = _eval([_cup_frame()], [_cup_pred()])
    # with: holding 0.9 > beneath 0.8 > looking_at 0.7; in_front_of lost.
    assert [m[f'with/R@{k}'] for k in (1, 2, 3, 10)] == [.25, .5, .75, .75]
    # semi: looking_at only (0.8, 0.6 and 0.9 are not > 0.9).
    assert [m[f'semi/R@{k}'] for k in (1, 2, 3, 10)] == [.25, .25, .25, .25]
    # no: 0.9, 0.8, 0.7, 0.6 are the 4 best of 26 entries.
    assert [m[f'no/R@{k}'] for k in (1, 2, 3, 10)] == [.25, .5, .75, 1.]
    # mR: 3 of the 4 present predicates hit (with), over 26 predicates.
    assert m['with/mR@10'] == pytest.approx(3 / 26)
    assert m['num_frames'] == 1 and m['num_gt_triplets'] == 4
    m2 = _eval([_cup_frame()], [_cup_pred()], mr_absent_as_zero=False)
    assert m2['with/mR@10'] == pytest.approx(3 / 4)


def test_semi_threshold_is_strict_and_configurable():
    m = _eval([_cup_frame()], [_cup_pred()], semi_threshold=0.85)
    assert m['semi/R@10'] == 0.5  # looking_at + holding (0.9 > 0.85)


def test_object_scores_rank_the_triplets():
    # Two objects; the one with the higher object score ranks first.
    frame = make_frame(KEY, [(CUP, 11, 0, [1], [5]),
                             ([0, 0, 30, 30], 5, 1, [1], [5])])
    att = [[0.9, 0.1, 0], [0.1, 0.8, 0.1]]
    spa = np.zeros((2, 6))
    con = np.zeros((2, 17))
    pred = make_pred(KEY, [PERSON_BOX, CUP, [0, 0, 30, 30]], [1, 11, 5],
                     att, spa, con, scores=[1.0, 0.5, 1.0])
    m = _eval([frame], [pred], ks=(1, ))
    # cup looking_at: 1 * 0.5 * 0.9 = 0.45 < book not_looking_at 0.8.
    hits = m['with/R@1'] * 6
    assert hits == pytest.approx(1)
    assert m['with/mR@1'] == pytest.approx(1 / 26)  # not_looking_at only


def test_wrong_object_label_hits_nothing():
    m = _eval([_cup_frame()], [_cup_pred(cup_label=5)])
    assert all(v == 0 for k, v in m.items() if '/' in k)


@pytest.mark.parametrize('shift, hit', [(16, True), (17, False)])
def test_iou_just_above_and_below_half(shift, hit):
    # Legacy IoU of a 50x50 box shifted by d: (50 - d) / (50 + d);
    # d = 16 -> 0.515, d = 17 -> 0.493.
    box = [CUP[0] + shift, CUP[1], CUP[2] + shift, CUP[3]]
    m = _eval([_cup_frame()], [_cup_pred(cup_box=box)])
    assert m['no/R@10'] == (1.0 if hit else 0.0)


def test_iou_exactly_half_is_a_hit_and_iou_type_matters():
    frame = make_frame(KEY, [([0, 0, 2, 2], 11, 0, [1], [5])])
    # Legacy: 3x3 boxes shifted by 1 -> 6 / 12 = 0.5 (a hit: >=);
    # continuous: 2x2 boxes -> 2 / 6 (a miss).
    pred = make_pred(KEY, [PERSON_BOX, [1, 0, 3, 2]], [1, 11], [1, 0, 0],
                     np.eye(6)[1], np.eye(17)[5])
    assert _eval([frame], [pred])['with/R@10'] == 1.0
    m = _eval([frame], [pred], iou_type='continuous')
    assert m['with/R@10'] == 0.0


def test_subject_box_must_match_too():
    pred = _cup_pred()
    pred['bboxes'][0] = [200, 200, 299, 299]  # the person box is wrong
    assert _eval([_cup_frame()], [pred])['no/R@10'] == 0.0


def test_frame_without_prediction_counts_zero():
    frames = [_cup_frame(), _cup_frame('V.mp4/000002.png')]
    m = _eval(frames, [_cup_pred()])
    assert m['no/R@10'] == 0.5
    assert m['num_frames'] == 2
    assert m['num_frames_without_prediction'] == 1
    # mR sums over frames: 4 hits of 8 GT triplets in every predicate.
    assert m['no/mR@10'] == pytest.approx(4 * 0.5 / 26)


def test_empty_predictions_give_zero():
    frames = [_cup_frame(), _cup_frame('V.mp4/000002.png')]
    for preds in ([], [empty_prediction(KEY)]):
        m = _eval(frames, preds)
        assert all(m[k] == 0 for k in metric_keys(ks=(1, 2, 3, 10)))


def test_perfect_predictions():
    rng = np.random.default_rng(1)
    frames = []
    for f in range(12):
        num = int(rng.integers(1, 5))
        labels = rng.choice(np.arange(2, 37), num, replace=False)
        frames.append(make_frame(f'V.mp4/{f:06d}.png', [
            ([10.0 * j, 0, 10.0 * j + 30, 30], int(labels[j]),
             int(rng.integers(3)),
             list(rng.choice(6, int(rng.integers(0, 3)), False)),
             list(rng.choice(17, int(rng.integers(0, 3)), False)))
            for j in range(num)
        ]))
    m = _eval(frames, [perfect_prediction(f) for f in frames],
              ks=(10, 20, 50, 100))
    # with: one prediction per group and pair reaches
    # 1 + [any spatial] + [any contacting] of the pair's GT rows.
    share = []
    for f in frames:
        reach = total = 0
        for rel in f['relations']:
            reach += 1 + bool(rel['spatial']) + bool(rel['contacting'])
            total += 1 + len(rel['spatial']) + len(rel['contacting'])
        share.append(reach / total)
    assert m['with/R@100'] == pytest.approx(np.mean(share))
    assert m['with/R@100'] < 1
    assert m['semi/R@100'] == 1.0 and m['no/R@100'] == 1.0


def test_summed_and_per_frame_mean_recall_differ():
    # holding: frame 1 has 1 GT (hit), frame 2 has 3 GT (none hit).
    f1 = make_frame('V.mp4/000001.png', [(CUP, 11, 0, [], [5])])
    objs = [([10.0 * i, 0, 10.0 * i + 40, 40], 11, 0, [], [5])
            for i in range(3)]
    f2 = make_frame('V.mp4/000002.png', objs)
    m = _eval([f1, f2], [perfect_prediction(f1)], mr_absent_as_zero=False)
    # Present predicates: looking_at and holding, each 1 of 4 summed,
    # per frame (1 + 0) / 2.
    assert m['with/mR@10'] == pytest.approx(0.25)
    assert m['with/mR_per_frame@10'] == pytest.approx(0.5)


def test_ties_follow_pair_then_predicate_order():
    # Two cups, saturated scores: nearly every candidate scores exactly 1.0.
    box2 = [0.0, 0.0, 30.0, 30.0]
    frame = make_frame(KEY, [(CUP, 11, 0, [], []), (box2, 11, 1, [], [])])
    frame['relations'] = frame['relations'][1:]  # GT: 2nd cup only
    att = [[1, 1, 0], [1, 1, 0]]
    spa, con = np.ones((2, 6)), np.ones((2, 17))
    pred = make_pred(KEY, [PERSON_BOX, CUP, box2], [1, 11, 11], att, spa,
                     con)
    m = _eval([frame], [pred], ks=(4, 26, 27))
    # 'with' takes the first of two 1.0 attention scores: looking_at, never
    # the GT not_looking_at.
    assert m['with/R@27'] == 0
    # 'no': pair 0's 25 entries at 1.0 (unsure is 0) take ranks 0..24, then
    # pair 1: looking_at rank 25, not_looking_at rank 26.
    assert m['no/R@26'] == 0 and m['no/R@27'] == 1.0
    # Swapping the pairs changes the order deterministically.
    pred['pair_inds'] = pred['pair_inds'][::-1].copy()
    m = _eval([frame], [pred], ks=(1, 2))
    assert m['no/R@1'] == 0 and m['no/R@2'] == 1.0


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_matches_naive_per_frame_evaluator(seed):
    frames, preds = random_case(np.random.default_rng(seed))
    ks = (1, 5, 10, 20, 50, 100)
    m = _eval(frames, preds, ks=ks)
    for mode in ('with', 'semi', 'no'):
        recall, hits, counts = naive_recall(frames, preds, mode, ks)
        for k in ks:
            assert m[f'{mode}/R@{k}'] == pytest.approx(recall[k]), (mode, k)
            per_p = np.where(counts > 0, hits[k] / np.maximum(counts, 1), 0)
            assert m[f'{mode}/mR@{k}'] == pytest.approx(per_p.mean())


def test_top_k_no_truncates_candidates():
    m = _eval([_cup_frame()], [_cup_pred()], top_k_no=2)
    assert m['no/R@10'] == 0.5


def test_segmented_topk_is_stable_per_segment():
    from vost.evaluation.functional import segmented_topk_asc
    # Segments of lengths 3, 2, 3 (the two 3s are not adjacent), with ties.
    values = np.array([2., 1., 1., 5., 5., 0., 3., 0.])
    index, rank = segmented_topk_asc(values, np.array([3, 2, 3]), limit=2)
    got = sorted(zip(index.tolist(), rank.tolist()))
    # seg 0: 1(i1), 1(i2); seg 1: 5(i3), 5(i4); seg 2: 0(i5), 0(i7).
    assert got == [(1, 0), (2, 1), (3, 0), (4, 1), (5, 0), (7, 1)]
    # Adjacent equal-length segments take the reshape path: same answer.
    index, rank = segmented_topk_asc(values[[0, 1, 2, 5, 6, 7]],
                                     np.array([3, 3]), limit=3)
    assert sorted(zip(index.tolist(), rank.tolist())) == [
        (0, 2), (1, 0), (2, 1), (3, 0), (4, 2), (5, 1)]
    with pytest.raises(ValueError, match='sum to'):
        segmented_topk_asc(values, np.array([3, 3]), limit=2)
