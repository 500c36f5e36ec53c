"""Test (evaluate) a VOST checkpoint (mmdet's tools/test.py shape)."""
import argparse
import os
import os.path as osp
import sys

from mmengine.config import Config, ConfigDict, DictAction
from mmengine.runner import Runner

from vost.ag_format import AGAnnotationError
from vost.engine.gt_source_check import GTSourceError
from vost.registry import RUNNERS  # vost's: finds SGRunner (runner_type)
from vost.utils import (adapt_cfg_for_device, register_all_modules,
                        setup_cpu_distributed)
from vost.engine.cfg_options import check_cfg_options
from vost.utils.checkpoint_files import CheckpointError
from vost.utils.work_dir import check_work_dir


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Evaluate a VOST checkpoint on Action Genome')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out',
        type=str,
        help='dump the predictions to a pickle file in the prediction file '
        'format (docs/evaluation.md), readable by '
        'tools/analysis_tools/eval_sgg.py')
    parser.add_argument(
        '--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where painted frames will be saved; relative paths '
        'are inside the timestamped folder of the work dir')
    parser.add_argument(
        '--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed-precision inference (mmengine TestLoop fp16: float16 '
        'autocast on CUDA, bfloat16 on the CPU); predictions stay float32')
    parser.add_argument(
        '--allow-partial-load',
        action='store_true',
        help='load a checkpoint that does not fit the model (missing, '
        'unexpected or differently shaped weights stay at their initial '
        'values, with a warning); by default that is an error')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (tools/dist_test.sh uses pytorch)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def trigger_visualization_hook(cfg, args):
    """Turn on the visualization hook for ``--show`` / ``--show-dir``."""
    default_hooks = cfg.default_hooks
    if 'visualization' not in default_hooks:
        raise RuntimeError(
            'VisualizationHook must be included in default_hooks. '
            'Refer to the `visualization=...` entry of '
            'configs/_base_/default_runtime.py.')
    visualization_hook = default_hooks['visualization']
    visualization_hook['draw'] = True
    if args.show:
        visualization_hook['show'] = True
        visualization_hook['wait_time'] = args.wait_time
    if args.show_dir:
        visualization_hook['test_out_dir'] = args.show_dir
    return cfg


def build_cfg(args) -> Config:
    """Load the config and apply the command-line options."""
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        try:  # refuse options that change nothing, or of the wrong type
            check_cfg_options(cfg, args.cfg_options, args.config)
        except (KeyError, ValueError) as exc:
            sys.exit(f'error: {exc.args[0]}')
        cfg.merge_from_dict(args.cfg_options)

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    try:  # a file there: refused before anything is built
        check_work_dir(cfg.work_dir)
    except NotADirectoryError as exc:
        sys.exit(f'error: {exc}')
    cfg.load_from = args.checkpoint

    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)
    if args.amp:
        cfg.test_cfg.fp16 = True

    if args.out is not None:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ValueError('--out must name a .pkl or .pickle file, got '
                             f'{args.out!r}')
        dump = ConfigDict(type='DumpSGPredictions', out_file_path=args.out)
        if isinstance(cfg.test_evaluator, (list, tuple)):
            cfg.test_evaluator = list(cfg.test_evaluator) + [dump]
        else:
            cfg.test_evaluator = [cfg.test_evaluator, dump]

    adapt_cfg_for_device(cfg)
    return cfg


def main():
    """Build the runner from the config and run the test loop."""
    args = parse_args()
    register_all_modules(init_default_scope=False)
    setup_cpu_distributed(args.launcher)
    cfg = build_cfg(args)

    try:
        if 'runner_type' not in cfg:
            runner = Runner.from_cfg(cfg)
        else:
            runner = RUNNERS.build(cfg)
        runner.allow_partial_load = args.allow_partial_load  # SGRunner's
        runner.test()
    except (CheckpointError, GTSourceError, AGAnnotationError,
            FileNotFoundError) as exc:  # each names the file or key
        sys.exit(f'error: {exc}')


if __name__ == '__main__':
    main()
