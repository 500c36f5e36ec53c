"""Speed and memory of a VOST config beside mmdet's DETR at the same size.

Example (the figures in docs/results.md)::

    python tools/analysis_tools/benchmark.py spatial \\
        configs/vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py \\
        --img-size 128 128 --iters 20

Each measurement (``--parts``, default all) runs in its own process so that
its peak memory (max resident set size, ``ru_maxrss``) is its own:

- ``vost_infer``: the model's ``predict`` on one frame (T = 1), seconds per
  frame (``vost/infer``); with a ``vlm_encoder`` in the config, the VLM call
  alone is timed too and reported as ``vlm/infer`` (its share is included
  in ``vost/infer``).
- ``detr_infer``: mmdet's DETR (``mmdet::detr/detr_r50_8xb2-150e_coco.py``)
  rebuilt with VOST's backbone depth, transformer width, encoder depth,
  query count and as many decoder layers as VOST's instance and relation
  decoders together, on the same input size (``detr/infer``).
- ``vost_train``: one training step (forward, backward, AdamW) on a batch
  of the config's size (``--train-batch``), seconds per step and
  iterations per second; then ``predict`` on that batch, seconds per batch
  (``vost/predict_s_per_batch``).
- ``paired``: both models built in one process and timed alternately, one
  frame each in turn, ``--iters`` times; ``paired/vost_over_detr`` is the
  ratio of their median times. Both see the same machine state, so this
  ratio stays stable on a machine whose speed drifts (a shared VM), where
  the ratio of the separate runs does not.

The headline figure is the paired ratio of time per frame. Prints a table
and, with ``--json``, writes every number. ``--parts vost_train`` alone
times the training and inference steps of a config (no DETR).
"""
import argparse
import json
import os.path as osp

import torch
from mmengine.config import Config, ConfigDict, DictAction

from .timing import mean_time, paired_median_times, peak_rss_mb, \
    run_parts, setup_threads, synced

__all__ = ['PARTS', 'add_arguments', 'detr_config', 'measure', 'run']

#: The measurements, each run in its own process, in this order.
PARTS = ('detr_infer', 'vost_infer', 'vost_train', 'paired')


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``spatial`` mode.

    Args:
        parser (ArgumentParser): The mode's (sub)parser.
    """
    parser.add_argument('config')
    parser.add_argument('--img-size', type=int, nargs=2, default=(128, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--train-batch', '--batch-size', type=int,
                        default=None, dest='train_batch',
                        help='clips per training step (default: config)')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads (default: torch\'s choice)')
    parser.add_argument('--objects', type=int, default=3,
                        help='objects per frame besides the person')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides of the config (VOST and the DETR '
                        'built to its size)')
    parser.add_argument('--parts', nargs='+', choices=PARTS,
                        default=list(PARTS),
                        help='measurements to run (default: all)')
    parser.add_argument('--device', default='cpu',
                        help="'cpu' (default) or 'cuda': models and inputs "
                        'there, timings synchronised, peak GPU memory '
                        'reported')
    parser.add_argument('--json', help='write the results here')
    parser.add_argument('--only', choices=PARTS, help=argparse.SUPPRESS)


def _load_cfg(args: argparse.Namespace) -> Config:
    """The config with ``--cfg-options`` merged."""
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    return cfg


def _build_vost(args: argparse.Namespace) -> torch.nn.Module:
    """The config's model with freshly initialised weights (eval mode)."""
    from vost.apis import init_sg_model
    model = init_sg_model(args.config, cfg_options=args.cfg_options,
                          device=args.device)
    model.init_weights()
    return model


def detr_config(cfg: Config) -> ConfigDict:
    """mmdet's DETR model config adapted to a VOST config's size.

    Args:
        cfg (Config): A VOST config (``model`` with ``backbone``,
            ``encoder``, ``instance_decoder``, ``relation_decoder`` and
            ``query_generator``).

    Returns:
        ConfigDict: The DETR model config, ``_scope_='mmdet'``.
    """
    import mmdet
    detr = Config.fromfile(
        osp.join(
            osp.dirname(mmdet.__file__), '.mim', 'configs', 'detr',
            'detr_r50_8xb2-150e_coco.py')).model
    m = cfg.model
    dims = m.encoder.layer_cfg.self_attn_cfg.embed_dims
    depth = m.backbone.depth
    detr.backbone.depth = depth
    detr.backbone.init_cfg = None
    detr.backbone.out_indices = (3, )
    detr.neck.in_channels = [
        m.backbone.get('base_channels', 64) * 8 *
        (4 if depth >= 50 else 1)
    ]
    if 'base_channels' in m.backbone:
        detr.backbone.base_channels = m.backbone.base_channels
    detr.neck.out_channels = dims
    enc, dec = detr.encoder, detr.decoder
    enc.num_layers = m.encoder.num_layers
    enc.layer_cfg.self_attn_cfg.embed_dims = dims
    enc.layer_cfg.ffn_cfg.embed_dims = dims
    dec.num_layers = m.instance_decoder.num_layers + \
        m.relation_decoder.num_layers
    for key in ('self_attn_cfg', 'cross_attn_cfg', 'ffn_cfg'):
        dec.layer_cfg[key].embed_dims = dims
    ffn_channels = m.encoder.layer_cfg.ffn_cfg.get('feedforward_channels')
    if ffn_channels:
        enc.layer_cfg.ffn_cfg.feedforward_channels = ffn_channels
        dec.layer_cfg.ffn_cfg.feedforward_channels = ffn_channels
    detr.positional_encoding.num_feats = dims // 2
    detr.bbox_head.embed_dims = dims
    detr.num_queries = m.query_generator.get('num_queries', 100)
    detr.test_cfg.max_per_img = min(detr.test_cfg.get('max_per_img', 100),
                                    detr.num_queries)
    detr['_scope_'] = 'mmdet'
    return detr


def _build_detr(cfg: Config, device: str = 'cpu') -> torch.nn.Module:
    """mmdet's DETR at the config's size, built by mmdet's registry."""
    from mmdet.registry import MODELS as MMDET_MODELS
    return MMDET_MODELS.build(detr_config(cfg)).to(device).eval()


def _detr_inputs(model, h: int, w: int) -> dict:
    """One preprocessed random (3, H, W) image for DETR."""
    from mmdet.testing import demo_mm_inputs
    return model.data_preprocessor(
        demo_mm_inputs(batch_size=1, image_shapes=(3, h, w)), False)


def _vost_inputs(model, args, batch_size: int = 1,
                 preprocess: bool = True) -> dict:
    """Random clips of one (3, H, W) frame, preprocessed for ``predict``
    unless ``preprocess`` is False (then raw, for the train step)."""
    from vost.testing import demo_sg_track_inputs
    h, w = args.img_size
    data = demo_sg_track_inputs(batch_size=batch_size,
                                image_shapes=(3, h, w),
                                num_objects=args.objects)
    return model.data_preprocessor(data, False) if preprocess else data


def _params_m(model: torch.nn.Module) -> float:
    """Parameters in millions."""
    return sum(p.numel() for p in model.parameters()) / 1e6


def _paired(args: argparse.Namespace) -> dict:
    """Median seconds per frame of DETR and VOST, timed alternately."""
    h, w = args.img_size
    detr = _build_detr(_load_cfg(args), args.device)
    vost = _build_vost(args)
    detr_data = _detr_inputs(detr, h, w)
    vost_data = _vost_inputs(vost, args)
    with torch.no_grad():
        med = paired_median_times(
            dict(detr=synced(args.device,
                              lambda: detr(**detr_data, mode='predict')),
                 vost=synced(args.device,
                              lambda: vost(**vost_data, mode='predict'))),
            args.warmup, args.iters)
    return {
        'paired/detr_infer': med['detr'],
        'paired/vost_infer': med['vost'],
        'paired/vost_over_detr': med['vost'] / med['detr']
    }


def _detr_infer(args: argparse.Namespace) -> dict:
    """Mean seconds per frame of DETR and its parameter count."""
    model = _build_detr(_load_cfg(args), args.device)
    data = _detr_inputs(model, *args.img_size)
    with torch.no_grad():
        sec = mean_time(
            synced(args.device, lambda: model(**data, mode='predict')),
            args.warmup, args.iters)
    return {'detr/infer': sec, 'detr/params_M': _params_m(model)}


def _vost_infer(args: argparse.Namespace) -> dict:
    """Mean seconds per frame of VOST (and of its VLM call alone)."""
    model = _build_vost(args)
    data = _vost_inputs(model, args)
    out = {}
    with torch.no_grad():
        out['vost/infer'] = mean_time(
            synced(args.device, lambda: model(**data, mode='predict')),
            args.warmup, args.iters)
        vlm = getattr(model, 'vlm_encoder', None)
        if vlm is not None:
            frames = data['inputs'].flatten(0, 1)
            samples = [
                s for t in data['data_samples'] for s in t.video_data_samples
            ]
            out['vlm/infer'] = mean_time(
                synced(args.device, lambda: vlm(frames, samples)), args.warmup,
                args.iters)
    out['vost/params_M'] = _params_m(model)
    return out


def _vost_train(args: argparse.Namespace) -> dict:
    """Mean seconds per training step, then per ``predict`` batch."""
    model = _build_vost(args).train()
    batch = args.train_batch or model.cfg.train_dataloader.batch_size
    data = _vost_inputs(model, args, batch_size=batch, preprocess=False)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-4)

    def step():
        losses = model(**model.data_preprocessor(data, True), mode='loss')
        optimizer.zero_grad()
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        optimizer.step()

    sec = mean_time(synced(args.device, step), args.warmup, args.iters)
    model.eval()
    with torch.no_grad():
        predict = mean_time(
            synced(args.device,
                   lambda: model(**model.data_preprocessor(data, False),
                                 mode='predict')), args.warmup, args.iters)
    return {
        'vost/train_s_per_iter': sec,
        'vost/train_it_per_s': 1.0 / sec,
        'vost/train_batch': batch,
        'vost/predict_s_per_batch': predict
    }


def measure(args: argparse.Namespace) -> dict:
    """Run the one measurement ``args.only`` in this process.

    Args:
        args (Namespace): The parsed options, ``only`` set to a part.

    Returns:
        dict: Its figures, ``threads`` and ``{part}/peak_rss_MB``.
    """
    from vost.utils import register_all_modules
    register_all_modules()
    out = dict(threads=setup_threads(args.threads))
    part = dict(paired=_paired, detr_infer=_detr_infer,
                vost_infer=_vost_infer, vost_train=_vost_train)[args.only]
    out.update(part(args))
    out[f'{args.only}/peak_rss_MB'] = peak_rss_mb()
    if str(args.device).startswith('cuda'):
        out[f'{args.only}/peak_cuda_MB'] = (
            torch.cuda.max_memory_allocated() / 2**20)
    return out


def _print_table(args: argparse.Namespace, res: dict) -> None:
    """Print the figures of the parts that ran."""
    h, w = args.img_size
    print(f'{args.config} at {h}x{w}, {res["threads"]} threads, '
          f'mean of {args.iters} iterations after {args.warmup} warm-up')
    if 'detr/infer' in res or 'vost/infer' in res:
        print(f'{"":22s}{"s/frame":>10s}{"peak MB":>10s}{"params M":>10s}')
    if 'detr/infer' in res:
        print(f'{"mmdet DETR (same size)":22s}{res["detr/infer"]:10.4f}'
              f'{res["detr_infer/peak_rss_MB"]:10.0f}'
              f'{res["detr/params_M"]:10.2f}')
    if 'vost/infer' in res:
        print(f'{"VOST":22s}{res["vost/infer"]:10.4f}'
              f'{res["vost_infer/peak_rss_MB"]:10.0f}'
              f'{res["vost/params_M"]:10.2f}')
    if 'vlm/infer' in res:
        print(f'{"  of which VLM":22s}{res["vlm/infer"]:10.4f}')
    if 'paired/vost_over_detr' in res:
        separate = (f'; {res["ratio/vost_over_detr_infer"]:.2f}x from the '
                    'separate runs above'
                    if 'ratio/vost_over_detr_infer' in res else '')
        print(f'VOST / DETR time per frame: '
              f'{res["paired/vost_over_detr"]:.2f}x paired (medians '
              f'{res["paired/vost_infer"]:.4f} / '
              f'{res["paired/detr_infer"]:.4f} s, timed alternately in one '
              f'process){separate}')
    if 'vost/train_s_per_iter' in res:
        train = res['vost/train_s_per_iter']
        print(f'VOST training: {train:.3f} s/iter '
              f'({res["vost/train_it_per_s"]:.2f} it/s, batch '
              f'{res["vost/train_batch"]}), peak '
              f'{res["vost_train/peak_rss_MB"]:.0f} MB')
        print(f'{args.config}: batch {res["vost/train_batch"]} x {h}x{w}, '
              f'{res["threads"]} threads: train {train:.3f} s/iter '
              f'({1 / train:.2f} it/s), predict '
              f'{res["vost/predict_s_per_batch"]:.3f} s/batch')


def run(args: argparse.Namespace) -> dict:
    """Run each part in a subprocess, print the table, write ``--json``.

    With ``args.only`` set (the subprocesses), measure that part here and
    print its figures as one JSON line instead.

    Args:
        args (Namespace): The parsed options; ``args.command`` is the
            command line that reruns this mode (interpreter, tool, mode and
            its arguments), set by the tool.

    Returns:
        dict: Every figure, keys as in the module doc.
    """
    if args.only:
        out = measure(args)
        print(json.dumps(out))
        return out
    results = dict(config=args.config, img_size=list(args.img_size),
                   iters=args.iters)
    results.update(
        run_parts(args.command, [p for p in PARTS if p in args.parts]))
    if 'detr/infer' in results and 'vost/infer' in results:
        results['ratio/vost_over_detr_infer'] = (
            results['vost/infer'] / results['detr/infer'])
    _print_table(args, results)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return results
