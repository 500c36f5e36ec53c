"""VOST with a temporal stage: modes, what reads the reference frames,
causal clips, shared frames and the temporal heads' initialisation."""
import copy
import os.path as osp
import re
from dataclasses import fields

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from vost.engine import fill_from_model
from vost.registry import DATASETS
from vost.testing import demo_sg_track_inputs
from ._helpers import build_temporal_model

CONFIG_ROOT = osp.join(osp.dirname(__file__), '..', '..', 'configs')
CAUSAL_CFG = osp.join(
    CONFIG_ROOT, 'vost',
    'vost-spatial-temporal-causal_r18_1xb8-1e_synthetic-ag-sgdet.py')
AG_TINY = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')


def _tensors(head_outs):
    """The tensors of a HeadOutputs, in field order."""
    return [getattr(head_outs, f.name) for f in fields(head_outs)]


def _clips(model, seed=0, key=1, num_frames=3, batch=2, training=False):
    data = demo_sg_track_inputs(
        batch_size=batch, num_frames=num_frames, key_frame_ind=key,
        image_shapes=(3, 64, 64), num_objects=2, seed=seed)
    return model.data_preprocessor(data, training)


@pytest.mark.parametrize('task', ['sgdet', 'predcls'])
def test_loss_predict_tensor_modes(task):
    torch.manual_seed(0)
    model = build_temporal_model(task)
    data = _clips(model, training=True)
    model.train()
    losses = model(**data, mode='loss')
    # spatial key-frame losses stay (auxiliary), temporal ones are 't.'
    assert 'loss_attention' in losses and 't.loss_attention' in losses
    assert 't.r0.loss_attention' in losses
    assert ('t.loss_sub_bbox' in losses) == (task == 'sgdet')
    assert all(torch.isfinite(v) for v in losses.values())
    sum(v for k, v in losses.items() if k.startswith('t.')).backward()

    def reached(p):
        return p.grad is not None and p.grad.abs().sum() > 0

    # every temporal parameter learns from the temporal losses, except: in
    # SGDet the box branches' first layers (their last layer starts at
    # zero, so nothing flows back through it yet); in PredCls the class
    # and box branches (no class loss, GT boxes) and so the instance
    # stream, which only they read
    unused = (r'head\.(sub|obj)_reg_branches\.\d+\.layers\.[01]\.'
              if task == 'sgdet' else
              r'head\.(cls|sub_reg|obj_reg)_branches\.|decoder\.inst_layers\.')
    for name, p in model.temporal.named_parameters():
        assert reached(p) == (re.match(unused, name) is None), name
    # the reference pairs are ranked without gradient and the refined
    # boxes are detached: the spatial head gets nothing from them
    assert not any(reached(p) for p in model.bbox_head.parameters())
    model.eval()
    with torch.no_grad():
        results = model(**data, mode='predict')
        outs = model(**data, mode='tensor')
    assert [r.frame_key for r in results] == [
        'demo0.mp4/000002.png', 'demo1.mp4/000002.png']
    assert all('pred_pairs' in r for r in results)
    # tensor mode: the temporal head's 2 layers
    assert outs.cls_scores.shape[:2] == (2, 2)
    assert outs.attention.shape[-1] == 3


def _changed_references(data):
    changed = dict(data, inputs=data['inputs'].clone())
    changed['inputs'][:, 0] = torch.flip(changed['inputs'][:, 0], [-1])
    changed['inputs'][:, 2] = 0
    return changed


def test_reference_frames_change_temporal_outputs_only():
    """Same key frames, other reference frames: the temporal model's key
    outputs change, the spatial-only model's do not (bit for bit)."""
    torch.manual_seed(0)
    temporal = build_temporal_model('sgdet').eval()
    spatial = build_temporal_model('sgdet', temporal=False).eval()
    data = _clips(temporal)
    changed = _changed_references(data)
    assert torch.equal(data['inputs'][:, 1], changed['inputs'][:, 1])
    with torch.no_grad():
        for model, should_change in ((temporal, True), (spatial, False)):
            a = model(**data, mode='tensor')
            b = model(**changed, mode='tensor')
            same = all(torch.equal(x, y)
                       for x, y in zip(_tensors(a), _tensors(b)))
            assert same != should_change, type(model).__name__


def test_single_frame_clips_use_the_key_frame_as_reference():
    # A clip of one frame reads itself: the same outputs as a two-frame
    # clip whose reference frame is a copy of the key frame.
    torch.manual_seed(0)
    model = build_temporal_model('sgdet').eval()
    data = _clips(model, key=0, num_frames=1)
    tracks = []
    for track in data['data_samples']:
        twice = copy.deepcopy(track)
        frames = list(track.video_data_samples)
        twice.video_data_samples = frames + copy.deepcopy(frames)
        tracks.append(twice)
    doubled = dict(inputs=data['inputs'].repeat(1, 2, 1, 1, 1),
                   data_samples=tracks)
    with torch.no_grad():
        alone = model(**data, mode='tensor')
        with_copy = model(**doubled, mode='tensor')
    assert alone.cls_scores.shape[:2] == (2, 2)  # the temporal head's 2
    for x, y in zip(_tensors(alone), _tensors(with_copy)):
        torch.testing.assert_close(x, y, atol=1e-5, rtol=1e-5)
    # and the reference matters: another reference frame changes them
    other = dict(doubled, inputs=doubled['inputs'].clone())
    other['inputs'][:, 1] = torch.flip(other['inputs'][:, 1], [-1])
    with torch.no_grad():
        changed = model(**other, mode='tensor')
    assert not all(torch.allclose(x, y)
                   for x, y in zip(_tensors(alone), _tensors(changed)))


def test_causal_model_rejects_a_future_reference_frame():
    model = build_temporal_model('sgdet', causal=True).eval()
    with torch.no_grad():
        with pytest.raises(RuntimeError, match='future frame'):
            model(**_clips(model, key=1), mode='tensor')  # frame 2 > 1
        model(**_clips(model, key=2), mode='tensor')  # frames 0, 1: past


def test_causal_config_clips_never_hold_future_frames():
    """The causal config's test pipeline on real AG-format data: every
    reference frame is at or before its key frame, and the causal model
    accepts every batch."""
    cfg = fill_from_model(Config.fromfile(CAUSAL_CFG))
    dataset_cfg = copy.deepcopy(cfg.test_dataloader.dataset)
    assert dataset_cfg.clip_sampler.causal  # filled from the model
    dataset_cfg.update(type='ActionGenomeDataset', data_root=AG_TINY,
                       split='train')
    dataset = DATASETS.build(dataset_cfg)
    model = build_temporal_model('sgdet', causal=True).eval()
    items = [dataset[i] for i in range(len(dataset))]
    assert len(items) >= 4
    num_with_past = 0
    for item in items:
        track = item['data_samples']
        frames = track.video_data_samples
        key = frames[track.metainfo['key_frames_inds'][0]].metainfo
        ref_ids = [frames[i].metainfo['frame_id']
                   for i in track.metainfo['ref_frames_inds']]
        assert len(frames) == 3
        assert max(ref_ids) <= key['frame_id'], key['frame_key']
        num_with_past += any(r < key['frame_id'] for r in ref_ids)
    assert num_with_past >= 2
    batch = model.data_preprocessor(pseudo_collate(items), False)
    with torch.no_grad():
        results = model(**batch, mode='predict')
    assert len(results) == len(items)


def test_frames_shared_by_clips_run_once_with_equal_results():
    model = build_temporal_model('sgdet').eval()
    data = _clips(model, batch=1)
    track = data['data_samples'][0]
    # clip 2 = the same frames with another key frame (like neighbouring
    # key frames of one video at test time)
    import copy
    track2 = copy.deepcopy(track)
    track2.set_metainfo(dict(key_frames_inds=[2], ref_frames_inds=[0, 1]))
    inputs = torch.cat([data['inputs'], data['inputs']])
    seen = []
    handle = model.backbone.register_forward_hook(
        lambda m, args, out: seen.append(args[0].size(0)))
    with torch.no_grad():
        both = model(inputs, [track, track2], mode='tensor')
        alone = model(data['inputs'], [track2], mode='tensor')
    handle.remove()
    assert seen == [3, 3]  # 6 clip frames, 3 distinct
    for x, y in zip(_tensors(both), _tensors(alone)):
        torch.testing.assert_close(x[:, 1:], y, atol=1e-5, rtol=1e-5)


def test_temporal_heads_start_from_a_stage1_checkpoint(tmp_path):
    from mmengine.runner import load_checkpoint, save_checkpoint
    torch.manual_seed(0)
    spatial = build_temporal_model('sgdet', temporal=False)
    path = str(tmp_path / 'stage1.pth')
    save_checkpoint(spatial.state_dict(), path)
    model = build_temporal_model('sgdet')
    load_checkpoint(model, path, map_location='cpu')
    src, dst = spatial.bbox_head, model.temporal.head
    for name in ('cls_branches', 'sub_reg_branches', 'attention_branches',
                 'contacting_branches'):
        last = getattr(src, name)[-1].state_dict()
        for layer in getattr(dst, name):
            for k, v in layer.state_dict().items():
                assert torch.equal(v, last[k]), (name, k)
    # a checkpoint with temporal weights (stage 2, resume) loads unchanged
    with torch.no_grad():
        for p in model.temporal.head.parameters():
            p.add_(1.)
    expected = {k: v.clone() for k, v in
                model.temporal.head.state_dict().items()}
    path2 = str(tmp_path / 'stage2.pth')
    save_checkpoint(model.state_dict(), path2)
    other = build_temporal_model('sgdet')
    load_checkpoint(other, path2, map_location='cpu')
    for k, v in other.temporal.head.state_dict().items():
        assert torch.equal(v, expected[k]), k

