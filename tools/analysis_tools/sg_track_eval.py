"""Identities and relation intervals of a model's video scene graphs on
synthetic Action Genome, where the generator knows the true identities.

Usage::

    python tools/analysis_tools/sg_track_eval.py CONFIG CHECKPOINT \
        [--data-root data/synthetic_ag] [--split test] [--json out.json]

Runs the model on every kept video of the split (SGDet, every annotated
frame a key frame), builds the frame graphs, tracks and relation intervals
exactly as ``tools/demo/video_demo.py`` does (the same defaults), and
scores them (docs/outputs.md, "Checking identities"): CLEAR MOT counts
(MOTA, ID switches, fragmentations), IDF1, and relation-interval recall and
precision at temporal IoU 0.5. Beside it, the same graphs with
frame-local identities (no association across frames) as the baseline.
"""
import argparse
import json
import os.path as osp
import sys
import time

from tqdm import tqdm

from vost.apis import inference_video, init_sg_model, make_video_dict
from vost.evaluation.video_graphs import (evaluate_video_graphs,
                                          frame_local_identities,
                                          synthetic_identity_gt)
from vost.graphs import VideoSceneGraphBuilder
from vost.utils.atomic_io import atomic_write

ROWS = (('mota', 'MOTA'), ('idf1', 'IDF1'), ('idp', 'IDP'), ('idr', 'IDR'),
        ('id_switches', 'ID switches'), ('fragmentations', 'fragmentations'),
        ('interval_recall', 'interval recall'),
        ('interval_precision', 'interval precision'))


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--data-root', default=None,
                        help="defaults to the config's test data_root")
    parser.add_argument('--split', default='test')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--max-videos', type=int, default=None,
                        help='evaluate the first N videos only')
    parser.add_argument('--iou-thr', type=float, default=0.5)
    parser.add_argument('--t-iou', type=float, default=0.5)
    parser.add_argument('--score-thr', type=float, default=None,
                        help='node score threshold (default: the demo\'s)')
    parser.add_argument('--node-iou-thr', type=float, default=None,
                        help='node merge IoU (default: the demo\'s)')
    parser.add_argument('--max-gap', type=int, default=None,
                        help='key frames bridged in relation intervals')
    parser.add_argument('--json', default=None, help='write the figures')
    return parser.parse_args(argv)


def predict_graphs(model, gt_videos, batch_size: int, graph=None,
                   intervals=None):
    """Frame graphs (tracked) of every video, as the demo builds them."""
    preds, settings = {}, None
    for gt in tqdm(gt_videos, desc='videos'):
        video = make_video_dict(gt['img_paths'], gt['video_id'])
        builder = VideoSceneGraphBuilder(gt['video_id'], graph=graph,
                                         intervals=intervals)
        graphs = [
            builder.update(sample, frame_index=pos) for pos, sample in
            enumerate(inference_video(model, video, batch_size=batch_size))
        ]
        preds[gt['video_id']] = dict(graphs=graphs)
        settings = builder.settings
    return preds, settings


def main(argv=None):
    """Predict, evaluate with and without tracking, print and save."""
    args = parse_args(argv)
    model = init_sg_model(args.config, args.checkpoint, device=args.device)
    root = args.data_root or model.cfg.test_dataloader.dataset.data_root
    gt = synthetic_identity_gt(root, args.split)
    if args.max_videos is not None:
        gt = gt[:args.max_videos]
    start = time.time()
    graph = {k: v for k, v in (('node_score_thr', args.score_thr),
                               ('node_iou_thr', args.node_iou_thr))
             if v is not None}
    intervals = {} if args.max_gap is None else dict(max_gap=args.max_gap)
    preds, settings = predict_graphs(model, gt, args.batch_size, graph,
                                     intervals)
    kwargs = dict(iou_thr=args.iou_thr, t_iou=args.t_iou,
                  max_gap=settings['intervals']['max_gap'])
    results = {
        'tracked (ByteTrack)': evaluate_video_graphs(gt, preds, **kwargs),
        'frame-local ids': evaluate_video_graphs(
            gt, {k: frame_local_identities(v) for k, v in preds.items()},
            **kwargs),
    }
    frames = sum(len(v['objects']) for v in gt)
    print(f'{len(gt)} videos, {frames} frames of {root} ({args.split}), '
          f'{time.time() - start:.0f} s')
    names = list(results)
    print(f"{'':20s}" + ''.join(f'{n:>22s}' for n in names))
    for key, label in ROWS:
        cells = []
        for n in names:
            v = results[n][key]
            cells.append(f'{v:22d}' if isinstance(v, int) else
                         f'{100 * v:21.2f}%')
        print(f'{label:20s}' + ''.join(cells))
    print(f"GT intervals {results[names[0]]['gt_intervals']}, predicted "
          + ', '.join(f"{results[n]['pred_intervals']} ({n})"
                      for n in names))
    if args.json:
        with atomic_write(args.json, 'w') as f:
            json.dump(dict(command=' '.join(sys.argv), data_root=root,
                           split=args.split, config=args.config,
                           checkpoint=osp.abspath(args.checkpoint),
                           settings=settings, iou_thr=args.iou_thr,
                           t_iou=args.t_iou, results=results), f, indent=1)
        print(f'Wrote {args.json}')
    return results


if __name__ == '__main__':
    main()
