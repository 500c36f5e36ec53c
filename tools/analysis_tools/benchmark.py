"""Speed and memory of a VOST config beside mmdet's DETR at the same size.

Example (the figures in docs/results.md)::

    python tools/analysis_tools/benchmark.py \
        configs/vost/vost-spatial_r18_1xb8-2e_synthetic-ag-sgdet.py \
        --img-size 128 128 --iters 20

Each measurement runs in its own process so that its peak memory (max
resident set size, ``ru_maxrss``) is its own:

- ``vost/infer``: the model's ``predict`` on one frame (T = 1), seconds per
  frame; with a ``vlm_encoder`` in the config, the VLM call alone is timed
  too and reported as ``vlm/infer`` (its share is included in
  ``vost/infer``).
- ``detr/infer``: mmdet's DETR (``mmdet::detr/detr_r50_8xb2-150e_coco.py``)
  rebuilt with VOST's backbone depth, transformer width, encoder depth,
  query count and as many decoder layers as VOST's instance and relation
  decoders together, on the same input size.
- ``vost/train``: one training step (forward, backward, AdamW) on a batch
  of the config's size (``--train-batch``), iterations per second.

- ``paired``: both models built in one process and timed alternately, one
  frame each in turn, ``--iters`` times; ``paired/vost_over_detr`` is the
  ratio of their median times. Both see the same machine state, so this
  ratio stays stable on a machine whose speed drifts (a shared VM), where
  the ratio of the separate runs does not.

The headline figure is the paired ratio of time per frame. Prints a table
and, with ``--json``, writes every number.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

import torch


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('--img-size', type=int, nargs=2, default=(128, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=3)
    parser.add_argument('--train-batch', type=int, default=None,
                        help='clips per training step (default: config)')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch threads (default: torch\'s choice)')
    parser.add_argument('--objects', type=int, default=3)
    parser.add_argument('--json', help='write the results here')
    parser.add_argument('--only', choices=['vost_infer', 'detr_infer',
                                            'vost_train', 'paired'],
                        help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _timeit(fn, warmup: int, iters: int) -> float:
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(iters):
        fn()
    return (time.perf_counter() - start) / iters


def _build_vost(cfg):
    from vost.registry import MODELS
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def _detr_cfg(cfg):
    """mmdet's DETR config adapted to VOST's size."""
    import os.path as osp

    import mmdet
    from mmengine.config import Config
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


def _paired(cfg, args) -> dict:
    """Median seconds per frame of DETR and VOST, timed alternately."""
    import statistics

    from mmdet.registry import MODELS as MMDET_MODELS
    from mmdet.testing import demo_mm_inputs

    from vost.testing import demo_sg_track_inputs
    h, w = args.img_size
    detr = MMDET_MODELS.build(_detr_cfg(cfg)).eval()
    vost = _build_vost(cfg).eval()
    detr_data = detr.data_preprocessor(
        demo_mm_inputs(batch_size=1, image_shapes=(3, h, w)), False)
    vost_data = vost.data_preprocessor(
        demo_sg_track_inputs(
            batch_size=1, image_shapes=(3, h, w), num_objects=args.objects),
        False)
    times = {'detr': [], 'vost': []}
    calls = {
        'detr': lambda: detr(**detr_data, mode='predict'),
        'vost': lambda: vost(**vost_data, mode='predict')
    }
    with torch.no_grad():
        for i in range(args.warmup + args.iters):
            for name in ('detr', 'vost'):
                start = time.perf_counter()
                calls[name]()
                if i >= args.warmup:
                    times[name].append(time.perf_counter() - start)
    detr_s = statistics.median(times['detr'])
    vost_s = statistics.median(times['vost'])
    return {
        'paired/detr_infer': detr_s,
        'paired/vost_infer': vost_s,
        'paired/vost_over_detr': vost_s / detr_s
    }


def _measure(args) -> dict:
    from mmengine.config import Config

    from vost.utils import register_all_modules
    register_all_modules()
    if args.threads:
        torch.set_num_threads(args.threads)
    cfg = Config.fromfile(args.config)
    h, w = args.img_size
    out = dict(threads=torch.get_num_threads())
    if args.only == 'paired':
        out.update(_paired(cfg, args))
    elif args.only == 'detr_infer':
        from mmdet.registry import MODELS as MMDET_MODELS
        from mmdet.testing import demo_mm_inputs
        model = MMDET_MODELS.build(_detr_cfg(cfg))
        model.eval()
        data = model.data_preprocessor(
            demo_mm_inputs(batch_size=1, image_shapes=(3, h, w)), False)
        with torch.no_grad():
            sec = _timeit(lambda: model(**data, mode='predict'),
                          args.warmup, args.iters)
        out['detr/infer'] = sec
        out['detr/params_M'] = sum(p.numel()
                                   for p in model.parameters()) / 1e6
    elif args.only == 'vost_infer':
        from vost.testing import demo_sg_track_inputs
        model = _build_vost(cfg)
        model.eval()
        data = model.data_preprocessor(
            demo_sg_track_inputs(
                batch_size=1, image_shapes=(3, h, w),
                num_objects=args.objects), False)
        with torch.no_grad():
            out['vost/infer'] = _timeit(
                lambda: model(**data, mode='predict'), args.warmup,
                args.iters)
            vlm = getattr(model, 'vlm_encoder', None)
            if vlm is not None:
                frames = data['inputs'].flatten(0, 1)
                samples = [
                    s for t in data['data_samples']
                    for s in t.video_data_samples
                ]
                out['vlm/infer'] = _timeit(lambda: vlm(frames, samples),
                                           args.warmup, args.iters)
        out['vost/params_M'] = sum(p.numel()
                                   for p in model.parameters()) / 1e6
    else:
        from vost.testing import demo_sg_track_inputs
        model = _build_vost(cfg)
        model.train()
        batch = args.train_batch or cfg.train_dataloader.batch_size
        data = demo_sg_track_inputs(
            batch_size=batch, image_shapes=(3, h, w),
            num_objects=args.objects)
        params = [p for p in model.parameters() if p.requires_grad]
        optimizer = torch.optim.AdamW(params, lr=1e-4)

        def step():
            losses = model(**model.data_preprocessor(data, True),
                           mode='loss')
            optimizer.zero_grad()
            sum(v for k, v in losses.items() if 'loss' in k).backward()
            optimizer.step()

        sec = _timeit(step, args.warmup, args.iters)
        out['vost/train_s_per_iter'] = sec
        out['vost/train_it_per_s'] = 1.0 / sec
        out['vost/train_batch'] = batch
    out[f'{args.only}/peak_rss_MB'] = resource.getrusage(
        resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv=None):
    """Run each measurement in a subprocess and print the table."""
    args = parse_args(argv)
    if args.only:
        print(json.dumps(_measure(args)))
        return
    results = dict(
        config=args.config, img_size=list(args.img_size), iters=args.iters)
    base = [sys.executable, os.path.abspath(__file__)] + \
        (argv if argv is not None else sys.argv[1:])
    base = [a for a in base if a != '--json' and a != args.json]
    for part in ('detr_infer', 'vost_infer', 'vost_train', 'paired'):
        proc = subprocess.run(base + ['--only', part], capture_output=True,
                              text=True)
        if proc.returncode != 0:
            raise RuntimeError(f'{part} failed:\n{proc.stderr[-3000:]}')
        results.update(json.loads(proc.stdout.strip().splitlines()[-1]))
    results['ratio/vost_over_detr_infer'] = (
        results['vost/infer'] / results['detr/infer'])
    h, w = args.img_size
    print(f'{args.config} at {h}x{w}, {results["threads"]} threads, '
          f'mean of {args.iters} iterations after {args.warmup} warm-up')
    print(f'{"":22s}{"s/frame":>10s}{"peak MB":>10s}{"params M":>10s}')
    print(f'{"mmdet DETR (same size)":22s}{results["detr/infer"]:10.4f}'
          f'{results["detr_infer/peak_rss_MB"]:10.0f}'
          f'{results["detr/params_M"]:10.2f}')
    print(f'{"VOST":22s}{results["vost/infer"]:10.4f}'
          f'{results["vost_infer/peak_rss_MB"]:10.0f}'
          f'{results["vost/params_M"]:10.2f}')
    if 'vlm/infer' in results:
        print(f'{"  of which VLM":22s}{results["vlm/infer"]:10.4f}')
    print(f'VOST / DETR time per frame: '
          f'{results["paired/vost_over_detr"]:.2f}x paired (medians '
          f'{results["paired/vost_infer"]:.4f} / '
          f'{results["paired/detr_infer"]:.4f} s, timed alternately in one '
          f'process); {results["ratio/vost_over_detr_infer"]:.2f}x from '
          'the separate runs above')
    print(f'VOST training: {results["vost/train_s_per_iter"]:.3f} s/iter '
          f'({results["vost/train_it_per_s"]:.2f} it/s, batch '
          f'{results["vost/train_batch"]}), peak '
          f'{results["vost_train/peak_rss_MB"]:.0f} MB')
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(results, f, indent=2)
    return results


if __name__ == '__main__':
    main()
