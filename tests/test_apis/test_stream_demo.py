"""Streaming inference: per-frame outputs equal the offline causal test
run, and the state stays bounded."""
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import mmcv
import numpy as np
import pytest
import torch

from vost.ag_format import load_action_genome
from vost.apis import StreamingSGInference, init_sg_model
from vost.datasets.synthetic import make_synthetic_ag
from vost.evaluation.functional import sg_sample_to_prediction

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CAUSAL = osp.join(REPO, 'configs', 'vost', 'vost-spatial-temporal-causal_'
                  'r18_1xb8-1e_synthetic-ag-sgdet.py')
TWO_SIDED = osp.join(REPO, 'configs', 'vost', 'vost-spatial-temporal_'
                     'r18_1xb8-1e_synthetic-ag-sgdet.py')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """A tiny synthetic set, a random causal model and its offline
    ``tools/test.py`` predictions."""
    tmp = tmp_path_factory.mktemp('stream')
    data = str(tmp / 'synthetic_ag')
    # 256x256 frames (the default set's size): objects survive the SGDet
    # box-size filter; every video in the test split
    make_synthetic_ag(data, num_videos=3, num_frames=7, seed=5,
                      size=(256, 256), test_fraction=1.0)
    torch.manual_seed(0)
    model = init_sg_model(CAUSAL)
    ckpt = str(tmp / 'random.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, ckpt)
    out = str(tmp / 'preds.pkl')
    env = dict(os.environ, OMP_NUM_THREADS='2', PYTHONPATH=REPO)
    proc = subprocess.run([
        sys.executable, 'tools/test.py', CAUSAL, ckpt, '--work-dir',
        str(tmp / 'test'), '--out', out, '--cfg-options',
        f'test_dataloader.dataset.data_root={data}',
        f'test_evaluator.data_root={data}', 'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_dataloader.batch_size=3'
    ], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(out, 'rb') as f:
        preds = {p['frame_key']: p for p in pickle.load(f)}
    videos, _ = load_action_genome(data, split='test', task='sgdet')
    return dict(data=data, ckpt=ckpt, preds=preds, videos=videos)


def test_stream_equals_offline_causal_test(setup):
    model = init_sg_model(CAUSAL, setup['ckpt'])
    stream = StreamingSGInference(model)
    assert stream.window == 4  # frame_range 4 of the causal config: (-4, -1)
    compared = 0
    for video in setup['videos']:
        stream.reset(video['video_id'])
        for frame in video['images']:
            out = sg_sample_to_prediction(stream.push(frame['img_path']))
            ref = setup['preds'][frame['frame_key']]
            assert out['frame_key'] == ref['frame_key']
            np.testing.assert_array_equal(out['labels'], ref['labels'])
            np.testing.assert_array_equal(out['pair_inds'], ref['pair_inds'])
            for key in ('bboxes', 'scores', 'attention_scores',
                        'spatial_scores', 'contacting_scores'):
                np.testing.assert_allclose(out[key], ref[key], rtol=1e-4,
                                           atol=1e-4, err_msg=key)
            compared += 1
    assert compared == len(setup['preds']) >= 6


def test_state_is_bounded_and_arrays_match_files(setup):
    # a small frame cache, so that a short stream outgrows it
    model = init_sg_model(CAUSAL, setup['ckpt'],
                          cfg_options={'model.temporal.frame_cache_size': 8})
    cache = model.frame_cache
    video = setup['videos'][0]
    paths = [f['img_path'] for f in video['images']][:4]
    by_file = StreamingSGInference(model, video['video_id'])
    ref = [sg_sample_to_prediction(by_file.push(p)) for p in paths]
    by_array = StreamingSGInference(model, video['video_id'])
    sizes = []
    for rep in range(3):  # the same frames again and again: a long stream
        for k, path in enumerate(paths):
            out = by_array.push(mmcv.imread(path), name=f'{rep}_{k}.png')
            sizes.append((len(by_array.frames), len(cache)))
            if rep == 0:
                out = sg_sample_to_prediction(out)
                np.testing.assert_allclose(out['scores'], ref[k]['scores'],
                                           rtol=1e-4, atol=1e-4)
    assert by_array.count == 3 * len(paths)
    assert max(s[0] for s in sizes) == by_array.window + 1
    # the model's frame cache fills to its cap and stays there, whatever
    # the stream's length
    assert max(s[1] for s in sizes) == cache.max_frames < len(sizes)
    assert sizes[-1] == (by_array.window + 1, cache.max_frames)
    with pytest.raises(ValueError, match='all image files or all arrays'):
        by_array.push(paths[0])
    with pytest.raises(ValueError, match='uint8 BGR array'):
        by_array.push(np.zeros((4, 4), np.float32))


def test_two_sided_config_is_refused(setup):
    model = init_sg_model(TWO_SIDED, setup['ckpt'])
    with pytest.raises(ValueError, match='needs a causal config'):
        StreamingSGInference(model)


def test_stream_demo_tool(setup, tmp_path):
    video = setup['videos'][0]
    folder = osp.dirname(video['images'][0]['img_path'])
    out_dir = tmp_path / 'out'
    env = dict(os.environ, OMP_NUM_THREADS='2', PYTHONPATH=REPO)
    proc = subprocess.run([
        sys.executable, 'tools/demo/stream_demo.py', folder, CAUSAL,
        setup['ckpt'], '--out-dir', str(out_dir), '--score-thr', '0.0',
        '--video-out', str(out_dir / 'sg.mp4'), '--html'
    ], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert 'FPS' in proc.stdout and 'latency per frame' in proc.stdout
    with open(out_dir / 'frames.jsonl') as f:
        lines = [json.loads(line) for line in f]
    names = sorted(n for n in os.listdir(folder) if n.endswith('.png'))
    assert [osp.basename(r['frame_key']) for r in lines] == names
    from vost.graphs import validate_scene_graph
    for r in lines:
        validate_scene_graph(r, 'frames.jsonl')
        assert r['latency_ms'] > 0
    with open(out_dir / 'video_graph.json') as f:
        validate_scene_graph(json.load(f), 'video_graph.json')
    assert (out_dir / 'timeline.png').stat().st_size > 0
    assert (out_dir / 'sg.mp4').stat().st_size > 0
    # --html: the viewer shows the streamed frames' graphs
    assert f'Viewer: {out_dir}/viewer/index.html' in proc.stdout
    with open(out_dir / 'viewer' / 'data.js') as f:
        data = json.loads(f.read().split(' = ', 1)[1].rstrip(';\n'))
    assert [f['frame_key'] for f in data['frames']] == [
        r['frame_key'] for r in lines]
    assert [[n['bbox'] for n in f['nodes']] for f in data['frames']] == [
        [n['bbox'] for n in r['nodes']] for r in lines]
    assert [f['latency_ms'] for f in data['frames']] == [
        r['latency_ms'] for r in lines]


def test_stream_viewer_saves_camera_frames_as_rgb(tmp_path):
    """A camera or video frame (BGR array) goes to the viewer in RGB."""
    import runpy
    from vost.visualization import HtmlViewerWriter
    tool = runpy.run_path(osp.join(REPO, 'tools', 'demo', 'stream_demo.py'))
    graph = dict(schema='vost.frame_scene_graph/1', video_id='0',
                 position=0, frame_index=0, frame_key='0/000001.png',
                 img_path=None, nodes=[], edges=[])
    bgr = np.zeros((40, 60, 3), np.uint8)
    bgr[..., 0] = 255  # blue in OpenCV's order
    writer = HtmlViewerWriter(str(tmp_path))
    tool['_add_viewer_frame'](writer, bgr, graph, 'frames.jsonl:1')
    jpg = mmcv.imread(str(tmp_path / 'frames' / '000000.jpg'))  # BGR
    assert np.abs(jpg[20, 30].astype(int) - (255, 0, 0)).max() < 8
    assert writer.images == [dict(src='frames/000000.jpg', width=60,
                                  height=40)]
