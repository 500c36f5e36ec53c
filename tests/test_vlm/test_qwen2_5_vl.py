"""The Qwen2.5-VL family of VLMEncoder, on a tiny random Qwen2.5-VL.

The tiny model (vision depth 2, patch 14, merge 2, window 56; language
model width 32) is written by make_tiny_qwen2_5_vl into a tmp dir and
loaded back through ``from_pretrained``. At 112 px a frame has 8 x 8
patches, 4 x 4 merged tokens in 4 attention windows of 2 x 2.
"""
import os.path as osp

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from vost.models.vlm import (VLMEncoder, VLMFeatureCacheWriter,
                             qwen_merged_tokens, qwen_patchify)
from vost.pretraining import make_tiny_qwen2_5_vl
from vost.models.vlm.prompts import object_phrase
from vost.structures.ag_meta import OBJECT_CLASSES

from .conftest import encode_and_check_layout, make_batch, random_frames
from .test_vost_configs import CONFIG_DIR, build_and_train

SIZE = 112  # qwen_image_size of the tests: a 4 x 4 merged grid


@pytest.fixture(scope='module')
def qwen_dir(tmp_path_factory):
    """A tiny Qwen2.5-VL checkpoint directory."""
    return make_tiny_qwen2_5_vl(str(tmp_path_factory.mktemp('tiny_qwen')))


def build(path, **kwargs):
    """A VLMEncoder on the tiny Qwen (112 px, native 4 x 4 grid)."""
    kwargs.setdefault('grid_size', None)
    kwargs.setdefault('qwen_image_size', SIZE)
    return VLMEncoder(path, local_files_only=True, **kwargs)


@pytest.fixture(scope='module')
def qwen_encoder(qwen_dir):
    """The encoder with the yes-probability prior (mean text pooling)."""
    return build(qwen_dir, qwen_prior='yes_probability')


def vlm_pixels(enc, frame):
    """A frame resized and normalised as VLMEncoder feeds its VLM."""
    x = F.interpolate(frame[None], size=(SIZE, SIZE), mode='bilinear',
                      align_corners=False, antialias=True)
    return (x - enc.vlm_mean) / enc.vlm_std


def test_shapes_normalisation_and_similarity_prior(qwen_dir):
    enc = build(qwen_dir, grid_size=(3, 5))
    assert enc.family == 'qwen2_5_vl' and enc.embed_dims == 32
    assert enc.vlm.config.model_type == 'qwen2_5_vl'
    out = encode_and_check_layout(enc)
    torch.testing.assert_close(out['text_pred'].norm(dim=-1), torch.ones(26))
    assert out['text_obj'][0].abs().sum() == 0
    # similarity prior: softmax over 1..36 of 100 * cos, column 0 is 0
    prior = out['class_prior']
    assert (prior[:, 0] == 0).all()
    torch.testing.assert_close(prior.sum(-1), torch.ones(2))
    logits = 100. * out['image_embeds'] @ out['text_obj'][1:].t()
    torch.testing.assert_close(prior[:, 1:], logits.softmax(-1))
    # image embedding: the normalised mean of the merged tokens
    img, _, tokens = enc.encode_frames(random_frames(2), return_tokens=True)
    assert tokens.shape == (2, 16, 32)
    torch.testing.assert_close(img, F.normalize(tokens.mean(1), dim=-1))


def test_patchify_matches_the_image_processor():
    """qwen_patchify lays pixels out as Qwen2VLImageProcessor does."""
    from transformers import Qwen2VLImageProcessor
    mean, std = [0.4, 0.5, 0.6], [0.2, 0.25, 0.3]
    proc = Qwen2VLImageProcessor(do_resize=False, image_mean=mean,
                                 image_std=std)
    img = np.random.RandomState(0).randint(0, 256, (56, 112, 3), np.uint8)
    ref = proc(images=[img], return_tensors='pt',
               input_data_format='channels_last')
    x = torch.from_numpy(img).permute(2, 0, 1).float()[None] / 255.
    x = (x - torch.tensor(mean).view(3, 1, 1)) / torch.tensor(std).view(
        3, 1, 1)
    pixel_values, grid_thw = qwen_patchify(x, 14, 2, 2)
    assert grid_thw.tolist() == ref['image_grid_thw'].tolist() == [[1, 4, 8]]
    torch.testing.assert_close(pixel_values, ref['pixel_values'], atol=1e-5,
                               rtol=0)


@pytest.mark.parametrize('cell', [(0, 0), (0, 3), (3, 0), (1, 2), (2, 1)])
def test_patch_grid_orientation(qwen_encoder, cell):
    """A bright 28 x 28 block changes its own grid cell most (the merge
    blocks and the merger's window order are undone)."""
    i, j = cell
    base = torch.full((3, SIZE, SIZE), 128.)
    bright = base.clone()
    bright[:, 28 * i:28 * i + 28, 28 * j:28 * j + 28] = 255.
    _, ref = qwen_encoder.encode_frames([base])
    _, patch = qwen_encoder.encode_frames([bright])
    change = (patch - ref)[0].norm(dim=0)  # (4, 4)
    assert change.shape == (4, 4)
    assert divmod(int(change.argmax()), 4) == (i, j)
    # the same through the public token function, row-major
    tokens = qwen_merged_tokens(qwen_encoder.vlm, vlm_pixels(qwen_encoder,
                                                             bright))
    torch.testing.assert_close(tokens[0].t().reshape(32, 4, 4), patch[0])


def test_text_pooling_matches_hand_computation(qwen_dir, qwen_encoder):
    last = build(qwen_dir, text_pooling='last')
    embed = build(qwen_dir, text_pooling='embed_mean')
    vlm, tok = qwen_encoder.vlm, qwen_encoder.tokenizer
    for k in (1, 17):  # object prompts, embedded in a padded batch of 36
        prompt = f'a photo of a {object_phrase(OBJECT_CLASSES[k])}.'
        ids = torch.tensor([tok(prompt)['input_ids']])
        states = vlm.model(input_ids=ids).last_hidden_state[0]
        torch.testing.assert_close(qwen_encoder.text_obj[k],
                                   F.normalize(states.mean(0), dim=0))
        torch.testing.assert_close(last.text_obj[k],
                                   F.normalize(states[-1], dim=0))
        torch.testing.assert_close(
            embed.text_obj[k],
            F.normalize(vlm.model.embed_tokens(ids)[0].mean(0), dim=0))
    assert (qwen_encoder.text_obj - last.text_obj).abs().max() > 1e-2
    assert (qwen_encoder.text_pred - last.text_pred).abs().max() > 1e-2


def test_yes_probability_prior_equals_naive_forwards(qwen_encoder):
    """The prefix-cached, batched prior equals one full forward of the
    chat prompt with the image per class (the model's own forward)."""
    enc, tok = qwen_encoder, qwen_encoder.tokenizer
    frames = random_frames(2, h=48, w=80, seed=3)
    inputs, samples = make_batch(frames, pad_to=(64, 96))
    prior = enc(inputs, samples)['class_prior']
    assert prior.shape == (2, 37) and (prior[:, 0] == 0).all()
    torch.testing.assert_close(prior.sum(-1), torch.ones(2))
    yes = [tok.convert_tokens_to_ids(w) for w in ('Yes', 'yes')]
    no = [tok.convert_tokens_to_ids(w) for w in ('No', 'no')]
    naive = torch.zeros(2, 36)
    for f, frame in enumerate(frames):
        pixel_values, grid = qwen_patchify(vlm_pixels(enc, frame), 14, 2, 2)
        for k, name in enumerate(OBJECT_CLASSES[1:]):
            question = f'Is there a {object_phrase(name)} in the image?'
            text = tok.apply_chat_template(
                [dict(role='user', content=[
                    dict(type='image'), dict(type='text', text=question)])],
                tokenize=False, add_generation_prompt=True)
            assert text.count('<|vision_start|><|image_pad|><|vision_end|>')
            text = text.replace('<|image_pad|>', '<|image_pad|>' * 16)
            ids = tok(text, return_tensors='pt')['input_ids']
            assert ids[0].tolist() == (enc.yes_prior.prefix +
                                       enc.yes_prior.suffixes[k])
            probs = enc.vlm(input_ids=ids, pixel_values=pixel_values,
                            image_grid_thw=grid).logits[0, -1].softmax(-1)
            naive[f, k] = probs[yes].sum() / (probs[yes].sum() +
                                              probs[no].sum())
    naive = naive / naive.sum(-1, keepdim=True)
    torch.testing.assert_close(prior[:, 1:], naive, atol=1e-5, rtol=0)
    assert naive.std() > 1e-3  # the prior depends on the class


def test_frozen_and_out_of_the_module_tree(qwen_encoder):
    enc = qwen_encoder
    assert list(enc.parameters()) == [] and enc.state_dict() == {}
    assert all(not p.requires_grad for p in enc.vlm.parameters())
    enc.train()
    assert enc.training and not enc.vlm.training
    inputs, samples = make_batch(random_frames(1))
    inputs.requires_grad_(True)
    out = enc(inputs, samples)
    assert not any(v.requires_grad for v in out.values())
    enc.eval()


def test_bfloat16_weights_give_float32_outputs(qwen_dir):
    enc = build(qwen_dir, grid_size=(2, 2), torch_dtype='bfloat16',
                qwen_prior='yes_probability')
    assert next(enc.vlm.parameters()).dtype == torch.bfloat16
    assert enc.cache_settings()['torch_dtype'] == 'bfloat16'
    out = enc(*make_batch(random_frames(1)))
    for key, value in out.items():
        assert value.dtype == torch.float32, key
        assert torch.isfinite(value).all(), key
    torch.testing.assert_close(out['class_prior'].sum(-1), torch.ones(1))


def test_bad_switches(qwen_dir, tiny_clip_dir, tmp_path):
    with pytest.raises(ValueError, match='multiple of 28'):
        build(qwen_dir, qwen_image_size=100)
    with pytest.raises(ValueError, match='text_pooling must be one of'):
        build(qwen_dir, text_pooling='max')
    with pytest.raises(ValueError, match='Qwen2.5-VL checkpoints only'):
        VLMEncoder(tiny_clip_dir, local_files_only=True, text_pooling='last')
    with pytest.raises(ValueError, match='needs the VLM online'):
        build(qwen_dir, qwen_prior='yes_probability',
              cache_dir=str(tmp_path))


def test_cache_guard_refuses_other_qwen_settings(qwen_dir, tmp_path):
    enc = build(qwen_dir, grid_size=(2, 2))
    settings = enc.cache_settings()
    assert settings['family'] == 'qwen2_5_vl'
    assert settings['qwen_image_size'] == SIZE
    assert settings['text_pooling'] == 'mean'
    assert settings['qwen_prior'] == 'similarity'
    frames = random_frames(2)
    keys = ['a.mp4/000001.png', 'a.mp4/000002.png']
    writer = VLMFeatureCacheWriter(str(tmp_path), keys, settings,
                                   enc.embed_dims, enc.grid_size,
                                   dtype='float32')
    img, patch = enc.encode_frames(frames)
    writer.write(keys, img.numpy(), patch.numpy())
    writer.close()
    cached = build(qwen_dir, grid_size=(2, 2), cache_dir=str(tmp_path))
    got_img, got_patch = cached.cache.load(keys)
    np.testing.assert_allclose(got_img, img.numpy(), atol=1e-6)
    np.testing.assert_allclose(got_patch, patch.numpy(), atol=1e-6)
    for change, key in ((dict(qwen_image_size=56), 'qwen_image_size'),
                        (dict(text_pooling='last'), 'text_pooling')):
        with pytest.raises(ValueError, match=f'{key}: cache has'):
            build(qwen_dir, grid_size=(2, 2), cache_dir=str(tmp_path),
                  **change)


def test_configs(qwen_dir):
    """The synthetic Qwen config trains a step; the AG one differs from
    the CLIP config in the VLM settings and widths only."""
    path = osp.join(CONFIG_DIR, 'vost-qwen2.5-vl_r18_1xb8-3e_synthetic-'
                    'ag-sgdet.py')
    cfg, model, log_vars = build_and_train(path, qwen_dir, 96, 1)
    enc = model.vlm_encoder
    assert enc.family == 'qwen2_5_vl' and enc.image_size == SIZE
    assert enc.grid_size == (4, 4) and enc.embed_dims == 32
    assert 'enc_loss_cls' in log_vars and model.bbox_head.feature_bank
    ag = Config.fromfile(
        osp.join(CONFIG_DIR, 'vost-qwen2.5-vl_r50_8xb2-12e_ag-sgdet.py'))
    clip = Config.fromfile(osp.join(CONFIG_DIR, 'vost_r50_8xb2-12e_ag-'
                                    'sgdet.py'))
    assert ag.model.vlm_encoder.model_name == 'Qwen/Qwen2.5-VL-7B-Instruct'
    assert ag.model.query_generator.vlm_channels == 3584
    assert ag.model.bbox_head.feature_bank.vlm_channels == 3584
    for cfg_ in (ag, clip):
        cfg_.model.pop('vlm_encoder')
        cfg_.model.query_generator.pop('vlm_channels')
        cfg_.model.bbox_head.feature_bank.pop('vlm_channels')
    assert ag.model.to_dict() == clip.model.to_dict()
