"""Benchmark the scene graph evaluation CLI on an Action Genome-scale case.

Generates, in a temporary folder, a synthetic test split in the real Action
Genome annotation format (1,750 videos, about 55,000 kept frames, 1-5
objects per frame with 1 attention, 1-2 spatial and 1-2 contacting labels,
about 5 % of the objects below the 16 px SGDet filter) and SGDet-like
predictions (jittered GT boxes, 20 % wrong labels, false-positive objects up
to ``--pairs`` person-object pairs per frame, random probabilities boosted
on the GT predicates, some saturated to exactly 1.0). Then runs
``tools/analysis_tools/eval_sgg.py ... --task sgdet`` in a subprocess for
every (scale, pairs) setting and reports its wall time, CPU time and peak
RSS (``getrusage`` of a small launcher's child): all three constraints,
all K, both mR definitions, reading the pickles included.

Usage::

    python tools/analysis_tools/benchmark.py eval \\
        [--scales 0.25 0.5 1] [--pairs 10 20] [--work-dir DIR]

This module imports only numpy-only modules (``vost.ag_format``,
``vost.structures.ag_meta`` and :mod:`.timing`): the tool runs it with the
heavy package ``__init__`` files skipped, as ``eval_sgg.py`` does.
"""
import argparse
import json
import os
import os.path as osp
import pickle
import shutil
import sys
import tempfile
import time
from typing import List

import numpy as np

from vost.ag_format import load_action_genome, write_annotations
from vost.structures.ag_meta import (ATTENTION_PREDICATES,
                                     CONTACTING_PREDICATES, OBJECT_CLASSES,
                                     SPATIAL_PREDICATES)
from .timing import run_with_rusage

__all__ = [
    'EVAL_SGG', 'add_arguments', 'make_annotations', 'make_predictions',
    'time_cli', 'run'
]

#: The evaluation CLI timed by default: the one beside the benchmark tool.
EVAL_SGG = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                    'eval_sgg.py')
WIDTH, HEIGHT = 480, 270


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``eval`` mode.

    Args:
        parser (ArgumentParser): The mode's (sub)parser.
    """
    parser.add_argument('--videos', type=int, default=1750)
    parser.add_argument(
        '--frames-per-video', type=float, default=31.5,
        help='mean annotated frames per video (AG test: ~31.5)')
    parser.add_argument(
        '--scales', type=float, nargs='+', default=[1.0],
        help='fractions of the video count to time (e.g. 0.25 0.5 1)')
    parser.add_argument(
        '--pairs', type=int, nargs='+', default=[10],
        help='predicted person-object pairs per frame')
    parser.add_argument(
        '--train-videos', type=int, default=0,
        help='also write this many train-split videos into the annotation '
        'files (7584 makes them as large as the real ones)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--work-dir', help='keep the generated files here (default: a '
        'temporary folder, removed at the end)')
    parser.add_argument('--json', help='write the timings to this file')
    parser.add_argument(
        '--repeats', type=int, default=1,
        help='runs per setting; the median is reported')
    parser.add_argument(
        '--baseline', metavar='EVAL_SGG',
        help='another eval_sgg.py (e.g. of a checkout of an earlier '
        'commit, run with its repository root on PYTHONPATH) timed '
        'alternately with the CLI, run for run; prints the ratio of the '
        'median wall times and checks that both give the same metrics')
    parser.add_argument('--eval-sgg', default=EVAL_SGG,
                        help='the evaluation CLI to time (default: '
                        'tools/analysis_tools/eval_sgg.py)')


def make_annotations(root: str, num_videos: int, frames_per_video: float,
                     rng: np.random.Generator, train_videos: int = 0) -> int:
    """Write synthetic Action Genome annotations; return the test frames.

    ``train_videos`` extra videos of the train split make the files as
    large as the real ones (which hold both splits, 288,782 keys).

    Args:
        root (str): Output root (``annotations/`` is written below it).
        num_videos (int): Test videos.
        frames_per_video (float): Mean annotated frames per video.
        rng (np.random.Generator): Random source.
        train_videos (int): Extra train-split videos. Defaults to 0.

    Returns:
        int: Annotated frames of the test videos.
    """
    person, objects, keys = {}, {}, []
    total = num_videos + train_videos
    lengths = rng.integers(
        3, int(2 * frames_per_video) - 2, size=total, endpoint=True)
    empty_kp = np.zeros((1, 17, 3), np.float32)
    for v in range(total):
        vid = f'V{v:05d}.mp4'
        split = 'test' if v < num_videos else 'train'
        for t in range(int(lengths[v])):
            key = f'{vid}/{t + 1:06d}.png'
            keys.append(key)
            px, py = rng.uniform(0, 200), rng.uniform(0, 100)
            person[key] = dict(
                bbox=np.array([[px, py, px + rng.uniform(60, 250),
                                py + rng.uniform(80, 160)]], np.float32),
                bbox_score=np.ones(1, np.float32),
                bbox_size=(WIDTH, HEIGHT),
                bbox_mode='xyxy',
                keypoints=empty_kp,
                keypoints_logits=np.zeros((1, 17), np.float32))
            num = int(rng.integers(1, 5, endpoint=True))
            classes = rng.choice(len(OBJECT_CLASSES) - 2, num, False) + 2
            objs = []
            for c in classes:
                name = OBJECT_CLASSES[c]
                small = rng.random() < 0.05
                w = rng.uniform(5, 15) if small else rng.uniform(16, 200)
                h = rng.uniform(16, 150)
                box = (float(rng.uniform(0, WIDTH - w)),
                       float(rng.uniform(0, HEIGHT - h)), float(w), float(h))
                objs.append(
                    dict(
                        bbox=box,
                        attention_relationship=[
                            ATTENTION_PREDICATES[rng.integers(3)]
                        ],
                        spatial_relationship=[
                            SPATIAL_PREDICATES[i] for i in rng.choice(
                                6, rng.integers(1, 2, endpoint=True), False)
                        ],
                        contacting_relationship=[
                            CONTACTING_PREDICATES[i] for i in rng.choice(
                                17, rng.integers(1, 2, endpoint=True), False)
                        ],
                        metadata=dict(
                            tag=f"{vid}/{name.replace('/', '_')}/{t:06d}",
                            set=split),
                        visible=True,
                        **{'class': name}))
            objects[key] = objs
    write_annotations(root, person, objects, keys)
    return int(lengths[:num_videos].sum())


def make_predictions(data_list: list, pairs: int,
                     rng: np.random.Generator) -> list:
    """SGDet-like predictions for every GT frame (see module doc).

    Args:
        data_list (list[dict]): ``load_action_genome`` videos (``images``
            with ``frame_key``, ``instances`` and ``relations``).
        pairs (int): Person-object pairs P per frame (at least the most GT
            objects of a frame minus one).
        rng (np.random.Generator): Random source.

    Returns:
        list[dict]: One prediction per frame: ``bboxes`` (P + 1, 4),
        ``labels`` and ``scores`` (P + 1, ), ``pair_inds`` (P, 2),
        ``attention_scores`` (P, 3), ``spatial_scores`` (P, 6) and
        ``contacting_scores`` (P, 17).
    """
    frames = [f for video in data_list for f in video['images']]
    num = len(frames)
    gt_counts = np.array([len(f['instances']) for f in frames])
    if gt_counts.max() > pairs + 1:
        raise ValueError(f'--pairs must be >= {gt_counts.max() - 1}')
    gt_boxes = np.array(
        [i['bbox'] for f in frames for i in f['instances']], np.float32)
    gt_labels = np.array(
        [i['bbox_label'] for f in frames for i in f['instances']], np.int64)
    per = pairs + 1  # person + one object per pair
    boxes = np.empty((num, per, 4), np.float32)
    xy = rng.uniform(0, [WIDTH - 40, HEIGHT - 40], size=(num, per, 2))
    boxes[..., :2] = xy
    boxes[..., 2:] = xy + rng.uniform(16, 120, size=(num, per, 2))
    labels = rng.integers(2, len(OBJECT_CLASSES), size=(num, per))
    labels[:, 0] = 1
    # Jittered GT boxes in the first slots; 20 % wrong object labels.
    slot = np.concatenate([np.arange(c) for c in gt_counts])
    row = np.repeat(np.arange(num), gt_counts)
    size = gt_boxes[:, 2:] - gt_boxes[:, :2]
    jitter = rng.normal(0, 0.12, size=(len(row), 4)) * np.tile(size, 2)
    jittered = gt_boxes + jitter.astype(np.float32)
    jittered[:, 2:] = np.maximum(jittered[:, 2:], jittered[:, :2] + 1)
    boxes[row, slot] = jittered
    wrong = (rng.random(len(row)) < 0.2) & (slot > 0)
    labels[row, slot] = np.where(
        wrong, rng.integers(2, len(OBJECT_CLASSES), len(row)), gt_labels)
    scores = rng.uniform(0.3, 1.0, size=(num, per)).astype(np.float32)
    logits = rng.normal(-2, 3, size=(num, pairs, 26))
    for f, frame in enumerate(frames):  # boost the GT predicates
        for rel in frame['relations']:
            j = rel['object'] - 1
            logits[f, j, rel['attention']] += 4
            logits[f, j, 3 + np.asarray(rel['spatial'], int)] += 6
            logits[f, j, 9 + np.asarray(rel['contacting'], int)] += 6
    att = np.exp(logits[..., :3])
    att = (att / att.sum(-1, keepdims=True)).astype(np.float32)
    sig = (1 / (1 + np.exp(-logits[..., 3:]))).astype(np.float32)
    pair_inds = np.stack(
        [np.zeros(pairs, np.int64), np.arange(1, pairs + 1)], 1)
    return [
        dict(frame_key=frame['frame_key'], bboxes=boxes[f],
             labels=labels[f], scores=scores[f], pair_inds=pair_inds,
             attention_scores=att[f], spatial_scores=sig[f, :, :6],
             contacting_scores=sig[f, :, 6:]) for f, frame in enumerate(frames)
    ]


def time_cli(root: str, pred_file: str, json_file: str,
             eval_sgg: str = EVAL_SGG, own_tree: bool = False) -> dict:
    """Run eval_sgg.py in a subprocess; return wall and CPU time, peak RSS.

    The CPU time (user + system) of the subprocess is what the wall time
    would be on an otherwise idle machine (the evaluation is single
    threaded); report both when other jobs share the cores.

    Args:
        root (str): Annotation root (``annotations/``).
        pred_file (str): Prediction pickle.
        json_file (str): Where the CLI writes its metrics.
        eval_sgg (str): The CLI script.
        own_tree (bool): Run it with its repository root (three folders
            up) first on ``PYTHONPATH``, so that it imports its own
            ``vost``. Defaults to False.

    Returns:
        dict: ``wall_s``, ``cpu_s`` (rounded to 0.01 s), ``peak_rss_mb``,
        ``metrics`` (the CLI's JSON) and ``stdout``.
    """
    cmd = [sys.executable, eval_sgg, root, pred_file, '--task', 'sgdet',
           '--json', json_file]
    env = None
    if own_tree:
        tree = osp.dirname(osp.dirname(osp.dirname(osp.abspath(eval_sgg))))
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [tree, os.environ.get('PYTHONPATH', '')]))
    res = run_with_rusage(cmd, env=env)
    if res['returncode']:
        raise RuntimeError(f'{" ".join(cmd)} failed:\n{res["stdout"]}\n'
                           f'{res["stderr"]}')
    with open(json_file) as f:
        metrics = json.load(f)
    return dict(wall_s=round(res['wall_s'], 2),
                cpu_s=round(res['cpu_s'], 2),
                peak_rss_mb=round(res['maxrss_kb'] / 1024), metrics=metrics,
                stdout=res['stdout'])


def _time_scale(args: argparse.Namespace, work: str,
                scale: float) -> List[dict]:
    """Generate one scale's case and time the CLI for every ``--pairs``."""
    rng = np.random.default_rng(args.seed)
    root = osp.join(work, f'ag_{scale:g}')
    videos = max(1, round(args.videos * scale))
    t = time.perf_counter()
    keys = make_annotations(root, videos, args.frames_per_video, rng,
                            round(args.train_videos * scale))
    data_list, _ = load_action_genome(root, 'test', 'sgdet')
    print(f'scale {scale:g}: {videos} test videos, {keys} annotated '
          f'test frames generated in {time.perf_counter() - t:.1f} s')
    rows = []
    for pairs in args.pairs:
        preds = make_predictions(data_list, pairs, rng)
        pred_file = osp.join(work, f'pred_{scale:g}_{pairs}.pkl')
        with open(pred_file, 'wb') as f:
            pickle.dump(preds, f, protocol=pickle.HIGHEST_PROTOCOL)
        del preds
        row = _time_setting(args, root, pred_file,
                            osp.join(work, f'm_{scale:g}_{pairs}'))
        m = row.pop('metrics')
        rows.append(dict(scale=scale, videos=videos,
                         frames=m['num_frames'], pairs=pairs,
                         with_R20=m['with/R@20'], no_R50=m['no/R@50'],
                         **row))
    return rows


def _max_difference(a: dict, b: dict) -> float:
    """Largest absolute difference between two metric JSONs (numbers at
    equal keys, nested); infinite when their keys or other values differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return float('inf')
        return max([_max_difference(a[k], b[k]) for k in a] + [0.0])
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b)
    return 0.0 if a == b else float('inf')


def _time_setting(args: argparse.Namespace, root: str, pred_file: str,
                  prefix: str) -> dict:
    """Median wall / CPU time and the peak RSS over ``--repeats`` runs of
    the CLI (alternating with ``--baseline``'s runs when given)."""
    import statistics
    runs = dict(cli=[], baseline=[])
    for _ in range(args.repeats):
        runs['cli'].append(time_cli(root, pred_file, prefix + '.json',
                                    args.eval_sgg))
        if args.baseline:
            runs['baseline'].append(
                time_cli(root, pred_file, prefix + '_baseline.json',
                         args.baseline, own_tree=True))
    print(runs['cli'][-1]['stdout'])
    row = {}
    for name, res in runs.items():
        if not res:
            continue
        pre = '' if name == 'cli' else 'baseline_'
        row[pre + 'wall_s'] = statistics.median(r['wall_s'] for r in res)
        row[pre + 'cpu_s'] = statistics.median(r['cpu_s'] for r in res)
        row[pre + 'peak_rss_mb'] = max(r['peak_rss_mb'] for r in res)
    row['metrics'] = runs['cli'][-1]['metrics']
    if args.baseline:
        row['wall_ratio'] = row['wall_s'] / row['baseline_wall_s']
        row['max_metric_difference'] = _max_difference(
            row['metrics'], runs['baseline'][-1]['metrics'])
    return row


def run(args: argparse.Namespace) -> List[dict]:
    """Generate the cases, time the CLI and print a summary table.

    Args:
        args (Namespace): The parsed options.

    Returns:
        list[dict]: One row per (scale, pairs): ``scale``, ``videos``,
        ``frames`` (evaluated), ``pairs``, ``wall_s``, ``cpu_s``,
        ``peak_rss_mb``, ``with_R20`` and ``no_R50``; also written to
        ``--json``.
    """
    work = args.work_dir or tempfile.mkdtemp(prefix='vost_bench_eval_')
    rows = []
    try:
        for scale in sorted(args.scales):
            rows += _time_scale(args, work, scale)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)
    print(f'load average (1, 5, 15 min): {os.getloadavg()}')
    print(f"{'videos':>7} {'frames':>7} {'pairs':>5} {'wall s':>7} "
          f"{'cpu s':>6} {'peak MB':>8} {'with R@20':>9} {'no R@50':>8}")
    for r in rows:
        print(f"{r['videos']:>7} {r['frames']:>7} {r['pairs']:>5} "
              f"{r['wall_s']:>7.2f} {r['cpu_s']:>6.2f} {r['peak_rss_mb']:>8} "
              f"{100 * r['with_R20']:>9.2f} {100 * r['no_R50']:>8.2f}")
        if 'wall_ratio' in r:
            print(f"{'':>21} baseline {r['baseline_wall_s']:.2f} s wall, "
                  f"{r['baseline_cpu_s']:.2f} s CPU, "
                  f"{r['baseline_peak_rss_mb']} MB: ratio "
                  f"{r['wall_ratio']:.2f}x (medians of {args.repeats}, "
                  'alternating); largest metric difference '
                  f"{r['max_metric_difference']:.1e}")
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(rows, f, indent=1)
    return rows
