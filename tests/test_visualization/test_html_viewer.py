"""The viewer folder: what data.js holds, the frames, and the errors for
bad input (the browser side is test_viewer_browser.py)."""
import copy
import json
import os

import mmcv
import numpy as np
import pytest

from vost.visualization import (HtmlViewerWriter, build_viewer_from_outputs,
                                track_color)
from vost.visualization.html_viewer import STATIC_DIR, VIEWER_FORMAT
from .viewer_cases import make_synthetic_video, synthetic_frame

PREFIX = 'window.VOST_VIEWER_DATA = '


def read_data(folder):
    with open(os.path.join(folder, 'data.js')) as f:
        text = f.read()
    assert text.startswith(PREFIX) and text.endswith(';\n')
    return json.loads(text[len(PREFIX):-2])


def test_data_js_holds_the_records_the_page_reads(tmp_path):
    graphs, record = make_synthetic_video(4)
    writer = HtmlViewerWriter(str(tmp_path), max_side=80)
    for g in graphs:
        writer.add_frame(g, synthetic_frame(g), 'synthetic')
    index = writer.finish(record)
    assert index == str(tmp_path / 'index.html')
    assert sorted(os.listdir(tmp_path)) == [
        'data.js', 'frames', 'index.html', 'viewer.css', 'viewer.js']
    for name in ('index.html', 'viewer.js', 'viewer.css'):
        with open(tmp_path / name, 'rb') as a, \
                open(os.path.join(STATIC_DIR, name), 'rb') as b:
            assert a.read() == b.read()
    data = read_data(tmp_path)
    assert data['format'] == VIEWER_FORMAT
    assert data['video'] == json.loads(json.dumps(record))
    assert [f['frame_index'] for f in data['frames']] == [0, 30, 60, 90]
    # the frame graphs without the ranked list and member / pair indices
    node = graphs[2]['nodes'][1]
    assert data['frames'][2]['nodes'][1] == {
        k: node[k] for k in ('id', 'label', 'label_name', 'bbox', 'score',
                             'track_id')}
    edge = graphs[2]['edges'][0]
    assert data['frames'][2]['edges'][0] == json.loads(json.dumps(
        {k: v for k, v in edge.items() if k != 'pairs'}))
    assert data['track_colors'] == {
        str(t): '#{:02x}{:02x}{:02x}'.format(*track_color(t))
        for t in (1, 2, 3)}
    # boxes keep original pixels; the picture is downscaled to 80 px
    assert data['images'][0] == dict(src='frames/000000.jpg', width=160,
                                     height=120)
    jpg = mmcv.imread(str(tmp_path / 'frames' / '000000.jpg'))
    assert jpg.shape == (60, 80, 3)


def test_a_label_cannot_close_the_script(tmp_path):
    graphs, record = make_synthetic_video(1)
    graphs[0]['nodes'][1]['label_name'] = '</script><b>'
    writer = HtmlViewerWriter(str(tmp_path))
    writer.add_frame(graphs[0], synthetic_frame(graphs[0]))
    writer.finish(record)
    with open(tmp_path / 'data.js') as f:
        assert '</' not in f.read()
    assert read_data(tmp_path)['frames'][0]['nodes'][1]['label_name'] == \
        '</script><b>'


def test_bad_input_is_named(tmp_path):
    graphs, record = make_synthetic_video(2)
    writer = HtmlViewerWriter(str(tmp_path))
    bad = copy.deepcopy(graphs[0])
    del bad['nodes'][0]['bbox']
    with pytest.raises(ValueError, match="json/000001.json: field nodes/0: "
                       "'bbox' is a required property"):
        writer.add_frame(bad, synthetic_frame(graphs[0]), 'json/000001.json')
    with pytest.raises(ValueError, match='f.json: field position: 1, but '
                       'the viewer expects key frame 0 next'):
        writer.add_frame(graphs[1], synthetic_frame(graphs[1]), 'f.json')
    with pytest.raises(ValueError, match=r'must be \(H, W, 3\), got shape '
                       r'\(120, 160\)'):
        writer.add_frame(graphs[0], np.zeros((120, 160), np.uint8), 'f.json')
    with pytest.raises(FileNotFoundError, match="f.json: field img_path: "
                       "frame 'nope.png' does not exist"):
        writer.add_frame_file(graphs[0], 'nope.png', 'f.json')
    writer.add_frame(graphs[0], synthetic_frame(graphs[0]))
    with pytest.raises(ValueError, match='video_graph.json: field frames: '
                       'the record lists 2 key frames'):
        writer.finish(record)
    assert not (tmp_path / 'data.js').exists()  # no half-made viewer


def _demo_folder(root, stream=False):
    """What video_demo.py (or stream_demo.py) writes, from the synthetic
    video."""
    graphs, record = make_synthetic_video(3)
    os.makedirs(root / 'json')
    lines = []
    for g in graphs:
        path = str(root / f'{g["frame_index"]:06d}.png')
        mmcv.imwrite(synthetic_frame(g)[..., ::-1], path)
        g = dict(g, img_path=path, ranked={'bboxes': []})
        if stream:
            lines.append(json.dumps(g))
        else:
            with open(root / 'json' / f'{g["frame_index"]:06d}.json',
                      'w') as f:
                json.dump(g, f)
    if stream:
        os.rmdir(root / 'json')
        (root / 'frames.jsonl').write_text('\n'.join(lines) + '\n')
    record['frames'] = [dict(f, img_path=str(root / f'{f["frame_index"]:06d}'
                                             '.png'))
                        for f in record['frames']]
    with open(root / 'video_graph.json', 'w') as f:
        json.dump(record, f)
    return graphs


@pytest.mark.parametrize('stream', [False, True])
def test_built_from_a_demo_folder(tmp_path, stream):
    graphs = _demo_folder(tmp_path, stream)
    index = build_viewer_from_outputs(str(tmp_path))
    assert index == str(tmp_path / 'viewer' / 'index.html')
    data = read_data(tmp_path / 'viewer')
    assert [len(f['nodes']) for f in data['frames']] == [
        len(g['nodes']) for g in graphs]
    assert len(os.listdir(tmp_path / 'viewer' / 'frames')) == 3


def test_demo_folder_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='video_graph.json: missing'):
        build_viewer_from_outputs(str(tmp_path))
    _demo_folder(tmp_path, stream=True)
    lines = tmp_path / 'frames.jsonl'
    text = lines.read_text()
    lines.write_text(text + text.splitlines()[0][:40])  # a cut last line
    with pytest.raises(ValueError, match=f'{lines}:4: not valid JSON'):
        build_viewer_from_outputs(str(tmp_path))
    rows = [json.loads(x) for x in text.splitlines()]
    rows[1]['img_path'] = None  # a stream read from a video keeps no files
    lines.write_text('\n'.join(json.dumps(r) for r in rows) + '\n')
    with pytest.raises(ValueError, match=f'{lines}:2: field img_path: null '
                       r'.*run stream_demo.py with --html'):
        build_viewer_from_outputs(str(tmp_path))


def test_make_viewer_tool(tmp_path, capsys):
    import runpy
    repo = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    tool = runpy.run_path(os.path.join(repo, 'tools', 'demo',
                                       'make_viewer.py'))
    with pytest.raises(SystemExit, match=f'error: {tmp_path}/'
                       'video_graph.json: missing'):
        tool['main']([str(tmp_path)])
    _demo_folder(tmp_path)
    tool['main']([str(tmp_path), '--viewer-dir', str(tmp_path / 'v'),
                  '--max-side', '40'])
    assert capsys.readouterr().out == (
        f'Viewer: {tmp_path}/v/index.html (open it in a browser; it works '
        'offline)\n')
    assert mmcv.imread(str(tmp_path / 'v' / 'frames' /
                           '000002.jpg')).shape == (30, 40, 3)
