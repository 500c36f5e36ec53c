"""VOSTHead: loss invariants, targets, batching and gradients."""
import pytest
import torch

from vost.models.stage_outputs import DecoderOutputs, HeadOutputs, PairLogits
from vost.testing import demo_sg_track_inputs
from vost.utils import register_all_modules

from ._helpers import build_tiny_model

register_all_modules()


def _batch(model, num_objects, seed=0, batch_size=2):
    data = demo_sg_track_inputs(
        batch_size=batch_size, image_shapes=(3, 64, 96),
        num_objects=num_objects, seed=seed)
    return model.data_preprocessor(data, True)


def _instance_box_keys(losses):
    return [k for k in losses if 'bbox' in k or 'iou' in k]


def test_empty_gt_loss_invariants():
    torch.manual_seed(0)
    model = build_tiny_model('sgdet')
    data = _batch(model, num_objects=0)
    losses = model(**data, mode='loss')
    assert losses['loss_cls'].item() > 0
    assert losses['d0.loss_cls'].item() > 0
    zero_keys = _instance_box_keys(losses) + [
        k for k in losses
        if any(g in k for g in ('attention', 'spatial', 'contacting'))
    ]
    assert len(zero_keys) == 2 * 4 + 2 * 3  # 2 inst layers, 2 rel layers
    for key in zero_keys:
        assert losses[key].item() == 0, key


def test_nonempty_gt_losses_positive_and_named():
    torch.manual_seed(0)
    model = build_tiny_model('sgdet')
    losses = model(**_batch(model, num_objects=3), mode='loss')
    expected = {
        'loss_cls', 'loss_sub_bbox', 'loss_sub_iou', 'loss_obj_bbox',
        'loss_obj_iou', 'd0.loss_cls', 'd0.loss_sub_bbox', 'd0.loss_sub_iou',
        'd0.loss_obj_bbox', 'd0.loss_obj_iou', 'loss_attention',
        'loss_spatial', 'loss_contacting', 'r0.loss_attention',
        'r0.loss_spatial', 'r0.loss_contacting'
    }
    assert set(losses) == expected
    for key, value in losses.items():
        assert torch.isfinite(value) and value.item() > 0, key


def test_gradients_reach_every_trainable_parameter():
    """Every trainable parameter gets a gradient and every stage a non-zero
    one (zero-initialised layers such as the last box-delta layers and
    ResNet's zero-init residual BNs block the gradient of the layers before
    them at initialisation, so zero values are allowed per tensor)."""
    torch.manual_seed(0)
    model = build_tiny_model('sgdet')
    model.train()
    losses = model(**_batch(model, num_objects=2), mode='loss')
    sum(losses.values()).backward()
    params = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    assert [n for n, p in params if p.grad is None] == []
    stages = ('backbone', 'neck', 'encoder', 'query_generator',
              'instance_decoder', 'relation_decoder', 'bbox_head')
    for stage in stages:
        total = sum(p.grad.abs().sum() for n, p in params
                    if n.startswith(stage + '.'))
        assert total > 0, stage
    anchors = model.query_generator.anchor_embed.weight.grad
    assert anchors.abs().sum() > 0


def test_targets_batched_equal_per_frame():
    """get_targets on a batch equals get_targets frame by frame."""
    torch.manual_seed(0)
    model = build_tiny_model('sgdet', num_queries=8)
    head = model.bbox_head
    gen = torch.Generator().manual_seed(0)
    num_frames, num_queries = 3, 8
    cls = torch.randn(num_frames, num_queries, 37, generator=gen)
    sub = torch.rand(num_frames, num_queries, 4, generator=gen) * 0.5 + 0.2
    obj = torch.rand(num_frames, num_queries, 4, generator=gen) * 0.5 + 0.2
    att = torch.randn(num_frames, num_queries, 3, generator=gen)
    spa = torch.randn(num_frames, num_queries, 6, generator=gen)
    con = torch.randn(num_frames, num_queries, 17, generator=gen)
    data = demo_sg_track_inputs(batch_size=3, num_objects=[2, 0, 4], seed=3)
    from vost.structures import gt_pair_view
    samples = [t.video_data_samples[0] for t in data['data_samples']]
    gts = [gt_pair_view(s) for s in samples]
    metas = [s.metainfo for s in samples]
    logits = PairLogits(cls_scores=cls, sub_boxes=sub, obj_boxes=obj,
                        attention=att, spatial=spa, contacting=con)
    batched = head.get_targets(logits, gts, metas)
    assert batched['pos_mask'].sum(1).tolist() == [2, 0, 4]
    for i in range(num_frames):
        rows = slice(i, i + 1)
        single = head.get_targets(
            PairLogits(cls_scores=cls[rows], sub_boxes=sub[rows],
                       obj_boxes=obj[rows], attention=att[rows],
                       spatial=spa[rows], contacting=con[rows]),
            gts[rows], metas[rows])
        for key, value in single.items():
            assert torch.equal(value[0], batched[key][i]), key


def test_predcls_and_sgcls_losses():
    torch.manual_seed(0)
    predcls = build_tiny_model('predcls')
    losses = predcls(**_batch(predcls, num_objects=[3, 1]), mode='loss')
    assert set(losses) == {
        'loss_attention', 'loss_spatial', 'loss_contacting',
        'r0.loss_attention', 'r0.loss_spatial', 'r0.loss_contacting'
    }
    sgcls = build_tiny_model('sgcls')
    losses = sgcls(**_batch(sgcls, num_objects=[3, 1]), mode='loss')
    assert 'loss_cls' in losses and 'd0.loss_cls' in losses
    assert not _instance_box_keys(losses)
    for value in losses.values():
        assert torch.isfinite(value) and value.item() > 0


def test_predcls_empty_gt_is_finite_and_zero():
    model = build_tiny_model('predcls')
    losses = model(**_batch(model, num_objects=0), mode='loss')
    for key, value in losses.items():
        assert value.item() == 0, key


def test_layer_count_mismatch_is_explained():
    model = build_tiny_model('sgdet')
    hidden = torch.zeros(3, 1, 6, 32)
    with pytest.raises(ValueError, match='num_\\*_layers'):
        model.bbox_head(
            DecoderOutputs(inst_hidden=hidden,
                           references=torch.rand(4, 1, 6, 8),
                           rel_hidden=hidden[:2]), [{}])


def _perfect_outputs(sample, num_layers=2, margin=20.):
    """Head outputs (per layer) that predict ``sample``'s GT pairs exactly
    with queries 0 and 1, and "no object" with query 2."""
    from mmdet.structures.bbox import bbox_xyxy_to_cxcywh
    img_h, img_w = sample.metainfo['img_shape']
    scale = torch.tensor([img_w, img_h, img_w, img_h], dtype=torch.float)
    boxes = sample.gt_instances.bboxes
    pairs = sample.gt_pairs
    num_q = 3
    cls = torch.full((1, num_q, 37), -margin)
    cls[0, 2, 0] = margin
    sub = torch.full((1, num_q, 4), 0.5)
    obj = torch.full((1, num_q, 4), 0.5)
    att = torch.full((1, num_q, 3), -margin)
    spa = torch.full((1, num_q, 6), -margin)
    con = torch.full((1, num_q, 17), -margin)
    for q, (s, o) in enumerate(pairs.pair_inds.tolist()):
        cls[0, q, sample.gt_instances.labels[o]] = margin
        sub[0, q] = bbox_xyxy_to_cxcywh(boxes[s]) / scale
        obj[0, q] = bbox_xyxy_to_cxcywh(boxes[o]) / scale
        att[0, q, pairs.attention[q]] = margin
        spa[0, q] = margin * (2 * pairs.spatial[q] - 1)
        con[0, q] = margin * (2 * pairs.contacting[q] - 1)
    layers = [x[None].expand(num_layers, *x.shape).clone()
              for x in (cls, sub, obj, att, spa, con)]
    return HeadOutputs(*layers)


def test_perfect_predictions_have_zero_loss():
    from mmengine.structures import InstanceData

    from vost.structures import SGDataSample, gt_pair_view
    model = build_tiny_model('sgdet')
    head = model.bbox_head
    sample = SGDataSample(metainfo=dict(img_shape=(64, 96),
                                        frame_key='v.mp4/000001.png'))
    sample.gt_instances = InstanceData(
        bboxes=torch.tensor([[8., 4., 40., 60.], [30., 30., 90., 50.],
                             [0., 0., 20., 16.]]),
        labels=torch.tensor([1, 5, 12]))
    spatial = torch.zeros(2, 6)
    spatial[0, 2] = spatial[1, [0, 4]] = 1
    contacting = torch.zeros(2, 17)
    contacting[0, 5] = contacting[1, 8] = 1
    sample.gt_pairs = InstanceData(
        pair_inds=torch.tensor([[0, 1], [0, 2]]),
        attention=torch.tensor([0, 1]), spatial=spatial,
        contacting=contacting)
    outs = _perfect_outputs(sample)
    losses = head.loss_by_feat(outs, [gt_pair_view(sample)],
                               [sample.metainfo])
    assert 'loss_cls' in losses and 'r0.loss_contacting' in losses
    for key, value in losses.items():
        assert value.item() < 1e-4, key
    # the case is not vacuous: one object box off by 10 px costs box loss,
    # one wrong attention label costs attention loss
    outs.obj_boxes[:, 0, 0, 0] += 10. / 96
    outs.attention[:, 0, 1] = outs.attention[:, 0, 1].roll(1, -1)
    worse = head.loss_by_feat(outs, [gt_pair_view(sample)],
                              [sample.metainfo])
    assert worse['loss_obj_bbox'] > 1e-3 and worse['loss_obj_iou'] > 1e-3
    assert worse['loss_attention'] > 1.
    assert worse['loss_sub_bbox'] < 1e-4  # the subject boxes stay exact


def test_losses_and_test_cfg_come_from_the_config_named():
    import copy

    from vost.registry import MODELS
    from vost.testing import tiny_model_cfg
    model_cfg = tiny_model_cfg('sgdet')
    head_cfg = dict(copy.deepcopy(model_cfg.bbox_head),
                    test_cfg=copy.deepcopy(model_cfg.test_cfg))
    assert MODELS.build(copy.deepcopy(head_cfg)).test_cfg['person_box'] == \
        model_cfg.test_cfg.person_box
    partial = copy.deepcopy(head_cfg)
    del partial['test_cfg']['person_box']
    with pytest.raises(ValueError, match=r"test_cfg lacks \['person_box'\]"):
        MODELS.build(partial)
    no_loss = copy.deepcopy(head_cfg)
    del no_loss['loss_spatial']
    with pytest.raises(TypeError, match='loss_spatial'):
        MODELS.build(no_loss)
