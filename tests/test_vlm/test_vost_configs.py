"""Every full and ablation VOST config builds and trains on CPU.

The configs name a real CLIP (AG) or a tiny CLIP folder (synthetic); here
the VLM is a tiny random CLIP of the same embedding width, loaded through
the same ``from_pretrained`` path.
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from vost.pretraining import make_tiny_vlm
from vost.registry import MODELS
from vost.testing import demo_sg_track_inputs

CONFIG_DIR = osp.join(osp.dirname(__file__), '..', '..', 'configs', 'vost')
SYNTHETIC = sorted(
    glob.glob(osp.join(CONFIG_DIR, 'vost_*synthetic-ag-sgdet.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'ablations', '*synthetic-ag-sgdet.py')))
REAL = sorted(
    glob.glob(osp.join(CONFIG_DIR, 'vost_*_ag-sgdet.py')) +
    glob.glob(osp.join(CONFIG_DIR, 'ablations', '*_ag-sgdet.py')))
ABLATIONS = ('no-dual-source', 'no-feature-bank', 'no-textual-cue',
             'no-spatial-cue', 'no-visual-vlm-cue')


@pytest.fixture(scope='module')
def tiny_clip_512(tmp_path_factory):
    """A tiny CLIP with CLIP ViT-B/16's embedding width (512)."""
    return make_tiny_vlm(
        str(tmp_path_factory.mktemp('tiny_clip_512')), projection_dim=512)


def test_every_ablation_exists():
    for group in (SYNTHETIC, REAL):
        names = [osp.basename(p) for p in group]
        full = sorted(n for n in names if n.startswith('vost_'))
        assert full, 'no full VOST config'
        for ablation in ABLATIONS:
            ablations = [n for n in names if n.startswith(f'vost-{ablation}_')]
            assert len(ablations) == 1, (ablation, ablations)
            # Each ablation differs from a full config by its name only.
            suffix = ablations[0].split('_', 1)[1]
            assert f'vost_{suffix}' in full, (ablations[0], full)


def build_and_train(path, vlm_dir, image_size, iters):
    """Build the config's model and run ``iters`` optimizer steps."""
    cfg = Config.fromfile(path)
    cfg.model.vlm_encoder.update(model_name=vlm_dir, cache_dir=None,
                                 local_files_only=True)
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    vlm = model.vlm_encoder.vlm
    before = {k: v.clone() for k, v in vlm.state_dict().items()}
    model.train()
    data = demo_sg_track_inputs(batch_size=1, image_shapes=(3, image_size,
                                                            image_size),
                                num_objects=2)
    for _ in range(iters):
        log_vars = model.train_step(data, optim_wrapper)
        assert torch.isfinite(log_vars['loss'])
    for k, v in vlm.state_dict().items():
        assert torch.equal(v, before[k]), k
    return cfg, model, log_vars


def check_switches(path, cfg, model, log_vars):
    name = osp.basename(path)
    bank = model.bbox_head.feature_bank
    dual = type(model.query_generator).__name__ == \
        'DualSourcePairQueryGenerator'
    assert dual != name.startswith('vost-no-dual-source_')
    assert ('enc_loss_cls' in log_vars) == dual
    assert (bank is None) == name.startswith('vost-no-feature-bank_')
    if bank is not None:
        assert bank.use_textual != name.startswith('vost-no-textual-cue_')
        assert bank.use_spatial != name.startswith('vost-no-spatial-cue_')
        assert bank.use_visual_vlm != name.startswith(
            'vost-no-visual-vlm-cue_')


@pytest.mark.parametrize('path', SYNTHETIC, ids=osp.basename)
def test_synthetic_configs_train(path, tiny_clip_dir):
    # two steps for the full config, one per ablation (CPU time)
    iters = 2 if osp.basename(path).startswith('vost_') else 1
    # 96 px: enough encoder tokens for the 21 proposals
    cfg, model, log_vars = build_and_train(path, tiny_clip_dir, 96, iters)
    check_switches(path, cfg, model, log_vars)


@pytest.mark.slow
@pytest.mark.parametrize('path', REAL, ids=osp.basename)
def test_action_genome_configs_train(path, tiny_clip_512):
    # 384 px: 12 x 12 = 144 stride-32 tokens for the 101 proposals.
    cfg, model, log_vars = build_and_train(path, tiny_clip_512, 384, 1)
    check_switches(path, cfg, model, log_vars)
