"""The frequency baseline's statistics and predictions, by hand."""
import numpy as np
import pytest

from vost.evaluation.frequency_baseline import (
    PredicateFrequencies, frequency_predictions_from_detections,
    frequency_predictions_from_gt)


def _frame(key, objects):
    """objects: list of (label, attention, spatial list, contacting list)."""
    instances = [dict(bbox=[0., 0., 50., 80.], bbox_label=1, ignore_flag=0)]
    relations = []
    for j, (label, att, spa, con) in enumerate(objects, start=1):
        instances.append(
            dict(bbox=[10. * j, 10., 10. * j + 20, 40.], bbox_label=label,
                 ignore_flag=0))
        relations.append(
            dict(subject=0, object=j, attention=att, spatial=spa,
                 contacting=con))
    return dict(frame_key=key, instances=instances, relations=relations)


TRAIN = [
    dict(images=[
        _frame('a.mp4/000001.png', [(5, 0, [2], [5]), (8, 1, [0, 2], [10])]),
        _frame('a.mp4/000002.png', [(5, 1, [2], [5, 12])]),
    ])
]


def test_per_class_statistics():
    freq = PredicateFrequencies(TRAIN)
    # book (5): 2 pairs; attention looking_at once, not_looking_at once.
    np.testing.assert_allclose(freq.attention[5], [0.5, 0.5, 0.0])
    # in_front_of (local 2) in both; holding (5) in both; touching once.
    np.testing.assert_allclose(freq.spatial[5], [0, 0, 1, 0, 0, 0])
    expected = np.zeros(17)
    expected[5], expected[12] = 1.0, 0.5
    np.testing.assert_allclose(freq.contacting[5], expected)
    # chair (8): 1 pair.
    np.testing.assert_allclose(freq.attention[8], [0, 1, 0])
    assert freq.pair_counts[5] == 2 and freq.pair_counts[8] == 1
    # Unseen class (table, 32): the statistics over all 3 pairs.
    np.testing.assert_allclose(freq.attention[32], [1 / 3, 2 / 3, 0])
    np.testing.assert_allclose(freq.spatial[32], [1 / 3, 0, 1, 0, 0, 0])


def test_empty_training_set_is_an_error():
    with pytest.raises(ValueError, match='no relations'):
        PredicateFrequencies([dict(images=[])])


def test_predcls_predictions_use_gt_boxes():
    freq = PredicateFrequencies(TRAIN)
    test = [dict(images=[_frame('b.mp4/000003.png', [(8, 2, [1], [0])])])]
    (pred, ) = frequency_predictions_from_gt(freq, test)
    assert pred['frame_key'] == 'b.mp4/000003.png'
    np.testing.assert_array_equal(pred['labels'], [1, 8])
    np.testing.assert_array_equal(pred['scores'], [1, 1])
    np.testing.assert_array_equal(pred['pair_inds'], [[0, 1]])
    np.testing.assert_allclose(pred['attention_scores'], [[0, 1, 0]])
    assert pred['contacting_scores'][0, 10] == 1.0


def test_detection_predictions_keep_boxes_and_replace_predicates():
    freq = PredicateFrequencies(TRAIN)
    det = dict(
        frame_key='c.mp4/000001.png',
        bboxes=np.zeros((3, 4), np.float32),
        labels=np.array([1, 8, 5]),
        scores=np.array([0.9, 0.8, 0.7], np.float32),
        pair_inds=np.array([[0, 2], [0, 1]]),
        attention_scores=np.zeros((2, 3), np.float32),
        spatial_scores=np.zeros((2, 6), np.float32),
        contacting_scores=np.zeros((2, 17), np.float32))
    (pred, ) = frequency_predictions_from_detections(freq, [det])
    np.testing.assert_array_equal(pred['scores'], det['scores'])
    np.testing.assert_allclose(pred['attention_scores'],
                               [[0.5, 0.5, 0], [0, 1, 0]])
