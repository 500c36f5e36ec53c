"""Tests of clip sampling, the broadcast transforms and the packing."""
import os.path as osp
import random

import numpy as np
import pytest
import torch
from mmdet.structures import TrackDataSample

from vost.datasets import ActionGenomeDataset, SGClipSample
from vost.structures import SGDataSample
from vost.utils import register_all_modules

FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')

register_all_modules()


def _video(length):
    return dict(
        video_id='V.mp4',
        video_length=length,
        images=[dict(frame_id=i, frame_key=f'V.mp4/{i:06d}.png')
                for i in range(length)])


@pytest.mark.parametrize('num_ref,frame_range,causal,key,expected,flags', [
    (0, 4, False, 5, [5], [True]),
    (2, 4, False, 5, [4, 5, 6], [False, True, False]),
    (3, 4, False, 5, [3, 4, 5, 6], [False, False, True, False]),
    (2, 4, True, 5, [3, 4, 5], [False, False, True]),
    (2, 4, True, 0, [0, 0, 0], [True, False, False]),
    (2, (1, 3), False, 8, [8, 9, 9], [True, False, False]),
    (2, 4, False, 9, [7, 8, 9], [False, False, True]),
])
def test_clip_sample_test_mode(num_ref, frame_range, causal, key, expected,
                               flags):
    sampler = SGClipSample(
        num_ref_frames=num_ref,
        frame_range=frame_range,
        causal=causal,
        test_mode=True)
    video = _video(10)
    video['key_frame_id'] = key
    out = sampler(video)
    assert out['frame_id'] == expected
    assert out['key_frame_flags'] == flags
    assert out['is_key_frame'] == flags
    assert out['video_length'] == [len(expected)] * len(expected)
    assert out['ori_video_length'] == [10] * len(expected)
    assert all(len(v) == len(expected) for v in out.values())


def test_clip_sample_train_random_window():
    random.seed(0)
    sampler = SGClipSample(num_ref_frames=2, frame_range=3)
    seen = set()
    for _ in range(200):
        video = _video(10)
        out = sampler(video)  # random key frame
        ids, flags = out['frame_id'], out['key_frame_flags']
        key = ids[flags.index(True)]
        refs = [i for i, f in zip(ids, flags) if not f]
        assert ids == sorted(ids) and sum(flags) == 1
        assert len(set(refs)) == 2 and key not in refs
        assert all(abs(r - key) <= 3 for r in refs)
        seen.update(r - key for r in refs)
    assert seen == {-3, -2, -1, 1, 2, 3}
    causal = SGClipSample(num_ref_frames=2, frame_range=3, causal=True)
    for key in range(10):
        video = _video(10)
        video['key_frame_id'] = key
        ids = causal(video)['frame_id']
        assert max(ids) == key and min(ids) >= key - 3


def test_clip_sample_errors():
    with pytest.raises(ValueError, match='frame_range'):
        SGClipSample(frame_range=(3, 1))
    with pytest.raises(KeyError, match='key_frame_id'):
        SGClipSample(test_mode=True)(_video(4))
    video = _video(4)
    video['key_frame_id'] = 4
    with pytest.raises(IndexError, match='out of range'):
        SGClipSample()(video)


def _pipeline(num_ref=2, flip_prob=1.0, photometric=False):
    transforms = [
        dict(type='mmdet.LoadImageFromFile'),
        dict(type='LoadSGAnnotations'),
        dict(type='mmdet.Resize', scale=(128, 96), keep_ratio=True),
        dict(type='mmdet.RandomFlip', prob=flip_prob),
    ]
    if photometric:
        transforms.append(dict(type='mmdet.PhotoMetricDistortion'))
    return [
        dict(
            type='SGClipSample',
            num_ref_frames=num_ref,
            frame_range=4,
            test_mode=True),
        dict(
            type='TransformBroadcaster',
            share_random_params=True,
            transforms=transforms),
        dict(type='PackSGInputs'),
    ]


def test_packed_clip_flipped_and_resized():
    ds = ActionGenomeDataset(
        data_root=FIXTURE,
        split='test',
        test_mode=True,
        pipeline=_pipeline(num_ref=2, flip_prob=1.0))
    item = ds[0]  # key frame A/000003, refs A/000010, A/000100
    inputs, track = item['inputs'], item['data_samples']
    assert isinstance(track, TrackDataSample)
    assert inputs.shape == (3, 3, 96, 128) and inputs.dtype == torch.uint8
    assert track.key_frames_inds == [0] and track.ref_frames_inds == [1, 2]
    samples = track.video_data_samples
    assert all(isinstance(s, SGDataSample) for s in samples)
    assert [s.frame_key for s in samples] == [
        'AAAAA.mp4/000003.png', 'AAAAA.mp4/000010.png',
        'AAAAA.mp4/000100.png'
    ]
    assert [s.is_key_frame for s in samples] == [True, False, False]
    key = samples[0]
    assert key.flip and key.flip_direction == 'horizontal'
    assert key.img_shape == (96, 128) and key.ori_shape == (48, 64)
    # Person XYXY (10, 5, 40, 45), chair XYWH (20, 20, 30, 20), scaled by 2
    # then flipped in a 128 px wide image: x -> 128 - x.
    torch.testing.assert_close(
        key.gt_instances.bboxes,
        torch.tensor([[48., 10., 108., 90.], [28., 40., 88., 80.]]))
    assert key.gt_instances.labels.tolist() == [1, 8]
    pairs = key.gt_pairs
    assert pairs.pair_inds.tolist() == [[0, 1]]
    assert pairs.attention.tolist() == [0]
    assert pairs.spatial.tolist() == [[0., 1., 1., 0., 0., 0.]]
    assert torch.nonzero(pairs.contacting[0]).flatten().tolist() == [10, 12]
    assert pairs.spatial.dtype == torch.float32
    assert pairs.contacting.shape == (1, 17)
    # Every frame is flipped: the red (left) half of the fixture frames is
    # now on the right (RGB channel 0 after mmcv's BGR load: index 2).
    for t in range(3):
        assert inputs[t, 2, :, 100:].float().mean() == 255
        assert inputs[t, 2, :, :20].float().mean() < 255
    assert samples[1].gt_instances.labels.tolist() == [1, 31]


def test_broadcast_shares_random_flip():
    ds = ActionGenomeDataset(
        data_root=FIXTURE,
        split='test',
        test_mode=True,
        pipeline=_pipeline(num_ref=2, flip_prob=0.5))
    states = set()
    for seed in range(12):
        random.seed(seed)
        np.random.seed(seed)
        samples = ds[4]['data_samples'].video_data_samples
        flips = {s.flip for s in samples}
        assert len(flips) == 1  # the same decision on every frame
        states |= flips
        # Boxes agree with the flag: the table spans x 0..50 (scaled 0..100).
        table = samples[0].gt_instances.bboxes[1]
        assert table[0].item() == (28. if samples[0].flip else 0.)
    assert states == {True, False}


def test_broadcast_shares_photometric_noise():
    # A causal clip of the first frame repeats it: identical inputs must get
    # identical colour jitter.
    pipeline = _pipeline(num_ref=2, flip_prob=0.5, photometric=True)
    pipeline[0].update(causal=True)
    ds = ActionGenomeDataset(
        data_root=FIXTURE, split='test', test_mode=True, pipeline=pipeline)
    raw = ActionGenomeDataset(
        data_root=FIXTURE,
        split='test',
        test_mode=True,
        pipeline=_pipeline(num_ref=0, flip_prob=0.0))[0]['inputs']
    changed = False
    for seed in range(3):
        np.random.seed(seed)
        random.seed(seed)
        inputs = ds[0]['inputs']
        assert torch.equal(inputs[0], inputs[1])
        assert torch.equal(inputs[0], inputs[2])
        a, b = inputs[0].float(), raw[0].float()
        changed |= not (torch.equal(a, b) or torch.equal(a, b.flip(-1)))
    assert changed


def test_pack_requires_clip_sampler():
    from vost.datasets import PackSGInputs
    with pytest.raises(KeyError, match='SGClipSample'):
        PackSGInputs()(dict(img=[np.zeros((4, 4, 3), np.uint8)]))


@pytest.mark.parametrize('test_mode', [False, True])
def test_dataset_clip_sampler_equals_sampler_in_pipeline(test_mode):
    # the dataset's clip_sampler runs first, as SGClipSample at the start
    # of the pipeline does, with the dataset's test mode
    in_pipeline = _pipeline(num_ref=2, flip_prob=0.5)
    in_pipeline[0]['test_mode'] = test_mode
    ref = ActionGenomeDataset(
        data_root=FIXTURE, split='test', test_mode=test_mode,
        pipeline=in_pipeline)
    ds = ActionGenomeDataset(
        data_root=FIXTURE, split='test', test_mode=test_mode,
        clip_sampler=dict(type='SGClipSample', num_ref_frames=2,
                          frame_range=4),
        pipeline=in_pipeline[1:])
    assert ds.clip_sampler.test_mode == test_mode
    assert ds.pipeline.transforms[0] is ds.clip_sampler
    for i in (0, 3, 5):
        np.random.seed(i)
        random.seed(i)
        a = ref[i]
        np.random.seed(i)
        random.seed(i)
        b = ds[i]
        assert torch.equal(a['inputs'], b['inputs'])
        sa = a['data_samples'].video_data_samples
        sb = b['data_samples'].video_data_samples
        assert [s.frame_id for s in sa] == [s.frame_id for s in sb]
        assert len(sb) == 3


def test_dataset_without_clip_sampler_gives_plain_items():
    ds = ActionGenomeDataset(
        data_root=FIXTURE, split='test', test_mode=True, pipeline=[])
    assert ds.clip_sampler is None and 'key_frame_flags' not in ds[0]
