"""Recall on class, frequency (head / body / tail), frame and synthetic-world
subsets: by hand, as invariants against the full protocol, and through
the metric and the CLI."""
import importlib.util
import json
import math
import os.path as osp
import pickle

import numpy as np
import pytest

from vost.evaluation.functional import build_gt_triplets, evaluate_sgg
from vost.evaluation.functional.class_subsets import evaluate_class_subsets
from vost.evaluation.functional.frame_subsets import evaluate_frame_subsets
from vost.evaluation.functional.frequency_subsets import (
    frequency_groups, resolve_frequency_cfg, training_counts,
    training_frequency_subsets)
from vost.evaluation.functional.predicate_subsets import \
    evaluate_predicate_subsets
from vost.evaluation.functional.subset_recalls import (evaluate_subsets,
                                                       plan_subsets)
from vost.evaluation.functional.world_subsets import read_world_subsets
from vost.structures.ag_meta import OBJECT_CLASSES
from .sgg_cases import (data_list_of, make_frame, make_pred,
                        perfect_prediction, random_case)

ROOT = osp.join(osp.dirname(__file__), '..', '..')
FIXTURE = osp.join(ROOT, 'tests', 'data', 'ag_tiny')
CUP, CHAIR = [100.0, 100.0, 149.0, 149.0], [0.0, 50.0, 60.0, 99.0]
KEY1, KEY2 = 'V.mp4/000001.png', 'V.mp4/000002.png'
KS = (1, 2, 3, 5, 10)


def _case():
    """Two frames; *with*-constraint ranks written next to each score.

    Frame 1: cup (11) looking_at, in_front_of, holding; chair (8)
    not_looking_at, beneath, sitting_on. Frame 2: chair unsure, behind.
    """
    f1 = make_frame(KEY1, [(CUP, 11, 0, [2], [5]), (CHAIR, 8, 1, [1], [10])])
    f2 = make_frame(KEY2, [(CHAIR, 8, 2, [3], [])])
    spa, con = np.zeros((2, 6)), np.zeros((2, 17))
    spa[0, 2], con[0, 5] = 0.8, 0.3  # cup: in_front_of rank 1, holding 4
    spa[1, 1], con[1, 10] = 0.7, 0.2  # chair: beneath 2, sitting_on 5
    p1 = make_pred(KEY1, [[0, 0, 99, 99], CUP, CHAIR], [1, 11, 8],
                   [[0.9, 0.05, 0.05],  # cup looking_at rank 0
                    [0.6, 0.4, 0.0]],  # chair looking_at (wrong) rank 3
                   spa, con)
    spa2 = np.zeros((1, 6))
    spa2[0, 3] = 0.4  # behind rank 1; contacting argmax carrying (wrong)
    p2 = make_pred(KEY2, [[0, 0, 99, 99], CHAIR], [1, 8], [[0, 0, 0.5]],
                   spa2, np.zeros((1, 17)))  # unsure rank 0
    return build_gt_triplets(data_list_of([f1, f2])), [p1, p2]


def _recalls(m, name, c='with'):
    return [m[f'{name}/{c}/R@{k}'] for k in KS]


def test_class_subsets_by_hand():
    gt, preds = _case()
    m = evaluate_class_subsets(
        gt, preds, dict(cups=['cup/glass/bottle'], rest='rest'), ks=KS)
    # cups: frame 1 only, hits at ranks 0, 1, 4 of its 3 triplets
    assert _recalls(m, 'cups') == pytest.approx([1 / 3, 2 / 3, 2 / 3, 1, 1])
    assert m['cups/num_frames'] == 1 and m['cups/num_gt_triplets'] == 3
    # rest (chairs): frame 1 ranks never, 2, 5; frame 2 ranks 0, 1
    assert _recalls(m, 'rest') == pytest.approx(
        [(0 + 1 / 2) / 2, (0 + 1) / 2, (1 / 3 + 1) / 2, (1 / 3 + 1) / 2,
         (2 / 3 + 1) / 2])
    # mR over the 5 predicates present: unsure, behind at 1 and 2, beneath
    # at 3, sitting_on at 6, not_looking_at never
    assert m['rest/with/mR@1'] == pytest.approx(1 / 5)
    assert m['rest/with/mR@10'] == pytest.approx(4 / 5)
    assert m['rest/num_frames'] == 2
    assert m['cups/num_gt_triplets'] + m['rest/num_gt_triplets'] == len(
        gt.frame)
    with pytest.raises(ValueError, match="subset 'x': unknown object class "
                       "'spoon'"):
        evaluate_class_subsets(gt, preds, dict(x=['spoon']))
    with pytest.raises(ValueError, match="'person' is the subject"):
        evaluate_class_subsets(gt, preds, dict(x=['person']))


@pytest.mark.parametrize('seed', [0, 1])
def test_every_class_or_frame_gives_the_full_recall(seed):
    frames, preds = random_case(np.random.default_rng(seed))
    gt = build_gt_triplets(data_list_of(frames))
    full, _ = evaluate_sgg(gt, preds, ks=KS, mr_absent_as_zero=False)
    plan = plan_subsets(class_subsets=dict(all=list(OBJECT_CLASSES[2:])),
                        frame_subsets=dict(every=list(gt.frame_keys)))
    m = evaluate_subsets(gt, preds, plan, ks=KS)
    for key, value in full.items():
        assert m[f'all/{key}'] == pytest.approx(value), key
        assert m[f'every/{key}'] == pytest.approx(value), key
    # the shared candidates give the per-subset evaluators' numbers
    subsets = dict(a=['holding', 'beneath'], b='rest')
    shared = evaluate_subsets(gt, preds, plan_subsets(subsets), ks=KS)
    alone = evaluate_predicate_subsets(gt, preds, subsets, ks=KS)
    assert shared.keys() == alone.keys()
    for key, value in alone.items():
        assert shared[key] == pytest.approx(value, nan_ok=True), key


def test_frame_subsets_by_hand(tmp_path):
    gt, preds = _case()
    listed = tmp_path / 'second.json'
    listed.write_text(json.dumps([KEY2]))
    m = evaluate_frame_subsets(
        gt, preds, dict(first=[KEY1], second=str(listed)), ks=KS)
    # frame 1: 6 triplets hit at ranks 0, 1, 2, 4, 5 (not_looking_at never)
    assert _recalls(m, 'first') == pytest.approx(
        [1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6])
    assert _recalls(m, 'second') == pytest.approx([1 / 2, 1, 1, 1, 1])
    assert m['first/num_frames'] == 1 and m['first/num_gt_triplets'] == 6
    # mR over frame 1's 6 predicates: looking_at at 1, in_front_of at 2
    assert m['first/with/mR@1'] == pytest.approx(1 / 6)
    assert m['first/with/mR@2'] == pytest.approx(2 / 6)
    with pytest.raises(ValueError, match=r"frame subset 'x': 1 of 2 key\(s\) "
                       r"name no evaluated GT frame, first: \['Z.mp4"):
        evaluate_frame_subsets(gt, preds, dict(x=[KEY1, 'Z.mp4/000009.png']))
    bad = tmp_path / 'bad.json'
    bad.write_text(json.dumps({'frames': [KEY1]}))
    with pytest.raises(ValueError, match=r"frame subset 'y' \(.*bad.json\): "
                       'expected a list of frame keys'):
        evaluate_frame_subsets(gt, preds, dict(y=str(bad)))
    with pytest.raises(FileNotFoundError, match='missing.json does not'):
        evaluate_frame_subsets(gt, preds, dict(y=str(tmp_path / 'missing'
                                                     '.json')))
    # an empty list is a subset without frames: nothing to recall
    empty = evaluate_subsets(gt, preds, plan_subsets(
        frame_subsets=dict(none=[])), ks=KS)
    assert empty['none/num_frames'] == 0
    assert math.isnan(empty['none/with/R@1'])
    assert math.isnan(empty['none/no/mR@10'])


def test_frequency_groups_rule():
    # 26 distinct counts (id i has count i): 9 / 9 / 8 by rank
    groups = frequency_groups(np.arange(26))
    assert groups['head'] == list(range(25, 16, -1))
    assert groups['body'] == list(range(16, 7, -1))
    assert groups['tail'] == list(range(7, -1, -1))
    sizes = [len(v) for v in frequency_groups(np.arange(35) + 1).values()]
    assert sizes == [12, 12, 11]
    assert [len(v) for v in frequency_groups(np.ones(27)).values()] == \
        [9, 9, 9]  # exact thirds, no float round-up
    # the cuts are ceil(n/3) and ceil(2n/3): 10 -> 4 / 3 / 3, 4 -> 2 / 1 / 1
    assert [len(v) for v in frequency_groups(np.ones(10)).values()] == \
        [4, 3, 3]
    assert [len(v) for v in frequency_groups(np.ones(4)).values()] == \
        [2, 1, 1]
    # ties by ascending id; a 0 count goes to the tail from any rank
    groups = frequency_groups([5, 7, 5, 5, 1, 0])
    assert groups == dict(head=[1, 0], body=[2, 3], tail=[4, 5])
    groups = frequency_groups([0, 0, 3])
    assert groups == dict(head=[2], body=[], tail=[0, 1])
    assert frequency_groups([0, 0, 0, 0]) == dict(head=[], body=[],
                                                 tail=[0, 1, 2, 3])
    groups = frequency_groups([1, 2, 3, 4], (0.5, 0.25), ids=[7, 8, 9, 10])
    assert groups == dict(head=[10, 9], body=[8], tail=[7])
    with pytest.raises(ValueError, match='summing to <= 1'):
        frequency_groups([1, 2], (0.7, 0.5))
    with pytest.raises(ValueError, match='non-negative'):
        frequency_groups([1, -2])
    assert resolve_frequency_cfg(False) is None
    assert resolve_frequency_cfg(True) == dict(split='train',
                                               fractions=(1 / 3, 1 / 3))
    with pytest.raises(ValueError, match=r"unknown keys \['cut'\]"):
        resolve_frequency_cfg(dict(cut=2))


def test_frequency_subsets_count_boxes_for_classes():
    # chair: 1 box, 7 triplets; cup: 2 boxes, 6 triplets
    frames = [
        make_frame(KEY1, [(CHAIR, 8, 0, [0, 1, 2], [5, 6, 7]),
                          (CUP, 11, 0, [2], [5])]),
        make_frame(KEY2, [(CUP, 11, 1, [2], [5])])]
    pred_counts, class_counts = training_counts(data_list_of(frames))
    assert pred_counts[[0, 1, 3, 4, 5, 14, 15, 16]].tolist() == \
        [2, 1, 1, 1, 3, 3, 1, 1]  # looking_at ... in_front_of, holding ...
    assert pred_counts.sum() == 13
    assert class_counts[11 - 2] == 2 and class_counts[8 - 2] == 1
    assert class_counts.sum() == 3  # person boxes are not counted
    # head / body of 1 rank each: the cup (more boxes) leads the chair
    preds, classes = training_frequency_subsets(
        data_list_of(frames), fractions=(1 / 35, 1 / 35))
    assert classes['cls_head'] == ['cup/glass/bottle']
    assert classes['cls_body'] == ['chair']
    assert len(classes['cls_tail']) == 33
    # predicates, 1 of 26 ranks -> ceil(26/35) = 1: in_front_of (3,
    # id 5) ties with holding (3, id 14): the lower id leads
    assert preds['pred_head'] == ['in_front_of']
    assert preds['pred_body'] == ['holding']
    with pytest.raises(ValueError, match='the training split has no GT'):
        training_frequency_subsets([])


def _world_file(tmp_path, content):
    path = tmp_path / 'annotations' / 'synthetic_subsets.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))
    return str(path)


def test_world_subsets_read_and_evaluated(tmp_path):
    _world_file(tmp_path, dict(
        world='video',
        frames=dict(occluded=[KEY1],
                    border_cut=[KEY2, 'V.mp4/000777.png']),  # a train frame
        predicates=dict(motion=['holding', 'sitting_on']),
        ceiling=dict(anything=[1, 2])))
    frames, predicates = read_world_subsets(str(tmp_path))
    assert frames == dict(occluded=[KEY1],
                          border_cut=[KEY2, 'V.mp4/000777.png'])
    assert predicates == dict(motion=['holding', 'sitting_on'])
    gt, preds = _case()
    m = evaluate_subsets(gt, preds, plan_subsets(world=(frames, predicates)),
                         ks=KS)
    assert _recalls(m, 'occluded')[0] == pytest.approx(1 / 6)
    assert _recalls(m, 'border_cut') == pytest.approx([1 / 2, 1, 1, 1, 1])
    assert m['border_cut/num_listed_frames_not_evaluated'] == 1
    assert m['occluded/num_listed_frames_not_evaluated'] == 0
    # motion: holding rank 4, sitting_on rank 5, both in frame 1
    assert _recalls(m, 'motion') == pytest.approx([0, 0, 0, 1 / 2, 1])
    assert m['motion/num_frames'] == 1


def test_world_subsets_errors(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'synthetic_subsets.json does not exist.*'
                       'video world generator'):
        read_world_subsets(str(tmp_path))
    _world_file(tmp_path, dict(predicates=dict(motion=['juggling'])))
    with pytest.raises(ValueError, match=r"key 'predicates', entry 'motion': "
                       r"unknown predicate 'juggling'"):
        read_world_subsets(str(tmp_path))
    _world_file(tmp_path, dict(frames=dict(occluded=[KEY1, 3])))
    with pytest.raises(ValueError, match=r"key 'frames', entry 'occluded': "
                       r'entry \[1\] is not a frame key'):
        read_world_subsets(str(tmp_path))
    _world_file(tmp_path, dict(world='video'))
    with pytest.raises(ValueError, match="no 'frames' and no 'predicates'"):
        read_world_subsets(str(tmp_path))
    # a list of which no key is evaluated is a wrong file, not a subset
    gt, preds = _case()
    with pytest.raises(ValueError, match="frame subset 'gone': none of its "
                       'keys is evaluated'):
        evaluate_subsets(gt, preds, plan_subsets(
            world=(dict(gone=['W.mp4/000001.png']), {})))
    with pytest.raises(ValueError, match=r"subset name 'a' is used by "
                       'class_subsets and frame_subsets'):
        plan_subsets(class_subsets=dict(a=['cup/glass/bottle']),
                     frame_subsets=dict(a=[KEY1]))


def _fixture_preds():
    from vost.ag_format import load_action_genome
    data_list, _ = load_action_genome(FIXTURE, 'test', 'predcls')
    return [perfect_prediction(f) for v in data_list for f in v['images']]


def test_metric_default_keys_unchanged_by_the_options(tmp_path):
    from vost.evaluation.metrics import ActionGenomeSGGMetric
    preds = _fixture_preds()
    world = _world_file(tmp_path, dict(
        frames=dict(occluded=['AAAAA.mp4/000003.png']),
        predicates=dict(motion=['writing_on'])))
    plain = ActionGenomeSGGMetric(FIXTURE, task='predcls')
    full = ActionGenomeSGGMetric(
        FIXTURE, task='predcls', frequency_subsets=True,
        class_subsets=dict(furniture=['chair', 'sofa/couch', 'table']),
        frame_subsets=dict(two=['AAAAA.mp4/000003.png',
                                'CCCCC.mp4/000007.png']),
        world_subsets=world)
    base = plain.compute_metrics([dict(p) for p in preds])
    more = full.compute_metrics([dict(p) for p in preds])
    for key, value in base.items():
        assert more[key] == value, key
    # perfect predictions, with constraint (first maximum of multi-hot
    # rows): chair frame 3 of 5, laptop 3 of 5 (frame 7: 6 of 8)
    assert more['two/with/R@20'] == pytest.approx((3 / 5 + 6 / 8) / 2)
    assert more['furniture/with/R@20'] == pytest.approx((3 / 5 + 4) / 5)
    assert more['occluded/with/R@20'] == pytest.approx(3 / 5)
    assert more['motion/with/R@20'] == 0.0  # writing_on loses to touching
    assert more['motion/no/R@20'] == 1.0
    # the train split has 8 predicates of count 3: all head, 18 in tail
    assert full.load_frequency_subsets()[0]['pred_head'] == [
        'looking_at', 'not_looking_at', 'behind', 'in', 'carrying',
        'have_it_on_the_back', 'holding', 'other_relationship']
    assert more['pred_tail/with/R@20'] == pytest.approx(37 / 42)
    with pytest.raises(ValueError, match="subset name 'pred_head' is used"):
        ActionGenomeSGGMetric(FIXTURE, task='predcls',
                              frequency_subsets=True,
                              class_subsets=dict(pred_head=['chair']))
    with pytest.raises(FileNotFoundError, match='nothere.json does not'):
        ActionGenomeSGGMetric(FIXTURE, task='predcls',
                              world_subsets='nothere.json')


def _cli():
    spec = importlib.util.spec_from_file_location(
        'eval_sgg', osp.join(ROOT, 'tools', 'analysis_tools', 'eval_sgg.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def test_cli_subset_flags(tmp_path, capsys):
    pred_file = tmp_path / 'p.pkl'
    with open(pred_file, 'wb') as f:
        pickle.dump(_fixture_preds(), f)
    frames = tmp_path / 'two.json'
    frames.write_text(json.dumps(['AAAAA.mp4/000003.png',
                                  'CCCCC.mp4/000007.png']))
    world = _world_file(tmp_path, dict(
        frames=dict(occluded=['AAAAA.mp4/000010.png', 'DDDDD.mp4/'
                              '000001.png']),  # a train frame, left out
        predicates=dict(motion=['writing_on'])))
    out = tmp_path / 'm.json'
    base = [FIXTURE, str(pred_file), '--task', 'predcls', '--workers', '1']
    assert _cli()(base + [
        '--json', str(out), '--frequency-subsets',
        '--class-subset', 'furniture=chair,sofa/couch,table',
        '--class-subset', 'other=rest',
        '--predicate-subset', 'front=in_front_of',
        '--frame-subset', f'two={frames}', '--world-subsets', world]) == 0
    m = json.loads(out.read_text())
    printed = capsys.readouterr().out
    assert m['with/R@20'] == pytest.approx((3 / 5 + 4 + 6 / 8 + 1) / 7)
    assert m['cls_tail/with/R@20'] == m['with/R@20']  # every test class
    assert m['pred_tail/with/R@20'] == pytest.approx(37 / 42)
    assert m['pred_head/with/R@20'] == 1.0
    assert m['furniture/with/R@20'] == pytest.approx((3 / 5 + 4) / 5)
    # other classes: phone 3/3 (frame 10), cup, closet, laptop 3/5
    assert m['other/with/R@20'] == pytest.approx((1 + 1 + 1 + 3 / 5) / 4)
    assert m['front/with/R@20'] == pytest.approx(6 / 7)
    assert m['two/with/R@20'] == pytest.approx((3 / 5 + 6 / 8) / 2)
    assert m['occluded/with/R@20'] == 1.0
    assert m['occluded/num_listed_frames_not_evaluated'] == 1
    assert m['motion/no/R@20'] == 1.0
    assert printed.index('Action Genome test PREDCLS') < printed.index(
        "object classes 'furniture'") < printed.index("frames 'two'")
    assert 'pred_head (8): looking_at, not_looking_at, behind' in printed
    assert '1 listed frame(s) are no evaluated frame' in printed
    # errors: exit code 1 and one line naming the flag / file
    assert _cli()(base + ['--world-subsets']) == 1
    err = capsys.readouterr().err
    assert 'ag_tiny/annotations/synthetic_subsets.json does not exist' in err
    assert _cli()(base + ['--class-subset', 'furniture']) == 1
    assert 'error: --class-subset furniture: no names' in \
        capsys.readouterr().err
    assert _cli()(base + ['--frame-subset', 'x=' + str(tmp_path / 'no.json'
                                                         )]) == 1
    assert "frame subset 'x': frame list" in capsys.readouterr().err
