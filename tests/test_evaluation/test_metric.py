"""Tests of ActionGenomeSGGMetric and DumpSGPredictions (incl. 2 ranks)."""
import importlib.util
import json
import os
import os.path as osp
import pickle
import socket

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.structures import InstanceData

from vost.ag_format import load_action_genome
from vost.evaluation import (ActionGenomeSGGMetric, DumpSGPredictions,
                             PredictionFormatError, build_gt_triplets,
                             evaluate_sgg, metric_keys)
from vost.registry import METRICS
from vost.structures import SGDataSample
from .sgg_cases import perfect_prediction

FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')


def _frames(task):
    data_list, _ = load_action_genome(FIXTURE, 'test', task)
    return [f for v in data_list for f in v['images']]


def _noisy_preds(task='predcls', seed=0):
    """Perfect predictions with noise on scores and a shifted box."""
    rng = np.random.default_rng(seed)
    preds = []
    for frame in _frames(task):
        pred = perfect_prediction(frame)
        for field in ('attention_scores', 'spatial_scores',
                      'contacting_scores'):
            noise = rng.uniform(0, 0.9, pred[field].shape)
            pred[field] = np.clip(pred[field] * 0.7 + noise, 0,
                                  1).astype(np.float32)
        pred['scores'] = rng.uniform(0.5, 1, len(pred['scores'])).astype(
            np.float32)
        preds.append(pred)
    preds[1]['bboxes'][1] += 20  # one object box far off
    return preds


def _to_sample(pred):
    sample = SGDataSample(metainfo=dict(frame_key=pred['frame_key']))
    sample.pred_instances = InstanceData(
        bboxes=torch.from_numpy(pred['bboxes']),
        labels=torch.from_numpy(pred['labels']),
        scores=torch.from_numpy(pred['scores']))
    sample.pred_pairs = InstanceData(**{
        k: torch.from_numpy(pred[k])
        for k in ('pair_inds', 'attention_scores', 'spatial_scores',
                  'contacting_scores')
    })
    return sample


def _run(metrics, preds, batch_size=3):
    evaluator = Evaluator(metrics)
    samples = [_to_sample(p) for p in preds]
    for i in range(0, len(samples), batch_size):
        evaluator.process(samples[i:i + batch_size])
    return evaluator.evaluate(len(samples))


def _metric(task='predcls', **kwargs):
    return METRICS.build(
        dict(type='ActionGenomeSGGMetric', data_root=FIXTURE, task=task,
             **kwargs))


def test_metric_equals_functional_and_keys():
    preds = _noisy_preds()
    out = _run(_metric(), preds)
    gt = build_gt_triplets(load_action_genome(FIXTURE, 'test', 'predcls')[0])
    ref, _ = evaluate_sgg(gt, preds)
    assert list(out) == list(ref)  # plain keys, no prefix
    assert out == pytest.approx(ref)
    assert set(metric_keys()) <= set(out)
    assert out['num_frames'] == 7
    assert 0 < out['with/R@20'] < 1


def test_perfect_predictions_through_the_metric():
    out = _run(_metric(), [perfect_prediction(f) for f in _frames('predcls')])
    assert out['no/R@10'] == 1.0 and out['semi/R@50'] == 1.0
    assert out['with/R@50'] < 1.0  # frames with two spatial labels


def test_task_selects_the_gt_frames():
    # SGDet GT drops the 12x12 cup and with it frame AAAAA.mp4/000021.png.
    sgdet = [perfect_prediction(f) for f in _frames('sgdet')]
    out = _run(_metric('sgdet'), sgdet)
    assert out['num_frames'] == 6 and out['no/R@10'] == 1.0
    with pytest.raises(PredictionFormatError, match='000021.png'):
        _run(_metric('sgdet'), _noisy_preds('predcls'))


def test_sgcls_wrong_label_by_hand():
    # SGCls: GT boxes, predicted labels and label scores. The GT is the
    # SGDet one (no object < 16 px): 6 frames.
    preds = [perfect_prediction(f) for f in _frames('sgcls')]
    assert preds[0]['frame_key'] == 'AAAAA.mp4/000003.png'
    preds[0]['labels'][1] = 32  # the chair called a table: its 5 GT rows miss
    for p in preds:
        p['scores'] = np.full(len(p['scores']), 0.6, np.float32)
    out = _run(_metric('sgcls'), preds)
    assert out['num_frames'] == 6
    assert out['no/R@10'] == pytest.approx(5 / 6)
    assert out['semi/R@10'] == pytest.approx(5 / 6)


def test_missing_frame_counts_zero_and_is_reported():
    preds = [perfect_prediction(f) for f in _frames('predcls')]
    out = _run(_metric(), preds[1:])
    assert out['num_frames_without_prediction'] == 1
    assert out['no/R@100'] == pytest.approx(6 / 7)


def test_repeats_identical_dropped_different_raise():
    preds = _noisy_preds()
    ref = _run(_metric(), preds)
    assert _run(_metric(), preds + preds[:2]) == pytest.approx(ref)
    other = dict(preds[0], scores=preds[0]['scores'] * 0.5)
    with pytest.raises(PredictionFormatError, match='two different'):
        _run(_metric(), preds + [other])


def test_metric_rejects_bad_arguments():
    with pytest.raises(ValueError, match='task'):
        ActionGenomeSGGMetric(FIXTURE, 'detection')
    with pytest.raises(ValueError, match='iou_type'):
        ActionGenomeSGGMetric(FIXTURE, 'sgdet', iou_type='giou')
    with pytest.raises(ValueError, match='constraints'):
        ActionGenomeSGGMetric(FIXTURE, 'sgdet', constraints=('strict', ))


def _load_cli():
    path = osp.join(osp.dirname(__file__), '..', '..', 'tools',
                    'analysis_tools', 'eval_sgg.py')
    spec = importlib.util.spec_from_file_location('eval_sgg', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dump_and_cli_agree_with_metric(tmp_path):
    main = _load_cli().main
    preds = _noisy_preds(seed=3)
    out_file = str(tmp_path / 'preds.pkl')
    out = _run([_metric(), DumpSGPredictions(out_file)], preds[::-1])
    with open(out_file, 'rb') as f:
        dumped = pickle.load(f)
    assert [d['frame_key'] for d in dumped] == sorted(
        p['frame_key'] for p in preds)
    assert dumped[0]['bboxes'].dtype == np.float32
    assert dumped[0]['labels'].dtype == np.int64
    json_file = str(tmp_path / 'm.json')
    assert main([FIXTURE, out_file, '--task', 'predcls', '--json',
                 json_file]) == 0
    with open(json_file) as f:
        cli = json.load(f)
    for key, value in out.items():
        assert cli[key] == pytest.approx(value), key


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _dist_worker(rank, world_size, port, parts, out_dir):
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world_size)
    try:
        out_file = osp.join(out_dir, 'dumped.pkl')
        res = _run([_metric(), DumpSGPredictions(out_file)], parts[rank])
        with open(osp.join(out_dir, f'rank{rank}.pkl'), 'wb') as f:
            pickle.dump(res, f)
    finally:
        dist.destroy_process_group()


def test_distributed_gathers_all_frames_once(tmp_path):
    preds = _noisy_preds(seed=5)
    ref = _run(_metric(), preds)
    # Uneven split (like a video sampler) plus a padding repeat on rank 1.
    parts = [preds[:5], preds[5:] + preds[:1]]
    torch.multiprocessing.start_processes(
        _dist_worker, args=(2, _free_port(), parts, str(tmp_path)),
        nprocs=2, start_method='fork')
    for rank in range(2):
        with open(tmp_path / f'rank{rank}.pkl', 'rb') as f:
            assert pickle.load(f) == pytest.approx(ref)
    with open(tmp_path / 'dumped.pkl', 'rb') as f:
        assert len(pickle.load(f)) == len(preds)
