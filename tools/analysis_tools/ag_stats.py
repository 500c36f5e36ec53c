"""Count an Action Genome split after the loader's filters, as JSON.

Example::

    python tools/analysis_tools/ag_stats.py data/action_genome \
        --split test --task sgdet --json ag_test_sgdet.json

Output keys: ``videos``, ``frames``, ``objects`` (visible objects kept),
``triplets`` (GT triplets as the evaluation protocol counts them: per kept
object one attention triplet, one per spatial label, one per contacting
label), ``per_predicate`` (predicate name -> triplets) and ``removed`` (what
each filter dropped).
"""
import argparse
import json
from collections import OrderedDict
from typing import Dict, List

from vost.ag_format import load_action_genome
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
    return parser.parse_args()


def main():
    """Print (and optionally save) the counts."""
    args = parse_args()
    data_list, report = load_action_genome(
        args.data_root, args.split, args.task, on_error=args.on_error)
    stats = count_triplets(data_list)
    stats['removed'] = report['removed']
    if report['errors']:
        stats['errors'] = report['errors']
    text = json.dumps(stats, indent=2)
    print(text)
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    main()
