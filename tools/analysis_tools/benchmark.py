"""Benchmarks of VOST, one mode per stage (in the shape of mmdet's tool).

Usage::

    python tools/analysis_tools/benchmark.py MODE [options]
    python tools/analysis_tools/benchmark.py MODE --help

Modes (implementations in ``benchmark_modes/`` beside this tool, one module
each):

- ``spatial CONFIG``: the spatial model beside mmdet's DETR at the same
  size (inference, paired ratio, train and predict steps, peak memory),
  e.g. ``spatial CONFIG --iters 40 --warmup 5`` (docs/results.md);
- ``temporal CONFIG``: stage-2 and joint train steps, whole-video inference
  with and without the frame cache (docs/temporal.md);
- ``vlm``: the VLM encoder online against its feature cache (docs/vlm.md);
- ``data``: the annotation loader at real Action Genome size and the
  synthetic generator (docs/synthetic_action_genome.md);
- ``eval``: ``eval_sgg.py`` at Action Genome scale, timed in a child
  process (docs/evaluation.md). This mode runs on numpy modules only, as
  ``eval_sgg.py`` does.

Every ``--json`` also records the machine (``machine``: CPU model, torch's
CPU capability, versions, threads, device;
:mod:`vost.utils.machine_info`); the ``eval`` mode's rows each hold it.
"""
import argparse
import importlib
import os.path as osp
import sys

#: Modes loaded with the heavy package ``__init__`` files skipped.
NUMPY_ONLY_MODES = ('eval', )

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # benchmark_modes


def _use_numpy_only_packages() -> None:
    from eval_sgg import use_numpy_only_packages
    use_numpy_only_packages(extra=('vost.utils', ))


def parse_args(argv):
    """Parse the command line; import the modules of the modes it needs.

    Args:
        argv (list[str]): The arguments after the tool's name.

    Returns:
        tuple: ``(args, module)``, the parsed options and the mode's module.
    """
    from benchmark_modes import MODES
    modes = list(MODES)
    if argv[:1] and argv[0] in NUMPY_ONLY_MODES:
        modes = argv[:1]  # the other modes' modules import torch
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest='mode', metavar='MODE', required=True)
    modules = {}
    for name in modes:
        modules[name] = importlib.import_module(f'benchmark_modes.{name}')
        modules[name].add_arguments(
            sub.add_parser(
                name, help=MODES[name], description=modules[name].__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter))
    args = parser.parse_args(argv)
    return args, modules[args.mode]


def main(argv=None):
    """Run the mode named on the command line and return its figures."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] and argv[0] in NUMPY_ONLY_MODES:
        _use_numpy_only_packages()
    args, module = parse_args(argv)
    # how to rerun this mode (the spatial mode runs each part in its own
    # process)
    args.command = [sys.executable, osp.abspath(__file__)] + argv
    result = module.run(args)
    # which machine made the numbers (the parent, not a part's child
    # process, writes the JSON)
    if getattr(args, 'json', None) and not getattr(args, 'only', None):
        from vost.utils.machine_info import (add_machine_info,
                                             attach_machine_info)
        attach_machine_info(
            result, add_machine_info(args.json, getattr(args, 'device',
                                                        None)))
    return result


if __name__ == '__main__':
    main()
