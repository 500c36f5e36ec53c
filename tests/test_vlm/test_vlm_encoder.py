"""VLMEncoder: loading, shapes, frozen weights, input mapping, errors."""
import os

import pytest
import torch
import torch.nn.functional as F

from vost.models.vlm import VLMEncoder, build_object_prompts
from vost.registry import MODELS

from .conftest import encode_and_check_layout, make_batch, random_frames


@pytest.mark.parametrize('family', ['clip', 'siglip'])
def test_shapes_and_normalisation(family, tiny_clip_dir, tiny_siglip_dir):
    path = tiny_clip_dir if family == 'clip' else tiny_siglip_dir
    enc = MODELS.build(
        dict(type='VLMEncoder', model_name=path, grid_size=(3, 5),
             local_files_only=True))
    assert enc.family == family
    assert enc.embed_dims == 32
    out = encode_and_check_layout(enc)
    assert out['text_obj'][0].abs().sum() == 0
    # A probability distribution over classes 1..36; background gets 0.
    assert (out['class_prior'][:, 0] == 0).all()
    torch.testing.assert_close(out['class_prior'].sum(-1), torch.ones(2))
    # 36 distinct class prompts give distinct embeddings.
    assert torch.cdist(out['text_obj'][1:], out['text_obj'][1:]).add(
        torch.eye(36)).min() > 1e-4


def test_class_prior_is_scaled_similarity_softmax(clip_encoder):
    img = F.normalize(torch.randn(3, 32), dim=-1)
    prior = clip_encoder.class_prior(img)
    logits = clip_encoder.logit_scale * img @ clip_encoder.text_obj[1:].t()
    torch.testing.assert_close(prior[:, 1:], logits.softmax(-1))


def test_text_embeddings_are_computed_once(tiny_clip_dir, monkeypatch):
    enc = VLMEncoder(tiny_clip_dir, local_files_only=True)
    calls = []
    orig = enc.vlm.get_text_features
    monkeypatch.setattr(enc.vlm, 'get_text_features',
                        lambda *a, **k: calls.append(1) or orig(*a, **k))
    inputs, samples = make_batch(random_frames(1))
    first = enc(inputs, samples)['text_obj']
    second = enc(inputs, samples)['text_obj']
    assert calls == []
    assert first is second


def test_text_embedding_is_template_average(clip_encoder):
    prompts = build_object_prompts(('a photo of a {obj}.', 'a {obj}.'))
    both = clip_encoder.encode_prompts(prompts[:2])
    one = clip_encoder.encode_prompts([[p[0]] for p in prompts[:2]])
    two = clip_encoder.encode_prompts([[p[1]] for p in prompts[:2]])
    torch.testing.assert_close(both, F.normalize(one + two, dim=-1))


def test_online_input_mapping_matches_original_frames(clip_encoder):
    """Un-normalising and cropping the padded input recovers the frames."""
    frames = random_frames(2, h=48, w=80) + random_frames(1, h=64, w=40)
    inputs, samples = make_batch(frames, pad_to=(64, 96))
    out = clip_encoder(inputs, samples)
    img, patch = clip_encoder.encode_frames(frames)
    torch.testing.assert_close(out['image_embeds'], img, atol=1e-4, rtol=0)
    torch.testing.assert_close(out['patch_feats'], patch, atol=1e-4, rtol=0)
    # Padding is not seen: other padding gives the same features.
    inputs2, samples2 = make_batch(frames, pad_to=(80, 112))
    out2 = clip_encoder(inputs2, samples2)
    torch.testing.assert_close(out2['patch_feats'], out['patch_feats'])


def test_bgr_input_channel_order(tiny_clip_dir, clip_encoder):
    enc = VLMEncoder(tiny_clip_dir, grid_size=(4, 4), local_files_only=True,
                     input_channel_order='bgr',
                     mean=(103.53, 116.28, 123.675),
                     std=(57.375, 57.12, 58.395))
    frames = random_frames(1)
    inputs, samples = make_batch(frames)
    rgb = clip_encoder(inputs, samples)['patch_feats']
    bgr_inputs = (frames[0].flip(0)[None] - enc.in_mean) / enc.in_std
    bgr = enc(bgr_inputs, samples)['patch_feats']
    torch.testing.assert_close(bgr, rgb, atol=1e-4, rtol=0)


def test_vlm_is_frozen_and_out_of_the_module_tree(clip_encoder):
    assert list(clip_encoder.parameters()) == []
    assert clip_encoder.state_dict() == {}
    assert all(not p.requires_grad for p in clip_encoder.vlm.parameters())
    clip_encoder.train()
    assert clip_encoder.training and not clip_encoder.vlm.training
    before = {k: v.clone() for k, v in clip_encoder.vlm.state_dict().items()}
    clip_encoder.init_weights()
    inputs, samples = make_batch(random_frames(1))
    inputs.requires_grad_(True)
    out = clip_encoder(inputs, samples)
    assert not any(v.requires_grad for v in out.values())
    for k, v in clip_encoder.vlm.state_dict().items():
        assert torch.equal(v, before[k]), k
    clip_encoder.eval()


def test_dtype_moves_reach_the_hidden_vlm(tiny_clip_dir):
    enc = VLMEncoder(tiny_clip_dir, local_files_only=True)
    enc.double()
    assert next(enc.vlm.parameters()).dtype == torch.float64
    assert enc.text_obj.dtype == torch.float64


def test_bad_inputs(clip_encoder, tiny_clip_dir):
    inputs, samples = make_batch(random_frames(2))
    with pytest.raises(ValueError, match='2 frames but 1 data samples'):
        clip_encoder(inputs, samples[:1])
    with pytest.raises(ValueError, match='input_channel_order'):
        VLMEncoder(tiny_clip_dir, input_channel_order='rbg',
                   local_files_only=True)
    with pytest.raises(ValueError, match='unknown field'):
        VLMEncoder(tiny_clip_dir, object_templates=('a {} photo',),
                   local_files_only=True)


def test_missing_checkpoint_offline_error():
    """A hub name unavailable offline names the model and the fix.

    tests/conftest.py sets HF_HUB_OFFLINE=1 before transformers is imported.
    """
    from transformers.utils import is_offline_mode
    assert os.environ['HF_HUB_OFFLINE'] == '1' and is_offline_mode()
    name = 'openai/clip-vit-base-patch16'
    from huggingface_hub import try_to_load_from_cache
    if isinstance(try_to_load_from_cache(name, 'config.json'), str):
        pytest.skip(f'{name} is in the local hub cache')
    with pytest.raises(OSError) as info:
        VLMEncoder(name)
    msg = str(info.value)
    assert f"Cannot load the weights of the VLM '{name}'" in msg
    assert 'model_name=DIR' in msg and 'offline' in msg


def test_local_dir_without_tokenizer(tmp_path, tiny_clip_dir):
    import shutil
    broken = tmp_path / 'no_tok'
    shutil.copytree(tiny_clip_dir, broken)
    for name in os.listdir(broken):
        if 'token' in name or 'special' in name:
            os.remove(broken / name)
    with pytest.raises(OSError, match='tokenizer of the VLM'):
        VLMEncoder(str(broken), local_files_only=True)
