"""Counts that were checked, results that are not empty by accident:
ag_stats checks frames on disk as the dataset does (or says it did not),
an empty prediction list is an error unless --allow-empty, a split the
filters empty is an error in the dataset and a warning in the generator,
and the metric's GT is checked against the test data before inference,
naming both roots."""
import importlib.util
import json
import os.path as osp
import pickle
import runpy
import shutil
import sys

import pytest
from mmengine.config import Config

from vost.ag_format import AGAnnotationError
from vost.datasets import ActionGenomeDataset
from vost.engine.gt_source_check import GTSourceError
from vost.registry import RUNNERS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
AG_TINY = osp.join(REPO, 'tests', 'data', 'ag_tiny')
SGDET = osp.join(REPO, 'configs', 'vost',
                 'vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py')


def _tool(rel):
    spec = importlib.util.spec_from_file_location(
        osp.basename(rel)[:-3], osp.join(REPO, rel))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def ag(tmp_path):
    root = tmp_path / 'ag'
    shutil.copytree(AG_TINY, root)
    return root


def _ag_stats(monkeypatch, capsys, *argv):
    monkeypatch.setattr(sys, 'argv', ['ag_stats.py', *map(str, argv)])
    _tool('tools/analysis_tools/ag_stats.py').main()
    return json.loads(capsys.readouterr().out)


def test_ag_stats_checks_the_frames_as_the_dataset(ag, monkeypatch,
                                                   capsys):
    (ag / 'frames' / 'CCCCC.mp4' / '000008.png').unlink()
    with pytest.raises(SystemExit) as info:
        _ag_stats(monkeypatch, capsys, ag, '--split', 'test')
    assert str(info.value.code) == (
        "error: frame 'CCCCC.mp4/000008.png' is listed in "
        f"{ag}/annotations/frame_list.txt but its image "
        f'{ag}/frames/CCCCC.mp4/000008.png does not exist')
    stats = _ag_stats(monkeypatch, capsys, ag, '--split', 'test',
                      '--on-error', 'warn')
    assert stats['removed']['frames']['missing_on_disk'] == 1
    assert stats['frames_checked_on_disk'] is True
    # CCCCC keeps 2 frames: under the 3-frame minimum, the video goes
    assert (stats['videos'], stats['frames']) == (1, 3)
    unchecked = _ag_stats(monkeypatch, capsys, ag, '--split', 'test',
                          '--no-check-frames')
    assert unchecked['removed']['frames']['missing_on_disk'] is None
    assert unchecked['frames_checked_on_disk'] is False
    assert (unchecked['videos'], unchecked['frames']) == (2, 6)


def test_an_empty_prediction_list_is_an_error(tmp_path, capsys):
    eval_sgg = _tool('tools/analysis_tools/eval_sgg.py')
    preds = tmp_path / 'preds.pkl'
    preds.write_bytes(pickle.dumps([]))
    argv = [AG_TINY, str(preds), '--task', 'predcls', '--workers', '1']
    assert eval_sgg.main(argv) == 1
    assert capsys.readouterr().err == (
        f'error: {preds} holds no prediction for any of the 7 GT frames (an '
        'empty prediction list: a broken or interrupted dump?); pass '
        '--allow-empty to evaluate it as recall 0\n')
    out = tmp_path / 'm.json'
    assert eval_sgg.main(argv + ['--allow-empty', '--json', str(out)]) == 0
    metrics = json.loads(out.read_text())
    assert metrics['with/R@20'] == 0 and metrics['num_frames'] == 7


def test_the_metric_refuses_an_empty_result_list():
    from vost.evaluation import ActionGenomeSGGMetric
    metric = ActionGenomeSGGMetric(AG_TINY, task='predcls')
    with pytest.raises(ValueError, match='no prediction to evaluate'):
        metric.compute_metrics([])
    metric = ActionGenomeSGGMetric(AG_TINY, task='predcls',
                                   allow_empty=True)
    assert metric.compute_metrics([])['with/R@20'] == 0


def test_a_split_emptied_by_the_filters_is_an_error():
    with pytest.raises(AGAnnotationError) as info:
        ActionGenomeDataset(AG_TINY, split='test', min_frames_per_video=100,
                            pipeline=[])
    message = str(info.value)
    assert message.startswith(
        f'ActionGenomeDataset: the test split of {AG_TINY} (sgdet) is '
        'empty after the filters:\nAction Genome test/sgdet: 18 annotated '
        'keys -> kept 0 videos')
    assert 'removed videos: too_few_frames=4' in message


def test_the_generator_warns_of_an_empty_split(tmp_path, monkeypatch,
                                               capsys):
    monkeypatch.setattr(sys, 'argv', [
        'make_synthetic_ag.py', str(tmp_path / 'syn'), '--world', 'simple',
        '--videos', '2', '--frames', '4', '--size', '160', '160',
        '--test-fraction', '0'])
    runpy.run_path(
        osp.join(REPO, 'tools', 'dataset_converters', 'make_synthetic_ag.py'),
        run_name='__main__')
    err = capsys.readouterr().err
    assert err.count('warning:') == 1
    assert ('warning: the test split keeps 0 videos after the filters: '
            'training or testing on it will stop with an error') in err


def _without_video(root, video):
    """Remove a video's keys from a copied data set's annotations."""
    for name in ('person_bbox.pkl', 'object_bbox_and_relationship.pkl'):
        path = root / 'annotations' / name
        data = pickle.loads(path.read_bytes())
        path.write_bytes(pickle.dumps(
            {k: v for k, v in data.items() if not k.startswith(video)}))
    frame_list = root / 'annotations' / 'frame_list.txt'
    frame_list.write_text(''.join(
        line for line in frame_list.read_text().splitlines(True)
        if not line.startswith(video)))


def test_the_metric_gt_is_checked_before_inference(ag, tmp_path):
    _without_video(ag, 'CCCCC.mp4')
    cfg = Config.fromfile(SGDET)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.test_dataloader.dataset.data_root = AG_TINY
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    # as in a dumped config: the evaluator is a list
    cfg.test_evaluator = [dict(cfg.test_evaluator, data_root=str(ag))]
    cfg.model.backbone.init_cfg = None
    # a checkpoint that does not exist: loading it would say so
    cfg.load_from = str(tmp_path / 'none.pth')
    runner = RUNNERS.build(cfg)
    with pytest.raises(GTSourceError) as info:
        runner.test()
    assert str(info.value) == (
        'test_dataloader: 3 of the 6 frames to predict are not GT frames of '
        'the metric (first: CCCCC.mp4/000006.png). The metric reads its GT '
        'from its own data_root: test_dataloader.dataset.data_root='
        f"'{AG_TINY}' (split 'test') but the test_evaluator metric has "
        f"data_root='{ag}' (split 'test'). Point both at one data set: "
        '--cfg-options test_dataloader.dataset.data_root=ROOT '
        'test_evaluator.data_root=ROOT (test_evaluator.0.data_root where '
        'test_evaluator is a list, as in a dumped config)')


def test_the_test_tool_names_both_roots_before_inference(ag, tmp_path,
                                                         monkeypatch):
    _without_video(ag, 'CCCCC.mp4')
    test_tool = _tool('tools/test.py')
    monkeypatch.setenv('LOCAL_RANK', '0')
    monkeypatch.setattr(sys, 'argv', [
        'test.py', SGDET, str(tmp_path / 'none.pth'), '--work-dir',
        str(tmp_path / 'work'), '--out', str(tmp_path / 'preds.pkl'),
        '--cfg-options', f'test_dataloader.dataset.data_root={AG_TINY}',
        f'test_evaluator.data_root={ag}', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'model.backbone.init_cfg=None'])
    with pytest.raises(SystemExit) as info:
        test_tool.main()
    message = str(info.value.code)
    assert message.startswith(
        'error: test_dataloader: 3 of the 6 frames to predict are not GT '
        'frames of the metric'), message
    assert f"data_root='{AG_TINY}'" in message
    assert f"data_root='{ag}'" in message
    assert not osp.exists(tmp_path / 'preds.pkl')
