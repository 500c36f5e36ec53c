"""The main job: train and evaluate VOST on synthetic Action Genome (CPU).

Usage (the README's first command runs it after the install)::

    python tools/main_job.py [--config CONFIG] [--work-dir DIR]

Steps, each through the project's own tools, as a user would run them:

1. generate the synthetic Action Genome data set (if absent; the video
   world unless ``--world simple``) with
   ``tools/dataset_converters/make_synthetic_ag.py``;
2. make the tiny VLM the config loads, if absent: the CLIP pretrained on a
   separate synthetic set (the world's web set, data seed 1000, train split
   only; the default config's ``data/tiny_clip_synthetic``) with
   ``tools/misc/pretrain_tiny_vlm.py``, or the random-weight one
   (``data/tiny_clip``, the ablation row) with ``tools/misc/make_tiny_vlm.py``;
3. train with ``tools/train.py --seed SEED`` (seed 0 unless ``--seed``;
   ``--checkpoint`` skips training and tests that checkpoint). A stage-2
   config (the default, full VOST) names its ``stage1_config``: without a
   ``load_from`` option that config is trained first (``{work_dir}/stage1``,
   same seed) and tested as the paired "VOST spatial" row, then stage 2
   trains from its checkpoint; ``--train-share`` / ``--train-videos`` train
   both on a subset of the training videos;
4. test the last checkpoint with ``tools/test.py --out`` and evaluate the
   predictions with ``tools/analysis_tools/eval_sgg.py``;
5. with an online VLM (SGDet/SGCls), test the same checkpoint once more
   with the VLM's zero-shot box classes ensembled into the detector's
   (``model.test_cfg.vlm_class_weight``, our addition: docs/vlm.md);
6. evaluate two baselines the same way: the untrained model (random
   initialisation, same config) and the frequency baseline
   (``tools/analysis_tools/frequency_baseline.py``: training-set predicate
   frequencies per object class, on the trained model's boxes for
   SGDet/SGCls and on GT boxes for PredCls);
7. print the table (with / semi / no constraint, R@10/20/50 and
   mR@10/20/50 in %) with the seed and write
   ``{work_dir}/main_job_results.json`` (metrics, seed, times).

``--data-root`` other than the config's points every run at that data set
(``--cfg-options``); ``--max-people K`` generates it with several people
(the several-people configs, whose metric option ``subjects`` is passed to
the evaluation).

The same seed and the same number of torch threads give the same numbers,
run after run (the CPU configs train with deterministic algorithms).
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

from vost.utils.atomic_io import atomic_write
from vost.utils.machine_info import machine_info

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from _main_job_settings import (data_root_options,  # noqa: E402
                                data_settings, load_config, subjects_of,
                                subset_args)
from _main_job_data import (data_record, existing_videos,  # noqa: E402,F401
                            prepare_data)
from _main_job_report import (evaluate, print_subset_table,  # noqa: E402
                              print_table, run, torch_threads,
                              world_args)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEFAULT_CONFIG = 'configs/vost/vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py'
TINY_VLM = 'data/tiny_clip'  # random weights (ablation row)
PRETRAINED_VLM = 'data/tiny_clip_synthetic'  # pretrained, the default
#: random-weight tiny VLMs the main job makes: folder -> make_tiny_vlm family
RANDOM_VLMS = {TINY_VLM: 'clip', 'data/tiny_qwen2_5_vl': 'qwen2_5_vl'}
VLM_PRETRAIN_DATA = 'data/synthetic_ag_vlm_pretrain'
VLM_PRETRAIN_SEED = 1000


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=DEFAULT_CONFIG)
    parser.add_argument('--work-dir', default='work_dirs/main_job')
    parser.add_argument('--data-root', default=None,
                        help="the data set (made if absent; default: the "
                        "config's data_root); another one is passed to the "
                        'runs with --cfg-options')
    parser.add_argument('--world', choices=('video', 'simple'),
                        default='video',
                        help='world of the generated data set (docs/'
                        'synthetic_action_genome.md)')
    parser.add_argument('--videos', type=int, default=None,
                        help='videos of the generated data set (default: '
                        '500 in the video world, 1000 in the simple one)')
    parser.add_argument('--frames', type=int, default=None,
                        help='key frames per video (default: 16 in the '
                        'video world, 10 in the simple one)')
    parser.add_argument('--size', type=int, nargs=2, default=None,
                        help='one frame size for every video (default: '
                        'varied in the video world, 256 256 in the simple '
                        'one)')
    parser.add_argument('--train-share', type=float, default=None,
                        help='train on this share of the training videos '
                        '(whole videos, drawn by --subset-seed; the '
                        "dataset's video_subset option)")
    parser.add_argument('--train-videos', type=int, default=None,
                        help='train on this number of training videos')
    parser.add_argument('--subset-seed', type=int, default=0,
                        help='seed of the training-video subset (the same '
                        'subset for every training seed)')
    parser.add_argument('--data-seed', type=int, default=0,
                        help='seed of the generated synthetic data set')
    parser.add_argument('--max-people', type=int, default=None,
                        help='people per video of the generated data set '
                        "(default: the config's synthetic_max_people, else "
                        '1)')
    parser.add_argument('--seed', type=int, default=0,
                        help='training seed (randomness.seed)')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='passed to tools/train.py and tools/test.py')
    parser.add_argument('--no-baselines', action='store_true')
    parser.add_argument(
        '--checkpoint', default=None,
        help='no training: test this checkpoint (e.g. a model trained on '
        'another --data-root)')
    parser.add_argument(
        '--vlm-class-weight', type=float, default=1 / 3,
        help='also test with the VLM box classes ensembled in at this '
        'weight (model.test_cfg.vlm_class_weight; ViLD\'s 1/3); 0: skip')
    parser.add_argument('--prepare-only', action='store_true',
                        help='only generate the data and the tiny VLM')
    args = parser.parse_args(argv)
    simple = args.world == 'simple'
    if args.videos is None:
        args.videos = 1000 if simple else 500
    if args.frames is None:
        args.frames = 10 if simple else 16
    if args.size is None and simple:
        args.size = [256, 256]
    if args.train_share is not None and args.train_videos is not None:
        parser.error('give --train-share or --train-videos, not both')
    return args


def subset_options(args) -> list:
    """``--cfg-options`` of the training-video subset (none: all)."""
    key = 'train_dataloader.dataset.video_subset'
    if args.train_share is not None:
        return [f'{key}.share={args.train_share}',
                f'{key}.seed={args.subset_seed}']
    if args.train_videos is not None:
        return [f'{key}.num={args.train_videos}',
                f'{key}.seed={args.subset_seed}']
    return []


def stage1_of(config: str):
    """The stage-1 config a stage-2 config names (``stage1_config``), or
    None."""
    return load_config(osp.join(REPO, config)).get('stage1_config')


def vlm_class_options(weight: float) -> list:
    """The ``--cfg-options`` of the test run with the VLM's box classes."""
    return [f'model.test_cfg.vlm_class_weight={weight}']


def task_of(config: str) -> str:
    """The config's task (sgdet, sgcls or predcls): its ``model.task``,
    the one place a config states it."""
    return load_config(osp.join(REPO, config)).model.get('task', 'sgdet')


def tiny_vlm_dir(config: str):
    """The tiny VLM folder the resolved config loads, if any.

    Only the documented locations count (``RANDOM_VLMS``, random weights;
    ``data/tiny_clip_synthetic``, pretrained): a missing folder of a real
    checkpoint must fail, not be replaced by a tiny model.
    """
    cfg = load_config(osp.join(REPO, config))
    vlm = cfg.model.get('vlm_encoder') or {}
    name = osp.normpath(str(vlm.get('model_name', '')))
    known = (*map(osp.normpath, RANDOM_VLMS), osp.normpath(PRETRAINED_VLM))
    return name if name in known else None


def make_vlm(vlm_dir: str):
    """Write the tiny VLM folder: the random one if absent; the pretrained
    one unless pretrained with the same settings already (the tool keeps
    it then)."""
    families = {osp.normpath(k): v for k, v in RANDOM_VLMS.items()}
    if vlm_dir in families:
        if osp.isdir(osp.join(REPO, vlm_dir)):
            print(f'main job: using the existing VLM {vlm_dir}')
            return 0.
        return run([
            sys.executable, 'tools/misc/make_tiny_vlm.py', vlm_dir,
            '--family', families[vlm_dir]
        ])
    return run([
        sys.executable, 'tools/misc/pretrain_tiny_vlm.py', vlm_dir,
        '--data-root', VLM_PRETRAIN_DATA, '--data-seed',
        str(VLM_PRETRAIN_SEED)
    ])


def seed_of(args) -> int:
    """The training seed: ``--seed``, or ``randomness.seed=`` in
    ``--cfg-options`` (which wins, as it is applied last)."""
    seed = args.seed
    for opt in args.cfg_options:
        if opt.startswith('randomness.seed='):
            seed = int(opt.split('=', 1)[1])
    return seed


def main(argv=None):
    """Run the whole job."""
    args = parse_args(argv)
    own_root, own_people = data_settings(osp.join(REPO, args.config))
    if args.data_root is None:
        args.data_root = own_root
    people_given = args.max_people is not None
    if not people_given:
        args.max_people = own_people if osp.normpath(
            args.data_root) == own_root else 1
    t0 = time.time()
    work_dir = args.work_dir
    os.makedirs(work_dir, exist_ok=True)
    task = task_of(args.config)
    timings = {}

    generated = prepare_data(args, own_root, people_given, run)
    if generated is not None:
        timings['generate_data'] = generated

    tiny_vlm = tiny_vlm_dir(args.config)
    if tiny_vlm is not None:
        timings['vlm'] = make_vlm(tiny_vlm)

    if args.prepare_only:
        return None
    seed = seed_of(args)
    cfg_options = [*data_root_options(osp.join(REPO, args.config),
                                     args.data_root),
                   *args.cfg_options]
    train_opts = cfg_options + subset_options(args)
    opts = ['--cfg-options', *cfg_options] if cfg_options else []
    rows = {}
    stage1 = stage1_of(args.config)
    if stage1 and (args.checkpoint or any(
            o.startswith('load_from=') for o in args.cfg_options)):
        stage1 = None  # stage 2 of a given checkpoint
    if stage1:
        # full VOST: stage 1 (the spatial model), then this stage 2 on its
        # checkpoint, both seeded by `seed`; the stage-1 model is tested
        # too (the paired spatial row)
        s1_dir = osp.join(work_dir, 'stage1')
        print(f'main job: stage 1 ({stage1}), training seed {seed}',
              flush=True)
        timings['train_stage1'] = run([
            sys.executable, 'tools/train.py', stage1, '--work-dir', s1_dir,
            '--seed', str(seed),
            *(['--cfg-options', *train_opts] if train_opts else [])
        ])
        with open(osp.join(s1_dir, 'last_checkpoint')) as f:
            s1_checkpoint = f.read().strip()
        s1_preds = osp.join(s1_dir, 'predictions.pkl')
        timings['test_stage1'] = run([
            sys.executable, 'tools/test.py', stage1, s1_checkpoint, '--out',
            s1_preds, '--work-dir', s1_dir, *opts
        ])
        rows['VOST spatial (stage 1)'] = evaluate(
            args.data_root, s1_preds, task,
            osp.join(s1_dir, 'metrics.json'), subjects_of(
                osp.join(REPO, stage1), args.cfg_options),
            subset_args(osp.join(REPO, stage1)) + world_args(args.data_root))
        train_opts = train_opts + [f'load_from={s1_checkpoint}']
    if args.checkpoint:
        print(f'main job: testing {args.checkpoint} (no training)')
        checkpoint, timings['train'] = args.checkpoint, 0.
    else:
        print(f'main job: training seed {seed}', flush=True)
        timings['train'] = run([
            sys.executable, 'tools/train.py', args.config, '--work-dir',
            work_dir, '--seed', str(seed),
            *(['--cfg-options', *train_opts] if train_opts else [])
        ])
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()

    preds = osp.join(work_dir, 'predictions.pkl')
    timings['test'] = run([
        sys.executable, 'tools/test.py', args.config, checkpoint, '--out',
        preds, '--work-dir', work_dir, *opts
    ])
    subjects = subjects_of(osp.join(REPO, args.config), args.cfg_options)
    subsets = subset_args(osp.join(REPO, args.config)) + world_args(
        args.data_root)
    rows['VOST (trained)'] = evaluate(args.data_root, preds, task,
                                      osp.join(work_dir, 'metrics.json'),
                                      subjects, subsets)
    if tiny_vlm is not None and task != 'predcls' and \
            args.vlm_class_weight > 0:
        # the same checkpoint with the VLM's box classes ensembled in
        # (docs/vlm.md, section 8: our addition, not the paper's)
        ens_preds = osp.join(work_dir, 'predictions_vlm_classes.pkl')
        ens_opts = ['--cfg-options', *cfg_options,
                    *vlm_class_options(args.vlm_class_weight)]
        timings['test_vlm_classes'] = run([
            sys.executable, 'tools/test.py', args.config, checkpoint,
            '--out', ens_preds, '--work-dir',
            osp.join(work_dir, 'vlm_classes'), *ens_opts
        ])
        rows[f'VOST + VLM box classes (w={args.vlm_class_weight:.2f})'] = \
            evaluate(args.data_root, ens_preds, task,
                     osp.join(work_dir, 'metrics_vlm_classes.json'),
                     subjects, subsets)

    if not args.no_baselines:
        untrained = osp.join(work_dir, 'untrained.pth')
        run([
            sys.executable, '-c',
            'import sys, torch; from vost.apis import init_sg_model; '
            'torch.manual_seed(int(sys.argv[3])); '
            'm = init_sg_model(sys.argv[1]); '
            'torch.save({"state_dict": m.state_dict(), "meta": {}}, '
            'sys.argv[2])', args.config, untrained, str(seed)
        ])
        untrained_preds = osp.join(work_dir, 'predictions_untrained.pkl')
        run([
            sys.executable, 'tools/test.py', args.config, untrained, '--out',
            untrained_preds, '--work-dir',
            osp.join(work_dir, 'untrained'), *opts
        ])
        rows['untrained model'] = evaluate(
            args.data_root, untrained_preds, task,
            osp.join(work_dir, 'metrics_untrained.json'), subjects)

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
            osp.join(work_dir, 'metrics_frequency.json'), subjects)

    timings['total'] = time.time() - t0
    results = dict(
        config=args.config, cfg_options=list(args.cfg_options), task=task,
        data_root=args.data_root,
        data_seed=args.data_seed, max_people=args.max_people,
        world=args.world,
        stage1_config=stage1,
        video_subset=subset_options(args),
        subjects=subjects, seed=seed, vlm=tiny_vlm,
        torch_threads=torch_threads(), checkpoint=checkpoint,
        seconds=timings, metrics=rows,
        machine=machine_info())  # numbers are bitwise per machine
    out_json = osp.join(work_dir, 'main_job_results.json')
    with atomic_write(out_json, 'w') as f:
        json.dump(results, f, indent=2)
    print_table(rows, seed)
    print_subset_table(rows)
    print('\ntimes (s): ' + ', '.join(f'{k} {v:.0f}'
                                       for k, v in timings.items()))
    print(f'metrics JSON: {osp.abspath(out_json)}')
    return results


if __name__ == '__main__':
    main()
