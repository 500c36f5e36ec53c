"""The VLM box classifier and its ensemble with the detector's classes."""
import math

import pytest
import torch

from vost.models.vlm.box_classifier import (box_class_probs,
                                            ensemble_class_logits)
from vost.models.vlm.box_crops import crop_box

from .conftest import make_batch, random_frames


def test_ensemble_by_hand():
    # p = (0.1 no-object, 0.6, 0.3), VLM v = (0.2, 0.8), weight 1/2:
    # q1 = sqrt(0.12), q2 = sqrt(0.24), q0 = 1 - q1 - q2
    logits = torch.tensor([[0.1, 0.6, 0.3]]).log()
    vlm = torch.tensor([[0.2, 0.8]])
    out = ensemble_class_logits(logits, vlm, 0.5).softmax(-1)[0]
    q1, q2 = math.sqrt(0.12), math.sqrt(0.24)
    torch.testing.assert_close(
        out, torch.tensor([1 - q1 - q2, q1, q2]), atol=1e-6, rtol=0)
    assert out[1:].argmax() == 1  # the VLM flipped the class
    assert torch.equal(ensemble_class_logits(logits, vlm, 0.), logits)
    torch.testing.assert_close(  # weight 1: the VLM's classes, scaled by 1
        ensemble_class_logits(logits, vlm, 1.).softmax(-1)[0, 1:], vlm[0])
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        ensemble_class_logits(logits, vlm, 1.5)


def test_ensemble_is_a_distribution_for_any_input():
    gen = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 37, generator=gen) * 4
    vlm = torch.randn(50, 36, generator=gen).mul(3).softmax(-1)
    for weight in (0.1, 1 / 3, 0.9):
        out = ensemble_class_logits(logits, vlm, weight)
        probs = logits.softmax(-1)
        q = probs[:, 1:]**(1 - weight) * vlm**weight
        assert (q.sum(-1) <= 1 + 1e-6).all()  # Hoelder
        torch.testing.assert_close(out.softmax(-1)[:, 1:], q)


def test_full_frame_box_gives_the_frame_prior(clip_encoder):
    frames = random_frames(2, h=48, w=80)
    inputs, samples = make_batch(frames, pad_to=(64, 96))
    whole = torch.tensor([0.5, 0.5, 1., 1.])
    boxes = torch.stack([whole, torch.tensor([0.3, 0.4, 0.2, 0.5])])
    boxes = boxes[None].expand(2, -1, -1).contiguous()
    probs = box_class_probs(clip_encoder, inputs, samples, boxes)
    assert probs.shape == (2, 2, 36)
    torch.testing.assert_close(probs.sum(-1), torch.ones(2, 2))
    prior = clip_encoder(inputs, samples)['class_prior'][:, 1:]
    torch.testing.assert_close(probs[:, 0], prior, atol=1e-5, rtol=1e-4)
    # the small box is the crop of its pixels (with 15% context)
    crop = crop_box(frames[1], [16, 7.2, 32, 31.2],
                    clip_encoder.image_size)
    emb = clip_encoder.encode_frames([crop])[0]
    scale = clip_encoder.logit_scale
    manual = (scale * emb @ clip_encoder.text_obj[1:].t()).softmax(-1)[0]
    torch.testing.assert_close(probs[1, 1], manual, atol=1e-5, rtol=1e-4)
    assert not torch.allclose(probs[1, 1], probs[1, 0])
