"""Generate a synthetic Action Genome dataset in the real AG format.

Example::

    python tools/dataset_converters/make_synthetic_ag.py data/synthetic_ag \
        --videos 1000 --frames 10 --seed 0 --size 256 256 [--max-people 3]

The rules that tie every label to the pixels are documented in
``docs/synthetic_action_genome.md``.
"""
import argparse
import time

from vost.ag_format import format_load_report, load_action_genome
from vost.datasets.synthetic import make_synthetic_ag


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Write a synthetic Action Genome dataset')
    parser.add_argument('out_dir', help='output root (annotations/, frames/)')
    parser.add_argument('--videos', type=int, default=1000)
    parser.add_argument('--frames', type=int, default=10,
                        help='annotated frames per video')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--size', type=int, nargs=2, default=(256, 256),
                        metavar=('W', 'H'))
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
    return parser.parse_args()


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
        size=tuple(args.size),
        test_fraction=args.test_fraction,
        num_workers=args.workers,
        progress=progress,
        max_people=args.max_people)
    took = time.perf_counter() - start
    print(f"wrote {info['frames']} frames of {info['videos']} videos to "
          f'{args.out_dir} in {took:.1f} s ({info["frames"] / took:.0f} '
          'frames/s)')
    if not args.no_check:
        for split in ('train', 'test'):
            _, report = load_action_genome(
                args.out_dir, split, 'sgdet', check_frames_exist=True)
            print(format_load_report(report))


if __name__ == '__main__':
    main()
