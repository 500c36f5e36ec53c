"""The full VOST and its temporal key frame beside mmdet's DETR-R50.

Example (the figures in docs/results.md)::

    python tools/analysis_tools/benchmark.py full --img-size 600 1000 \\
        --iters 5 --warmup 1

Every model has random weights (the time matters, not the weights); the
VLM is written by ``make_tiny_vlm`` at ``--vlm-arch`` size (CLIP ViT-B/16
by default: 224 px, 12 layers of width 768, 512-d joint space) and loaded
through its real ``from_pretrained`` path. Part ``paired`` builds, in one
process:

- ``detr_std``: mmdet's own ``detr/detr_r50_8xb2-150e_coco.py``, unchanged
  (ResNet-50, 6 encoder and 6 decoder layers, 100 queries): the baseline;
- ``detr_same``: the same DETR rebuilt at ``CONFIG``'s size (backbone,
  width, encoder depth, queries, decoder depth = VOST's instance plus
  relation decoders; the ``spatial`` mode's baseline);
- ``vost_cached``: ``CONFIG`` (the full VOST: VLM, dual-source queries,
  feature bank) reading the VLM features from their cache (written for the
  benchmark's frames first), one frame per call;
- ``vost_online``: the same with the VLM run on the frame;
- ``temporal_key``: ``--temporal-config`` in whole-video mode: a video of
  ``--video-frames`` frames, every frame a key frame, test clips in order in
  batches of the config's test batch size; the frame cache runs each frame
  through the spatial stages once (it is cleared before each call, so each
  call pays for its frames); VLM cached. Its time per call is divided by
  the key frames;

and times them alternately, one call each per round, ``--iters`` rounds
after ``--warmup``: the median ratios to ``detr_std`` are the figures.
Part ``train`` (its own process per config, so that the peak memory, max
RSS or peak CUDA memory, is its own) times a training step (forward,
backward, AdamW) of ``CONFIG`` and a stage-2 step (spatial model frozen)
of the temporal config, each at its config's training batch.
"""
import argparse
import copy
import json
import os.path as osp
import tempfile

import numpy as np
import torch
from mmengine.config import Config, DictAction

from .spatial import detr_config
from .timing import mean_time, paired_median_times, peak_rss_mb, \
    run_parts, setup_threads, synced

__all__ = ['PARTS', 'add_arguments', 'standard_detr_config', 'run']

#: The measurements, each run in its own process, in this order.
PARTS = ('paired', 'train_full', 'train_temporal')

CONFIG = 'configs/vost/vost_r50_8xb2-12e_ag-sgdet.py'
TEMPORAL_CONFIG = 'configs/vost/vost-temporal_r50_8xb2-6e_ag-sgdet.py'


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``full`` mode.

    Args:
        parser (ArgumentParser): The mode's (sub)parser.
    """
    from .vlm import ARCHS
    parser.add_argument('--config', default=CONFIG,
                        help=f'full VOST config (default: {CONFIG})')
    parser.add_argument('--temporal-config', default=TEMPORAL_CONFIG,
                        help='its temporal config (default: '
                        f'{TEMPORAL_CONFIG})')
    parser.add_argument('--vlm-arch', choices=list(ARCHS), default='vit-b16')
    parser.add_argument('--img-size', type=int, nargs=2, default=(600, 1000),
                        metavar=('H', 'W'))
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--train-iters', type=int, default=3)
    parser.add_argument('--video-frames', type=int, default=8,
                        help='frames (= key frames) of the temporal video')
    parser.add_argument('--objects', type=int, default=3,
                        help='objects per frame besides the person')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides of both VOST configs (e.g. '
                        'model.bbox_head.feature_bank.box_pooling=matmul)')
    parser.add_argument('--parts', nargs='+', choices=PARTS,
                        default=list(PARTS))
    parser.add_argument('--json', help='write the figures here')
    parser.add_argument('--only', choices=PARTS, help=argparse.SUPPRESS)
    parser.add_argument('--vlm-dir', help=argparse.SUPPRESS)


def standard_detr_config() -> Config:
    """mmdet's ``detr_r50_8xb2-150e_coco.py`` model, unchanged but for the
    backbone's pretrained init (random weights here)."""
    import mmdet
    detr = Config.fromfile(
        osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', 'detr',
                 'detr_r50_8xb2-150e_coco.py')).model
    detr.backbone.init_cfg = None
    detr['_scope_'] = 'mmdet'
    return detr


def _vlm_options(args, cache_dir=None) -> dict:
    """``--cfg-options`` pointing the config's VLM at the written one."""
    return {
        **(args.cfg_options or {}),
        'model.vlm_encoder.model_name': args.vlm_dir,
        'model.vlm_encoder.local_files_only': True,
        'model.vlm_encoder.cache_dir': cache_dir
    }


def _cfg(config: str, args: argparse.Namespace) -> Config:
    """A config with ``--cfg-options`` merged."""
    cfg = Config.fromfile(config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def _build(config: str, options: dict, device: str):
    """A config's model with freshly initialised weights (eval mode)."""
    from vost.apis import init_sg_model
    model = init_sg_model(config, cfg_options=options, device=device)
    model.init_weights()
    return model.eval()


def _write_cache(vlm, cache_dir: str, samples: list) -> None:
    """A VLM feature cache holding ``samples``' frames (random rows: the
    reading time matters, not the values)."""
    from vost.models.vlm import VLMFeatureCacheWriter
    keys = sorted({s.frame_key for s in samples})
    rng = np.random.default_rng(0)
    writer = VLMFeatureCacheWriter(cache_dir, keys, vlm.cache_settings(),
                                   vlm.embed_dims, vlm.grid_size)
    h, w = vlm.grid_size
    writer.write(
        keys,
        rng.standard_normal((len(keys), vlm.embed_dims), np.float32),
        rng.standard_normal((len(keys), vlm.embed_dims, h, w), np.float32))
    writer.close()


def _paired(args: argparse.Namespace) -> dict:
    """Median seconds per frame of the five models, timed alternately."""
    with tempfile.TemporaryDirectory() as tmp:
        return _paired_in(args, tmp)


def _paired_in(args: argparse.Namespace, tmp: str) -> dict:
    """:func:`_paired` with its VLM cache written under ``tmp``."""
    from mmdet.registry import MODELS as MMDET_MODELS

    from .spatial import _detr_inputs, _vost_inputs
    from .temporal import video_batches
    h, w = args.img_size
    dev = args.device
    online = _build(args.config, _vlm_options(args), dev)
    one = _vost_inputs(online, args)
    frames = [s for t in one['data_samples'] for s in t.video_data_samples]
    temporal_cfg = _cfg(args.temporal_config, args)
    sampler = temporal_cfg.test_dataloader.dataset.clip_sampler
    batches = video_batches(args.video_frames, sampler.num_ref_frames,
                            sampler.frame_range,
                            temporal_cfg.test_dataloader.batch_size,
                            (h, w))
    frames += [s for b in batches for t in b['data_samples']
               for s in t.video_data_samples]
    cache_dir = osp.join(tmp, 'vlm_cache')
    _write_cache(online.vlm_encoder, cache_dir, frames)
    cached = _build(args.config, _vlm_options(args, cache_dir), dev)
    cached.load_state_dict(online.state_dict())
    if online.vlm_encoder.cache is not None or \
            cached.vlm_encoder.cache is None:
        raise RuntimeError('full benchmark: the online VOST must run its VLM '
                           'and the cached one read the cache')
    temporal = _build(args.temporal_config, _vlm_options(args, cache_dir),
                      dev)
    if temporal.frame_cache is None:
        raise ValueError(f'{args.temporal_config}: the model has no frame '
                         'cache (model.temporal.frame_cache_size)')
    detr_std = MMDET_MODELS.build(standard_detr_config()).to(dev).eval()
    detr_same = MMDET_MODELS.build(detr_config(
        _cfg(args.config, args))).to(dev).eval()
    detr_data = _detr_inputs(detr_std, h, w)
    vost_data = online.data_preprocessor(one, False)
    keys = sum(len(b['data_samples']) for b in batches)
    seen = []
    hook = temporal.backbone.register_forward_hook(
        lambda m, a, out: seen.append(a[0].size(0)))

    def video():
        temporal.frame_cache.clear()
        seen.clear()
        for data in batches:
            temporal(**temporal.data_preprocessor(data, False),
                     mode='predict')

    calls = dict(
        detr_std=lambda: detr_std(**detr_data, mode='predict'),
        detr_same=lambda: detr_same(**detr_data, mode='predict'),
        vost_cached=lambda: cached(**vost_data, mode='predict'),
        vost_online=lambda: online(**vost_data, mode='predict'),
        temporal_video=video)
    with torch.no_grad():
        med = paired_median_times(
            {k: synced(dev, fn) for k, fn in calls.items()}, args.warmup,
            args.iters)
    hook.remove()
    med['temporal_key'] = med.pop('temporal_video') / keys
    out = {f'paired/{k}_s': v for k, v in med.items()}
    for k in ('detr_same', 'vost_cached', 'vost_online', 'temporal_key'):
        out[f'paired/{k}_over_detr_std'] = med[k] / med['detr_std']
    out['paired/vost_cached_over_detr_same'] = (
        med['vost_cached'] / med['detr_same'])
    out['temporal/key_frames'] = keys
    out['temporal/frames_computed'] = sum(seen)
    for name, model in (('detr_std', detr_std), ('detr_same', detr_same),
                        ('vost', online), ('temporal', temporal)):
        out[f'params_M/{name}'] = sum(
            p.numel() for p in model.parameters()) / 1e6
    out['params_M/vlm'] = sum(
        p.numel() for p in online.vlm_encoder._vlm.parameters()) / 1e6
    return out


def _train(args: argparse.Namespace, config: str, stage2: bool) -> dict:
    """Seconds per training step at the config's batch (VLM cached)."""
    from vost.testing import demo_sg_track_inputs
    cfg = _cfg(config, args)
    batch = cfg.train_dataloader.batch_size
    sampler = cfg.train_dataloader.dataset.get('clip_sampler')
    refs = sampler.num_ref_frames if sampler else 0
    data = demo_sg_track_inputs(
        batch_size=batch, num_frames=1 + refs, key_frame_ind=refs // 2,
        image_shapes=(3, *args.img_size), num_objects=args.objects)
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = osp.join(tmp, 'vlm_cache')
        probe = _build(config, _vlm_options(args), 'cpu')
        _write_cache(probe.vlm_encoder, cache_dir,
                     [s for t in data['data_samples']
                      for s in t.video_data_samples])
        del probe
        model = _build(config, _vlm_options(args, cache_dir), args.device)
        if stage2:
            from vost.engine.hooks import FreezeModulesHook
            FreezeModulesHook(check_after_iters=0).freeze(model)
        model.train()
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=1e-4)

        def step():
            losses = model(**model.data_preprocessor(copy.deepcopy(data),
                                                     True), mode='loss')
            optimizer.zero_grad()
            sum(v for k, v in losses.items() if 'loss' in k).backward()
            optimizer.step()

        sec = mean_time(synced(args.device, step), 1, args.train_iters)
    name = 'train_temporal' if stage2 else 'train_full'
    return {
        f'{name}/s_per_iter': sec,
        f'{name}/batch': batch,
        f'{name}/frames_per_clip': 1 + refs,
        f'{name}/trained_params_M': sum(p.numel() for p in params) / 1e6
    }


def measure(args: argparse.Namespace) -> dict:
    """Run the one part ``args.only`` in this process.

    Args:
        args (Namespace): The parsed options, ``only`` and ``vlm_dir`` set.

    Returns:
        dict: Its figures, ``threads`` and ``{part}/peak_rss_MB`` (and
        ``{part}/peak_cuda_MB`` on CUDA).
    """
    from vost.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(0)
    out = dict(threads=setup_threads(args.threads))
    if args.only == 'paired':
        out.update(_paired(args))
    else:
        stage2 = args.only == 'train_temporal'
        out.update(_train(args, args.temporal_config if stage2 else
                          args.config, stage2))
    out[f'{args.only}/peak_rss_MB'] = peak_rss_mb()
    if str(args.device).startswith('cuda'):
        out[f'{args.only}/peak_cuda_MB'] = (
            torch.cuda.max_memory_allocated() / 2**20)
    return out


def _print_table(args: argparse.Namespace, res: dict) -> None:
    """Print the figures of the parts that ran."""
    h, w = args.img_size
    print(f'{args.config} at {h}x{w}, VLM {args.vlm_arch}, '
          f'{res["threads"]} threads, device {args.device}')
    if 'paired/detr_std_s' in res:
        print(f'paired: median of {args.iters} rounds after {args.warmup} '
              'warm-up, one call of each model per round')
        print(f'{"":34s}{"s/frame":>9s}{"/ DETR-R50":>11s}')
        rows = [('mmdet DETR-R50 (standard)', 'detr_std'),
                ('DETR at VOST size', 'detr_same'),
                ('full VOST, VLM cached', 'vost_cached'),
                ('full VOST, VLM online', 'vost_online'),
                ('temporal, per key frame', 'temporal_key')]
        for label, key in rows:
            ratio = res.get(f'paired/{key}_over_detr_std', 1.0)
            print(f'{label:34s}{res[f"paired/{key}_s"]:9.3f}{ratio:10.2f}x')
        print(f'temporal video: {res["temporal/key_frames"]} key frames, '
              f'{res["temporal/frames_computed"]} frames through the '
              f'spatial stages; peak {res["paired/peak_rss_MB"]:.0f} MB '
              'for all five models')
    for name in ('train_full', 'train_temporal'):
        if f'{name}/s_per_iter' in res:
            mem = res.get(f'{name}/peak_cuda_MB', res[f'{name}/peak_rss_MB'])
            print(f'{name}: {res[f"{name}/s_per_iter"]:.2f} s/iter, batch '
                  f'{res[f"{name}/batch"]} clips x '
                  f'{res[f"{name}/frames_per_clip"]} frames, peak '
                  f'{mem:.0f} MB')


def run(args: argparse.Namespace) -> dict:
    """Write the VLM, run each part in a subprocess, print, write ``--json``.

    With ``args.only`` set (the subprocesses), measure that part here and
    print its figures as one JSON line instead.

    Args:
        args (Namespace): The parsed options; ``args.command`` reruns this
            mode (set by the tool).

    Returns:
        dict: Every figure (keys as printed by the parts).
    """
    if args.only:
        out = measure(args)
        print(json.dumps(out))
        return out
    from vost.pretraining import make_tiny_vlm

    from .vlm import ARCHS
    results = dict(config=args.config, temporal_config=args.temporal_config,
                   img_size=list(args.img_size), iters=args.iters,
                   vlm_arch=args.vlm_arch)
    with tempfile.TemporaryDirectory() as tmp:
        vlm_dir = make_tiny_vlm(osp.join(tmp, 'vlm'), **ARCHS[args.vlm_arch])
        results.update(run_parts(
            args.command, [p for p in PARTS if p in args.parts],
            ['--vlm-dir', vlm_dir]))
    _print_table(args, results)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return results
