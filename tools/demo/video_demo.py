"""Run VOST on a video (or a folder of frames) and draw its scene graphs.

Example::

    python tools/demo/video_demo.py demo.mp4 CONFIG CHECKPOINT \
        --out-dir outputs/demo --video-out outputs/demo/demo_sg.mp4

Writes, per frame, ``{out_dir}/json/{frame}.json`` (boxes, labels, scores,
ranked triplets) and ``{out_dir}/vis/{frame}.png`` (boxes, labels, top
triplets and a small graph drawing), and optionally an annotated video.
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
from vost.visualization import (SGLocalVisualizer, class_name,
                                pair_predictions_to_triplets, to_numpy)


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
                        help='minimum object score of drawn boxes')
    parser.add_argument('--multi-label-thr', type=float, default=0.5,
                        help='minimum spatial/contacting probability')
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--every', type=int, default=1,
                        help='predict every N-th frame')
    return parser.parse_args()


def frame_record(sample, top_k: int, multi_label_thr: float) -> dict:
    """JSON-ready scene graph of one predicted frame."""
    inst = sample.pred_instances
    triplets = pair_predictions_to_triplets(
        inst, sample.pred_pairs, top_k=top_k,
        multi_label_thr=multi_label_thr)
    labels = to_numpy(inst.labels).tolist()
    return dict(
        frame_key=sample.metainfo.get('frame_key'),
        img_path=sample.metainfo.get('img_path'),
        bboxes=np.round(to_numpy(inst.bboxes).astype(float), 2).tolist(),
        labels=labels,
        label_names=[class_name(label) for label in labels],
        scores=np.round(to_numpy(inst.scores).astype(float), 4).tolist(),
        triplets=triplets)


def main():
    """Predict, write JSON and drawings, optionally a video."""
    args = parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    name = osp.basename(osp.normpath(args.input))
    frames = frames_from_input(args.input,
                               osp.join(args.out_dir, 'input_frames'))
    video = make_video_dict(frames, name)
    model = init_sg_model(args.config, args.checkpoint, device=args.device)
    visualizer = SGLocalVisualizer(
        name='video_demo', top_k=args.top_k,
        pred_score_thr=args.score_thr,
        multi_label_thr=args.multi_label_thr)

    key_frames = list(range(0, len(frames), args.every))
    writer = None
    json_dir = osp.join(args.out_dir, 'json')
    vis_dir = osp.join(args.out_dir, 'vis')
    os.makedirs(json_dir, exist_ok=True)
    os.makedirs(vis_dir, exist_ok=True)
    outputs = inference_video(
        model, video, batch_size=args.batch_size, key_frames=key_frames)
    for sample in tqdm(outputs, total=len(key_frames), desc='frames'):
        stem = osp.splitext(osp.basename(sample.metainfo['img_path']))[0]
        record = frame_record(sample, args.top_k, args.multi_label_thr)
        with open(osp.join(json_dir, stem + '.json'), 'w') as f:
            json.dump(record, f, indent=1)
        image = mmcv.imread(sample.metainfo['img_path'], channel_order='rgb')
        drawn = visualizer.add_datasample(
            stem, image, sample, draw_gt=False,
            out_file=osp.join(vis_dir, stem + '.png'))
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
    print(f'Wrote {len(key_frames)} frames: {json_dir}, {vis_dir}'
          + (f', {args.video_out}' if args.video_out else ''))


if __name__ == '__main__':
    main()
