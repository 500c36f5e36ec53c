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
JSON per frame (``--node-link``), an annotated video and an interactive
viewer (``--html``: ``{out_dir}/viewer/index.html``, opens from disk).
A video file is sampled at ``--sample-fps`` key frames a second (default
1, close to Action Genome's sampling) or ``--every`` N-th frame, and only
its key frames are decoded; the pictures are drawn in a background
process (``--no-vis`` skips them). The layouts are documented in
docs/outputs.md, with JSON Schemas in vost/graphs/schemas/.
"""
import argparse
import json
import os
import os.path as osp

import numpy as np
from tqdm import tqdm

from vost.apis import (inference_video, init_sg_model, key_frame_input,
                       make_video_dict)
from vost.apis.frame_check import FrameReadError, check_frames
from vost.graphs import VideoSceneGraphBuilder, frame_graph_to_node_link
from vost.utils.atomic_io import atomic_write
from vost.utils.checkpoint_files import CheckpointError
from vost.visualization import (BackgroundFrameDrawer, HtmlViewerWriter,
                                class_name, pair_predictions_to_triplets,
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
    parser.add_argument('--skip-bad-frames', action='store_true',
                        help='leave unreadable frames out (a warning names '
                        'each); by default one is an error, before the '
                        'model is loaded')
    parser.add_argument('--allow-partial-load', action='store_true',
                        help='load a checkpoint that does not fit the '
                        'config\'s model (what does not fit keeps its '
                        'initial values); by default an error')
    parser.add_argument('--every', type=int, default=None,
                        help='predict every N-th frame (default: every '
                        'frame of a folder; a video uses --sample-fps)')
    parser.add_argument('--sample-fps', type=float, default=None,
                        help='key frames per second of a video file '
                        '(default 1, close to Action Genome\'s sampling)')
    parser.add_argument('--html', action='store_true',
                        help='also write the interactive viewer '
                        '({out_dir}/viewer/index.html)')
    parser.add_argument('--no-vis', action='store_true',
                        help='do not draw vis/<frame>.png')
    parser.add_argument('--draw-workers', type=int, default=1,
                        choices=(0, 1),
                        help='1: draw the pictures in a background process '
                        '(default); 0: in this one')
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
    name = osp.basename(osp.normpath(args.input))
    try:
        frames, indices, summary = key_frame_input(
            args.input, osp.join(args.out_dir, 'input_frames'),
            sample_fps=args.sample_fps, every=args.every)
    except (OSError, ValueError) as exc:  # names the file and the problem
        raise SystemExit(f'error: {exc}')
    print(summary)
    # by path, before frames are left out: the kept keep their indices
    frame_index = dict(zip(frames, indices))
    frames = check_frames(frames, skip_bad=args.skip_bad_frames)
    video = make_video_dict(frames, name)
    model = init_sg_model(args.config, args.checkpoint, device=args.device,
                          strict=not args.allow_partial_load)
    os.makedirs(args.out_dir, exist_ok=True)
    builder = VideoSceneGraphBuilder(
        name,
        graph=dict(node_iou_thr=args.node_iou_thr,
                   node_score_thr=args.score_thr,
                   multi_label_thr=args.multi_label_thr),
        intervals=dict(max_gap=args.max_gap))

    dirs = dict(json='json', vis='vis', node_link='node_link')
    dirs = {k: osp.join(args.out_dir, v) for k, v in dirs.items()}
    for key in ('json', ) + (() if args.no_vis else ('vis', )) + (
            ('node_link', ) if args.node_link else ()):
        os.makedirs(dirs[key], exist_ok=True)
    drawer = None
    if not args.no_vis or args.video_out:
        drawer = BackgroundFrameDrawer(
            workers=args.draw_workers, top_k=args.top_k,
            video_out=args.video_out, fps=args.fps)
    viewer = HtmlViewerWriter(osp.join(args.out_dir, 'viewer'),
                              title=name) if args.html else None
    # the model sees the key frames as the video, as in Action Genome
    # (whose frame folders hold its key frames only)
    outputs = inference_video(model, video, batch_size=args.batch_size)
    for sample in tqdm(outputs, total=len(frames), desc='key frames',
                       unit='frame'):
        img_path = sample.metainfo['img_path']
        stem = osp.splitext(osp.basename(img_path))[0]
        graph = builder.update(sample, frame_index=frame_index[img_path])
        graph['ranked'] = ranked_record(sample, args.top_k,
                                        args.multi_label_thr)
        write_json(osp.join(dirs['json'], stem + '.json'), graph)
        if args.node_link:
            write_json(osp.join(dirs['node_link'], stem + '.json'),
                       frame_graph_to_node_link(graph))
        if drawer is not None:
            drawer.submit(img_path, graph, None if args.no_vis else
                          osp.join(dirs['vis'], stem + '.png'))
        if viewer is not None:
            viewer.add_frame_file(graph, img_path,
                                  osp.join(dirs['json'], stem + '.json'))
    if drawer is not None:
        drawer.close()
    record = builder.result()
    video_json = osp.join(args.out_dir, 'video_graph.json')
    write_json(video_json, record)
    timeline = osp.join(args.out_dir, 'timeline.png')
    plot_relation_timeline(record, timeline)
    print(f'Wrote {len(frames)} key frames: {dirs["json"]}'
          + ('' if args.no_vis else f', {dirs["vis"]}')
          + (f', {dirs["node_link"]}' if args.node_link else '')
          + (f', {args.video_out}' if args.video_out else ''))
    print(f'Video: {len(record["tracks"])} tracks, '
          f'{len(record["relation_intervals"])} relation intervals: '
          f'{video_json}, {timeline}')
    if viewer is not None:
        index = viewer.finish(record, video_json)
        print(f'Viewer: {index} (open it in a browser; it works offline)')


if __name__ == '__main__':
    try:
        main()
    except (FrameReadError, CheckpointError,
            FileNotFoundError) as exc:  # each names the file
        raise SystemExit(f'error: {exc}')
