"""Inference on an unannotated video and the video demo tool."""
import json
import os
import os.path as osp
import runpy
import sys

import mmcv
import numpy as np
import pytest
import torch

from vost.apis import (build_inference_pipeline, frames_from_input,
                       inference_video, init_sg_model, make_video_dict)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'vost',
                  'vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py')


@pytest.fixture(scope='module')
def frame_dir(tmp_path_factory):
    """Three 96x128 frames of a plain moving square, as a frame folder."""
    root = tmp_path_factory.mktemp('frames')
    for i in range(3):
        img = np.full((96, 128, 3), 40, dtype=np.uint8)
        img[20:60, 10 + 8 * i:50 + 8 * i] = (0, 200, 255)
        mmcv.imwrite(img, str(root / f'{i + 1:06d}.png'))
    return str(root)


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A randomly initialised model saved as a checkpoint."""
    torch.manual_seed(0)
    model = init_sg_model(CONFIG)
    path = str(tmp_path_factory.mktemp('ckpt') / 'random.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def test_pipeline_drops_annotation_loading():
    model = init_sg_model(CONFIG)
    pipeline = build_inference_pipeline(model.cfg)
    names = repr(pipeline)
    assert 'LoadSGAnnotations' not in names
    assert 'PackSGInputs' in names


def test_frames_from_input_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='no frames'):
        frames_from_input(str(tmp_path), str(tmp_path / 'out'))
    bad = tmp_path / 'notes.txt'
    bad.write_text('x')
    with pytest.raises(ValueError, match='not a video'):
        frames_from_input(str(bad), str(tmp_path / 'out'))


def test_video_file_is_decoded(tmp_path, frame_dir):
    import cv2
    path = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 5,
                             (128, 96))
    for f in sorted(os.listdir(frame_dir)):
        writer.write(mmcv.imread(osp.join(frame_dir, f)))
    writer.release()
    frames = frames_from_input(path, str(tmp_path / 'decoded'))
    assert [osp.basename(f) for f in frames] == [
        '000001.png', '000002.png', '000003.png'
    ]
    assert mmcv.imread(frames[0]).shape == (96, 128, 3)


def test_inference_video_predicts_every_key_frame(frame_dir, checkpoint):
    model = init_sg_model(CONFIG, checkpoint)
    video = make_video_dict(frames_from_input(frame_dir, ''), 'toy.mp4')
    outputs = list(inference_video(model, video, batch_size=2))
    assert [o.metainfo['frame_key'] for o in outputs] == [
        'toy.mp4/000001.png', 'toy.mp4/000002.png', 'toy.mp4/000003.png'
    ]
    for out in outputs:
        boxes = out.pred_instances.bboxes
        # Boxes are in original-frame pixels (128 x 96), not input pixels.
        assert boxes[:, 0::2].max() <= 128 + 1e-3
        assert boxes[:, 1::2].max() <= 96 + 1e-3
        pairs = out.pred_pairs
        assert pairs.attention_scores.shape[1] == 3
        assert torch.all(pairs.pair_inds < len(boxes))


def test_video_demo_writes_graphs_tracks_and_pictures(
        tmp_path, frame_dir, checkpoint, monkeypatch):
    from vost.graphs import validate_scene_graph
    out_dir = tmp_path / 'demo'
    # a random model scores objects near 1/36: a low node threshold keeps
    # some object nodes to track
    monkeypatch.setattr(sys, 'argv', [
        'video_demo.py', frame_dir, CONFIG, checkpoint, '--out-dir',
        str(out_dir), '--video-out',
        str(out_dir / 'sg.mp4'), '--top-k', '5', '--score-thr', '0.0',
        '--node-link'
    ])
    runpy.run_path(
        osp.join(REPO, 'tools', 'demo', 'video_demo.py'),
        run_name='__main__')
    records = sorted(os.listdir(out_dir / 'json'))
    assert records == ['000001.json', '000002.json', '000003.json']
    with open(out_dir / 'json' / '000002.json') as f:
        record = json.load(f)
    validate_scene_graph(record, '000002.json')
    assert record['frame_key'] == f'{osp.basename(frame_dir)}/000002.png'
    assert record['frame_index'] == 1 and record['position'] == 1
    ranked = record['ranked']
    assert len(ranked['bboxes']) == len(ranked['labels'])
    assert len(ranked['triplets']) <= 5
    assert all({'subject', 'object', 'predicate', 'score'} <= set(t)
               for t in ranked['triplets'])
    # every ranked instance is in exactly one node (threshold 0)
    members = sorted(m for n in record['nodes'] for m in n['members'])
    assert members == list(range(len(ranked['labels'])))
    labels = [ranked['labels'][m] for n in record['nodes']
              for m in n['members'][:1]]
    assert labels == [n['label'] for n in record['nodes']]
    with open(out_dir / 'video_graph.json') as f:
        video = json.load(f)
    validate_scene_graph(video, 'video_graph.json')
    assert [f['frame_index'] for f in video['frames']] == [0, 1, 2]
    assert video['tracks'] and video['tracks'][0]['label_name'] == 'person'
    assert sorted(os.listdir(out_dir / 'node_link')) == records
    assert sorted(os.listdir(out_dir / 'vis')) == [
        '000001.png', '000002.png', '000003.png'
    ]
    assert mmcv.imread(str(out_dir / 'timeline.png')).shape[1] > 500
    assert (out_dir / 'sg.mp4').stat().st_size > 0


def test_video_demo_samples_a_30fps_clip_and_writes_the_viewer(
        tmp_path, checkpoint, monkeypatch, capsys):
    """A 30 fps 640x360 phone-like clip at 2 key frames a second, with the
    viewer and no pictures."""
    import cv2
    clip = str(tmp_path / 'phone.mp4')
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*'mp4v'), 30,
                             (640, 360))
    for i in range(45):
        img = np.full((360, 640, 3), 40, np.uint8)
        img[90:270, 40 + 4 * i:200 + 4 * i] = (0, 200, 255)
        writer.write(img)
    writer.release()
    out_dir = tmp_path / 'demo'
    monkeypatch.setattr(sys, 'argv', [
        'video_demo.py', clip, CONFIG, checkpoint, '--out-dir',
        str(out_dir), '--sample-fps', '2', '--html', '--no-vis',
        '--score-thr', '0.0'
    ])
    runpy.run_path(
        osp.join(REPO, 'tools', 'demo', 'video_demo.py'),
        run_name='__main__')
    printed = capsys.readouterr().out
    assert (f'{clip}: 640x360, 30.00 fps, 45 frames; key frames: 2 per '
            'second (1 in every 15 frames): 3 key frames, frame indices 0, '
            '15, 30') in printed
    assert f'Viewer: {out_dir}/viewer/index.html' in printed
    assert sorted(os.listdir(out_dir / 'json')) == [
        '000001.json', '000016.json', '000031.json']
    assert not (out_dir / 'vis').exists()
    with open(out_dir / 'video_graph.json') as f:
        video = json.load(f)
    assert [f['frame_index'] for f in video['frames']] == [0, 15, 30]
    with open(out_dir / 'viewer' / 'data.js') as f:
        data = json.loads(f.read().split(' = ', 1)[1].rstrip(';\n'))
    assert data['video'] == video
    for frame in data['frames']:
        with open(out_dir / 'json' /
                  f'{frame["frame_index"] + 1:06d}.json') as f:
            record = json.load(f)
        assert [n['bbox'] for n in frame['nodes']] == [
            n['bbox'] for n in record['nodes']]
    assert {(i['width'], i['height']) for i in data['images']} == {(640,
                                                                    360)}
