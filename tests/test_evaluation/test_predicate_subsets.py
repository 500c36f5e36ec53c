"""Recall on predicate subsets (zero-shot novel / base recall): by hand,
as an invariant against the full protocol, and through the metric and
the CLI."""
import json

import numpy as np
import pytest

from vost.evaluation.functional import build_gt_triplets, evaluate_sgg
from vost.evaluation.functional.predicate_subsets import (
    evaluate_predicate_subsets, predicate_ids, restrict_gt)
from vost.structures.ag_meta import (ATTENTION_PREDICATES,
                                     CONTACTING_PREDICATES,
                                     PREDICATE_NAME_TO_ID,
                                     SPATIAL_PREDICATES)
from .sgg_cases import data_list_of, make_frame, make_pred, random_case

CUP = [100.0, 100.0, 149.0, 149.0]
KEY = 'V.mp4/000001.png'
KS = (1, 2, 3, 10)


def _case():
    # GT: looking_at; beneath + in_front_of; holding
    frame = make_frame(KEY, [(CUP, 11, 0, [1, 2], [5])])
    con = np.zeros(17)
    con[5] = 0.9
    pred = make_pred(KEY, [[0, 0, 99, 99], CUP], [1, 11], [0.7, 0.2, 0.1],
                     [0.1, 0.8, 0.6, 0, 0, 0], con)
    return build_gt_triplets(data_list_of([frame])), [pred]


def test_subsets_by_hand():
    gt, preds = _case()
    m = evaluate_predicate_subsets(
        gt, preds, dict(novel=['in_front_of'], base=['looking_at',
                                                     'holding']), ks=KS)
    # with: holding 0.9, beneath 0.8, looking_at 0.7; in_front_of never
    assert [m[f'novel/with/R@{k}'] for k in KS] == [0, 0, 0, 0]
    # no: 0.9, 0.8, 0.7, 0.6 (in_front_of is the 4th candidate)
    assert [m[f'novel/no/R@{k}'] for k in KS] == [0, 0, 0, 1]
    assert [m[f'base/with/R@{k}'] for k in KS] == [.5, .5, 1, 1]
    # mR over the subset's predicates present in the GT
    assert m['base/with/mR@3'] == pytest.approx(1.0)
    assert m['base/with/mR@1'] == pytest.approx(0.5)
    assert m['novel/num_gt_triplets'] == 1 and m['base/num_frames'] == 1
    rest = evaluate_predicate_subsets(
        gt, preds, dict(novel=['in_front_of'], rest='rest'), ks=KS)
    assert rest['rest/num_gt_triplets'] == 3  # looking_at, beneath, holding
    assert [rest[f'rest/with/R@{k}'] for k in KS] == [1 / 3, 2 / 3, 1, 1]
    with pytest.raises(ValueError, match="must be 'rest'"):
        evaluate_predicate_subsets(gt, preds, dict(a='all'))


@pytest.mark.parametrize('seed', [0, 1])
def test_all_predicates_give_the_full_recall(seed):
    frames, preds = random_case(np.random.default_rng(seed))
    gt = build_gt_triplets(data_list_of(frames))
    full, _ = evaluate_sgg(gt, preds, ks=KS)
    every = evaluate_predicate_subsets(
        gt, preds, dict(all=[*ATTENTION_PREDICATES, *SPATIAL_PREDICATES,
                           *CONTACTING_PREDICATES]), ks=KS)
    for key, value in full.items():
        if '/R@' in key:
            assert every[f'all/{key}'] == pytest.approx(value)
    # a subset keeps the frames, with fewer triplets
    sub = restrict_gt(gt, predicate_ids(['holding', 'beneath']))
    assert sub.num_frames == gt.num_frames
    assert sub.num_triplets.sum() == np.isin(
        gt.predicate, [PREDICATE_NAME_TO_ID['holding'],
                       PREDICATE_NAME_TO_ID['beneath']]).sum()


def test_unknown_predicate_names_the_subset():
    with pytest.raises(ValueError, match=r"subset 'novel': unknown "
                       r"predicate 'juggling'"):
        evaluate_predicate_subsets(*_case(), dict(novel=['juggling']))
    from vost.evaluation.metrics import ActionGenomeSGGMetric
    with pytest.raises(ValueError, match=r"predicate_subsets: subset 'z'"):
        ActionGenomeSGGMetric('root', task='sgdet',
                              predicate_subsets=dict(z=['flying']))


def test_cli_writes_the_subset_keys(tmp_path, capsys):
    import importlib.util
    import os.path as osp
    import pickle
    root = osp.dirname(osp.dirname(osp.dirname(__file__)))
    spec = importlib.util.spec_from_file_location(
        'eval_sgg', osp.join(root, 'tools', 'analysis_tools', 'eval_sgg.py'))
    cli = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cli)
    fixture = osp.join(root, 'tests', 'data', 'ag_tiny')
    from vost.ag_format import load_action_genome
    data_list, _ = load_action_genome(fixture, 'test', 'predcls')
    from .sgg_cases import perfect_prediction
    preds = [perfect_prediction(f) for v in data_list for f in v['images']]
    pred_file = tmp_path / 'p.pkl'
    with open(pred_file, 'wb') as f:
        pickle.dump(preds, f)
    out = tmp_path / 'm.json'
    assert cli.main([
        fixture, str(pred_file), '--task', 'predcls', '--json', str(out),
        '--workers', '1', '--predicate-subset', 'novel', 'in_front_of',
        '--predicate-subset', 'base', 'not_looking_at', 'looking_at'
    ]) == 0
    metrics = json.loads(out.read_text())
    assert metrics['novel/no/R@20'] == 1.0
    assert metrics['base/no/R@20'] == 1.0
    assert "predicates 'novel'" in capsys.readouterr().out


def test_chance_baseline_replaces_only_the_named_columns(tmp_path):
    from vost.evaluation.chance_baseline import chance_predicate_scores
    _, preds = random_case(np.random.default_rng(3))
    out = chance_predicate_scores(preds, ['wiping', 'behind'], seed=1)
    again = chance_predicate_scores(preds, ['wiping', 'behind'], seed=1)
    wiping = CONTACTING_PREDICATES.index('wiping')
    behind = SPATIAL_PREDICATES.index('behind')
    changed = 0
    for old, new, rep in zip(preds, out, again):
        np.testing.assert_array_equal(new['contacting_scores'],
                                      rep['contacting_scores'])
        np.testing.assert_array_equal(old['attention_scores'],
                                      new['attention_scores'])
        for field, col in (('contacting_scores', wiping),
                           ('spatial_scores', behind)):
            keep = [i for i in range(old[field].shape[1]) if i != col]
            np.testing.assert_array_equal(old[field][:, keep],
                                          new[field][:, keep])
            assert ((new[field][:, col] >= 0) &
                    (new[field][:, col] < 1)).all()
            changed += int((old[field][:, col] != new[field][:, col]).any())
    assert changed > 0
