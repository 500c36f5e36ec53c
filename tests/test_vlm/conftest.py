"""Shared fixtures: tiny random-weight VLMs saved and loaded like real ones."""
import pytest
import torch
from mmengine.structures import InstanceData  # noqa: F401

from vost.models.vlm import VLMEncoder
from vost.pretraining import make_tiny_vlm
from vost.structures.sg_data_sample import SGDataSample

#: The data preprocessor's defaults, which VLMEncoder mirrors.
MEAN = torch.tensor([123.675, 116.28, 103.53]).view(3, 1, 1)
STD = torch.tensor([58.395, 57.12, 57.375]).view(3, 1, 1)


@pytest.fixture(scope='session')
def tiny_clip_dir(tmp_path_factory):
    """A CLIP checkpoint directory (64 px, patch 16, width 32)."""
    return make_tiny_vlm(
        str(tmp_path_factory.mktemp('tiny_clip')), family='clip', seed=0)


@pytest.fixture(scope='session')
def tiny_siglip_dir(tmp_path_factory):
    """A SigLIP checkpoint directory (64 px, patch 16, width 32)."""
    return make_tiny_vlm(
        str(tmp_path_factory.mktemp('tiny_siglip')), family='siglip', seed=0)


@pytest.fixture(scope='session')
def clip_encoder(tiny_clip_dir):
    """An online VLMEncoder on the tiny CLIP with a 4x4 grid."""
    return VLMEncoder(tiny_clip_dir, grid_size=(4, 4), local_files_only=True)


def make_batch(frames, flips=None, pad_to=None):
    """Normalise RGB frames like the data preprocessor, pad and wrap them.

    Args:
        frames (list[Tensor]): (3, h, w) RGB frames on the 0..255 scale.
        flips (list[bool], optional): Per-frame ``flip`` metainfo.
        pad_to (tuple[int, int], optional): Padded (H, W).

    Returns:
        tuple[Tensor, list[SGDataSample]]: (n, 3, H, W) inputs, samples.
    """
    flips = flips or [False] * len(frames)
    H = pad_to[0] if pad_to else max(f.shape[1] for f in frames)
    W = pad_to[1] if pad_to else max(f.shape[2] for f in frames)
    inputs = torch.zeros(len(frames), 3, H, W)
    samples = []
    for i, (frame, flip) in enumerate(zip(frames, flips)):
        h, w = frame.shape[1:]
        inputs[i, :, :h, :w] = (frame - MEAN) / STD
        sample = SGDataSample()
        sample.set_metainfo(
            dict(
                frame_key=f'vid{i}.mp4/{i + 1:06d}.png',
                img_shape=(h, w),
                ori_shape=(h, w),
                scale_factor=(1., 1.),
                flip=flip,
                flip_direction='horizontal' if flip else None))
        samples.append(sample)
    return inputs, samples


def random_frames(n, h=48, w=80, seed=0):
    """Smooth random RGB frames on the 0..255 scale."""
    gen = torch.Generator().manual_seed(seed)
    low = torch.rand(n, 3, h // 8, w // 8, generator=gen) * 255
    return list(
        torch.nn.functional.interpolate(low, size=(h, w), mode='bilinear'))


def encode_and_check_layout(enc):
    """Encodes 2 random frames (grid 3 x 5) and checks the output layout.

    32-d unit image and class embeddings, a 3 x 5 patch grid, 37 object
    and 26 predicate texts, a class prior over 37 columns.
    """
    inputs, samples = make_batch(random_frames(2), pad_to=(64, 96))
    out = enc(inputs, samples)
    assert out['image_embeds'].shape == (2, 32)
    assert out['patch_feats'].shape == (2, 32, 3, 5)
    assert out['text_obj'].shape == (37, 32)
    assert out['text_pred'].shape == (26, 32)
    assert out['class_prior'].shape == (2, 37)
    torch.testing.assert_close(out['image_embeds'].norm(dim=-1),
                               torch.ones(2))
    torch.testing.assert_close(out['text_obj'][1:].norm(dim=-1),
                               torch.ones(36))
    return out
