"""Feature cache: round trip, flips, memory mapping and the settings guard."""
import json
import os.path as osp

import numpy as np
import pytest
import torch

from vost.models.vlm import (
    VLMEncoder,
    VLMFeatureCache,
    VLMFeatureCacheWriter,
)
from vost.pretraining import make_tiny_vlm

from .conftest import make_batch, random_frames


def write_cache(encoder, cache_dir, frames, keys, dtype='float32'):
    """Cache frames the way tools/extract_vlm_features.py does."""
    writer = VLMFeatureCacheWriter(cache_dir, keys, encoder.cache_settings(),
                                   encoder.embed_dims, encoder.grid_size,
                                   dtype=dtype)
    img, patch = encoder.encode_frames(frames)
    writer.write(keys, img.numpy(), patch.numpy())
    writer.close()


def test_writer_reader_round_trip(tmp_path):
    settings = dict(model_name='m', grid_size=[2, 3])
    keys = ['a.mp4/000001.png', 'a.mp4/000002.png', 'b.mp4/000007.png']
    img = np.arange(3 * 4, dtype=np.float32).reshape(3, 4)
    patch = np.arange(3 * 4 * 6, dtype=np.float32).reshape(3, 4, 2, 3)
    writer = VLMFeatureCacheWriter(str(tmp_path), keys, settings, 4, (2, 3))
    # Rows written out of order land at their keys.
    writer.write(keys[::-1], img[::-1], patch[::-1])
    writer.close()
    cache = VLMFeatureCache(str(tmp_path), settings)
    assert len(cache) == 3 and keys[1] in cache
    assert isinstance(cache.patch_feats, np.memmap)
    got_img, got_patch = cache.load([keys[2], keys[0]])
    np.testing.assert_array_equal(got_img, img[[2, 0]])
    np.testing.assert_array_equal(got_patch, patch[[2, 0]])
    assert got_img.dtype == np.float32
    with open(osp.join(tmp_path, 'meta.json')) as f:
        meta = json.load(f)
    assert meta['dtype'] == 'float16' and meta['num_frames'] == 3
    with pytest.raises(KeyError, match=r"\['c.mp4/000001.png'\]"):
        cache.load(['c.mp4/000001.png'])


def test_incomplete_and_missing_caches_are_refused(tmp_path):
    settings = dict(model_name='m')
    writer = VLMFeatureCacheWriter(str(tmp_path), ['k1', 'k2'], settings, 2,
                                   (1, 1))
    writer.write(['k1'], np.zeros((1, 2)), np.zeros((1, 2, 1, 1)))
    with pytest.raises(RuntimeError, match='1 frames .* never written'):
        writer.close()
    with pytest.raises(ValueError, match='incomplete'):
        VLMFeatureCache(str(tmp_path), settings)
    with pytest.raises(FileNotFoundError, match='extract_vlm_features'):
        VLMFeatureCache(str(tmp_path / 'nothing'), settings)
    with pytest.raises(ValueError,
                       match=r'patch_feats must be \(1, 2, 1, 1\)'):
        writer.write(['k2'], np.zeros((1, 2)), np.zeros((1, 2, 2, 1)))
    with pytest.raises(ValueError, match='Duplicate frame keys'):
        VLMFeatureCacheWriter(str(tmp_path / 'd'), ['k', 'k'], settings, 2,
                              (1, 1))


def test_online_and_cached_features_are_equal(tmp_path, tiny_clip_dir,
                                              clip_encoder):
    frames = random_frames(3, seed=1)
    inputs, samples = make_batch(frames, pad_to=(64, 96))
    keys = [s.metainfo['frame_key'] for s in samples]
    write_cache(clip_encoder, str(tmp_path), frames, keys)
    cached = VLMEncoder(tiny_clip_dir, grid_size=(4, 4),
                        cache_dir=str(tmp_path), local_files_only=True)
    online = clip_encoder(inputs, samples)
    offline = cached(inputs, samples)
    assert online.keys() == offline.keys()
    for key in online:
        torch.testing.assert_close(offline[key], online[key], atol=1e-4,
                                   rtol=0, msg=key)


def test_float16_cache_is_close(tmp_path, tiny_clip_dir, clip_encoder):
    frames = random_frames(2, seed=2)
    inputs, samples = make_batch(frames)
    write_cache(clip_encoder, str(tmp_path), frames,
                [s.metainfo['frame_key'] for s in samples], dtype='float16')
    cached = VLMEncoder(tiny_clip_dir, grid_size=(4, 4),
                        cache_dir=str(tmp_path), local_files_only=True)
    torch.testing.assert_close(cached(inputs, samples)['patch_feats'],
                               clip_encoder(inputs, samples)['patch_feats'],
                               atol=1e-2, rtol=1e-2)


def test_cached_grid_is_flipped_with_the_sample(tmp_path, tiny_clip_dir,
                                                clip_encoder):
    frames = random_frames(2, seed=3)
    _, samples = make_batch(frames)
    keys = [s.metainfo['frame_key'] for s in samples]
    write_cache(clip_encoder, str(tmp_path), frames, keys)
    cached = VLMEncoder(tiny_clip_dir, grid_size=(4, 4),
                        cache_dir=str(tmp_path), local_files_only=True)
    flipped_inputs, flipped_samples = make_batch(
        [f.flip(-1) for f in frames], flips=[True, False])
    out = cached(flipped_inputs, flipped_samples)
    _, ref = clip_encoder.encode_frames(frames)
    torch.testing.assert_close(out['patch_feats'][0], ref[0].flip(-1))
    torch.testing.assert_close(out['patch_feats'][1], ref[1])
    flipped_samples[0].set_metainfo(dict(flip_direction='vertical'))
    out = cached(flipped_inputs, flipped_samples)
    torch.testing.assert_close(out['patch_feats'][0], ref[0].flip(-2))


def test_mismatched_cache_is_refused(tmp_path, tiny_clip_dir, clip_encoder):
    frames = random_frames(1)
    _, samples = make_batch(frames)
    write_cache(clip_encoder, str(tmp_path), frames,
                [samples[0].metainfo['frame_key']])
    with pytest.raises(ValueError, match=r'grid_size: cache has \[4, 4\], '
                       r'model has \[2, 2\]'):
        VLMEncoder(tiny_clip_dir, grid_size=(2, 2), cache_dir=str(tmp_path),
                   local_files_only=True)
    # Same directory name, other weights: refused by the fingerprint.
    other = make_tiny_vlm(str(tmp_path / 'other'), seed=1)
    with pytest.raises(ValueError, match='weights_fingerprint'):
        VLMEncoder(other, grid_size=(4, 4), cache_dir=str(tmp_path),
                   local_files_only=True)
    with pytest.raises(ValueError, match='model_name'):
        VLMEncoder(other, grid_size=(4, 4), cache_dir=str(tmp_path),
                   local_files_only=True)


def test_missing_frame_in_cache(tmp_path, tiny_clip_dir, clip_encoder):
    frames = random_frames(2)
    inputs, samples = make_batch(frames)
    write_cache(clip_encoder, str(tmp_path), frames[:1],
                [samples[0].metainfo['frame_key']])
    cached = VLMEncoder(tiny_clip_dir, grid_size=(4, 4),
                        cache_dir=str(tmp_path), local_files_only=True)
    with pytest.raises(KeyError, match='vid1.mp4/000002.png'):
        cached(inputs, samples)
