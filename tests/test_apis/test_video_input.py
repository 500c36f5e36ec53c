"""A person's own video: key-frame sampling, streamed decoding, and clear
errors for unreadable, empty and truncated files."""
import os.path as osp

import mmcv
import numpy as np
import pytest

from vost.apis import (decode_key_frames, key_frame_input, probe_video,
                       sample_key_frames)


def write_clip(path, num_frames=45, size=(640, 360), fps=30, fourcc='mp4v'):
    """A clip of a square moving 5 px a frame (BGR frames)."""
    import cv2
    w, h = size
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps,
                             (w, h))
    for i in range(num_frames):
        img = np.full((h, w, 3), 40, np.uint8)
        img[h // 4:h // 2, 10 + 5 * i:60 + 5 * i] = (0, 200, 255)
        writer.write(img)
    writer.release()
    return path


def test_sampling_rates_by_hand():
    assert sample_key_frames(300, 30.0, sample_fps=1) == list(
        range(0, 300, 30))
    # NTSC 29.97 fps: nearest frames of k * 29.97
    assert sample_key_frames(100, 29.97, sample_fps=1) == [0, 30, 60, 90]
    assert sample_key_frames(10, 30.0, sample_fps=4) == [0, 8]  # 7.5 -> 8
    assert sample_key_frames(5, 5.0, sample_fps=10) == [0, 1, 2, 3, 4]
    assert sample_key_frames(10, None, every=4) == [0, 4, 8]
    assert sample_key_frames(3) == [0, 1, 2]
    with pytest.raises(ValueError, match='not both'):
        sample_key_frames(10, 30.0, sample_fps=1, every=2)
    with pytest.raises(ValueError, match='use --every N'):
        sample_key_frames(10, None, sample_fps=1)
    with pytest.raises(ValueError, match='--sample-fps must be > 0'):
        sample_key_frames(10, 30.0, sample_fps=0)


def test_a_30fps_640x360_clip_keeps_its_key_frames_only(tmp_path):
    clip = write_clip(str(tmp_path / 'phone.mp4'))
    info = probe_video(clip)
    assert (info.fps, info.num_frames, info.width, info.height) == (
        30.0, 45, 640, 360)
    paths, indices, summary = key_frame_input(
        clip, str(tmp_path / 'frames'), sample_fps=2, progress=False)
    assert indices == [0, 15, 30]
    assert [osp.basename(p) for p in paths] == [
        '000001.png', '000016.png', '000031.png']
    assert summary == (
        f'{clip}: 640x360, 30.00 fps, 45 frames; key frames: 2 per second '
        '(1 in every 15 frames): 3 key frames, frame indices 0, 15, 30')
    # the written frame is the video's frame 15: the square at x = 85
    frame = mmcv.imread(paths[1])
    assert frame.shape == (360, 640, 3)
    cols = np.flatnonzero(frame[120, :, 2] > 150)
    assert abs(cols[0] - 85) <= 2 and abs(cols[-1] - 134) <= 2
    # the default is one key frame a second
    _, indices, _ = key_frame_input(clip, str(tmp_path / 'f1'),
                                    progress=False)
    assert indices == [0, 30]


def test_a_folder_keeps_every_frame_and_refuses_a_rate(tmp_path):
    for i in range(5):
        mmcv.imwrite(np.zeros((8, 8, 3), np.uint8), str(tmp_path /
                                                        f'{i:03d}.png'))
    paths, indices, _ = key_frame_input(str(tmp_path), '', every=2)
    assert indices == [0, 2, 4]
    assert [osp.basename(p) for p in paths] == ['000.png', '002.png',
                                                '004.png']
    with pytest.raises(ValueError, match='a frame folder has no frame '
                       'rate: use --every N'):
        key_frame_input(str(tmp_path), '', sample_fps=1)


def test_unreadable_empty_and_truncated_files_are_named(tmp_path):
    empty = tmp_path / 'empty.mp4'
    empty.write_bytes(b'')
    with pytest.raises(ValueError, match=f'{empty}: empty file'):
        probe_video(str(empty))
    text = tmp_path / 'notes.mp4'
    text.write_text('not a video\n' * 100)
    with pytest.raises(ValueError, match=f'{text}: unreadable: OpenCV '
                       'cannot open it'):
        probe_video(str(text))
    with pytest.raises(FileNotFoundError, match='no such video file'):
        probe_video(str(tmp_path / 'missing.mp4'))
    # an .avi cut in half: its header still announces 60 frames
    clip = write_clip(str(tmp_path / 'cut.avi'), num_frames=60,
                      size=(160, 120), fourcc='MJPG')
    with open(clip, 'rb') as f:
        data = f.read()
    with open(clip, 'wb') as f:
        f.write(data[:len(data) // 2])
    info = probe_video(clip)
    assert info.num_frames == 60
    with pytest.raises(ValueError, match=(
            f'{clip}: truncated: decoding stopped after frame \\d+ of the '
            '60 its header announces')):
        decode_key_frames(info, sample_key_frames(60, 30, sample_fps=10),
                          str(tmp_path / 'frames'), progress=False)
