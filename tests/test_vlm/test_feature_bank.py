"""MultiModalFeatureBank: shapes, switches, gradients, geometry."""
import math

import pytest
import torch

from vost.models.feature_banks import MultiModalFeatureBank, pair_geometry
from vost.registry import MODELS

B, Q, C, CV = 2, 5, 16, 32


def fake_vlm_feats(b=B):
    torch.manual_seed(0)
    return dict(
        patch_feats=torch.randn(b, CV, 4, 4),
        text_obj=torch.cat([torch.zeros(1, CV), torch.randn(36, CV)]),
        text_pred=torch.nn.functional.normalize(torch.randn(26, CV), dim=-1))


def pair_inputs(requires_grad=False):
    torch.manual_seed(1)
    rel = torch.randn(B, Q, C, requires_grad=requires_grad)
    sub = torch.rand(B, Q, 4) * 0.5 + 0.25
    obj = torch.rand(B, Q, 4) * 0.5 + 0.25
    probs = torch.rand(B, Q, 37).softmax(-1)
    return rel, sub, obj, probs


SWITCHES = [
    dict(),
    dict(fusion='attention', num_heads=2, feedforward_channels=32),
    dict(use_visual_vlm=False),
    dict(use_textual=False),
    dict(use_spatial=False),
    dict(use_visual_vlm=False, use_textual=False, use_spatial=False),
    dict(text_logit_scale=10.0),
    dict(out_channels=24, fusion='attention', num_heads=2,
         feedforward_channels=32, text_logit_scale=10.0),
]


@pytest.mark.parametrize('switches', SWITCHES)
def test_shapes_and_gradients(switches):
    bank = MODELS.build(
        dict(type='MultiModalFeatureBank', in_channels=C, vlm_channels=CV,
             **switches))
    rel, sub, obj, probs = pair_inputs(requires_grad=True)
    vlm = fake_vlm_feats()
    out = bank(rel, sub, obj, probs, vlm, [{}] * B)
    assert out['feats'].shape == (B, Q, bank.out_channels)
    loss = out['feats'].pow(2).sum()
    if switches.get('text_logit_scale'):
        shapes = {k: v.shape for k, v in out['extra_logits'].items()}
        assert shapes == dict(attention=(B, Q, 3), spatial=(B, Q, 6),
                              contacting=(B, Q, 17))
        loss = loss + sum(v.sum() for v in out['extra_logits'].values())
    else:
        assert out['extra_logits'] is None
    loss.backward()
    assert rel.grad is not None and rel.grad.abs().sum() > 0
    for name, param in bank.named_parameters():
        assert param.grad is not None, name
    assert 'cues=' in repr(bank)


def test_cue_switches_change_the_inputs_used():
    rel, sub, obj, probs = pair_inputs()
    vlm = fake_vlm_feats()
    # Without visual and spatial cues the boxes do not matter.
    bank = MultiModalFeatureBank(C, CV, use_visual_vlm=False,
                                 use_spatial=False)
    a = bank(rel, sub, obj, probs, vlm)['feats']
    b = bank(rel, sub.flip(1), obj.flip(0), probs, vlm)['feats']
    torch.testing.assert_close(a, b)
    # Without textual cues the class probabilities do not matter.
    bank = MultiModalFeatureBank(C, CV, use_textual=False)
    a = bank(rel, sub, obj, probs, vlm)['feats']
    b = bank(rel, sub, obj, probs.flip(-1), vlm)['feats']
    torch.testing.assert_close(a, b)
    # With them, they do.
    bank = MultiModalFeatureBank(C, CV)
    a = bank(rel, sub, obj, probs, vlm)['feats']
    b = bank(rel, sub, obj, probs.flip(-1), vlm)['feats']
    assert not torch.allclose(a, b)
    # A bank without VLM cues runs without VLM features.
    bank = MultiModalFeatureBank(C, CV, use_visual_vlm=False,
                                 use_textual=False)
    assert not bank.needs_vlm
    assert bank(rel, sub, obj, probs, None)['feats'].shape == (B, Q, C)


def test_text_logits_are_scaled_cosine_similarities():
    bank = MultiModalFeatureBank(C, CV, text_logit_scale=10.0)
    rel, sub, obj, probs = pair_inputs()
    vlm = fake_vlm_feats()
    out = bank(rel, sub, obj, probs, vlm)
    proj = torch.nn.functional.normalize(bank.text_logit_proj(out['feats']),
                                         dim=-1)
    full = 10.0 * proj @ vlm['text_pred'].t()
    torch.testing.assert_close(out['extra_logits']['attention'], full[..., :3])
    torch.testing.assert_close(out['extra_logits']['spatial'], full[..., 3:9])
    torch.testing.assert_close(out['extra_logits']['contacting'],
                               full[..., 9:])
    assert out['extra_logits']['spatial'].abs().max() <= 10.0 + 1e-4


def test_errors():
    rel, sub, obj, probs = pair_inputs()
    bank = MultiModalFeatureBank(C, CV)
    with pytest.raises(ValueError, match='vlm_feats=None but uses VLM cues'):
        bank(rel, sub, obj, probs, None)
    with pytest.raises(ValueError, match='vlm_channels=64'):
        MultiModalFeatureBank(C, 64)(rel, sub, obj, probs, fake_vlm_feats())
    with pytest.raises(ValueError, match='of 3 frames but the relation'):
        bank(rel, sub, obj, probs, fake_vlm_feats(3))
    with pytest.raises(ValueError, match='fusion'):
        MultiModalFeatureBank(C, CV, fusion='sum')


def test_pair_geometry_hand_computed():
    sub = torch.tensor([0.5, 0.5, 0.2, 0.4])
    obj = torch.tensor([0.6, 0.3, 0.4, 0.2])
    g = pair_geometry(sub, obj)
    assert g.shape == (15, )
    # sub xyxy (0.4, 0.3, 0.6, 0.7); obj xyxy (0.4, 0.2, 0.8, 0.4)
    # intersection (0.4, 0.3, 0.6, 0.4) = 0.02; union 0.08 + 0.08 - 0.02
    expected = torch.tensor([
        0.5, 0.5, 0.2, 0.4, 0.6, 0.3, 0.4, 0.2,
        0.1 / 0.2, -0.2 / 0.4, math.log(2.0), math.log(0.5),
        0.08, 0.08, 0.02 / 0.14
    ])
    torch.testing.assert_close(g, expected)
