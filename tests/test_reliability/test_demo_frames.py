"""A corrupt frame among a demo's inputs: one line naming it before the
model is loaded (no output folder made), or, with --skip-bad-frames, the
frame left out with a warning naming it."""
import json
import os
import os.path as osp
import runpy
import sys

import mmcv
import numpy as np
import pytest
import torch

from vost.apis import init_sg_model
from vost.apis.frame_check import FrameReadError, check_frames

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'vost',
                  'vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py')


@pytest.fixture
def frames(tmp_path):
    """Four 96x128 frames; the third is truncated half way, as a copy
    interrupted by a full disk."""
    root = tmp_path / 'frames'
    for i in range(4):
        img = np.full((96, 128, 3), 40 + 30 * i, dtype=np.uint8)
        img[20:60, 10 + 8 * i:50 + 8 * i] = (0, 200, 255)
        mmcv.imwrite(img, str(root / f'{i + 1:06d}.png'))
    bad = root / '000003.png'
    data = bad.read_bytes()
    bad.write_bytes(data[:len(data) // 2])
    return root, len(data) // 2


def test_the_first_unreadable_frame_is_named(frames):
    root, size = frames
    paths = sorted(str(p) for p in root.iterdir())
    with pytest.raises(FrameReadError) as info:
        check_frames(paths)
    assert str(info.value) == (
        f'frame 3 of 4, {root}/000003.png, cannot be decoded as an image '
        f'({size} bytes: corrupt, truncated or not an image): replace or '
        'remove it, or pass --skip-bad-frames to leave unreadable frames '
        'out')
    warned = []
    kept = check_frames(paths, skip_bad=True, warn=warned.append)
    assert kept == [paths[0], paths[1], paths[3]]
    assert warned == [f'skipping frame 3 of 4, {root}/000003.png, which '
                      f'cannot be decoded as an image ({size} bytes: '
                      'corrupt, truncated or not an image)']
    (root / '000001.png').write_bytes(b'')
    with pytest.raises(FrameReadError, match=r'000001.png, is empty'):
        check_frames(paths)
    with pytest.raises(FrameReadError, match='none of the 1 frames'):
        check_frames([paths[2]], skip_bad=True, warn=warned.append)


def _run_tool(tool, argv, monkeypatch):
    monkeypatch.setattr(sys, 'argv', [tool, *argv])
    with pytest.raises(SystemExit) as info:
        runpy.run_path(osp.join(REPO, 'tools', 'demo', tool),
                       run_name='__main__')
    return str(info.value.code)


@pytest.mark.parametrize('tool', ['video_demo.py', 'stream_demo.py'])
def test_a_demo_stops_before_loading_the_model(tool, frames, tmp_path,
                                               monkeypatch):
    root, _ = frames
    out = tmp_path / 'out'
    # a checkpoint that does not exist: reaching the model would say so
    code = _run_tool(tool, [str(root), CONFIG, str(tmp_path / 'none.pth'),
                            '--out-dir', str(out)], monkeypatch)
    assert code.startswith(f'error: frame 3 of 4, {root}/000003.png, '
                           'cannot be decoded as an image'), code
    assert not out.exists()  # no empty output folders


def test_the_video_demo_skips_a_bad_frame_when_asked(frames, tmp_path,
                                                     monkeypatch, capsys):
    root, _ = frames
    torch.manual_seed(0)
    checkpoint = str(tmp_path / 'random.pth')
    torch.save({'state_dict': init_sg_model(CONFIG).state_dict(),
                'meta': {}}, checkpoint)
    out = tmp_path / 'out'
    monkeypatch.setattr(sys, 'argv', [
        'video_demo.py', str(root), CONFIG, checkpoint, '--out-dir',
        str(out), '--skip-bad-frames', '--no-vis'])
    runpy.run_path(osp.join(REPO, 'tools', 'demo', 'video_demo.py'),
                   run_name='__main__')
    assert f'warning: skipping frame 3 of 4, {root}/000003.png, which ' \
        'cannot be decoded' in capsys.readouterr().err
    assert sorted(os.listdir(out / 'json')) == [
        '000001.json', '000002.json', '000004.json']
    with open(out / 'video_graph.json') as f:
        record = json.load(f)
    # the kept frames keep their positions in the input
    assert [(osp.basename(f['img_path']), f['frame_index'])
            for f in record['frames']] == [
                ('000001.png', 0), ('000002.png', 1), ('000004.png', 3)]
