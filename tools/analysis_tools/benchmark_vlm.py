"""Time the VLM encoder online (vision tower) against the feature cache.

No checkpoint is downloaded: the VLM is written with random weights by
``make_tiny_vlm`` at a real architecture's size, so the compute is real.

Example::

    python tools/analysis_tools/benchmark_vlm.py --arch vit-b16 \
        --frames 16 --img-size 600 1000 --grid 7

Prints seconds per frame for the online path (un-normalise, crop, resize,
vision tower, patch pooling) and for reading the same frames from a cache
(memory-mapped ``.npy`` rows, flips applied), and the cache size per frame.
"""
import argparse
import os.path as osp
import tempfile
import time

import torch

from vost.models.vlm import VLMEncoder, VLMFeatureCacheWriter, make_tiny_vlm
from vost.structures import SGDataSample

#: Architectures (make_tiny_vlm arguments).
ARCHS = dict(
    tiny=dict(image_size=64, patch_size=16, hidden_size=32, num_layers=2,
              num_heads=2, projection_dim=32),
    # CLIP ViT-B/16: 224 px, 12 layers of width 768 (text tower also 768
    # wide here: it runs once), 512-d joint space.
    **{'vit-b16': dict(image_size=224, patch_size=16, hidden_size=768,
                       num_layers=12, num_heads=12, projection_dim=512,
                       intermediate_size=3072)})


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--arch', choices=list(ARCHS), default='tiny')
    parser.add_argument('--frames', type=int, default=16)
    parser.add_argument('--img-size', type=int, nargs=2, default=(128, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--grid', type=int, default=7)
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    return parser.parse_args()


def timed(fn, repeats, device):
    """Best wall time of ``fn`` over ``repeats`` runs (one warm-up)."""
    fn()
    best = float('inf')
    for _ in range(repeats):
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device.startswith('cuda'):
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    """Run the benchmark."""
    args = parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    h, w = args.img_size
    with tempfile.TemporaryDirectory() as tmp:
        vlm_dir = make_tiny_vlm(osp.join(tmp, 'vlm'), **ARCHS[args.arch])
        online = VLMEncoder(vlm_dir, grid_size=args.grid,
                            local_files_only=True).to(args.device)
        samples = []
        for i in range(args.frames):
            sample = SGDataSample()
            sample.set_metainfo(dict(frame_key=f'v.mp4/{i:06d}.png',
                                     img_shape=(h, w), flip=i % 2 == 1,
                                     flip_direction='horizontal'))
            samples.append(sample)
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
        t_online = timed(lambda: online(inputs, samples), args.repeats,
                         args.device)
        t_cached = timed(lambda: cached(inputs, samples), args.repeats,
                         args.device)
        per_frame = online.embed_dims * (1 + args.grid**2) * 2
    print(f'arch={args.arch} device={args.device} frames={args.frames} '
          f'input={h}x{w} grid={args.grid} threads='
          f'{torch.get_num_threads()}')
    print(f'online: {t_online / args.frames * 1e3:.2f} ms/frame')
    print(f'cached: {t_cached / args.frames * 1e3:.3f} ms/frame')
    print(f'cache size: {per_frame / 1e3:.1f} kB/frame (float16)')


if __name__ == '__main__':
    main()
