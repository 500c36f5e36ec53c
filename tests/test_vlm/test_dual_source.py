"""DualSourcePairQueryGenerator: shapes, pairing, sources, losses, errors."""
import pytest
import torch
from mmengine.structures import InstanceData

from vost.registry import MODELS
from vost.structures.sg_data_sample import SGDataSample

B, C, CV, Q = 2, 16, 32, 6
H, W = 4, 6  # one feature level


def build(**kwargs):
    cfg = dict(type='DualSourcePairQueryGenerator', num_queries=Q,
               embed_dims=C, vlm_channels=CV)
    cfg.update(kwargs)
    gen = MODELS.build(cfg)
    gen.init_weights()
    return gen


def inputs(valid_w=(W, 4), requires_grad=False):
    torch.manual_seed(0)
    memory = torch.randn(B, H * W, C, requires_grad=requires_grad)
    mask = torch.zeros(B, H, W, dtype=torch.bool)
    for i, vw in enumerate(valid_w):
        mask[i, :, vw:] = True
    samples = []
    for i in range(B):
        s = SGDataSample()
        s.set_metainfo(dict(img_shape=(H * 16, valid_w[i] * 16),
                            batch_input_shape=(H * 16, W * 16)))
        s.gt_instances = InstanceData(
            bboxes=torch.tensor([[2., 4., 30., 60.], [20., 10., 40., 30.]]),
            labels=torch.tensor([1, 8]))
        samples.append(s)
    return (memory, mask.flatten(1), torch.zeros(B, H * W, C),
            torch.tensor([[H, W]]), samples)


def vlm_feats(prior_seed=0):
    gen = torch.Generator().manual_seed(prior_seed)
    prior = torch.rand(B, 36, generator=gen).softmax(-1)
    torch.manual_seed(1)
    return dict(
        text_obj=torch.cat([torch.zeros(1, CV), torch.randn(36, CV)]),
        class_prior=torch.cat([torch.zeros(B, 1), prior], 1))


def test_shapes_and_initial_anchors_are_grid_proposals():
    gen = build()
    out = gen(*inputs(), vlm_feats=vlm_feats())
    assert out.query.shape == (B, Q, C)
    assert out.anchors.shape == (B, Q, 8)
    assert out.enc_outputs['cls_scores'].shape == (B, 1 + Q, 36)
    assert out.enc_outputs['boxes'].shape == (B, 1 + Q, 4)
    # zero deltas at init: anchors are cell centres normalised by the
    # unpadded width (4 valid columns in frame 1), size 0.05 at level 0.
    anchors = out.anchors
    cols = anchors[..., [0, 4]] * torch.tensor([W, 4.]).view(B, 1, 1) - 0.5
    torch.testing.assert_close(cols, cols.round(), atol=1e-4, rtol=0)
    assert (anchors[1, :, [0, 4]] < 1).all()  # never a padded column
    torch.testing.assert_close(anchors[..., [2, 3, 6, 7]],
                               torch.full((B, Q, 4), 0.05))
    # one person anchor per frame: the subject box is shared.
    assert (anchors[:, :, :4] == anchors[:, :1, :4]).all()
    assert not anchors.requires_grad


def test_two_person_anchors_split_the_queries():
    gen = build(num_person_anchors=2)
    anchors = gen(*inputs(), vlm_feats=vlm_feats()).anchors
    half = Q // 2
    assert (anchors[:, :half, :4] == anchors[:, :1, :4]).all()
    assert (anchors[:, half:, :4] == anchors[:, half:half + 1, :4]).all()
    # the same objects are paired with each person
    assert torch.equal(anchors[:, :half, 4:], anchors[:, half:, 4:])


def test_content_follows_the_vlm_prior():
    gen = build()
    args = inputs()
    a = gen(*args, vlm_feats=vlm_feats(0)).query
    b = gen(*args, vlm_feats=vlm_feats(1)).query
    assert not torch.allclose(a, b)
    gen = build(prior_power=0.0)
    a = gen(*args, vlm_feats=vlm_feats(0)).query
    b = gen(*args, vlm_feats=vlm_feats(1)).query
    torch.testing.assert_close(a, b)


def test_prior_mode_gives_one_content_per_frame():
    gen = build(content_mode='prior')
    out = gen(*inputs(), vlm_feats=vlm_feats())
    content = out.query - gen.query_embed.weight[None]
    torch.testing.assert_close(content, content[:, :1].expand_as(content))
    # the content is the projection of [person text, prior @ text_obj]
    feats = vlm_feats()
    obj = feats['class_prior'] @ feats['text_obj']
    sub = feats['text_obj'][1].expand_as(obj)
    torch.testing.assert_close(
        content[:, 0], gen.content_proj(torch.cat([sub, obj], -1)))


def test_gradients_reach_every_part():
    gen = build()
    args = inputs(requires_grad=True)
    out = gen(*args, vlm_feats=vlm_feats())
    losses = gen.loss(out.enc_outputs)
    assert set(losses) == {'enc_loss_cls', 'enc_loss_bbox', 'enc_loss_iou'}
    total = out.query.sum() + sum(losses.values())
    total.backward()
    assert args[0].grad.abs().sum() > 0
    for name, p in gen.named_parameters():
        assert p.grad is not None, name
        # the box MLP's last layer starts at zero (zero deltas), so its
        # hidden layers get no gradient at the first step
        if not name.startswith(('proposal_reg.layers.0',
                                'proposal_reg.layers.1')):
            assert p.grad.abs().sum() > 0, name


def test_loss_without_gt_is_background_only():
    gen = build()
    args = inputs()
    for s in args[4]:
        s.gt_instances = InstanceData(bboxes=torch.zeros(0, 4),
                                      labels=torch.zeros(0).long())
    enc = gen(*args, vlm_feats=vlm_feats()).enc_outputs
    losses = gen.loss(enc)
    assert losses['enc_loss_bbox'] == 0 and losses['enc_loss_iou'] == 0
    # every proposal is background: the focal loss of all-zero targets,
    # (1 - alpha) p^gamma (-log(1 - p)) summed (no match: avg factor 1),
    # times the loss weight (alpha 0.25, gamma 2, weight 2)
    p = enc['cls_scores'].sigmoid()
    expected = 2.0 * (0.75 * p.pow(2) * -torch.log1p(-p)).sum()
    torch.testing.assert_close(losses['enc_loss_cls'], expected,
                               rtol=1e-4, atol=1e-6)
    # and a more confident proposal costs more
    enc['cls_scores'] = enc['cls_scores'].clone()
    enc['cls_scores'][0, 0, 0] += 3
    assert gen.loss(enc)['enc_loss_cls'] > losses['enc_loss_cls']


def test_single_source_variants():
    gen = build(use_what=False)
    out = gen(*inputs(), vlm_feats=None)
    # no "what" source: the content is the learnable embedding, the same
    # for every frame
    torch.testing.assert_close(
        out.query, gen.query_embed.weight[None].expand(B, -1, -1),
        rtol=0, atol=0)
    gen = build(use_where=False, content_mode='prior')
    out = gen(*inputs(), vlm_feats=vlm_feats())
    assert out.enc_outputs is None
    torch.testing.assert_close(out.anchors[0], out.anchors[1])


def test_errors():
    with pytest.raises(ValueError, match='needs VLM features'):
        build()(*inputs(), vlm_feats=None)
    with pytest.raises(ValueError, match='use GTPairQueryGenerator'):
        build(task='predcls')
    with pytest.raises(ValueError, match='needs 31 proposals'):
        build(num_queries=30)(*inputs(), vlm_feats=vlm_feats())
    with pytest.raises(ValueError, match='LearnablePairQueryGenerator'):
        build(use_what=False, use_where=False)
    with pytest.raises(ValueError, match="content_mode='prior'"):
        build(use_where=False)
    with pytest.raises(ValueError, match='vlm_channels=64'):
        build(vlm_channels=64)(*inputs(), vlm_feats=vlm_feats())


def test_loss_is_zero_for_boxes_on_the_gt():
    """Proposals exactly on the GT boxes (any order) give zero box losses;
    a confident correct class gives a lower class loss than a wrong one."""
    gen = build()
    sample = inputs()[4][0]  # img_shape (64, 96); GT person + chair (8)
    gt = torch.tensor([[2., 4., 30., 60.], [20., 10., 40., 30.]])
    norm = gt / torch.tensor([96., 64., 96., 64.])
    cxcywh = torch.cat([(norm[:, :2] + norm[:, 2:]) / 2,
                        norm[:, 2:] - norm[:, :2]], -1)
    boxes = torch.stack([cxcywh[1], torch.tensor([.5, .5, .1, .1]),
                         cxcywh[0]])[None]
    right = torch.full((1, 3, 36), -10.)
    right[0, 0, 8 - 1] = right[0, 2, 1 - 1] = 10.
    wrong = torch.full((1, 3, 36), -10.)
    wrong[0, 0, 20 - 1] = wrong[0, 2, 20 - 1] = 10.  # a third class
    out_right = gen.loss(dict(cls_scores=right, boxes=boxes,
                              batch_data_samples=[sample]))
    out_wrong = gen.loss(dict(cls_scores=wrong, boxes=boxes,
                              batch_data_samples=[sample]))
    assert out_right['enc_loss_bbox'].abs() < 1e-6
    assert out_right['enc_loss_iou'].abs() < 1e-6
    assert out_right['enc_loss_cls'] < 1e-3 < out_wrong['enc_loss_cls']


def test_person_anchor_nms_covers_different_people():
    # proposals (cx, cy, w, h): A, A' (IoU ~0.8 with A), B far away
    boxes = torch.tensor([[[.2, .5, .2, .4], [.21, .5, .2, .4],
                           [.8, .5, .2, .4], [.5, .5, .1, .1]]])
    scores = torch.tensor([[.9, .8, .7, .1]])
    top = build(num_person_anchors=2)
    assert top._person_anchors(scores, boxes, 2).tolist() == [[0, 1]]
    nms = build(num_person_anchors=2, person_anchor_iou=0.5)
    assert nms._person_anchors(scores, boxes, 2).tolist() == [[0, 2]]
    # three people asked, two separate boxes and a small one: all three
    # separate boxes, best first
    assert nms._person_anchors(scores, boxes, 3).tolist() == [[0, 2, 3]]
    # fewer separate boxes than anchors: filled with the best of the rest
    same = torch.tensor([[[.2, .5, .2, .4]] * 4])
    assert nms._person_anchors(scores, same, 3).tolist() == [[0, 1, 2]]
