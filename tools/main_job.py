"""The main job: train and evaluate VOST on synthetic Action Genome (CPU).

Usage (the README's first command runs it after the install)::

    python tools/main_job.py [--config CONFIG] [--work-dir DIR]

Steps, each through the project's own tools, as a user would run them:

1. generate the synthetic Action Genome data set (if absent) with
   ``tools/dataset_converters/make_synthetic_ag.py``;
2. write the tiny random-weight VLM (if the config needs one and it is
   absent) with ``tools/misc/make_tiny_vlm.py``;
3. train with ``tools/train.py``;
4. test the last checkpoint with ``tools/test.py --out`` and evaluate the
   predictions with ``tools/analysis_tools/eval_sgg.py``;
5. evaluate two baselines the same way: the untrained model (random
   initialisation, same config) and the frequency baseline
   (``tools/analysis_tools/frequency_baseline.py``: training-set predicate
   frequencies per object class, on the trained model's boxes for
   SGDet/SGCls and on GT boxes for PredCls);
6. print the table (with / semi / no constraint, R@10/20/50 and
   mR@10/20/50 in %) and write ``{work_dir}/main_job_results.json``.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = 'configs/vost/vost_r18_1xb8-2e_synthetic-ag-sgdet.py'
TINY_VLM = 'data/tiny_clip'
KS = (10, 20, 50)
CONSTRAINTS = ('with', 'semi', 'no')


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--work-dir', default='work_dirs/main_job')
    parser.add_argument('--data-root', default='data/synthetic_ag',
                        help='must match the config\'s data_root')
    parser.add_argument('--videos', type=int, default=1000)
    parser.add_argument('--frames', type=int, default=10)
    parser.add_argument('--size', type=int, nargs=2, default=(256, 256))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed to tools/train.py and tools/test.py')
    parser.add_argument('--no-baselines', action='store_true')
    parser.add_argument('--prepare-only', action='store_true',
                        help='only generate the data and the tiny VLM')
    return parser.parse_args(argv)


def run(cmd, log_name=None, work_dir=None):
    """Run a project tool, streaming its output; stop on failure."""
    print(f'\n$ {" ".join(cmd)}', flush=True)
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    start = time.time()
    proc = subprocess.run(cmd, cwd=REPO, env=env)
    if proc.returncode != 0:
        sys.exit(f'main job: step failed ({proc.returncode}): '
                 f'{" ".join(cmd)}')
    return time.time() - start


def task_of(config: str) -> str:
    """The config's task (sgdet, sgcls or predcls)."""
    for task in ('predcls', 'sgcls', 'sgdet'):
        if task in osp.basename(config):
            return task
    return 'sgdet'


def tiny_vlm_dir(config: str):
    """The tiny random-weight VLM folder the resolved config loads, if any.

    Only the documented location ``data/tiny_clip`` counts: a missing folder
    of a real checkpoint must fail, not be replaced by random weights.
    """
    import vost  # noqa: F401  (lets mmengine resolve vost:: bases)
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, config))
    vlm = cfg.model.get('vlm_encoder') or {}
    name = osp.normpath(str(vlm.get('model_name', '')))
    return name if name == osp.normpath(TINY_VLM) else None


def existing_videos(data_root: str):
    """Number of videos in an existing data set's ``frame_list.txt``, or
    None when there is no data set at ``data_root``."""
    frame_list = osp.join(data_root, 'annotations', 'frame_list.txt')
    if not osp.isfile(frame_list):
        return None
    with open(frame_list) as f:
        return len({line.split('/')[0] for line in f if line.strip()})


def evaluate(data_root, preds, task, out_json):
    """Evaluate a prediction file with the CLI and read its JSON."""
    run([
        sys.executable, 'tools/analysis_tools/eval_sgg.py', data_root, preds,
        '--task', task, '--json', out_json
    ])
    with open(out_json) as f:
        return json.load(f)


def print_table(rows):
    """Print R@K / mR@K per constraint for every evaluated model."""
    cols = [f'{c}/R@{k}' for c in CONSTRAINTS for k in KS] + \
        [f'{c}/mR@{k}' for c in CONSTRAINTS for k in KS]
    name_w = max(len(n) for n in rows) + 2
    print('\nScene-graph recall in % on the synthetic Action Genome test '
          'split')
    for group in (cols[:9], cols[9:]):
        print(f'{"":{name_w}s}' + ''.join(f'{c:>11s}' for c in group))
        for name, metrics in rows.items():
            print(f'{name:{name_w}s}' + ''.join(
                f'{100 * metrics[c]:11.2f}' for c in group))


def main(argv=None):
    """Run the whole job."""
    args = parse_args(argv)
    t0 = time.time()
    work_dir = args.work_dir
    os.makedirs(work_dir, exist_ok=True)
    task = task_of(args.config)
    timings = {}

    num_videos = existing_videos(args.data_root)
    if num_videos is None:
        timings['generate_data'] = run([
            sys.executable, 'tools/dataset_converters/make_synthetic_ag.py',
            args.data_root, '--videos', str(args.videos), '--frames',
            str(args.frames), '--seed', str(args.seed), '--size',
            *map(str, args.size)
        ])
    elif num_videos != args.videos:
        sys.exit(f'main job: {args.data_root} holds {num_videos} videos, '
                 f'not --videos {args.videos} (an older data set?): '
                 'remove it to regenerate, or pass --videos '
                 f'{num_videos}')
    else:
        print(f'main job: using the existing data in {args.data_root} '
              f'({num_videos} videos)')

    tiny_vlm = tiny_vlm_dir(args.config)
    if tiny_vlm is not None and not osp.isdir(osp.join(REPO, tiny_vlm)):
        run([
            sys.executable, 'tools/misc/make_tiny_vlm.py', tiny_vlm,
            '--family', 'clip'
        ])

    if args.prepare_only:
        return None
    opts = ['--cfg-options', *args.cfg_options] if args.cfg_options else []
    timings['train'] = run([
        sys.executable, 'tools/train.py', args.config, '--work-dir', work_dir,
        *opts
    ])
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()

    rows = {}
    preds = osp.join(work_dir, 'predictions.pkl')
    timings['test'] = run([
        sys.executable, 'tools/test.py', args.config, checkpoint, '--out',
        preds, '--work-dir', work_dir, *opts
    ])
    rows['VOST (trained)'] = evaluate(args.data_root, preds, task,
                                      osp.join(work_dir, 'metrics.json'))

    if not args.no_baselines:
        untrained = osp.join(work_dir, 'untrained.pth')
        run([
            sys.executable, '-c',
            'import sys, torch; from vost.apis import init_sg_model; '
            'torch.manual_seed(0); m = init_sg_model(sys.argv[1]); '
            'torch.save({"state_dict": m.state_dict(), "meta": {}}, '
            'sys.argv[2])', args.config, untrained
        ])
        untrained_preds = osp.join(work_dir, 'predictions_untrained.pkl')
        run([
            sys.executable, 'tools/test.py', args.config, untrained, '--out',
            untrained_preds, '--work-dir',
            osp.join(work_dir, 'untrained'), *opts
        ])
        rows['untrained model'] = evaluate(
            args.data_root, untrained_preds, task,
            osp.join(work_dir, 'metrics_untrained.json'))

        freq_preds = osp.join(work_dir, 'predictions_frequency.pkl')
        freq_cmd = [
            sys.executable, 'tools/analysis_tools/frequency_baseline.py',
            args.data_root, '--task', task, '--out', freq_preds
        ]
        if task != 'predcls':
            freq_cmd += ['--detections', preds]
        run(freq_cmd)
        rows['frequency baseline'] = evaluate(
            args.data_root, freq_preds, task,
            osp.join(work_dir, 'metrics_frequency.json'))

    timings['total'] = time.time() - t0
    results = dict(
        config=args.config, task=task, data_root=args.data_root,
        checkpoint=checkpoint, seconds=timings, metrics=rows)
    out_json = osp.join(work_dir, 'main_job_results.json')
    with open(out_json, 'w') as f:
        json.dump(results, f, indent=2)
    print_table(rows)
    print('\ntimes (s): ' + ', '.join(f'{k} {v:.0f}'
                                       for k, v in timings.items()))
    print(f'metrics JSON: {osp.abspath(out_json)}')
    return results


if __name__ == '__main__':
    main()
