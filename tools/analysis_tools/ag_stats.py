"""Count an Action Genome split after the loader's filters, as JSON.

Example::

    python tools/analysis_tools/ag_stats.py data/action_genome \
        --split test --task sgdet --json ag_test_sgdet.json

Output keys: ``videos``, ``frames``, ``objects`` (visible objects kept),
``triplets`` (GT triplets as the evaluation protocol counts them: per kept
object one attention triplet, one per spatial label, one per contacting
label), ``per_predicate`` (predicate name -> triplets), ``removed`` (what
each filter dropped) and ``frames_checked_on_disk``. The frame images are
checked as the dataset checks them (``check_frames_exist=True``): a
missing one is an error naming it (``--on-error warn``: counted in
``removed.frames.missing_on_disk``). ``--no-check-frames`` reads the
annotations only; ``missing_on_disk`` is then ``null`` (not counted).
"""
import argparse
import json
import sys
from collections import OrderedDict
from typing import Dict, List

from vost.ag_format import load_action_genome
from vost.utils.atomic_io import atomic_write
from vost.structures.ag_meta import PREDICATE_GROUP_OFFSETS, PREDICATES


def count_triplets(data_list: List[dict]) -> Dict:
    """Count videos, frames, objects and GT triplets of a data list.

    Args:
        data_list (list[dict]): Output of ``load_action_genome``.

    Returns:
        dict: ``videos``, ``frames``, ``objects``, ``triplets``,
        ``per_predicate``.
    """
    per_pred = [0] * len(PREDICATES)
    frames = objects = 0
    for video in data_list:
        for frame in video['images']:
            frames += 1
            for rel in frame['relations']:
                objects += 1
                per_pred[rel['attention'] +
                         PREDICATE_GROUP_OFFSETS['attention']] += 1
                for group in ('spatial', 'contacting'):
                    for k in rel[group]:
                        per_pred[k + PREDICATE_GROUP_OFFSETS[group]] += 1
    return OrderedDict(
        videos=len(data_list),
        frames=frames,
        objects=objects,
        triplets=sum(per_pred),
        per_predicate=OrderedDict(zip(PREDICATES, per_pred)))


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('data_root')
    parser.add_argument('--split', default='test', choices=['train', 'test'])
    parser.add_argument(
        '--task', default='sgdet', choices=['predcls', 'sgcls', 'sgdet'])
    parser.add_argument('--json', help='also write the JSON to this file')
    parser.add_argument(
        '--on-error', default='raise', choices=['raise', 'warn'])
    parser.add_argument(
        '--no-check-frames', action='store_true',
        help='do not check the frame images on disk (annotations only); '
        'missing_on_disk is then null')
    return parser.parse_args()


def main():
    """Print (and optionally save) the counts."""
    args = parse_args()
    check = not args.no_check_frames
    try:  # the frames checked on disk as the dataset does
        data_list, report = load_action_genome(
            args.data_root, args.split, args.task, on_error=args.on_error,
            check_frames_exist=check)
    except (FileNotFoundError, ValueError) as exc:  # AGAnnotationError too
        sys.exit(f'error: {exc}')
    stats = count_triplets(data_list)
    stats['removed'] = report['removed']
    stats['frames_checked_on_disk'] = check
    if not check:  # a count it did not make
        stats['removed']['frames']['missing_on_disk'] = None
    if report['errors']:
        stats['errors'] = report['errors']
    text = json.dumps(stats, indent=2)
    print(text)
    if args.json:
        with atomic_write(args.json, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
