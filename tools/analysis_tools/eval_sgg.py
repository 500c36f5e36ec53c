"""Evaluate a prediction file on Action Genome (R@K, mR@K, 3 constraints).

Usage::

    python tools/analysis_tools/eval_sgg.py DATA_ROOT PRED_FILE \\
        --task {predcls,sgcls,sgdet} [--json OUT]

``PRED_FILE`` is a prediction file (``tools/test.py --out``; format in
``docs/evaluation.md``). The GT is read with
``vost.ag_format.load_action_genome`` and the standard filters.
Prints a table (percentages) and writes JSON with ``with/R@10`` ...
``no/R@100``, ``with/mR@10`` ... ``no/mR@100`` (summed mR),
``.../mR_per_frame@K``, ``num_frames`` and more (fractions in [0, 1]).
Subset flags (``--predicate-subset``, ``--class-subset``,
``--frame-subset``, ``--frequency-subsets``, ``--world-subsets``) print one
more table per subset after the main one and add ``'{subset}/...'`` keys;
the main keys are unchanged (``docs/evaluation.md``, Subset recalls).
Bad input ends with exit code 1 and a message naming the frame and field.
"""
import argparse
import importlib.util
import json
import os
import os.path as osp
import sys
import time
from typing import Sequence

CONSTRAINTS = ('with', 'semi', 'no')
IOU_TYPES = ('legacy', 'continuous')
#: Packages whose ``__init__`` imports torch, mmcv and mmdet (to register
#: modules or apply stack fixes); the CLI needs only numpy-only modules.
_NUMPY_ONLY_PACKAGES = ('vost', 'vost.structures', 'vost.evaluation')


def use_numpy_only_packages(extra: Sequence[str] = ()) -> None:
    """Skip the heavy package ``__init__`` files (script mode only).

    ``vost`` (stack fixes), ``vost.structures`` (data samples) and
    ``vost.evaluation`` (which registers metrics) import torch, mmcv, mmdet
    and transformers: 5-10 s of CPU on the 2-core machine, more than the
    whole evaluation. The modules this CLI uses (``structures.ag_meta``,
    ``ag_format`` (numpy only, package included), ``evaluation.functional``)
    need only numpy, so when run as a script
    these packages are entered as bare packages (their ``__path__`` only).
    Never call this in a process that later imports them normally.

    Args:
        extra (Sequence[str]): More packages to enter bare (e.g.
            ``vost.utils`` for the benchmark tool's ``eval`` mode).
    """
    spec = importlib.util.find_spec('vost')
    if spec is None:
        raise ImportError('vost is not installed (pip install -e .)')
    root = spec.submodule_search_locations[0]
    for name in _NUMPY_ONLY_PACKAGES + tuple(extra):
        if name in sys.modules:
            continue
        spec = importlib.util.spec_from_loader(name, None, is_package=True)
        module = importlib.util.module_from_spec(spec)
        module.__path__ = [osp.join(root, *name.split('.')[1:])]
        module.__file__ = osp.join(module.__path__[0], '__init__.py')
        sys.modules[name] = module


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Evaluate scene graph predictions on Action Genome')
    parser.add_argument('data_root', help='Action Genome root (annotations/)')
    parser.add_argument('pred_file', help='prediction file (.pkl)')
    parser.add_argument(
        '--task', required=True, choices=('predcls', 'sgcls', 'sgdet'))
    parser.add_argument('--split', default='test', choices=('train', 'test'))
    parser.add_argument('--json', help='write the metrics to this JSON file')
    parser.add_argument(
        '--constraints', nargs='+', default=list(CONSTRAINTS),
        choices=CONSTRAINTS)
    parser.add_argument(
        '--ks', nargs='+', type=int, default=[10, 20, 50, 100])
    parser.add_argument('--semi-threshold', type=float, default=0.9)
    parser.add_argument('--top-k-no', type=int, default=100)
    parser.add_argument('--iou-type', default='legacy', choices=IOU_TYPES)
    parser.add_argument('--iou-threshold', type=float, default=0.5)
    parser.add_argument(
        '--mr-present-only', action='store_true',
        help='average mR over the predicates present in the GT instead of '
        'all 26 (the reference counts absent predicates as 0)')
    parser.add_argument(
        '--subjects', default='one_person',
        choices=('one_person', 'per_triplet'),
        help="'one_person' (the published protocol) refuses GT frames with "
        "relations of several people; 'per_triplet' evaluates them, each GT "
        'triplet matched on its own subject box')
    parser.add_argument(
        '--predicate-subset', nargs='+', action='append', default=[],
        metavar=('NAME', 'PREDICATE'),
        help='also report recall on the GT triplets of these predicates '
        'only, keys prefixed NAME/ (repeatable; e.g. --predicate-subset '
        "novel sitting_on wiping, or NAME=P1,P2: --predicate-subset "
        "novel=sitting_on,wiping; 'rest' for every other predicate: "
        '--predicate-subset base rest)')
    parser.add_argument(
        '--class-subset', action='append', default=[],
        metavar='NAME=C1,C2',
        help='also report recall on the GT triplets whose object class is '
        'one of these, keys prefixed NAME/ (repeatable; NAME=rest for '
        'every other object class)')
    parser.add_argument(
        '--frame-subset', action='append', default=[],
        metavar='NAME=FILE.json',
        help='also report recall on the GT frames listed in FILE.json (a '
        'JSON list of frame keys), keys prefixed NAME/ (repeatable)')
    parser.add_argument(
        '--frequency-subsets', action='store_true',
        help='also report head / body / tail recalls: predicates by '
        'training triplets, object classes by training object boxes of '
        'the train split of DATA_ROOT (same task and filters), sorted by '
        'count (ties by id), cut by rank into thirds (0 counts -> tail); '
        'keys pred_head/ ... cls_tail/')
    parser.add_argument(
        '--frequency-fractions', nargs=2, type=float,
        default=[1 / 3, 1 / 3], metavar=('HEAD', 'BODY'),
        help='rank shares of head and body for --frequency-subsets '
        '(default 1/3 1/3: 26 predicates -> 9/9/8)')
    parser.add_argument(
        '--world-subsets', nargs='?', default=None,
        const='annotations/synthetic_subsets.json', metavar='PATH',
        help="also report the synthetic world's frame and predicate "
        'subsets read from PATH, relative to DATA_ROOT (default '
        'annotations/synthetic_subsets.json, written by the synthetic '
        'world generator)')
    parser.add_argument(
        '--check-frames-exist', action='store_true',
        help='require the frame images under DATA_ROOT/frames')
    parser.add_argument(
        '--allow-empty', action='store_true',
        help='evaluate a prediction file without any prediction (recall 0); '
        'by default that is an error (a broken dump looks like a result)')
    parser.add_argument(
        '--workers', type=int, default=min(2, os.cpu_count() or 1),
        help='processes (default: 2 where there are 2 cores): the '
        "prediction file is read while the GT is, and the 'no' constraint "
        'runs beside the others; the metrics are the same with 1')
    parser.add_argument(
        '--min-box-short-edge', type=float, default=16,
        help='SGCls/SGDet GT drops objects with a smaller box short edge '
        '(px); a negative value disables the filter')
    return parser.parse_args(argv)


def _named_lists(flag: str, values) -> dict:
    """``NAME=A,B`` (or ``NAME A B`` / ``NAME rest``) flags as a dict."""
    out = {}
    for value in values:
        tokens = [value] if isinstance(value, str) else list(value)
        if len(tokens) == 1 and '=' in tokens[0]:
            name, _, rest = tokens[0].partition('=')
            tokens = [name] + [t for t in rest.split(',') if t]
        name, *members = tokens
        if not members:
            raise ValueError(f'{flag} {name}: no names after the subset '
                             'name (NAME=A,B)')
        if name in out:
            raise ValueError(f'{flag} {name}: the subset is given twice')
        out[name] = 'rest' if members == ['rest'] else members
    return out


def has_subsets(args) -> bool:
    """Whether any subset flag is given."""
    return bool(args.predicate_subset or args.class_subset
                or args.frame_subset or args.frequency_subsets
                or args.world_subsets)


def subset_options(args) -> dict:
    """The subset flags read and checked (files included), before the
    evaluation runs.

    Args:
        args (argparse.Namespace): Parsed command line.

    Returns:
        dict: :func:`plan_subsets` keyword arguments (no frequency).
    """
    from vost.evaluation.functional.subset_recalls import plan_subsets
    from vost.evaluation.functional.world_subsets import read_world_subsets
    frames = {}
    for value in args.frame_subset:
        name, sep, path = value.partition('=')
        if not sep or not name or not path:
            raise ValueError(f'--frame-subset {value}: expected '
                             'NAME=FILE.json')
        if name in frames:
            raise ValueError(f'--frame-subset {name}: the subset is given '
                             'twice')
        frames[name] = path
    options = dict(
        predicate_subsets=_named_lists('--predicate-subset',
                                       args.predicate_subset),
        class_subsets=_named_lists('--class-subset', args.class_subset),
        frame_subsets=frames,
        world=None if args.world_subsets is None else read_world_subsets(
            args.data_root, args.world_subsets))
    # names clash with the head / body / tail ones? say so now
    reserved = tuple({f'{kind}_{g}': [] for g in ('head', 'body', 'tail')}
                     for kind in ('pred', 'cls'))
    plan_subsets(frequency=reserved if args.frequency_subsets else None,
                 **options)
    return options


def subset_metrics(args, gt, load_options: dict, options: dict) -> dict:
    """The subset flags' metrics, printed as one table each.

    Args:
        args (argparse.Namespace): Parsed command line.
        gt (GTTriplets): The evaluated split's GT triplets.
        load_options (dict): The ``load_action_genome`` filters of the GT
            (the frequency groups read the train split with them).
        options (dict): Output of :func:`subset_options`.

    Returns:
        dict: ``'{subset}/with/R@20'`` ... of every subset.
    """
    from vost.ag_format import format_load_report, load_action_genome
    from vost.evaluation.functional.forked import load_prediction_batch
    from vost.evaluation.functional.frequency_subsets import (
        format_frequency_groups, training_frequency_subsets)
    from vost.evaluation.functional.subset_recalls import (
        evaluate_subsets, format_subset_tables, plan_subsets)
    frequency = None
    if args.frequency_subsets:
        data_list, report = load_action_genome(
            args.data_root, 'train', args.task, **load_options)
        print(format_load_report(report))
        source = f'train split of {args.data_root}'
        frequency = training_frequency_subsets(
            data_list, args.frequency_fractions, args.subjects, source)
        print(format_frequency_groups(*frequency, source))
    plan = plan_subsets(frequency=frequency, **options)
    metrics = evaluate_subsets(
        gt, load_prediction_batch(args.pred_file), plan,
        constraints=args.constraints, ks=args.ks,
        semi_threshold=args.semi_threshold, top_k_no=args.top_k_no,
        iou_type=args.iou_type, iou_threshold=args.iou_threshold,
        source=args.pred_file)
    for table in format_subset_tables(metrics, plan, args.constraints,
                                      args.ks):
        print(table)
    return metrics


def run(args) -> dict:
    """Load GT and predictions, evaluate, print and dump the metrics.

    Args:
        args (argparse.Namespace): Parsed command line.

    Returns:
        dict: The JSON content (metrics and details).
    """
    from vost.ag_format import format_load_report, load_action_genome
    from vost.evaluation.functional import build_gt_triplets, \
        format_sgg_table
    from vost.evaluation.functional.forked import evaluate_files
    start = time.perf_counter()
    min_edge = None if args.min_box_short_edge < 0 else \
        args.min_box_short_edge

    options = subset_options(args) if has_subsets(args) else None
    loaded = []
    load_options = dict(min_box_short_edge=min_edge,
                        check_frames_exist=args.check_frames_exist)

    def load_gt():
        if loaded:
            return loaded[0]
        data_list, report = load_action_genome(
            args.data_root, args.split, args.task, **load_options)
        print(format_load_report(report))
        loaded.append(build_gt_triplets(data_list, args.subjects))
        return loaded[0]

    metrics, details = evaluate_files(
        load_gt, args.pred_file,
        workers=args.workers,
        constraints=args.constraints,
        ks=args.ks,
        semi_threshold=args.semi_threshold,
        top_k_no=args.top_k_no,
        iou_type=args.iou_type,
        iou_threshold=args.iou_threshold,
        mr_absent_as_zero=not args.mr_present_only)
    if metrics['num_frames'] and not args.allow_empty and metrics[
            'num_frames_without_prediction'] == metrics['num_frames']:
        raise ValueError(
            f'{args.pred_file} holds no prediction for any of the '
            f"{metrics['num_frames']} GT frames (an empty prediction list: "
            'a broken or interrupted dump?); pass --allow-empty to evaluate '
            'it as recall 0')
    print(format_sgg_table(
        metrics, args.constraints, sorted(args.ks),
        title=f'Action Genome {args.split} {args.task.upper()} '
        f'(IoU {args.iou_type} >= {args.iou_threshold})'))
    if metrics['num_frames_without_prediction']:
        print(f"warning: {metrics['num_frames_without_prediction']} GT "
              'frame(s) have no prediction; they count as recall 0')
    if details['absent_predicates']:
        print('warning: predicates without GT (recall 0 in mR unless '
              f"--mr-present-only): {details['absent_predicates']}")
    out = dict(metrics)
    if has_subsets(args):
        out.update(subset_metrics(args, load_gt(), load_options,
                                  options))
    print(f'evaluated in {time.perf_counter() - start:.1f} s (GT loading '
          'included)')
    out.update(
        task=args.task, split=args.split, iou_type=args.iou_type,
        semi_threshold=args.semi_threshold, top_k_no=args.top_k_no,
        absent_predicates=details['absent_predicates'],
        per_predicate={
            c: {str(k): v for k, v in d.items()}
            for c, d in details['per_predicate'].items()
        },
        per_predicate_frame={
            c: {str(k): v for k, v in d.items()}
            for c, d in details['per_predicate_frame'].items()
        })
    if args.json:
        os.makedirs(osp.dirname(osp.abspath(args.json)), exist_ok=True)
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump(out, f, indent=1)
        print(f'metrics written to {args.json}')
    return out


def main(argv=None) -> int:
    """Command-line entry point; returns the exit code."""
    args = parse_args(argv)
    try:
        run(args)
    except (FileNotFoundError, ValueError) as exc:
        # PredictionFormatError and AGAnnotationError are ValueErrors.
        print(f'error: {exc}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    use_numpy_only_packages()
    sys.exit(main())
