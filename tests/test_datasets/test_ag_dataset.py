"""Tests of ActionGenomeDataset on the tiny fixture."""
import os.path as osp
import shutil

import pytest

from vost.datasets import ActionGenomeDataset
from vost.registry import DATASETS
from vost.utils import register_all_modules

FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')

register_all_modules()


def _frames(dataset):
    return [dataset[i]['key_frame_key'] for i in range(len(dataset))]


def test_test_mode_every_key_frame_once():
    ds = ActionGenomeDataset(
        data_root=FIXTURE, split='test', task='sgdet', pipeline=[],
        test_mode=True)
    assert ds.num_videos == 2
    assert len(ds) == 6
    assert _frames(ds) == [
        'AAAAA.mp4/000003.png', 'AAAAA.mp4/000010.png',
        'AAAAA.mp4/000100.png', 'CCCCC.mp4/000006.png',
        'CCCCC.mp4/000007.png', 'CCCCC.mp4/000008.png'
    ]
    item = ds[4]
    # The item is the whole video plus the key frame's index.
    assert item['video_id'] == 'CCCCC.mp4'
    assert item['key_frame_id'] == 1
    assert item['images'][1]['frame_key'] == 'CCCCC.mp4/000007.png'
    assert len(item['images'][1]['relations']) == 2
    assert ds.key_frame_index.tolist() == [[0, 0], [0, 1], [0, 2], [1, 0],
                                           [1, 1], [1, 2]]
    assert ds.load_report['kept'] == dict(videos=2, frames=6, objects=7)
    assert ds.metainfo['classes'][1] == 'person'


def test_items_do_not_share_state():
    ds = ActionGenomeDataset(
        data_root=FIXTURE, split='test', pipeline=[], test_mode=True)
    a = ds[0]
    a['images'][0]['instances'].clear()
    assert len(ds[0]['images'][0]['instances']) == 2


def test_predcls_and_train_video_mode():
    ds = ActionGenomeDataset(
        data_root=FIXTURE, split='test', task='predcls', pipeline=[],
        test_mode=True)
    assert len(ds) == 7
    train = ActionGenomeDataset(
        data_root=FIXTURE, split='train', item_mode='video', pipeline=[])
    assert len(train) == 2
    assert 'key_frame_id' not in train[0]
    assert train[1]['video_id'] == 'EEEEE.mp4'
    train_kf = ActionGenomeDataset(
        data_root=FIXTURE, split='train', pipeline=[])
    assert len(train_kf) == 6


def test_build_from_registry_and_subset():
    ds = DATASETS.build(
        dict(
            type='ActionGenomeDataset',
            data_root=FIXTURE,
            split='test',
            task='predcls',
            pipeline=[],
            test_mode=True))
    lazy = ActionGenomeDataset(
        data_root=FIXTURE, split='test', pipeline=[], test_mode=True,
        lazy_init=True)
    assert len(lazy) == 6 and lazy[5]['key_frame_key'].endswith('08.png')
    sub = ds.get_subset([1])
    assert sub.num_videos == 1 and len(sub) == 3
    assert sub[0]['key_frame_key'] == 'CCCCC.mp4/000006.png'


def test_bad_arguments():
    with pytest.raises(ValueError, match='item_mode'):
        ActionGenomeDataset(data_root=FIXTURE, item_mode='clip')
    with pytest.raises(ValueError, match='training only'):
        ActionGenomeDataset(
            data_root=FIXTURE, item_mode='video', test_mode=True)


def test_missing_frame_checked_by_default(tmp_path):
    root = tmp_path / 'ag'
    shutil.copytree(FIXTURE, root)
    (root / 'frames' / 'AAAAA.mp4' / '000010.png').unlink()
    with pytest.raises(FileNotFoundError, match='AAAAA.mp4/000010.png'):
        ActionGenomeDataset(
            data_root=str(root), split='test', pipeline=[], test_mode=True)
    ds = ActionGenomeDataset(
        data_root=str(root),
        split='test',
        pipeline=[],
        test_mode=True,
        check_frames_exist=False)
    assert len(ds) == 6
