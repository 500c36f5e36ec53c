"""The tiny-CLIP pretraining on a separate synthetic set: what it reads, what
it learns, what it writes, and that VOST's encoder loads the result."""
import json
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch

from vost.pretraining import build_pretraining_set, pretrain_tiny_clip
from vost.pretraining.tiny_clip_data import _patch_labels
from vost.ag_format import load_action_genome
from vost.datasets.synthetic import make_synthetic_ag
from vost.models.vlm import VLMEncoder


@pytest.fixture(scope='module')
def pretrain_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('vlm_pretrain') / 'synthetic_ag')
    make_synthetic_ag(root, num_videos=12, num_frames=3, seed=1000,
                      size=(128, 128))
    return root


def test_patch_labels_pick_the_smallest_covering_box():
    # 64x64 frame, 2x2 grid of 32-px cells; a big box over everything and a
    # small one inside the top-left cell
    instances = [
        dict(bbox=[0, 0, 64, 64], bbox_label=1),
        dict(bbox=[4, 4, 20, 20], bbox_label=5),
    ]
    labels = _patch_labels(instances, 64, 64, 2)
    np.testing.assert_array_equal(labels, [[5, 1], [1, 1]])
    # a sliver of a box (under a quarter of the cell and of itself) does
    # not label the cell
    labels = _patch_labels([dict(bbox=[28, 0, 36, 64], bbox_label=7)], 64,
                           64, 2)
    np.testing.assert_array_equal(labels, [[7, 7], [7, 7]])
    labels = _patch_labels([dict(bbox=[30, 0, 60, 2], bbox_label=7)], 64,
                           64, 2)
    np.testing.assert_array_equal(labels, [[-1, 7], [-1, -1]])


def test_pretraining_set_reads_the_train_split_only(pretrain_root):
    data = build_pretraining_set(pretrain_root, image_size=64, grid=4,
                                 val_fraction=0.25)
    train_videos, _ = load_action_genome(pretrain_root, 'train', 'predcls')
    test_videos, _ = load_action_genome(pretrain_root, 'test', 'predcls')
    num_train = sum(len(v['images']) for v in train_videos)
    assert len(test_videos) > 0
    frames = len(data['train']['frames']) + len(data['val']['frames'])
    assert frames == num_train  # every train frame, no test frame
    objects = sum(len(f['instances']) for v in train_videos
                  for f in v['images'])
    assert len(data['train']['crops']) + len(data['val']['crops']) == objects
    part = data['train']
    assert part['frames'].dtype == torch.uint8
    assert part['frames'].shape[1:] == (3, 64, 64)
    assert (part['frame_classes'][:, 1] == 1).all()  # the person
    assert (part['rel_targets'][:, :3].sum(1) == 1).all()  # one attention
    assert ((part['rel_union'] > 0) & (part['rel_union'] <= 1)).all()


def test_pretraining_learns_and_saves_a_loadable_clip(pretrain_root,
                                                      tmp_path):
    out = str(tmp_path / 'clip')
    report = pretrain_tiny_clip(pretrain_root, out, steps=80,
                                batch_frames=16, batch_crops=32, lr=3e-3,
                                meta=dict(data_seed=1000), log=lambda m: None)
    with open(osp.join(out, 'pretraining.json')) as f:
        saved = json.load(f)
    assert saved['split'] == 'train' and saved['data_seed'] == 1000
    assert saved == json.loads(json.dumps(report))
    first, last = report['history'][0], report['history'][-1]
    assert last['loss'] < 0.8 * first['loss']
    assert last['crop'] < first['crop']
    # it learned the crops' classes (on its training part: this set is too
    # small for held-out accuracy to mean much)
    from transformers import AutoModel, AutoTokenizer

    from vost.pretraining import evaluate_tiny_clip
    data = build_pretraining_set(pretrain_root, image_size=64, grid=4)
    mean = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(
        1, 3, 1, 1) * 255
    std = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(
        1, 3, 1, 1) * 255
    acc = evaluate_tiny_clip(AutoModel.from_pretrained(out),
                             AutoTokenizer.from_pretrained(out),
                             data['train'], mean, std)
    assert acc['crop_top1'] > max(0.5, acc['chance_crop_top1'] + 0.1)
    assert set(report['heldout_after']) == set(acc)
    # VOST's encoder loads it through from_pretrained, frozen
    enc = VLMEncoder(out, grid_size=(4, 4), local_files_only=True)
    assert all(not p.requires_grad for p in enc.vlm.parameters())
    assert not osp.exists(out + '.init-' + str(__import__('os').getpid()))
    # the same arguments give the same weights
    again = str(tmp_path / 'again')
    pretrain_tiny_clip(pretrain_root, again, steps=80, batch_frames=16,
                       batch_crops=32, lr=3e-3, log=lambda m: None)
    enc2 = VLMEncoder(again, grid_size=(4, 4), local_files_only=True)
    for (k, a), (_, b) in zip(enc.vlm.state_dict().items(),
                              enc2.vlm.state_dict().items()):
        assert torch.equal(a, b), k


def test_tool_refuses_a_vost_data_seed(tmp_path, repo_root):
    proc = subprocess.run([
        sys.executable, 'tools/misc/pretrain_tiny_vlm.py',
        str(tmp_path / 'clip'), '--data-root', str(tmp_path / 'data'),
        '--data-seed', '0'
    ], cwd=repo_root, capture_output=True, text=True)
    assert proc.returncode != 0
    assert 'must not be the data' in proc.stderr
    assert not osp.exists(tmp_path / 'data')
