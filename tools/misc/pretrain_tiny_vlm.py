"""Pretrain the tiny CLIP on a separate synthetic Action Genome set.

Usage::

    python tools/misc/pretrain_tiny_vlm.py data/tiny_clip_synthetic \
        --data-root data/synthetic_ag_vlm_pretrain --data-seed 1000

The pretraining set is generated first when ``--data-root`` holds none
(``--videos`` videos with data seed ``--data-seed``, which must differ from
the seed of the data VOST trains and is tested on: it plays the role of
CLIP's web data; in the video world it is the world's web set, where
every class, look and role is drawn evenly, so the VLM knows the tail
that VOST's training split barely shows). Only its train split is read.
The output folder is a CLIP checkpoint (``from_pretrained`` loads it)
with ``pretraining.json``: settings, losses and held-out accuracies
before / after. The method is in ``vost/pretraining/tiny_clip.py`` and
docs/vlm.md.
"""
import argparse
import json
import os.path as osp
import sys

MIN_DATA_SEED = 1000


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='output CLIP folder')
    parser.add_argument('--data-root',
                        default='data/synthetic_ag_vlm_pretrain')
    parser.add_argument('--data-seed', type=int, default=1000,
                        help=f'seed of the pretraining set (>= '
                        f'{MIN_DATA_SEED}, so never VOST\'s own data)')
    parser.add_argument('--world', choices=('video', 'simple'),
                        default='video',
                        help="world of the pretraining set (default "
                        "'video': its web set, every class and look "
                        "evenly)")
    parser.add_argument('--videos', type=int, default=1000)
    parser.add_argument('--frames', type=int, default=4)
    parser.add_argument('--size', type=int, nargs=2, default=None,
                        help='frame size; default: varied (video world), '
                        '256 256 (simple world)')
    parser.add_argument('--steps', type=int, default=1500)
    parser.add_argument('--batch-frames', type=int, default=64)
    parser.add_argument('--batch-crops', type=int, default=128)
    parser.add_argument('--lr', type=float, default=2e-3)
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the initial weights and the sampling')
    args = parser.parse_args(argv)
    if args.size is None and args.world == 'simple':
        args.size = [256, 256]
    return args


def cached_report(out_dir: str, settings: dict):
    """The report of an earlier pretraining into ``out_dir`` with the same
    settings, or None."""
    path = osp.join(out_dir, 'pretraining.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        report = json.load(f)
    same = all(report.get(k) == v for k, v in settings.items())
    return report if same else None


def main(argv=None):
    """Generate the pretraining set if needed, pretrain, save."""
    args = parse_args(argv)
    if args.data_seed < MIN_DATA_SEED:
        sys.exit(f'pretrain_tiny_vlm: --data-seed {args.data_seed} < '
                 f'{MIN_DATA_SEED}: the pretraining set must not be the data '
                 'VOST is trained and tested on (seeds below 1000 are '
                 'reserved for those)')
    size = None if args.size is None else list(args.size)
    settings = dict(world=args.world, data_seed=args.data_seed,
                    videos=args.videos, frames=args.frames, size=size,
                    steps=args.steps, batch_frames=args.batch_frames,
                    batch_crops=args.batch_crops, lr=args.lr, seed=args.seed)
    done = cached_report(args.out_dir, settings)
    if done is not None:
        print(f'pretrain_tiny_vlm: {args.out_dir} was pretrained with these '
              'settings already (pretraining.json): kept')
        return done
    from vost.pretraining import pretrain_tiny_clip
    from vost.datasets.synthetic import make_synthetic_ag
    frame_list = osp.join(args.data_root, 'annotations', 'frame_list.txt')
    if not osp.isfile(frame_list):
        print(f'pretrain_tiny_vlm: generating the pretraining set '
              f'{args.data_root} ({args.world} world, {args.videos} '
              f'videos, data seed {args.data_seed})', flush=True)
        video = args.world == 'video'
        make_synthetic_ag(args.data_root, num_videos=args.videos,
                          num_frames=args.frames, seed=args.data_seed,
                          size=None if size is None else tuple(size),
                          world=args.world, web=video)
    report = pretrain_tiny_clip(
        args.data_root, args.out_dir, steps=args.steps,
        batch_frames=args.batch_frames, batch_crops=args.batch_crops,
        lr=args.lr, seed=args.seed,
        meta=dict(world=args.world, data_seed=args.data_seed,
                  videos=args.videos, frames=args.frames, size=size),
        log=lambda msg: print(msg, flush=True))
    print(f'Wrote the pretrained tiny CLIP to {args.out_dir} '
          f'({report["seconds"]:.0f} s)')
    return report


if __name__ == '__main__':
    main()
