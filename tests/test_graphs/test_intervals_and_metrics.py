"""Relation intervals, and the identity / interval metrics, by hand."""
import math

import pytest

from vost.evaluation.functional.track_metrics import (clear_mot,
                                                      gt_intervals, id_f1,
                                                      interval_recall,
                                                      temporal_iou)
from vost.graphs import relation_intervals, relation_presence


def _frames(presence):
    """presence: per position, dict key -> score."""
    return [dict(position=p, frame_index=10 * p, frame_key=f'v/{p}',
                 relations=rel) for p, rel in enumerate(presence)]


K = (1, 'contacting', 'holding', 2)


def test_intervals_bridge_gaps_up_to_max_gap():
    presence = [{K: .8}, {K: .6}, {}, {K: .4}, {}, {}, {K: .9}]
    labels = {1: 'person', 2: 'cup'}
    out = relation_intervals(_frames(presence), labels, max_gap=1)
    assert [(i['start_frame'], i['end_frame'], i['num_frames'])
            for i in out] == [(0, 30, 3), (60, 60, 1)]
    assert out[0]['score'] == pytest.approx(0.6)
    assert out[0]['max_score'] == pytest.approx(0.8)
    assert out[0]['start_key'] == 'v/0' and out[0]['end_key'] == 'v/3'
    assert out[0]['subject_label'] == 'person'
    out = relation_intervals(_frames(presence), labels, max_gap=0)
    assert [(i['start_frame'], i['end_frame']) for i in out] == [
        (0, 10), (30, 30), (60, 60)]
    out = relation_intervals(_frames(presence), labels, max_gap=2,
                             min_frames=2)
    assert [(i['start_frame'], i['end_frame']) for i in out] == [(0, 60)]
    with pytest.raises(ValueError, match='max_gap'):
        relation_intervals([], labels, max_gap=-1)


def test_relation_presence_reads_tracked_edges():
    graph = dict(
        nodes=[dict(id=0, score=1.0, track_id=1),
               dict(id=1, score=0.5, track_id=4),
               dict(id=2, score=0.9, track_id=None)],
        edges=[dict(subject=0, object=1,
                    attention=dict(predicate='looking_at', score=0.8),
                    spatial=[dict(predicate='in', score=0.6)],
                    contacting=[]),
               dict(subject=0, object=2,
                    attention=dict(predicate='looking_at', score=0.9),
                    spatial=[], contacting=[])])
    assert relation_presence(graph) == pytest.approx({
        (1, 'attention', 'looking_at', 4): 0.4,
        (1, 'spatial', 'in', 4): 0.3})


def _box(x):
    return (x, 0.0, x + 10.0, 10.0)


def test_clear_mot_and_idf1_by_hand():
    # GT a (label 5) over 4 frames, GT b (label 7) over frames 0-1.
    gt = [[('a', 5, _box(0)), ('b', 7, _box(50))],
          [('a', 5, _box(1)), ('b', 7, _box(51))],
          [('a', 5, _box(2))],
          [('a', 5, _box(3))]]
    # a: track 1, then missed in frame 1, then track 3 (a switch and a
    # fragmentation); b: track 2 with a wrong class in frame 1 (a miss and
    # a false positive); one false positive far away in frame 3.
    pred = [[(1, 5, _box(0)), (2, 7, _box(50))],
            [(2, 6, _box(51))],
            [(3, 5, _box(2))],
            [(3, 5, _box(3)), (9, 5, _box(200))]]
    mot = clear_mot(gt, pred)
    assert mot['num_gt'] == 6 and mot['num_pred'] == 6
    assert mot['matches'] == 4 and mot['fn'] == 2 and mot['fp'] == 2
    assert mot['id_switches'] == 1 and mot['fragmentations'] == 1
    assert mot['mota'] == pytest.approx(1 - 5 / 6)
    ids = id_f1(gt, pred)
    # best one-to-one: a<->3 (2 frames), b<->2 (1 frame); track 1 unmatched
    assert ids['mapping'] == {'a': 3, 'b': 2}
    assert ids['idtp'] == 3
    assert ids['idf1'] == pytest.approx(2 * 3 / 12)
    assert ids['idp'] == pytest.approx(0.5) and ids['idr'] == 0.5
    with pytest.raises(ValueError, match='frames'):
        clear_mot(gt, pred[:2])


def test_clear_mot_keeps_correspondences():
    # two predictions cover GT a in frame 1; the one it had keeps it
    gt = [[('a', 5, _box(0))], [('a', 5, _box(0))]]
    pred = [[(1, 5, _box(0))], [(2, 5, _box(0)), (1, 5, _box(1))]]
    mot = clear_mot(gt, pred)
    assert mot['id_switches'] == 0 and mot['fp'] == 1
    assert math.isnan(clear_mot([[]], [[]])['mota'])


def test_intervals_recall_by_hand():
    rel = ('person', 'contacting', 'holding', 'a')
    att = ('person', 'attention', 'looking_at', 'a')
    frames = [{rel, att}, {rel, att}, {rel}, {rel}, set(), {att}]
    gt = gt_intervals(frames)
    assert sorted((g['predicate'], g['start'], g['end']) for g in gt) == [
        ('holding', 0, 3), ('looking_at', 0, 1), ('looking_at', 5, 5)]
    assert temporal_iou((0, 3), (1, 3)) == pytest.approx(0.75)
    assert temporal_iou((0, 1), (3, 4)) == 0
    mapping = {'person': 1, 'a': 3}
    pred = [
        dict(subject=1, object=3, group='contacting', predicate='holding',
             start=1, end=3, score=0.9),   # tIoU 0.75: hit
        dict(subject=1, object=3, group='contacting', predicate='holding',
             start=0, end=3, score=0.5),   # GT already taken
        dict(subject=1, object=4, group='attention', predicate='looking_at',
             start=0, end=1, score=0.8),   # wrong object track
        dict(subject=1, object=3, group='attention', predicate='looking_at',
             start=4, end=5, score=0.7),   # tIoU 0.5 with (5, 5): hit
    ]
    out = interval_recall(gt, pred, mapping)
    assert out == dict(num_gt=3, num_pred=4, hits=2)
    # at tIoU 0.8 only the exact holding interval (score 0.5) is a hit
    assert interval_recall(gt, pred, mapping, t_iou=0.8)['hits'] == 1
