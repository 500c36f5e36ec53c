"""The task and the causal switch are stated once, in the model:
``fill_from_model`` (run by ``SGRunner``) passes them to the Action Genome
datasets, their clip samplers and the metrics."""
import os.path as osp

import pytest
from mmengine.config import Config

from vost.engine import SGRunner, fill_from_model
from vost.registry import RUNNERS
from vost.testing.config_digest import shipped_configs
from vost.utils import register_all_modules

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO, 'configs')

register_all_modules()


def _tasks(cfg):
    """The task of every dataloader dataset and evaluator (None if
    absent)."""
    out = {}
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        out[key] = cfg[key].dataset.get('task')
    for key in ('val_evaluator', 'test_evaluator'):
        out[key] = cfg[key].get('task')
    return out


@pytest.mark.parametrize('rel', shipped_configs(CONFIG_ROOT))
def test_shipped_configs_state_the_task_once(rel):
    cfg = Config.fromfile(osp.join(CONFIG_ROOT, rel))
    # stated at model level only ...
    assert set(_tasks(cfg).values()) == {None}, rel
    assert 'task' not in cfg
    task = cfg.model.task
    expected = ('predcls' if 'predcls' in rel else
                'sgcls' if 'sgcls' in rel else 'sgdet')
    assert task == expected
    # ... and everywhere once filled
    assert set(_tasks(fill_from_model(cfg)).values()) == {task}


def _cfg(**extra):
    return Config(dict(
        model=dict(type='VOST', task='predcls'),
        train_dataloader=dict(dataset=dict(
            type='RepeatDataset', times=2,
            dataset=dict(type='ActionGenomeDataset', data_root='x'))),
        val_dataloader=dict(dataset=dict(
            type='ConcatDataset', datasets=[
                dict(type='ActionGenomeDataset', data_root='a'),
                dict(type='ActionGenomeDataset', data_root='b',
                     task='predcls'),
            ])),
        test_dataloader=dict(dataset=dict(type='mmdet.CocoDataset')),
        val_evaluator=[
            dict(type='ActionGenomeSGGMetric', data_root='a'),
            dict(type='mmdet.CocoMetric'),
        ],
        test_evaluator=dict(metrics=[
            dict(type='ActionGenomeSGGMetric', data_root='a')]),
        **extra))


def test_fill_from_model_through_wrappers_and_evaluator_lists():
    cfg = fill_from_model(_cfg())
    assert cfg.train_dataloader.dataset.dataset.task == 'predcls'
    assert 'task' not in cfg.train_dataloader.dataset  # the wrapper's own
    assert [d.task for d in cfg.val_dataloader.dataset.datasets] == [
        'predcls', 'predcls']
    # other datasets and metrics are not ours: untouched
    assert 'task' not in cfg.test_dataloader.dataset
    assert cfg.val_evaluator[0].task == 'predcls'
    assert 'task' not in cfg.val_evaluator[1]
    assert cfg.test_evaluator.metrics[0].task == 'predcls'


def test_causal_model_makes_causal_clips():
    for rel in ('vost/vost-spatial-temporal-causal_r18_1xb8-1e_synthetic-'
                'ag-sgdet.py',
                'vost/vost-spatial-temporal-causal_r50_8xb2-6e_ag-sgdet.py'):
        cfg = Config.fromfile(osp.join(CONFIG_ROOT, rel))
        assert 'causal' not in cfg.train_dataloader.dataset.clip_sampler
        fill_from_model(cfg)
        for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
            assert cfg[key].dataset.clip_sampler.causal is True
    two_sided = fill_from_model(Config.fromfile(osp.join(
        CONFIG_ROOT,
        'vost/vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py')))
    assert 'causal' not in two_sided.test_dataloader.dataset.clip_sampler
    cfg = Config.fromfile(osp.join(CONFIG_ROOT, rel))
    cfg.val_dataloader.dataset.clip_sampler.causal = False
    with pytest.raises(ValueError, match=r'val_dataloader\.dataset\.'
                       r'clip_sampler\.causal=False contradicts '
                       r'model\.temporal\.decoder\.causal=True'):
        fill_from_model(cfg)


def test_a_contradicting_task_names_its_key_path():
    cfg = _cfg()
    cfg.val_dataloader.dataset.datasets[1].task = 'sgdet'
    with pytest.raises(ValueError, match=r"val_dataloader\.dataset\."
                       r"datasets\[1\]\.task='sgdet' contradicts "
                       r"model\.task='predcls'"):
        fill_from_model(cfg)


def test_without_model_task_nothing_changes():
    cfg = _cfg()
    del cfg.model['task']
    fill_from_model(cfg)
    assert 'task' not in cfg.val_evaluator[0]
    assert 'task' not in cfg.train_dataloader.dataset.dataset


def test_runner_type_builds_sg_runner(monkeypatch):
    # RUNNERS.build (tools/train.py, tools/test.py) goes through
    # SGRunner.from_cfg, which fills a copy of the config
    seen = {}

    def fake_from_cfg(cls, cfg):
        seen['cfg'] = cfg
        return 'built'

    monkeypatch.setattr(
        'mmengine.runner.Runner.from_cfg', classmethod(fake_from_cfg))
    cfg = _cfg(runner_type='SGRunner')
    assert RUNNERS.get('SGRunner') is SGRunner
    assert RUNNERS.build(cfg) == 'built'
    assert seen['cfg'].val_evaluator[0].task == 'predcls'
    assert 'task' not in cfg.val_evaluator[0]  # the caller's is unchanged


def test_metric_without_task_says_where_it_comes_from():
    from vost.registry import METRICS
    with pytest.raises(ValueError, match=r'model\.task.*fill_from_model'):
        METRICS.build(dict(type='ActionGenomeSGGMetric', data_root='x'))
