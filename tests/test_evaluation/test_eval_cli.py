"""Tests of tools/analysis_tools/eval_sgg.py and the prediction file checks."""
import importlib.util
import json
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest

from vost.ag_format import load_action_genome
from vost.evaluation import (PredictionFormatError, check_prediction,
                             deduplicate_predictions, dump_predictions,
                             load_predictions, metric_keys)
from .sgg_cases import perfect_prediction

ROOT = osp.join(osp.dirname(__file__), '..', '..')
FIXTURE = osp.join(ROOT, 'tests', 'data', 'ag_tiny')
CLI = osp.join(ROOT, 'tools', 'analysis_tools', 'eval_sgg.py')


def _main():
    spec = importlib.util.spec_from_file_location('eval_sgg', CLI)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def _preds():
    data_list, _ = load_action_genome(FIXTURE, 'test', 'predcls')
    return [perfect_prediction(f) for v in data_list for f in v['images']]


def _write(tmp_path, preds):
    path = str(tmp_path / 'preds.pkl')
    with open(path, 'wb') as f:
        pickle.dump(preds, f)
    return path


def test_cli_writes_json_with_all_keys(tmp_path, capsys):
    json_file = str(tmp_path / 'out' / 'm.json')
    pred_file = _write(tmp_path, _preds())
    assert _main()([FIXTURE, pred_file, '--task', 'predcls', '--json',
                    json_file]) == 0
    with open(json_file) as f:
        out = json.load(f)
    for key in metric_keys():
        assert 0 <= out[key] <= 1, key
    assert out['num_frames'] == 7
    assert out['no/R@10'] == 1.0
    assert out['per_predicate']['with']['10']['looking_at'] == 1.0
    printed = capsys.readouterr().out
    assert '| with' in printed and '100.00' in printed


def _bad(edit):
    preds = _preds()
    edit(preds)
    return preds


BAD_CASES = [
    ('missing key', lambda p: p[2].pop('spatial_scores'),
     ["'AAAAA.mp4/000021.png'", 'spatial_scores']),
    ('wrong shape', lambda p: p[1].update(
        spatial_scores=np.zeros((2, 5), np.float32)),
     ["'AAAAA.mp4/000010.png'", 'spatial_scores', '(2, 5)']),
    ('pair index', lambda p: p[3].update(
        pair_inds=np.array([[0, 7]])),
     ["'AAAAA.mp4/000100.png'", 'pair_inds']),
    ('NaN score', lambda p: p[4]['contacting_scores'].__setitem__(
        (0, 3), np.nan), ["'CCCCC.mp4/000006.png'", 'contacting_scores',
                          'NaN']),
    ('unknown frame', lambda p: p[0].update(frame_key='ZZZ.mp4/000001.png'),
     ["'ZZZ.mp4/000001.png'", 'not an evaluated GT frame']),
    ('duplicate frame', lambda p: p.append(dict(p[0])),
     ["'AAAAA.mp4/000003.png'", 'occurs twice']),
    ('label 0', lambda p: p[5]['labels'].__setitem__(1, 0),
     ["'CCCCC.mp4/000007.png'", 'labels']),
    ('probability > 1', lambda p: p[0]['scores'].__setitem__(0, 1.5),
     ["'AAAAA.mp4/000003.png'", 'scores', 'probabilities']),
    ('float labels', lambda p: p[0].update(
        labels=p[0]['labels'].astype(np.float32)),
     ["'AAAAA.mp4/000003.png'", 'labels', 'integers']),
    ('box x2 < x1', lambda p: p[0]['bboxes'].__setitem__((1, 2), -5),
     ["'AAAAA.mp4/000003.png'", 'bboxes', 'x2 >= x1']),
    ('not a dict', lambda p: p.__setitem__(1, [1, 2]),
     ['prediction #1', 'expected a dict']),
]


@pytest.mark.parametrize('name, edit, needles', BAD_CASES,
                         ids=[c[0] for c in BAD_CASES])
def test_cli_bad_input_names_frame_and_field(tmp_path, capsys, name, edit,
                                             needles):
    pred_file = _write(tmp_path, _bad(edit))
    assert _main()([FIXTURE, pred_file, '--task', 'predcls']) == 1
    err = capsys.readouterr().err
    assert err.startswith('error: ')
    for needle in needles:
        assert needle in err, (needle, err)


def test_cli_script_bad_file_has_no_traceback(tmp_path):
    pred_file = str(tmp_path / 'preds.pkl')
    with open(pred_file, 'wb') as f:
        pickle.dump({'not': 'a list'}, f)
    proc = subprocess.run(
        [sys.executable, CLI, FIXTURE, pred_file, '--task', 'sgdet'],
        capture_output=True, text=True)
    assert proc.returncode == 1
    assert 'Traceback' not in proc.stderr
    assert 'expected a list of per-frame dicts' in proc.stderr


def test_dump_load_roundtrip_and_canonical_dtypes(tmp_path):
    preds = _preds()
    preds[0] = dict(preds[0], labels=preds[0]['labels'].astype(np.int32),
                    bboxes=preds[0]['bboxes'].tolist())
    path = str(tmp_path / 'sub' / 'p.pkl')
    dump_predictions(preds, path)
    loaded = load_predictions(path)
    assert loaded[0]['labels'].dtype == np.int64
    assert loaded[0]['bboxes'].dtype == np.float32
    np.testing.assert_array_equal(loaded[0]['bboxes'],
                                  np.asarray(preds[0]['bboxes']))


def test_check_prediction_accepts_empty_and_tensors():
    import torch
    empty = dict(frame_key='a.mp4/000001.png', bboxes=np.array([]),
                 labels=np.array([], np.int64), scores=np.array([]),
                 pair_inds=np.zeros((0, 2), np.int64),
                 attention_scores=torch.zeros(0, 3),
                 spatial_scores=np.zeros((0, 6)),
                 contacting_scores=np.zeros((0, 17)))
    out = check_prediction(empty)
    assert out['bboxes'].shape == (0, 4)
    assert out['attention_scores'].dtype == np.float32


def test_deduplicate_predictions():
    preds = _preds()
    unique, dropped = deduplicate_predictions(preds + [dict(preds[2])])
    assert dropped == 1 and len(unique) == len(preds)
    changed = dict(preds[2], pair_inds=preds[2]['pair_inds'][:0],
                   attention_scores=preds[2]['attention_scores'][:0],
                   spatial_scores=preds[2]['spatial_scores'][:0],
                   contacting_scores=preds[2]['contacting_scores'][:0])
    with pytest.raises(PredictionFormatError, match='000021'):
        deduplicate_predictions(preds + [changed])


def test_repeat_from_another_batch_is_the_same_prediction():
    # sampler padding runs a frame again in another batch: float noise in
    # the last bits, near-tied pairs maybe swapped; still one prediction
    pred = next(p for p in _preds() if len(p['pair_inds']) >= 2)
    noisy = {k: v for k, v in pred.items()}
    for field in ('bboxes', 'attention_scores', 'contacting_scores'):
        noisy[field] = (pred[field] * (1 + 1e-6)).astype(np.float32)
    swapped = {k: (v[::-1].copy() if k in ('pair_inds', 'attention_scores',
                                            'spatial_scores',
                                            'contacting_scores') else v)
               for k, v in pred.items()}
    unique, dropped = deduplicate_predictions([pred, noisy, swapped])
    assert dropped == 2 and unique == [pred]
    # a real difference is refused: one score moved by 0.01
    moved = dict(pred, attention_scores=pred['attention_scores'].copy())
    moved['attention_scores'][0, 0] += 0.01
    with pytest.raises(PredictionFormatError, match='two different'):
        deduplicate_predictions([pred, moved])


def test_cli_constants_and_numpy_only_imports():
    from vost.evaluation.functional import CONSTRAINTS, IOU_TYPES
    spec = importlib.util.spec_from_file_location('eval_sgg', CLI)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.CONSTRAINTS == CONSTRAINTS
    assert module.IOU_TYPES == IOU_TYPES
    # In script mode the CLI must not pay for torch / mmcv imports.
    code = (f'import runpy, sys; sys.argv = [{CLI!r}, {FIXTURE!r}, '
            "'missing.pkl', '--task', 'sgdet']\n"
            'try:\n'
            f'    runpy.run_path({CLI!r}, run_name="__main__")\n'
            'except SystemExit as exc:\n'
            '    assert exc.code == 1\n'
            "assert 'torch' not in sys.modules, 'torch was imported'\n"
            "assert 'mmengine' not in sys.modules\n")
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stderr
    assert 'missing.pkl does not exist' in proc.stderr
