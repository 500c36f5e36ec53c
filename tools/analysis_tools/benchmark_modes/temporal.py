"""Time the temporal stage of a VOST config on random clips (no data).

Example (2 CPU cores)::

    python tools/analysis_tools/benchmark.py temporal \\
        configs/vost/vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py \\
        --iters 5 --batch-size 4

Prints, after ``--warmup`` untimed steps:

- stage-2 training step (spatial model frozen by ``FreezeModulesHook``,
  clips of ``1 + num_ref_frames`` frames) and joint training step (nothing
  frozen), seconds per step;
- whole-video inference (every frame a key frame, test clips of the nearest
  frames, batches in order) with and without the frame cache: seconds per
  key frame and frames run through the spatial stages.

With ``--json``, writes the same figures (keys in :func:`run`).
"""
import argparse
import copy
import json
from typing import List, Sequence, Tuple

import numpy as np
import torch
from mmengine.config import DictAction

from .timing import mean_time, setup_threads, timed_call

__all__ = ['add_arguments', 'time_train', 'video_batches', 'time_video',
           'run']


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``temporal`` mode.

    Args:
        parser (ArgumentParser): The mode's (sub)parser.
    """
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--batch-size', type=int, default=4,
                        help='clips per step')
    parser.add_argument('--video-frames', type=int, default=12,
                        help='annotated frames of the inference video')
    parser.add_argument('--img-size', type=int, nargs=2, default=(128, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--json', help='write the figures here')


def time_train(model: torch.nn.Module, data: dict, warmup: int,
               iters: int) -> float:
    """Mean seconds of a training step over parameters needing grads.

    Args:
        model (nn.Module): The model (set to train mode here).
        data (dict): Raw clips (``demo_sg_track_inputs``), deep-copied for
            each step.
        warmup (int): Untimed steps first.
        iters (int): Timed steps.

    Returns:
        float: Seconds per step (preprocessing, forward, backward, AdamW).
    """
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4)
    model.train()

    def step():
        batch = model.data_preprocessor(copy.deepcopy(data), True)
        losses = model(**batch, mode='loss')
        optimizer.zero_grad()
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        optimizer.step()

    return mean_time(step, warmup, iters)


def video_batches(num_frames: int, num_refs: int, frame_range: int,
                  batch_size: int, img_size: Tuple[int, int]) -> List[dict]:
    """Test batches covering every frame of a random video as key frame.

    Args:
        num_frames (int): Frames of the video F.
        num_refs (int): Reference frames per clip (``SGClipSample``).
        frame_range (int): Reference frame range (``SGClipSample``).
        batch_size (int): Key frames per batch.
        img_size (tuple[int, int]): (H, W) of the frames.

    Returns:
        list[dict]: Batches in order, each with ``inputs`` (list of uint8
        (T, 3, H, W) clips) and ``data_samples`` (``TrackDataSample``).
    """
    from mmdet.structures import TrackDataSample

    from vost.datasets.transforms import SGClipSample
    from vost.testing import demo_sg_frame_sample
    rng = np.random.RandomState(0)
    frames = [
        torch.from_numpy(rng.randint(0, 256, (3, *img_size), np.uint8))
        for _ in range(num_frames)
    ]
    samples = [
        demo_sg_frame_sample(rng, img_size, 3,
                             frame_key=f'bench.mp4/{t + 1:06d}.png',
                             frame_id=t) for t in range(num_frames)
    ]
    sampler = SGClipSample(num_ref_frames=num_refs, frame_range=frame_range,
                           test_mode=True)
    batches = []
    for first in range(0, num_frames, batch_size):
        inputs, tracks = [], []
        for key in range(first, min(first + batch_size, num_frames)):
            inds, flags = sampler.sample_inds(num_frames, key)
            track = TrackDataSample()
            track.video_data_samples = [
                copy.deepcopy(samples[i]) for i in inds
            ]
            track.set_metainfo(
                dict(key_frames_inds=[flags.index(True)],
                     ref_frames_inds=[i for i, f in enumerate(flags)
                                      if not f]))
            inputs.append(torch.stack([frames[i] for i in inds]))
            tracks.append(track)
        batches.append(dict(inputs=inputs, data_samples=tracks))
    return batches


def time_video(model: torch.nn.Module,
               batches: Sequence[dict]) -> Tuple[float, int]:
    """Seconds per key frame and frames through the backbone.

    Args:
        model (nn.Module): The model (set to eval mode here).
        batches (list[dict]): From :func:`video_batches`.

    Returns:
        tuple[float, int]: Seconds per key frame and the number of frames
        the backbone ran on.
    """
    seen = []
    handle = model.backbone.register_forward_hook(
        lambda m, args, out: seen.append(args[0].size(0)))
    model.eval()

    def run_all():
        with torch.no_grad():
            for data in batches:
                model(**model.data_preprocessor(copy.deepcopy(data), False),
                      mode='predict')

    _, elapsed = timed_call(run_all)
    handle.remove()
    keys = sum(len(b['data_samples']) for b in batches)
    return elapsed / keys, sum(seen)


def run(args: argparse.Namespace) -> dict:
    """Build the model, time it, print the figures, write ``--json``.

    Args:
        args (Namespace): The parsed options.

    Returns:
        dict: ``threads``, ``clip_frames``, ``batch_size``,
        ``train/stage2_s_per_step``, ``train/joint_s_per_step``,
        ``video/key_frames``, ``video/plain_s_per_key_frame``,
        ``video/plain_frames``, ``video/cached_s_per_key_frame`` and
        ``video/cached_frames``.
    """
    from vost.apis import init_sg_model
    from vost.engine.hooks import FreezeModulesHook
    from vost.models.detectors import FrameOutputCache
    from vost.testing import demo_sg_track_inputs
    threads = setup_threads(args.threads)
    torch.manual_seed(0)
    model = init_sg_model(args.config, cfg_options=args.cfg_options)
    model.init_weights()
    if model.temporal is None:
        raise ValueError(f'{args.config}: model.temporal is None')
    sampler = model.cfg.test_dataloader.dataset.clip_sampler
    num_refs, frame_range = sampler.num_ref_frames, sampler.frame_range
    data = demo_sg_track_inputs(
        batch_size=args.batch_size, num_frames=1 + num_refs,
        key_frame_ind=num_refs // 2, image_shapes=(3, *args.img_size),
        num_objects=3)
    joint = time_train(model, data, args.warmup, args.iters)
    FreezeModulesHook(check_after_iters=0).freeze(model)
    stage2 = time_train(model, data, args.warmup, args.iters)

    batches = video_batches(args.video_frames, num_refs, frame_range,
                            args.batch_size, tuple(args.img_size))
    cache = model.frame_cache
    model.frame_cache = None
    plain, plain_frames = time_video(model, batches)
    model.frame_cache = cache or FrameOutputCache(
        args.batch_size * (1 + num_refs))
    cached, cached_frames = time_video(model, batches)
    print(f'{args.config}: {threads} threads, clips of '
          f'{1 + num_refs} frames {args.img_size[0]}x{args.img_size[1]}, '
          f'{args.batch_size} clips/step\n'
          f'  train step: stage 2 (spatial frozen) {stage2:.3f} s, joint '
          f'{joint:.3f} s\n'
          f'  video of {args.video_frames} key frames: {plain:.3f} s/key '
          f'frame, {plain_frames} frames computed without the frame '
          f'cache; {cached:.3f} s/key frame, {cached_frames} frames with it')
    out = {
        'threads': threads,
        'clip_frames': 1 + num_refs,
        'batch_size': args.batch_size,
        'train/stage2_s_per_step': stage2,
        'train/joint_s_per_step': joint,
        'video/key_frames': sum(len(b['data_samples']) for b in batches),
        'video/plain_s_per_key_frame': plain,
        'video/plain_frames': plain_frames,
        'video/cached_s_per_key_frame': cached,
        'video/cached_frames': cached_frames
    }
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(out, f, indent=2)
    return out
