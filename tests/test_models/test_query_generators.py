"""Query generators and the pair decoders' masks."""
import pytest
import torch

from vost.models.layers import pair_self_attn_mask
from vost.registry import MODELS
from vost.testing import demo_sg_track_inputs
from vost.utils import register_all_modules

register_all_modules()


def _memory(batch, dims=16, h=4, w=6):
    memory = torch.randn(batch, h * w, dims)
    mask = torch.zeros(batch, h * w, dtype=torch.bool)
    shapes = torch.tensor([[h, w]])
    return memory, mask, torch.zeros_like(memory), shapes


def _samples(num_objects, pad=(128, 192)):
    data = demo_sg_track_inputs(
        batch_size=len(num_objects), image_shapes=(3, 128, 160),
        num_objects=num_objects)
    samples = [t.video_data_samples[0] for t in data['data_samples']]
    for s in samples:
        s.set_metainfo(dict(batch_input_shape=pad))
    return samples


def test_learnable_generator_shapes_and_range():
    gen = MODELS.build(
        dict(type='LearnablePairQueryGenerator', num_queries=5,
             embed_dims=16))
    gen.init_weights()
    out = gen(*_memory(3), _samples([1, 1, 1]))
    assert out.query.shape == (3, 5, 16)
    assert out.anchors.shape == (3, 5, 8)
    assert ((out.anchors > 0) & (out.anchors < 1)).all()
    torch.testing.assert_close(out.anchors[..., 2:4],
                               torch.full((3, 5, 2), 0.25))
    # the task is set at build time: an SGDet generator refuses PredCls
    with pytest.raises(ValueError, match='use GTPairQueryGenerator'):
        MODELS.build(dict(type='LearnablePairQueryGenerator', num_queries=5,
                          embed_dims=16, task='predcls'))


@pytest.mark.parametrize('mode', ['predcls', 'sgcls'])
def test_gt_generator_anchors_are_gt_boxes(mode):
    gen = MODELS.build(
        dict(type='GTPairQueryGenerator', embed_dims=16, task=mode))
    samples = _samples([3, 0, 1])
    out = gen(*_memory(3), samples)
    assert out.query.shape == (3, 3, 16)
    assert out.query_mask.tolist() == [[False] * 3, [True] * 3,
                                          [False, True, True]]
    boxes = samples[0].gt_instances.bboxes
    x1, y1, x2, y2 = boxes[2].tolist()  # pair 1 -> object 2
    expected = torch.tensor([(x1 + x2) / 2 / 160, (y1 + y2) / 2 / 128,
                             (x2 - x1) / 160, (y2 - y1) / 128])
    torch.testing.assert_close(out.anchors[0, 1, 4:], expected)
    x1, y1, x2, y2 = boxes[0].tolist()  # subject = person
    torch.testing.assert_close(
        out.anchors[0, 1, :2],
        torch.tensor([(x1 + x2) / 2 / 160, (y1 + y2) / 2 / 128]))
    if mode == 'predcls':
        label = samples[0].gt_instances.labels[2]
        torch.testing.assert_close(out.query[0, 1],
                                   gen.label_embed.weight[label])


def test_gt_generator_task_mismatch_and_missing_gt():
    with pytest.raises(ValueError, match='an SGDet generator'):
        MODELS.build(dict(type='GTPairQueryGenerator', embed_dims=16,
                          task='sgdet'))
    gen = MODELS.build(dict(type='GTPairQueryGenerator', embed_dims=16))
    sample = _samples([1])[0]
    del sample.gt_pairs
    with pytest.raises(KeyError, match='demo0.mp4/000001.png'):
        gen(*_memory(1), [sample])


def test_self_attn_mask_hides_padding_but_not_self():
    mask = pair_self_attn_mask(torch.tensor([[False, True, True]]), 2)
    assert mask.shape == (2, 3, 3)
    expected = torch.tensor([[False, True, True], [False, False, True],
                             [False, True, False]])
    assert torch.equal(mask[0], expected) and torch.equal(mask[1], expected)
    assert pair_self_attn_mask(None, 2) is None


def test_token_coords_undo_padding():
    """A 4 x 6 map whose right 2 columns are padding: the last valid
    column's centre is at x = 3.5 / 4 of the image."""
    from vost.models.layers import token_coords
    mask = torch.zeros(1, 4, 6, dtype=torch.bool)
    mask[:, :, 4:] = True
    coords = token_coords(mask.flatten(1), torch.tensor([[4, 6]]))
    assert coords.shape == (1, 24, 2)
    torch.testing.assert_close(coords[0, 3], torch.tensor([3.5 / 4, 0.125]))
    torch.testing.assert_close(coords[0, 6], torch.tensor([0.5 / 4, 0.375]))


def test_pair_box_prior_hand_computed():
    from vost.models.layers import pair_box_prior
    coords = torch.tensor([[[0.5, 0.5], [0.7, 0.5]]])
    anchors = torch.tensor([[[0.5, 0.5, 0.2, 0.2, 0.7, 0.5, 0.4, 0.1]]])
    bias = pair_box_prior(coords, anchors, num_heads=2, scale=2.0)
    assert bias.shape == (2, 1, 2)
    # head 0: subject box; token 1 is one box width right: -2 * 1
    torch.testing.assert_close(bias[0, 0], torch.tensor([0., -2.]))
    # head 1: object box; token 0 is 0.2 / 0.4 = half a width left
    torch.testing.assert_close(bias[1, 0], torch.tensor([-0.5, 0.]))
