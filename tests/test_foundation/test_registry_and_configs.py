"""Registries, default scope, cross-package config inheritance."""
import glob
import os.path as osp

import mmengine.registry as mmengine_registry
import pytest
from mmengine.config import Config
from mmengine.registry import DefaultScope

import vost
import vost.registry as vost_registry
from vost.registry import DATASETS, MODELS, TASK_UTILS

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.mark.parametrize('name', vost_registry.__all__)
def test_registries_are_children_of_mmengine_roots(name):
    registry = getattr(vost_registry, name)
    root = getattr(mmengine_registry, name)
    assert registry.parent is root
    assert registry.scope == 'vost'
    assert root.children['vost'] is registry
    assert registry.name == root.name


def test_the_root_registries_build_vost_modules_by_scope_prefix():
    # mmengine's root finds VOST's modules through the 'vost' child, and
    # the built object is the VOST class with the given arguments
    from vost.models.query_generators import LearnablePairQueryGenerator
    gen = mmengine_registry.MODELS.build(
        dict(type='vost.LearnablePairQueryGenerator', num_queries=3,
             embed_dims=4))
    assert type(gen) is LearnablePairQueryGenerator
    assert gen.query_embed.weight.shape == (3, 4)


def test_default_scope_is_vost():
    assert DefaultScope.get_current_instance().scope_name == 'vost'
    cfg = Config.fromfile(
        osp.join(osp.dirname(vost.__file__), '.mim', 'configs', '_base_',
                 'default_runtime.py'))
    assert cfg.default_scope == 'vost'


def test_mmdet_components_resolve_by_prefix():
    # Borrowed components are found from the vost scope with a prefix.
    assert MODELS.get('mmdet.ResNet') is not None
    assert TASK_UTILS.get('mmdet.BBoxL1Cost') is not None
    # Our own registry sees its own modules without a prefix, and the
    # mmengine root does not (they are scoped to vost).
    import vost.testing.toy_modules  # noqa: F401
    assert DATASETS.get('ToyRegressionDataset') is not None
    assert 'ToyRegressionDataset' not in mmengine_registry.DATASETS.module_dict


def test_config_inherits_mmdet_and_vost_bases(tmp_path):
    cfg_file = tmp_path / 'inherit.py'
    cfg_file.write_text(
        "_base_ = ['mmdet::_base_/models/retinanet_r50_fpn.py',\n"
        "          'vost::_base_/default_runtime.py']\n"
        "model = dict(backbone=dict(depth=18, init_cfg=None),\n"
        "             neck=dict(in_channels=[64, 128, 256, 512]))\n")
    cfg = Config.fromfile(str(cfg_file))
    assert cfg.default_scope == 'vost'
    assert cfg.model.type == 'RetinaNet'
    model = MODELS.build(cfg.model)
    # The mmdet base built an mmdet detector with our override applied.
    assert type(model).__module__.startswith('mmdet.')
    assert model.backbone.depth == 18


SHIPPED_CONFIGS = sorted(
    glob.glob(osp.join(REPO, 'configs', 'vost', '**', '*.py'),
              recursive=True))


@pytest.mark.parametrize('config', SHIPPED_CONFIGS,
                         ids=lambda p: osp.relpath(p, REPO))
def test_every_shipped_config_keeps_exact_resume(config):
    # A child's custom_hooks list replaces its base's; without the RNG hook
    # --resume no longer restores the data order and random state.
    cfg = Config.fromfile(config)
    hooks = [h['type'] for h in cfg.get('custom_hooks', [])]
    assert 'RNGStateHook' in hooks, f'{config}: custom_hooks={hooks}'
    assert cfg.train_cfg.type == 'ResumableEpochBasedTrainLoop'
