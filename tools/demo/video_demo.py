"""Run VOST on a video (or a folder of frames) and draw its scene graphs.

Example::

    python tools/demo/video_demo.py demo.mp4 CONFIG CHECKPOINT \
        --out-dir outputs/demo --video-out outputs/demo/demo_sg.mp4

Writes, per frame, ``{out_dir}/json/{frame}.json`` (the frame's scene
graph: one node per object with its track id, edges with their predicates;
and under ``ranked`` the model's ranked pair list) and
``{out_dir}/vis/{frame}.png`` (one box, colour and id per track, and the
graph), and per video ``{out_dir}/video_graph.json`` (tracks and relation
intervals) and ``{out_dir}/timeline.png``; optionally networkx node-link
JSON per frame (``--node-link``) and an annotated video. The layouts are
documented in docs/outputs.md, with JSON Schemas in vost/graphs/schemas/.
"""
import argparse
import json
import os
import os.path as osp

import mmcv
import numpy as np
from tqdm import tqdm

from vost.apis import (frames_from_input, inference_video, init_sg_model,
                       make_video_dict)
from vost.graphs import VideoSceneGraphBuilder, frame_graph_to_node_link
from vost.utils.atomic_io import atomic_write
from vost.visualization import (SGGraphVisualizer, class_name,
                                pair_predictions_to_triplets,
                                plot_relation_timeline, to_numpy)


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Scene graphs of a video with a trained VOST model')
    parser.add_argument('input', help='video file or folder of frames')
    parser.add_argument('config', help='config file (an SGDet config)')
    parser.add_argument('checkpoint', help='checkpoint file (trusted)')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument(
        '--video-out', help='also write an annotated video (.mp4)')
    parser.add_argument('--fps', type=float, default=5.0,
                        help='frame rate of --video-out')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--top-k', type=int, default=10,
                        help='triplets per frame in the JSON and drawings')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='minimum score of a graph node')
    parser.add_argument('--node-iou-thr', type=float, default=0.5,
                        help='IoU at which same-class boxes merge into one '
                        'node')
    parser.add_argument('--multi-label-thr', type=float, default=0.5,
                        help='minimum spatial/contacting probability')
    parser.add_argument('--max-gap', type=int, default=1,
                        help='missed key frames bridged inside a relation '
                        'interval')
    parser.add_argument('--node-link', action='store_true',
                        help='also write networkx node-link JSON per frame')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--every', type=int, default=1,
                        help='predict every N-th frame')
    return parser.parse_args()


def write_json(path: str, record: dict) -> None:
    """Write a JSON file atomically."""
    with atomic_write(path, 'w') as f:
        json.dump(record, f, indent=1)


def ranked_record(sample, top_k: int, multi_label_thr: float) -> dict:
    """The model's ranked pair list of one frame (what the metric reads)."""
    inst = sample.pred_instances
    triplets = pair_predictions_to_triplets(
        inst, sample.pred_pairs, top_k=top_k,
        multi_label_thr=multi_label_thr)
    labels = to_numpy(inst.labels).tolist()
    return dict(
        bboxes=np.round(to_numpy(inst.bboxes).astype(float), 2).tolist(),
        labels=labels,
        label_names=[class_name(label) for label in labels],
        scores=np.round(to_numpy(inst.scores).astype(float), 4).tolist(),
        triplets=triplets)


def main():
    """Predict, write graphs, tracks, drawings, optionally a video."""
    args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    name = osp.basename(osp.normpath(args.input))
    frames = frames_from_input(args.input,
                               osp.join(args.out_dir, 'input_frames'))
    video = make_video_dict(frames, name)
    model = init_sg_model(args.config, args.checkpoint, device=args.device)
    visualizer = SGGraphVisualizer(name='video_demo', top_k=args.top_k)
    builder = VideoSceneGraphBuilder(
        name,
        graph=dict(node_iou_thr=args.node_iou_thr,
                   node_score_thr=args.score_thr,
                   multi_label_thr=args.multi_label_thr),
        intervals=dict(max_gap=args.max_gap))

    key_frames = list(range(0, len(frames), args.every))
    dirs = dict(json='json', vis='vis', node_link='node_link')
    dirs = {k: osp.join(args.out_dir, v) for k, v in dirs.items()}
    for key in ('json', 'vis') + (('node_link', ) if args.node_link else ()):
        os.makedirs(dirs[key], exist_ok=True)
    writer = None
    outputs = inference_video(
        model, video, batch_size=args.batch_size, key_frames=key_frames)
    for frame_index, sample in tqdm(zip(key_frames, outputs),
                                    total=len(key_frames), desc='frames'):
        stem = osp.splitext(osp.basename(sample.metainfo['img_path']))[0]
        graph = builder.update(sample, frame_index=frame_index)
        graph['ranked'] = ranked_record(sample, args.top_k,
                                        args.multi_label_thr)
        write_json(osp.join(dirs['json'], stem + '.json'), graph)
        if args.node_link:
            write_json(osp.join(dirs['node_link'], stem + '.json'),
                       frame_graph_to_node_link(graph))
        image = mmcv.imread(sample.metainfo['img_path'], channel_order='rgb')
        drawn = visualizer.add_frame_graph(
            stem, image, graph, out_file=osp.join(dirs['vis'], stem + '.png'))
        if args.video_out:
            bgr = np.ascontiguousarray(drawn[..., ::-1])
            if writer is None:
                import cv2
                h, w = bgr.shape[:2]
                writer = cv2.VideoWriter(
                    args.video_out, cv2.VideoWriter_fourcc(*'mp4v'),
                    args.fps, (w, h))
                size = (w, h)
            if (bgr.shape[1], bgr.shape[0]) != size:
                bgr = mmcv.imresize(bgr, size)
            writer.write(bgr)
    if writer is not None:
        writer.release()
    record = builder.result()
    video_json = osp.join(args.out_dir, 'video_graph.json')
    write_json(video_json, record)
    timeline = osp.join(args.out_dir, 'timeline.png')
    plot_relation_timeline(record, timeline)
    print(f'Wrote {len(key_frames)} frames: {dirs["json"]}, {dirs["vis"]}'
          + (f', {dirs["node_link"]}' if args.node_link else '')
          + (f', {args.video_out}' if args.video_out else ''))
    print(f'Video: {len(record["tracks"])} tracks, '
          f'{len(record["relation_intervals"])} relation intervals: '
          f'{video_json}, {timeline}')


if __name__ == '__main__':
    main()
