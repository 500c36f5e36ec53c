"""Time the VLM encoder online (vision tower) against the feature cache.

No checkpoint is downloaded: the VLM is written with random weights by
``make_tiny_vlm`` at a real architecture's size, so the compute is real.

Example::

    python tools/analysis_tools/benchmark.py vlm --arch vit-b16 \\
        --frames 16 --img-size 600 1000 --grid 7

Prints seconds per frame for the online path (un-normalise, crop, resize,
vision tower, patch pooling) and for reading the same frames from a cache
(memory-mapped ``.npy`` rows, flips applied), and the cache size per frame;
each the best of ``--repeats`` runs after one warm-up. With ``--json``,
writes the same figures (keys in :func:`run`).
"""
import argparse
import json
import os.path as osp
import tempfile

import torch

from .timing import best_time, setup_threads

__all__ = ['ARCHS', 'add_arguments', 'run']

#: Architectures (make_tiny_vlm arguments).
ARCHS = dict(
    tiny=dict(image_size=64, patch_size=16, hidden_size=32, num_layers=2,
              num_heads=2, projection_dim=32),
    # CLIP ViT-B/16: 224 px, 12 layers of width 768 (text tower also 768
    # wide here: it runs once), 512-d joint space.
    **{'vit-b16': dict(image_size=224, patch_size=16, hidden_size=768,
                       num_layers=12, num_heads=12, projection_dim=512,
                       intermediate_size=3072)})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``vlm`` mode.

    Args:
        parser (ArgumentParser): The mode's (sub)parser.
    """
    parser.add_argument('--arch', choices=list(ARCHS), default='tiny')
    parser.add_argument('--frames', type=int, default=16)
    parser.add_argument('--img-size', type=int, nargs=2, default=(128, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--grid', type=int, default=7)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--json', help='write the figures here')


def _samples(num: int, h: int, w: int) -> list:
    """Frame samples of one video, every second one flipped."""
    from vost.structures import SGDataSample
    samples = []
    for i in range(num):
        sample = SGDataSample()
        sample.set_metainfo(dict(frame_key=f'v.mp4/{i:06d}.png',
                                 img_shape=(h, w), flip=i % 2 == 1,
                                 flip_direction='horizontal'))
        samples.append(sample)
    return samples


def run(args: argparse.Namespace) -> dict:
    """Write the VLM and its cache, time both paths, print the figures.

    Args:
        args (Namespace): The parsed options.

    Returns:
        dict: ``arch``, ``device``, ``img_size``, ``grid``, ``threads``,
        ``frames`` (frames per call), ``online/frames`` and
        ``cached/frames`` (image embeddings each path returned),
        ``online/ms_per_frame``, ``cached/ms_per_frame`` and
        ``cache/kB_per_frame`` (float16 rows: image embedding and grid).
    """
    from vost.models.vlm import VLMEncoder, VLMFeatureCacheWriter
    from vost.pretraining import make_tiny_vlm
    threads = setup_threads(args.threads)
    h, w = args.img_size
    sync = torch.cuda.synchronize if args.device.startswith('cuda') \
        else None
    last = {}
    with tempfile.TemporaryDirectory() as tmp:
        vlm_dir = make_tiny_vlm(osp.join(tmp, 'vlm'), **ARCHS[args.arch])
        online = VLMEncoder(vlm_dir, grid_size=args.grid,
                            local_files_only=True).to(args.device)
        samples = _samples(args.frames, h, w)
        inputs = torch.randn(args.frames, 3, h, w, device=args.device)
        keys = [s.frame_key for s in samples]
        writer = VLMFeatureCacheWriter(osp.join(tmp, 'cache'), keys,
                                       online.cache_settings(),
                                       online.embed_dims, online.grid_size)
        out = online(inputs, samples)
        writer.write(keys, out['image_embeds'].cpu().numpy(),
                     out['patch_feats'].cpu().numpy())
        writer.close()
        cached = VLMEncoder(vlm_dir, grid_size=args.grid,
                            cache_dir=osp.join(tmp, 'cache'),
                            local_files_only=True).to(args.device)

        def call(name, encoder):
            last[name] = encoder(inputs, samples)

        t_online = best_time(lambda: call('online', online), args.repeats,
                             sync)
        t_cached = best_time(lambda: call('cached', cached), args.repeats,
                             sync)
        per_frame = online.embed_dims * (1 + args.grid**2) * 2
    print(f'arch={args.arch} device={args.device} frames={args.frames} '
          f'input={h}x{w} grid={args.grid} threads={threads}')
    print(f'online: {t_online / args.frames * 1e3:.2f} ms/frame')
    print(f'cached: {t_cached / args.frames * 1e3:.3f} ms/frame')
    print(f'cache size: {per_frame / 1e3:.1f} kB/frame (float16)')
    res = {
        'arch': args.arch,
        'device': args.device,
        'img_size': [h, w],
        'grid': args.grid,
        'threads': threads,
        'frames': args.frames,
        'online/frames': len(last['online']['image_embeds']),
        'cached/frames': len(last['cached']['image_embeds']),
        'online/ms_per_frame': t_online / args.frames * 1e3,
        'cached/ms_per_frame': t_cached / args.frames * 1e3,
        'cache/kB_per_frame': per_frame / 1e3
    }
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(res, f, indent=2)
    return res
