"""The modes of ``tools/analysis_tools/benchmark.py``, one module each
(the tool puts its folder on ``sys.path`` and imports
``benchmark_modes.NAME``).

Each mode module has ``add_arguments(parser)`` (its options) and
``run(args)`` (measure, print, write ``--json``, return the figures); the
shared timers are in :mod:`.timing`. This ``__init__`` imports none of them,
so that the tool loads the ``eval`` mode (numpy modules only) without torch.
"""

__all__ = ['MODES']

#: Mode name -> one-line help (the module is ``benchmark_modes.NAME``).
MODES = {
    'spatial': 'spatial model vs mmdet DETR: inference, paired ratio, '
    'train and predict steps, peak memory',
    'temporal': 'temporal stage: stage-2 and joint train steps, '
    'whole-video inference with and without the frame cache',
    'full': 'full VOST (VLM of real size, cached and online) and its '
    'temporal key frame vs mmdet DETR-R50 at AG size; train steps',
    'vlm': 'VLM encoder online (vision tower) vs its feature cache',
    'data': 'Action Genome annotation loader at real size, synthetic '
    'generator speed',
    'eval': 'evaluation CLI (eval_sgg.py) at Action Genome scale, in a '
    'child process',
}
