"""The temporal configs: consistent switches; the VLM one trains."""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from vost.engine import fill_from_model
from vost.pretraining import make_tiny_vlm
from vost.registry import MODELS
from vost.testing import demo_sg_track_inputs

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'vost')
TEMPORAL = sorted(glob.glob(osp.join(CONFIG_DIR, '*temporal*.py')))


def test_every_setting_has_a_temporal_config():
    names = [osp.basename(p) for p in TEMPORAL]
    for task in ('sgdet', 'sgcls', 'predcls'):
        assert f'vost-spatial-temporal_r50_8xb2-6e_ag-{task}.py' in names
    for name in ('vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py',
                 'vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-predcls.py',
                 'vost-spatial-temporal-causal_r18_1xb8-1e_synthetic-ag-'
                 'sgdet.py',
                 'vost-spatial-temporal-joint_r18_1xb8-3e_synthetic-ag-'
                 'sgdet.py',
                 'vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py',
                 'vost-temporal_r50_8xb2-6e_ag-sgdet.py',
                 'vost-spatial-temporal-causal_r50_8xb2-6e_ag-sgdet.py'):
        assert name in names, name


@pytest.mark.parametrize('path', TEMPORAL, ids=osp.basename)
def test_switches_agree(path):
    name = osp.basename(path)
    cfg = fill_from_model(Config.fromfile(path))  # as SGRunner does
    causal = '-causal_' in name
    assert cfg.model.temporal.decoder.causal == causal
    assert cfg.model.task in name
    for loader, test_mode in ((cfg.train_dataloader, False),
                              (cfg.test_dataloader, True)):
        sampler = loader.dataset.clip_sampler
        assert sampler.type == 'SGClipSample'
        assert sampler.num_ref_frames == 2 and sampler.frame_range == 4
        assert sampler.get('causal', False) == causal
        # the sampler's test mode is the dataset's
        assert 'test_mode' not in sampler
        assert loader.dataset.get('test_mode', False) == test_mode
        assert [t.type for t in loader.dataset.pipeline] == [
            'TransformBroadcaster', 'PackSGInputs']
        assert loader.dataset.task == cfg.model.task
    assert cfg.test_evaluator.task == cfg.model.task
    hooks = [h.type for h in cfg.get('custom_hooks', [])]
    assert ('FreezeModulesHook' in hooks) == ('-joint_' not in name)
    # the frame cache holds at least one test batch of clip frames
    assert cfg.model.temporal.frame_cache_size >= \
        cfg.test_dataloader.batch_size * 3
    k = cfg.model.temporal.decoder.k_per_ref
    assert len(k) == cfg.model.temporal.decoder.num_layers
    assert list(k) == sorted(k, reverse=True)
    assert k[0] <= cfg.get('num_queries', 100)


def test_full_vost_temporal_config_trains(tmp_path):
    """The synthetic full VOST (tiny CLIP, dual-source queries, feature
    bank) with the temporal stage: 3-frame clips, frozen spatial parts."""
    vlm = make_tiny_vlm(str(tmp_path / 'clip'), family='clip', seed=0)
    cfg = Config.fromfile(
        osp.join(CONFIG_DIR, 'vost-temporal_r18_1xb8-1e_synthetic-ag-'
                 'sgdet.py'))
    cfg.model.vlm_encoder.update(model_name=vlm, cache_dir=None,
                                 local_files_only=True)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert model.temporal.head.feature_bank is not None
    from vost.engine.hooks import FreezeModulesHook
    FreezeModulesHook().freeze(model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    data = demo_sg_track_inputs(batch_size=1, num_frames=3, key_frame_ind=1,
                                image_shapes=(3, 96, 96), num_objects=2)
    model.train()
    log_vars = model.train_step(data, optim_wrapper)
    assert torch.isfinite(log_vars['loss'])
    assert 't.loss_attention' in log_vars
    model.eval()
    with torch.no_grad():
        results = model.test_step(data)
    assert len(results) == 1 and 'pred_pairs' in results[0]


@pytest.mark.parametrize(
    'path', [p for p in TEMPORAL if '-spatial-' in osp.basename(p)],
    ids=osp.basename)
def test_spatial_temporal_configs_build(path):
    cfg = Config.fromfile(path)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    decoder = cfg.model.temporal.decoder
    assert model.temporal.decoder.k_per_ref == tuple(decoder.k_per_ref)
    assert len(model.temporal.head.cls_branches) == decoder.num_layers
    assert len(model.temporal.head.attention_branches) == decoder.num_layers
    assert model.temporal.head.embed_dims == model.bbox_head.embed_dims
