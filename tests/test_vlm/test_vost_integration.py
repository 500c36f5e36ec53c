"""The VLM parts inside the VOST detector: training step, frozen VLM,
online vs cached features giving the same predictions."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from vost.models.vlm import VLMFeatureCacheWriter
from vost.registry import MODELS
from vost.testing import demo_sg_track_inputs

CONFIG_ROOT = osp.join(osp.dirname(__file__), '..', '..', 'configs')
D = 32  # transformer width; the tiny VLM's embedding width is 32 too


def tiny_vost_cfg(vlm_dir, cache_dir=None):
    """A very small VOST with the VLM encoder, dual-source queries and the
    feature bank (ResNet-18 base 8, d=32, 1 encoder + 2 + 2 layers)."""
    cfg = Config.fromfile(
        osp.join(CONFIG_ROOT, '_base_', 'models', 'vost_r50.py'))
    model = copy.deepcopy(cfg.model)
    attn = dict(embed_dims=D, num_heads=2, dropout=0.0, batch_first=True)
    ffn = dict(embed_dims=D, feedforward_channels=64, ffn_drop=0.0)
    layer = dict(self_attn_cfg=attn, cross_attn_cfg=attn, ffn_cfg=ffn)
    model.backbone = dict(
        type='mmdet.ResNet', depth=18, base_channels=8, num_stages=4,
        out_indices=(3, ), norm_cfg=dict(type='BN'), init_cfg=None)
    model.neck.update(in_channels=[64], out_channels=D)
    model.positional_encoding.num_feats = D // 2
    model.encoder = dict(
        num_layers=1, layer_cfg=dict(self_attn_cfg=attn, ffn_cfg=ffn))
    model.instance_decoder = dict(num_layers=2, layer_cfg=layer)
    model.relation_decoder = dict(num_layers=2, layer_cfg=layer)
    model.vlm_encoder = dict(
        type='VLMEncoder', model_name=vlm_dir, grid_size=(4, 4),
        cache_dir=cache_dir, local_files_only=True)
    model.query_generator = dict(
        type='DualSourcePairQueryGenerator', num_queries=5, embed_dims=D,
        vlm_channels=32)
    model.bbox_head.update(
        embed_dims=D, num_instance_layers=2, num_relation_layers=2,
        feature_bank=dict(
            type='MultiModalFeatureBank', in_channels=D, vlm_channels=32,
            num_heads=2, feedforward_channels=64, text_logit_scale=10.0))
    return model


def demo_data(model, training):
    # 60 x 90 frames are padded to 64 x 96 (pad_size_divisor 32).
    data = demo_sg_track_inputs(batch_size=2, num_frames=2,
                                image_shapes=(3, 60, 90), num_objects=2)
    return data, model.data_preprocessor(copy.deepcopy(data), training)


@pytest.mark.parametrize('family', ['clip', 'siglip'])
def test_training_step_keeps_the_vlm_frozen(family, tiny_clip_dir,
                                            tiny_siglip_dir):
    torch.manual_seed(0)
    vlm_dir = tiny_clip_dir if family == 'clip' else tiny_siglip_dir
    model = MODELS.build(tiny_vost_cfg(vlm_dir))
    assert model.vlm_encoder.family == family
    model.init_weights()
    vlm = model.vlm_encoder.vlm
    before = {k: v.clone() for k, v in vlm.state_dict().items()}
    assert not any(k.startswith('vlm_encoder') for k in model.state_dict())
    _, data = demo_data(model, True)
    model.train()
    losses = model(**data, mode='loss')
    for key in ('enc_loss_cls', 'enc_loss_bbox', 'enc_loss_iou',
                'loss_attention', 'loss_spatial', 'loss_contacting'):
        assert key in losses and torch.isfinite(losses[key]), key
    optim = torch.optim.AdamW(model.parameters(), lr=1e-2)
    trained = {k: v.clone() for k, v in model.named_parameters()}
    sum(losses.values()).backward()
    optim.step()
    assert all(p.grad is None for p in vlm.parameters())
    for k, v in vlm.state_dict().items():
        assert torch.equal(v, before[k]), k
    bank = model.bbox_head.feature_bank
    for name, p in list(bank.named_parameters()) + list(
            model.query_generator.content_proj.named_parameters()):
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert not torch.equal(trained['query_generator.proposal_cls.weight'],
                           model.query_generator.proposal_cls.weight)


def test_online_and_cached_features_give_the_same_predictions(
        tmp_path, tiny_clip_dir):
    torch.manual_seed(0)
    online = MODELS.build(tiny_vost_cfg(tiny_clip_dir))
    online.init_weights()
    raw, data = demo_data(online, False)
    # Cache the original frames as the extract tool does: RGB, 0..255
    # (the pipeline loads BGR; the preprocessor's bgr_to_rgb flips it).
    keys, frames = [], []
    for clip, track in zip(raw['inputs'], raw['data_samples']):
        for frame, sample in zip(clip, track.video_data_samples):
            keys.append(sample.metainfo['frame_key'])
            frames.append(frame.flip(0).float())
    enc = online.vlm_encoder
    writer = VLMFeatureCacheWriter(str(tmp_path), keys, enc.cache_settings(),
                                   enc.embed_dims, enc.grid_size, 'float32')
    img, patch = enc.encode_frames(frames)
    writer.write(keys, img.numpy(), patch.numpy())
    writer.close()

    cached = MODELS.build(tiny_vost_cfg(tiny_clip_dir, str(tmp_path)))
    cached.load_state_dict(online.state_dict())
    online.eval()
    cached.eval()
    with torch.no_grad():
        res_online = online(**copy.deepcopy(data), mode='predict')
        res_cached = cached(**copy.deepcopy(data), mode='predict')
    for a, b in zip(res_online, res_cached):
        for field in ('bboxes', 'labels', 'scores'):
            torch.testing.assert_close(b.pred_instances[field],
                                       a.pred_instances[field], atol=1e-4,
                                       rtol=1e-4)
        for field in ('pair_inds', 'attention_scores', 'spatial_scores',
                      'contacting_scores'):
            torch.testing.assert_close(b.pred_pairs[field],
                                       a.pred_pairs[field], atol=1e-4,
                                       rtol=1e-4)


def test_vlm_class_weight_ensembles_the_box_classes(tiny_clip_dir):
    torch.manual_seed(0)
    cfg = tiny_vost_cfg(tiny_clip_dir)
    plain = MODELS.build(cfg)
    plain.init_weights()
    cfg.test_cfg = dict(cfg.test_cfg, vlm_class_weight=1.0)
    vlm_only = MODELS.build(cfg)
    vlm_only.load_state_dict(plain.state_dict())
    _, data = demo_data(plain, False)
    plain.eval()
    vlm_only.eval()
    with torch.no_grad():
        res_plain = plain(**copy.deepcopy(data), mode='predict')
        res_vlm = vlm_only(**copy.deepcopy(data), mode='predict')
        # weight 1: an object's label is the VLM's zero-shot class of its
        # box crop (the detector keeps only the no-object mass)
        from vost.models.vlm.box_classifier import box_class_probs
        from vost.models.heads.pair_post_processing import rescale_boxes
        frames, samples, key_inds = vlm_only.flatten_clips(
            data['inputs'], data['data_samples'])
        key = [samples[i] for i in key_inds]
        outs, _ = vlm_only._key_frame_outputs(data['inputs'],
                                              data['data_samples'])
        obj_boxes = vlm_only.bbox_head(
            outs.spatial, [s.metainfo for s in key],
            vlm_feats=outs.spatial.vlm_feats).obj_boxes[-1]
        probs = box_class_probs(vlm_only.vlm_encoder, frames[key_inds], key,
                                obj_boxes)
    changed = 0
    for b, (a, v) in enumerate(zip(res_plain, res_vlm)):
        boxes = rescale_boxes(obj_boxes[b], key[b].metainfo)
        for box, label in zip(v.pred_instances.bboxes[1:],
                              v.pred_instances.labels[1:]):
            q = (boxes - box).abs().sum(-1).argmin()
            assert label == probs[b, q].argmax() + 1
        changed += int(not torch.equal(a.pred_instances.labels,
                                       v.pred_instances.labels))
    assert changed > 0


def test_vlm_class_weight_needs_an_online_vlm(tiny_clip_dir):
    cfg = tiny_vost_cfg(tiny_clip_dir)
    cfg.test_cfg = dict(cfg.test_cfg, vlm_class_weight=0.5)
    cfg.vlm_encoder = None
    cfg.query_generator = dict(
        type='LearnablePairQueryGenerator', num_queries=5, embed_dims=D)
    cfg.bbox_head.feature_bank = None
    with pytest.raises(ValueError, match='online vlm_encoder'):
        MODELS.build(cfg)
