"""Scene graphs while a video plays: a causal VOST model, frame by frame.

Example::

    python tools/demo/stream_demo.py INPUT CONFIG CHECKPOINT \
        --out-dir outputs/stream [--video-out outputs/stream/sg.mp4]

INPUT is a video file, a folder of frames (sorted by name) or a camera
index (``0``: OpenCV's first camera). CONFIG is a causal config (e.g.
``configs/vost/vost-spatial-temporal-causal_r18_1xb8-1e_synthetic-ag-sgdet
.py``) or a spatial-only one. Each frame is predicted when it arrives, from
itself and the past frames of its clip window only (bounded state,
:class:`vost.apis.StreamingSGInference`); the tool writes one JSON line per
frame to ``{out_dir}/frames.jsonl`` (the frame graph with track ids, the
top ranked triplets and the frame's latency), when the input ends the video
record and its timeline (``video_graph.json``, ``timeline.png``;
docs/outputs.md), and prints frames per second and latency per frame.
With ``--html`` it also saves each frame for the interactive viewer and
writes ``{out_dir}/viewer/index.html`` when the input ends.
"""
import argparse
import json
import os
import os.path as osp
import time

import numpy as np

from vost.apis import (StreamingSGInference, frames_from_input,
                       init_sg_model, probe_video)
from vost.apis.frame_check import FrameReadError, check_frames
from vost.graphs import VideoSceneGraphBuilder
from vost.utils.atomic_io import atomic_write
from vost.utils.checkpoint_files import CheckpointError
from vost.visualization import (HtmlViewerWriter, SGGraphVisualizer,
                                pair_predictions_to_triplets,
                                plot_relation_timeline)


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='Streaming scene graphs with a causal VOST model')
    parser.add_argument('input',
                        help='video file, folder of frames or camera index')
    parser.add_argument('config', help='a causal (or spatial) SGDet config')
    parser.add_argument('checkpoint', help='checkpoint file (trusted)')
    parser.add_argument('--out-dir', required=True, help='output folder')
    parser.add_argument('--video-out', help='also write an annotated video')
    parser.add_argument('--fps', type=float, default=5.0,
                        help='frame rate of --video-out')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument('--max-frames', type=int, default=None,
                        help='stop after N frames (a camera never ends)')
    parser.add_argument('--skip-bad-frames', action='store_true',
                        help='frame folder: leave unreadable frames out (a '
                        'warning names each); by default one is an error, '
                        'before the model is loaded')
    parser.add_argument('--allow-partial-load', action='store_true',
                        help='load a checkpoint that does not fit the '
                        'config\'s model (what does not fit keeps its '
                        'initial values); by default an error')
    parser.add_argument('--top-k', type=int, default=10,
                        help='ranked triplets per JSON line')
    parser.add_argument('--score-thr', type=float, default=0.3,
                        help='minimum score of a graph node')
    parser.add_argument('--html', action='store_true',
                        help='also write the interactive viewer '
                        '({out_dir}/viewer/index.html)')
    return parser.parse_args(argv)


def frame_source(input_path: str, frames=None):
    """Yield ``(frame, name)``: file paths for a folder (``frames``, the
    checked ones, when given), BGR arrays for a video file or a camera."""
    if osp.isdir(input_path):
        for path in frames or frames_from_input(input_path, ''):
            yield path, osp.basename(path)
        return
    import cv2
    camera = input_path.isdigit()
    if not camera and not osp.isfile(input_path):
        raise FileNotFoundError(f'{input_path}: no such video, folder or '
                                'camera index')
    if not camera:
        try:  # a clear error for an unreadable or empty file
            probe_video(input_path)
        except ValueError as exc:
            raise SystemExit(f'error: {exc}')
    cap = cv2.VideoCapture(int(input_path) if camera else input_path)
    if not cap.isOpened():
        raise ValueError(f'{input_path}: OpenCV cannot open it')
    try:
        index = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            index += 1
            yield np.ascontiguousarray(frame), f'{index:06d}.png'
    finally:
        cap.release()


def main(argv=None):
    """Stream, write the JSON lines, the record and the timeline."""
    args = parse_args(argv)
    name = osp.basename(osp.normpath(args.input))
    frames = check_frames(frames_from_input(args.input, ''),
                          skip_bad=args.skip_bad_frames) \
        if osp.isdir(args.input) else None  # before the model loads
    model = init_sg_model(args.config, args.checkpoint, device=args.device,
                          strict=not args.allow_partial_load)
    os.makedirs(args.out_dir, exist_ok=True)
    stream = StreamingSGInference(model, video_id=name)
    builder = VideoSceneGraphBuilder(
        name, graph=dict(node_score_thr=args.score_thr))
    visualizer = SGGraphVisualizer(name='stream_demo', top_k=args.top_k)
    video_out, latencies = dict(writer=None, size=None), []
    lines = osp.join(args.out_dir, 'frames.jsonl')
    viewer = HtmlViewerWriter(osp.join(args.out_dir, 'viewer'),
                              title=name) if args.html else None
    start = time.perf_counter()
    with open(lines, 'w') as out:
        for frame, frame_name in frame_source(args.input, frames):
            if args.max_frames is not None and \
                    stream.count >= args.max_frames:
                break
            t0 = time.perf_counter()
            sample = stream.push(frame, frame_name)
            graph = builder.update(sample)
            latency = time.perf_counter() - t0
            latencies.append(latency)
            graph['latency_ms'] = round(1000 * latency, 1)
            graph['ranked_triplets'] = pair_predictions_to_triplets(
                sample.pred_instances, sample.pred_pairs, top_k=args.top_k)
            out.write(json.dumps(graph) + '\n')
            out.flush()
            if viewer is not None:
                _add_viewer_frame(viewer, frame, graph,
                                  f'{lines}:{stream.count}')
            if args.video_out:
                _write_video_frame(video_out, args, visualizer, frame, graph)
    wall = time.perf_counter() - start
    if video_out['writer'] is not None:
        video_out['writer'].release()
    if not latencies:
        raise SystemExit(f'{args.input}: no frame was read')
    record = builder.result()
    with atomic_write(osp.join(args.out_dir, 'video_graph.json'), 'w') as f:
        json.dump(record, f, indent=1)
    plot_relation_timeline(record, osp.join(args.out_dir, 'timeline.png'))
    ms = 1000 * np.asarray(latencies)
    # the first frame also builds the model's lazy parts: reported apart
    steady = ms[1:] if len(ms) > 1 else ms
    print(f'{len(ms)} frames in {wall:.1f} s: {len(ms) / wall:.2f} FPS '
          f'(model + graph + writing); latency per frame '
          f'{np.median(steady):.0f}'
          f' ms median, {np.percentile(steady, 95):.0f} ms p95, first frame '
          f'{ms[0]:.0f} ms; clip window {stream.window} past frames')
    print(f'Wrote {lines}, {len(record["tracks"])} tracks, '
          f'{len(record["relation_intervals"])} relation intervals in '
          f'{osp.join(args.out_dir, "video_graph.json")}')
    if viewer is not None:
        index = viewer.finish(record,
                              osp.join(args.out_dir, 'video_graph.json'))
        print(f'Viewer: {index} (open it in a browser; it works offline)')


def _add_viewer_frame(viewer, frame, graph: dict, source: str) -> None:
    """Save a frame (a file path or a BGR array) for the viewer."""
    if isinstance(frame, str):
        viewer.add_frame_file(graph, frame, source)
    else:
        viewer.add_frame(graph, frame[..., ::-1], source)


def _write_video_frame(video_out: dict, args, visualizer, frame,
                       graph: dict) -> None:
    """Draw the frame graph and append it to ``--video-out``."""
    import cv2
    import mmcv
    image = mmcv.imread(frame, channel_order='rgb') if isinstance(
        frame, str) else frame[..., ::-1]
    drawn = np.ascontiguousarray(
        visualizer.draw_frame_graph(image, graph)[..., ::-1])
    if video_out['writer'] is None:
        h, w = drawn.shape[:2]
        video_out['size'] = (w, h)
        video_out['writer'] = cv2.VideoWriter(
            args.video_out, cv2.VideoWriter_fourcc(*'mp4v'), args.fps,
            (w, h))
    if (drawn.shape[1], drawn.shape[0]) != video_out['size']:
        drawn = mmcv.imresize(drawn, video_out['size'])
    video_out['writer'].write(drawn)


if __name__ == '__main__':
    try:
        main()
    except (FrameReadError, CheckpointError,
            FileNotFoundError) as exc:  # each names the file
        raise SystemExit(f'error: {exc}')
