"""Tests of the data tools: ag_stats counting and the dump-frames list."""
import importlib.util
import json
import os
import os.path as osp
import sys

import pytest

from vost.ag_format import load_action_genome

ROOT = osp.join(osp.dirname(__file__), '..', '..')
FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')


def _tool(rel):
    path = osp.join(ROOT, rel)
    spec = importlib.util.spec_from_file_location(osp.basename(rel)[:-3],
                                                  path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_ag_stats_counts_triplets():
    stats_mod = _tool('tools/analysis_tools/ag_stats.py')
    data_list, _ = load_action_genome(FIXTURE, 'test', 'sgdet')
    stats = stats_mod.count_triplets(data_list)
    # Per object: 1 attention + its spatial + its contacting labels.
    # A3 chair 1+2+2, A10 sofa 1+1+1, A100 closet 3, C6/C8 table 3 each,
    # C7 table 3 + laptop 1+2+2.
    assert (stats['videos'], stats['frames'], stats['objects']) == (2, 6, 7)
    assert stats['triplets'] == 25
    per = stats['per_predicate']
    assert len(per) == 26 and sum(per.values()) == 25
    assert (per['looking_at'], per['not_looking_at'], per['unsure']) == \
        (2, 4, 1)
    assert per['in_front_of'] == 5 and per['beneath'] == 2
    assert per['touching'] == 2 and per['not_contacting'] == 4


def test_ag_stats_cli_json(tmp_path, monkeypatch, capsys):
    stats_mod = _tool('tools/analysis_tools/ag_stats.py')
    out = tmp_path / 'stats.json'
    monkeypatch.setattr(sys, 'argv', [
        'ag_stats.py', FIXTURE, '--split', 'test', '--task', 'predcls',
        '--json',
        str(out)
    ])
    stats_mod.main()
    stats = json.loads(out.read_text())
    assert json.loads(capsys.readouterr().out) == stats
    assert (stats['videos'], stats['frames'], stats['objects']) == (2, 7, 9)
    assert stats['removed']['frames']['no_person'] == 1


def test_dump_frames_reads_frame_list():
    dump = _tool('tools/dataset_converters/ag_dump_frames.py')
    frames = dump.read_frame_list(FIXTURE)
    assert frames['AAAAA.mp4'] == [3, 10, 21, 100]
    assert sum(len(v) for v in frames.values()) == 18
    # All frames of the fixture exist: every video is skipped (resumable).
    for video, numbers in frames.items():
        assert dump.dump_video(video, numbers, '/nonexistent',
                               osp.join(FIXTURE, 'frames'),
                               'ffmpeg') == 'skipped'
    assert dump.dump_video('ZZZZZ.mp4', [1], '/nonexistent',
                           osp.join(FIXTURE, 'frames'),
                           'ffmpeg').startswith('missing video')


def test_dump_frames_pyav_one_based(tmp_path):
    pytest.importorskip('av')
    import cv2
    import numpy as np
    (tmp_path / 'videos').mkdir()
    writer = cv2.VideoWriter(
        str(tmp_path / 'videos' / 'TEST1.mp4'),
        cv2.VideoWriter_fourcc(*'mp4v'), 24, (64, 48))
    if not writer.isOpened():
        pytest.skip('cv2 cannot write mp4 here')
    for i in range(12):  # frame i + 1 has grey level 20 * i
        writer.write(np.full((48, 64, 3), 20 * i, np.uint8))
    writer.release()
    ann = tmp_path / 'ag' / 'annotations'
    ann.mkdir(parents=True)
    (ann / 'frame_list.txt').write_text(
        'TEST1.mp4/000003.png\nTEST1.mp4/000011.png\n')
    dump = _tool('tools/dataset_converters/ag_dump_frames.py')
    out = str(tmp_path / 'ag' / 'frames')
    args = ('TEST1.mp4', [3, 11], str(tmp_path / 'videos'), out, 'pyav')
    assert dump.dump_video(*args) == 'done'
    assert sorted(os.listdir(osp.join(out, 'TEST1.mp4'))) == [
        '000003.png', '000011.png'
    ]
    grey = cv2.imread(osp.join(out, 'TEST1.mp4', '000003.png')).mean()
    assert abs(grey - 40) < 8  # the 3rd frame (1-based)
    grey = cv2.imread(osp.join(out, 'TEST1.mp4', '000011.png')).mean()
    assert abs(grey - 200) < 8
    assert dump.dump_video(*args) == 'skipped'  # resumable


@pytest.mark.parametrize('backend', ['pyav', 'ffmpeg'])
def test_dump_frames_fails_loudly_on_a_broken_video(tmp_path, backend):
    """A video that does not decode gives the decoder's message and leaves
    no (empty) frame folder; STTran's dumper hid ffmpeg's errors and wrote
    empty folders."""
    import shutil
    if backend == 'ffmpeg' and shutil.which('ffmpeg') is None:
        pytest.skip('no ffmpeg on this machine')
    pytest.importorskip('av')
    (tmp_path / 'videos').mkdir()
    (tmp_path / 'videos' / 'BROKE.mp4').write_bytes(b'not a video' * 100)
    out = tmp_path / 'frames'
    out.mkdir()
    dump = _tool('tools/dataset_converters/ag_dump_frames.py')
    for numbers in ([1, 2], None):
        status = dump.dump_video('BROKE.mp4', numbers,
                                 str(tmp_path / 'videos'), str(out), backend)
        assert status.startswith('failed ') and 'BROKE.mp4' in status
        assert len(status) > len(f'failed {tmp_path}/videos/BROKE.mp4: ')
        assert os.listdir(out) == []  # no empty folder, no temporary left


def test_browse_dataset_writes_clips(tmp_path, monkeypatch):
    browse = _tool('tools/misc/browse_dataset.py')
    cfg = osp.join(ROOT, 'configs', '_base_', 'datasets',
                   'synthetic_ag.py')
    monkeypatch.setattr(sys, 'argv', [
        'browse_dataset.py', cfg, '--output-dir',
        str(tmp_path), '--num', '2', '--cfg-options',
        f'train_dataloader.dataset.data_root={FIXTURE}',
        'train_dataloader.dataset.clip_sampler.num_ref_frames=1'
    ])
    browse.main()
    import cv2
    files = sorted(os.listdir(tmp_path))
    assert len(files) == 2 and all(f.endswith('.png') for f in files)
    img = cv2.imread(str(tmp_path / files[0]))
    assert img.shape[1] >= 2 * 128  # two frames side by side
