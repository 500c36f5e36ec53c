"""Generate a synthetic Action Genome dataset in the real AG format.

Examples::

    # the video world (the default; each video its own frame size)
    python tools/dataset_converters/make_synthetic_ag.py data/synthetic_ag \
        --videos 500 --frames 16 --seed 0 [--size 320 240] [--max-people 3]
    # its web set (the tiny CLIP's pretraining data: every class and look
    # evenly)
    python tools/dataset_converters/make_synthetic_ag.py \
        data/synthetic_ag_vlm_pretrain --web --seed 1000
    # the first, simple world, byte for byte as before
    python tools/dataset_converters/make_synthetic_ag.py data/simple_ag \
        --world simple --videos 1000 --frames 10 --size 256 256

The rules that tie every label to the pixels are documented in
``docs/synthetic_action_genome.md``.
"""
import argparse
import sys
import time

from vost.ag_format import format_load_report, load_action_genome
from vost.datasets.synthetic import WORLDS, make_synthetic_ag


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Write a synthetic Action Genome dataset')
    parser.add_argument('out_dir', help='output root (annotations/, frames/)')
    parser.add_argument('--world', choices=WORLDS, default='video',
                        help="'video' (default: motion, occlusion, many "
                        "looks, a long tail, varied frame sizes) or "
                        "'simple' (the first world, byte for byte)")
    parser.add_argument('--web', action='store_true',
                        help='video world: the VLM\'s web set (roles, '
                        'classes and looks drawn uniformly)')
    parser.add_argument('--videos', type=int, default=None,
                        help='default: 500 (video world), 1000 (simple)')
    parser.add_argument('--frames', type=int, default=None,
                        help='annotated frames per video; default: 16 '
                        '(video world), 10 (simple)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, nargs=2, default=None,
                        metavar=('W', 'H'),
                        help='one frame size for every video; default: '
                        'each video its own (video world), 256 256 '
                        '(simple)')
    parser.add_argument('--test-fraction', type=float, default=0.25)
    parser.add_argument('--workers', type=int, default=0,
                        help='worker processes (0: this process)')
    parser.add_argument(
        '--max-people', type=int, default=1, metavar='K',
        help='people per video, uniform in 1..K, side by side in equal '
        'vertical bands and scaled by 1 / (1 + 0.25 (n - 1)); with K > 1 '
        "every object record gets a 'subject' (its person row) and an "
        'object related to several people appears once per person. '
        'K=1 (default) writes exactly the one-person dataset')
    parser.add_argument('--no-check', action='store_true',
                        help='skip loading the result with the real loader')
    args = parser.parse_args()
    simple = args.world == 'simple'
    if args.web and simple:
        parser.error('--web is the video world\'s web set')
    for name, video, old in (('videos', 500, 1000), ('frames', 16, 10)):
        if getattr(args, name) is None:
            setattr(args, name, old if simple else video)
    if args.size is None and simple:
        args.size = (256, 256)
    return args


def main():
    """Generate, then load the result once to report the filter counts."""
    args = parse_args()
    try:
        from tqdm import tqdm

        def progress(it):
            return tqdm(it, total=args.videos, unit='video')
    except ImportError:
        progress = None
    start = time.perf_counter()
    info = make_synthetic_ag(
        args.out_dir,
        args.videos,
        args.frames,
        seed=args.seed,
        size=None if args.size is None else tuple(args.size),
        test_fraction=args.test_fraction,
        num_workers=args.workers,
        progress=progress,
        max_people=args.max_people,
        world=args.world,
        web=args.web)
    took = time.perf_counter() - start
    print(f"{info['world']} world, seed {args.seed}: wrote {info['frames']} "
          f"frames of {info['videos']} videos "
          f"({info['splits'].get('train', 0)} train / "
          f"{info['splits'].get('test', 0)} test frames with objects) to "
          f'{args.out_dir} in {took:.1f} s ({info["frames"] / took:.0f} '
          'frames/s)')
    if not args.no_check:
        for split in ('train', 'test'):
            _, report = load_action_genome(
                args.out_dir, split, 'sgdet', check_frames_exist=True)
            print(format_load_report(report))
            if not report['kept']['videos']:  # train/test would fail on it
                print(f'warning: the {split} split keeps 0 videos after the '
                      'filters: training or testing on it will stop with an '
                      'error (the counts above say which filter emptied '
                      'it); generate more --videos, another --seed or a '
                      'larger --size',
                      file=sys.stderr)


if __name__ == '__main__':
    main()
