"""The two-process evaluation (eval_sgg.py --workers 2) and the exact
partial ranking it relies on: both equal the one-process results."""
import pickle

import numpy as np
import pytest

from vost.evaluation.functional import (build_gt_triplets, evaluate_sgg,
                                        segmented_topk_asc)
from vost.evaluation.functional.forked import can_fork, evaluate_files
from vost.evaluation.functional.prediction_format import \
    PredictionFormatError
from .sgg_cases import data_list_of, random_case

needs_fork = pytest.mark.skipif(not can_fork(), reason='no fork')


def _stable_topk(values, counts, limit):
    """Reference: one stable argsort per segment."""
    index, rank = [], []
    start = 0
    for c in counts:
        order = np.argsort(values[start:start + c], kind='stable')[:limit]
        index += (order + start).tolist()
        rank += list(range(len(order)))
        start += c
    return index, rank


@pytest.mark.parametrize('levels', [None, 3, 1])
def test_partial_ranking_equals_a_full_stable_sort(levels):
    """Distinct values (the np.partition path), few levels (ties at the
    cut: the full-sort path) and all equal, segments shorter and longer
    than the limit, adjacent and not."""
    rng = np.random.default_rng(levels or 0)
    counts = rng.choice([0, 3, 26, 52, 130, 260], size=60)
    values = rng.random(counts.sum())
    if levels:
        values = np.floor(values * levels) / levels
    for limit in (1, 10, 100, 300):
        index, rank = segmented_topk_asc(values, counts, limit)
        ref_index, ref_rank = _stable_topk(values, counts, limit)
        got = sorted(zip(index.tolist(), rank.tolist()))
        assert got == sorted(zip(ref_index, ref_rank)), limit


def test_partial_ranking_mixes_fast_and_tied_rows():
    # 4 rows of 6 values, limit 3: rows 1 and 3 tie at their 3rd value
    values = np.array([[5, 1, 4, 2, 3, 0], [1, 2, 2, 2, 0, 9],
                       [9, 8, 7, 6, 5, 4], [0, 0, 0, 0, 1, 1]], float)
    index, rank = segmented_topk_asc(values.ravel(), np.full(4, 6), 3)
    order = (index.reshape(4, 3) - 6 * np.arange(4)[:, None]).tolist()
    assert order == [[5, 1, 3], [4, 0, 1], [5, 4, 3], [0, 1, 2]]
    assert rank.tolist() == [0, 1, 2] * 4


def _files(tmp_path, seed):
    frames, preds = random_case(np.random.default_rng(seed), num_frames=60,
                                max_objects=5, max_extra=4)
    pred_file = str(tmp_path / 'preds.pkl')
    with open(pred_file, 'wb') as f:
        pickle.dump(preds, f)
    gt = build_gt_triplets(data_list_of(frames))
    return gt, preds, pred_file


@needs_fork
@pytest.mark.parametrize('constraints', [('with', 'semi', 'no'),
                                         ('no', 'with'), ('semi', ),
                                         ('no', )])
def test_two_processes_give_the_one_process_result(tmp_path, constraints):
    gt, preds, pred_file = _files(tmp_path, 3)
    kwargs = dict(constraints=constraints, ks=(50, 1, 10), top_k_no=40,
                  semi_threshold=0.5, iou_type='continuous')
    serial = evaluate_sgg(gt, preds, source=pred_file, **kwargs)
    for workers in (1, 2):
        metrics, details = evaluate_files(lambda: gt, pred_file,
                                          workers=workers, **kwargs)
        assert list(metrics.items()) == list(serial[0].items())
        assert details == serial[1]
        assert list(details['per_predicate']) == list(constraints)


@needs_fork
def test_a_bad_prediction_file_raises_in_the_parent(tmp_path):
    gt, preds, pred_file = _files(tmp_path, 4)
    preds[2]['scores'] = preds[2]['scores'][:1]
    with open(pred_file, 'wb') as f:
        pickle.dump(preds, f)
    with pytest.raises(PredictionFormatError, match=preds[2]['frame_key']):
        evaluate_files(lambda: gt, pred_file, workers=2)


@needs_fork
def test_a_gt_failure_stops_the_worker(tmp_path):
    _, _, pred_file = _files(tmp_path, 5)

    def load_gt():
        raise ValueError('GT file broken')

    with pytest.raises(ValueError, match='GT file broken'):
        evaluate_files(load_gt, pred_file, workers=2)
