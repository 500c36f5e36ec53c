"""Train a VOST model (mmdet's tools/train.py, plus the CPU fixes)."""
import argparse
import logging
import os
import os.path as osp
import sys

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from vost.ag_format import AGAnnotationError
from vost.engine.gt_source_check import GTSourceError
from vost.registry import RUNNERS  # vost's: finds SGRunner (runner_type)
from vost.utils import (adapt_cfg_for_device, register_all_modules,
                        setup_cpu_distributed)
from vost.engine.cfg_options import check_cfg_options
from vost.utils.checkpoint_files import CheckpointError
from vost.utils.work_dir import (WorkDirBusyError, check_work_dir,
                                 lock_work_dir)


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description='Train a VOST model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='mixed precision: float16 with loss scaling on CUDA '
        '(AmpOptimWrapper), bfloat16 autocast on the CPU '
        '(CPUAutocastOptimWrapper)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate by the actual batch size')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from the given checkpoint, or, without a path, from the '
        'latest checkpoint in the work dir')
    parser.add_argument(
        '--seed',
        type=int,
        default=None,
        help='random seed (sets randomness.seed; the configs default to 0)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings in the config, key=value pairs such as '
        '"train_cfg.max_epochs=2"')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher (tools/dist_train.sh uses pytorch)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def build_cfg(args) -> Config:
    """Load the config and apply the command-line overrides."""
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.seed is not None:
        cfg.merge_from_dict(dict(randomness=dict(seed=args.seed)))
    if args.cfg_options is not None:  # applied last: they win
        try:  # refuse options that change nothing, or of the wrong type
            check_cfg_options(cfg, args.cfg_options, args.config)
        except (KeyError, ValueError) as exc:
            sys.exit(f'error: {exc.args[0]}')
        cfg.merge_from_dict(args.cfg_options)
    seed = cfg.get('randomness', {}).get('seed')
    print_log(f'seed: {seed} (randomness={dict(cfg.get("randomness", {}))})',
              logger='current')

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    try:  # a file there: refused before anything is built
        check_work_dir(cfg.work_dir)
    except NotADirectoryError as exc:
        sys.exit(f'error: {exc}')

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.type
        if optim_wrapper == 'AmpOptimWrapper':
            print_log(
                'AMP training is already enabled in your config.',
                logger='current',
                level=logging.WARNING)
        else:
            assert optim_wrapper == 'OptimWrapper', (
                '`--amp` is only supported when the optimizer wrapper type '
                f'is `OptimWrapper` but got {optim_wrapper}.')
            if torch.cuda.is_available():  # float16, dynamic loss scale
                cfg.optim_wrapper.type = 'AmpOptimWrapper'
                cfg.optim_wrapper.loss_scale = 'dynamic'
            else:  # bfloat16 autocast (vost/engine/optim_wrappers.py)
                cfg.optim_wrapper.type = 'CPUAutocastOptimWrapper'

    if args.auto_scale_lr:
        if 'auto_scale_lr' in cfg and 'enable' in cfg.auto_scale_lr and \
                'base_batch_size' in cfg.auto_scale_lr:
            cfg.auto_scale_lr.enable = True
        else:
            raise RuntimeError('Cannot find "auto_scale_lr" or '
                               '"auto_scale_lr.enable" or '
                               '"auto_scale_lr.base_batch_size" in your'
                               ' configuration file.')

    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume

    adapt_cfg_for_device(cfg)
    return cfg


def main():
    """Build the runner from the config and train."""
    args = parse_args()
    register_all_modules(init_default_scope=False)
    setup_cpu_distributed(args.launcher)
    cfg = build_cfg(args)
    try:  # one training per work dir (vost/utils/work_dir.py)
        lock = lock_work_dir(cfg.work_dir)
    except (WorkDirBusyError, NotADirectoryError) as exc:
        sys.exit(f'error: {exc}')

    try:
        if 'runner_type' not in cfg:
            runner = Runner.from_cfg(cfg)
        else:
            runner = RUNNERS.build(cfg)
        runner.train()
    except (CheckpointError, GTSourceError, AGAnnotationError,
            FileNotFoundError) as exc:  # each names the file or key
        sys.exit(f'error: {exc}')
    finally:
        if lock is not None:
            lock.release()


if __name__ == '__main__':
    main()
