"""Tests of the synthetic Action Genome generator and its rules."""
import collections
import filecmp
import hashlib
import os
import os.path as osp
import pickle

import cv2
import numpy as np
import pytest

from vost.ag_format import load_action_genome
from vost.ag_format.files import load_pickle
from vost.structures.ag_meta import (
    ATTENTION_PREDICATES,
    CONTACTING_PREDICATES,
    OBJECT_CLASSES,
    PREDICATES,
    SPATIAL_PREDICATES,
)
from vost.datasets.synthetic import make_synthetic_ag, render_video
from vost.datasets.synthetic.body import make_body
from vost.datasets.synthetic.generator import draw_frame
from vost.datasets.synthetic.people import sample_people
from vost.datasets.synthetic.rules import (
    attention_label,
    contacting_labels,
    spatial_labels,
    topmost_under,
)

PERSON = (100., 50., 140., 150.)  # XYXY, ph = 100


@pytest.mark.parametrize('box,layer,overlap,expected', [
    ((90., 10., 150., 50.), 'behind', 0, [0]),  # above (bottom at P.y1)
    ((90., 140., 150., 170.), 'behind', 50, [1]),  # beneath, no depth
    ((110., 80., 130., 100.), 'front', 50, [2]),  # in front of
    ((110., 80., 130., 100.), 'behind', 50, [3]),  # behind
    ((110., 80., 130., 100.), 'behind', 5, []),  # too little overlap
    ((150., 60., 170., 100.), 'front', 0, [4]),  # on the side of
    ((90., 40., 150., 160.), 'behind', 900, [5]),  # in: contains P
    ((90., 40., 150., 160.), 'front', 900, [2]),  # drawn over: in front
])
def test_spatial_rules(box, layer, overlap, expected):
    assert spatial_labels(box, layer, PERSON, overlap, 20) == expected


def test_attention_rule():
    box = (0., 0., 10., 10.)
    assert attention_label(box, True, np.array([5., 5.])) == 0
    assert attention_label(box, True, np.array([15., 5.])) == 1
    assert attention_label(box, True, None) == 1
    assert attention_label(box, False, np.array([5., 5.])) == 2


def _names(labels):
    return [PREDICATES[9 + i] for i in labels]


def test_contacting_rules():
    body = make_body('sit', 1, 100., 100., 200.)
    p = body.points
    seat, mouth = p['seat'], p['mouth']
    # A chair whose top is just above the seat.
    chair = (seat[0] - 20, seat[1] - 3, seat[0] + 20, 200.)
    assert _names(contacting_labels(chair, 8, 'behind', body, False,
                                    [])) == ['sitting_on']
    # The same box 20 px higher no longer supports the seat.
    high = (chair[0], chair[1] - 20, chair[2], chair[3])
    assert _names(contacting_labels(high, 8, 'behind', body, False,
                                    [])) == ['not_contacting']
    cup = (mouth[0] - 5, mouth[1] - 5, mouth[0] + 5, mouth[1] + 5)
    assert _names(contacting_labels(cup, 11, 'front', body, False,
                                    ['grip'])) == ['drinking_from', 'holding']
    assert _names(contacting_labels(cup, 17, 'front', body, False,
                                    ['grip'])) == ['eating', 'holding']
    assert _names(contacting_labels(cup, 11, 'front', body, False,
                                    ['turn'])) == ['twisting']
    far = (0., 0., 5., 5.)
    assert _names(contacting_labels(far, 8, 'front', body, False,
                                    ['grip', 'grip'])) == [
                                        'carrying', 'holding'
                                    ]
    assert _names(contacting_labels(chair, 8, 'behind', body, True,
                                    ['grip'])) == ['not_contacting']


def test_topmost_under():
    boxes = [(0, 0, 10, 10), None, (5, 5, 8, 8)]
    assert topmost_under(np.array([6, 6]), boxes, [0, 2]) == 2
    assert topmost_under(np.array([6, 6]), boxes, [2, 0]) == 0
    assert topmost_under(np.array([2, 2]), boxes, [0, 2]) == 0
    assert topmost_under(np.array([20, 2]), boxes, [0, 2]) == -1


def test_render_is_deterministic_and_covers_predicates():
    counts = collections.Counter()
    for i in range(120):
        _, frames = render_video(i, 0, 3, (128, 128), 0.25, None)
        for _, person, objects in frames:
            for o in objects:
                if o['visible']:
                    for g in ('attention', 'spatial', 'contacting'):
                        counts.update(o[g + '_relationship'])
    # 120 short videos already show every predicate (seed 0).
    assert all(counts[p] > 0 for p in PREDICATES)
    # Imbalance: holding and not_contacting are far more common than
    # twisting.
    assert counts['holding'] > 10 * counts['twisting']
    assert counts['not_looking_at'] > counts['looking_at'] > counts['unsure']
    a = render_video(7, 3, 4, (128, 128), 0.25, None)
    b = render_video(7, 3, 4, (128, 128), 0.25, None)
    assert a[0] == b[0]
    assert [o['bbox'] for f in a[1] for o in f[2]] == \
        [o['bbox'] for f in b[1] for o in f[2]]


def _load(path):
    with open(path, 'rb') as f:
        return pickle.load(f)


def _tree(root):
    return sorted(
        osp.relpath(osp.join(d, f), root) for d, _, fs in os.walk(root)
        for f in fs)


def assert_same_dataset(root_a, root_b, frames):
    """Asserts equal frame files and equal annotation content.

    Pickle bytes may differ across processes (memo), the content may not.
    """
    _, mismatch, errors = filecmp.cmpfiles(root_a, root_b, frames,
                                           shallow=False)
    assert not mismatch and not errors
    for name in ('person_bbox.pkl', 'object_bbox_and_relationship.pkl'):
        a, b = (_load(osp.join(r, 'annotations', name))
                for r in (root_a, root_b))
        assert list(a) == list(b)
        for key in a:
            if name.startswith('person'):
                assert np.array_equal(a[key]['bbox'], b[key]['bbox'])
            else:
                assert a[key] == b[key]


def test_generated_dataset_loads_and_is_reproducible(tmp_path):
    out_a, out_b = str(tmp_path / 'a'), str(tmp_path / 'b')
    info = make_synthetic_ag(out_a, 12, 5, seed=1, size=(128, 96))
    make_synthetic_ag(out_b, 12, 5, seed=1, size=(128, 96), num_workers=2)
    files = _tree(out_a)
    assert files == _tree(out_b)
    frames = [f for f in files if f.startswith('frames')]
    assert_same_dataset(out_a, out_b, frames)
    with open(osp.join(out_a, 'annotations', 'frame_list.txt')) as f:
        keys = f.read().split()
    assert len(keys) == info['frames'] == len(files) - 5
    assert all(k.startswith('V00') and k.endswith('.png') for k in keys)
    kept = 0
    for split in ('train', 'test'):
        data_list, report = load_action_genome(
            out_a, split, 'sgdet', check_frames_exist=True)
        kept += report['kept']['frames']
        for video in data_list:
            for frame in video['images']:
                assert frame['ori_shape'] == (96, 128)
                boxes = np.array([i['bbox'] for i in frame['instances']])
                assert (boxes[:, 2:] > boxes[:, :2]).all()
                assert (boxes >= 0).all() and (boxes[:, [2]] <= 128).all()
    assert 0 < kept <= info['frames']


@pytest.mark.slow
def test_200_videos_have_all_predicates(tmp_path):
    make_synthetic_ag(str(tmp_path), 200, 10, seed=0, num_workers=2)
    counts = collections.Counter()
    for split in ('train', 'test'):
        data_list, report = load_action_genome(
            str(tmp_path), split, 'sgdet', check_frames_exist=True)
        assert report['removed']['videos']['too_few_frames'] > 0 or \
            split == 'test'
        for video in data_list:
            for frame in video['images']:
                for rel in frame['relations']:
                    counts[rel['attention']] += 1
                    counts.update(3 + k for k in rel['spatial'])
                    counts.update(9 + k for k in rel['contacting'])
    assert [PREDICATES[i] for i in range(26) if counts[i] == 0] == []


# sha256 of make_synthetic_ag(root, 4, 3, seed=3, size=(64, 64)) computed
# with the generator before --max-people existed: the bytes of the two
# pickles and frame_list.txt, then each frame's name and decoded pixels
# (pixels rather than PNG bytes, which depend on the OpenCV build).
GOLDEN_K1 = 'ec8b032a4cd5a5c463b1da44ddbb1195f21ef9ed392421fbca64978e5b70ed05'


def _digest(root):
    sha = hashlib.sha256()
    for name in ('person_bbox.pkl', 'object_bbox_and_relationship.pkl',
                 'frame_list.txt'):
        with open(osp.join(root, 'annotations', name), 'rb') as f:
            sha.update(f.read())
    for key in (f for f in _tree(root) if f.startswith('frames')):
        sha.update(key.encode())
        sha.update(cv2.imread(osp.join(root, key)).tobytes())
    return sha.hexdigest()


def test_one_person_output_is_unchanged(tmp_path):
    for kwargs in ({}, dict(max_people=1)):
        root = str(tmp_path / str(len(kwargs)))
        make_synthetic_ag(root, 4, 3, seed=3, size=(64, 64), **kwargs)
        assert _digest(root) == GOLDEN_K1
    objects = _load(
        osp.join(root, 'annotations', 'object_bbox_and_relationship.pkl'))
    assert not any('subject' in r for recs in objects.values() for r in recs)


K3 = dict(num_videos=8, num_frames=4, seed=1, size=(128, 128), max_people=3)


@pytest.fixture(scope='module')
def k3_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('k3'))
    make_synthetic_ag(root, **K3)
    return root


def test_k3_is_deterministic(k3_root, tmp_path):
    make_synthetic_ag(str(tmp_path), num_workers=2, **K3)
    files = _tree(k3_root)
    assert files == _tree(str(tmp_path))
    assert_same_dataset(k3_root, str(tmp_path),
                        [f for f in files if f.startswith('frames')])


def test_k3_person_rows_subjects_and_records(k3_root):
    ann = osp.join(k3_root, 'annotations')
    person = load_pickle(osp.join(ann, 'person_bbox.pkl'))
    objects = load_pickle(osp.join(ann, 'object_bbox_and_relationship.pkl'))
    people, shared = {}, 0
    for key, recs in objects.items():
        video, pinfo = key.split('/')[0], person[key]
        n = 1 + max(r['subject'] for r in recs)
        assert people.setdefault(video, n) == n and 1 <= n <= 3
        num = len(pinfo['bbox'])
        assert num in (0, n)  # all boxes, or none (missing-box event)
        assert pinfo['bbox'].dtype == np.float32
        assert pinfo['keypoints'].shape == (num, 17, 3)
        assert pinfo['bbox_score'].shape == (num, )
        assert all(type(r['subject']) is int for r in recs)
        subjects = [r['subject'] for r in recs]
        cut = next((i for i in range(1, len(recs))
                    if subjects[i] < subjects[i - 1]), len(recs))
        own, extra = recs[:cut], recs[cut:]
        assert sorted(set(subjects[:cut])) == list(range(n))
        assert subjects[cut:] == sorted(subjects[cut:])
        for r in extra:  # the same object, once more for another person
            assert r['visible']
            twins = [o for o in own if o['bbox'] == r['bbox']]
            assert len(twins) == 1 and twins[0]['subject'] != r['subject']
            assert twins[0]['class'] == r['class']
            assert twins[0]['metadata'] == r['metadata']
            shared += 1
        for r in recs:
            assert r['metadata']['set'] == recs[0]['metadata']['set']
            if not r['visible'] or not num:
                continue
            # The box rules of the subject's own person row.
            px1, py1, px2, py2 = pinfo['bbox'][r['subject']].tolist()
            x, y, w, h = r['bbox']
            spa = r['spatial_relationship']
            if spa == ['in']:
                continue
            hov = min(x + w, px2) - max(x, px1)
            assert ('on_the_side_of' in spa) == (hov <= 0)
            assert ('above' in spa) == (hov > 0 and
                                        y + h <= py1 + 0.1 * (py2 - py1))
            assert ('beneath' in spa) == (hov > 0 and y + h / 2 >= py1 +
                                          0.75 * (py2 - py1))
    assert 3 in people.values() and shared > 0


def _geometry(video_index, seed, num_frames, size, max_people, t):
    """Replay render_video up to the drawing of frame ``t``."""
    w, h = size
    rng = np.random.default_rng([seed, video_index])
    rng.random()  # the split
    scenes = sample_people(rng, [seed, video_index, 1], w, h, num_frames,
                           max_people)
    masks = [np.zeros((h, w), np.uint8) for _ in scenes]
    frame = draw_frame(np.zeros((h, w, 3), np.uint8), scenes, t, masks, 1)
    return scenes, frame, masks


def test_k3_labels_follow_the_geometry():
    seed, size, (W, H), t = 1, (128, 128), (128, 128), 1
    num_extra = 0
    for vi in (0, 1, 2, 3, 4, 6):
        _, frames = render_video(vi, seed, 4, size, 0.25, None, 3)
        scenes, frame, masks = _geometry(vi, seed, 4, size, 3, t)
        boxes = [
            None if b is None else
            [max(0., float(b[0])), max(0., float(b[1])),
             min(float(W), float(b[2])), min(float(H), float(b[3]))]
            for b in frame['boxes']
        ]
        seen = [b is not None and b[2] - b[0] >= 2 and b[3] - b[1] >= 2
                for b in boxes]
        own, extra = [], []
        for k, body in enumerate(frame['bodies']):
            tops = collections.defaultdict(list)
            for hand, gesture in zip(body.hands, body.gestures):
                top = topmost_under(hand, boxes, frame['order'])
                if gesture != 'rest' and top >= 0:
                    tops[top].append(gesture)
            for g, (owner, i) in enumerate(frame['objects']):
                looks = seen[g] and attention_label(
                    boxes[g], scenes[k].face_visible,
                    frame['gaze_ends'][k]) == 0
                if owner == k:
                    own.append((k, g, tops[g]))
                elif seen[g] and (looks or tops[g]):
                    extra.append((k, g, tops[g]))
        records = frames[t][2]
        assert [r['subject'] for r in records] == [k for k, _, _ in own +
                                                   extra]
        num_extra += len(extra)
        for r, (k, g, gestures) in zip(records, own + extra):
            sc, body = scenes[k], frame['bodies'][k]
            owner, i = frame['objects'][g]
            tr = scenes[owner].tracks[i]
            assert r['class'] == OBJECT_CLASSES[tr.label]
            if not seen[g]:
                assert r['bbox'] is None and r['visible'] is False
                continue
            x1, y1, x2, y2 = box = boxes[g]
            assert r['bbox'] == (x1, y1, x2 - x1, y2 - y1)
            overlap = int(masks[k][int(round(y1)):int(round(y2)),
                                   int(round(x1)):int(round(x2))].sum())
            spa = spatial_labels(box, tr.layer, body.box(W, H), overlap,
                                 max(6, int(round((0.03 * sc.scale)**2))))
            con = contacting_labels(box, tr.label, tr.layer, body,
                                    spa == [SPATIAL_PREDICATES.index('in')],
                                    gestures)
            att = attention_label(box, sc.face_visible, frame['gaze_ends'][k])
            assert r['attention_relationship'] == [ATTENTION_PREDICATES[att]]
            assert r['spatial_relationship'] == [
                SPATIAL_PREDICATES[j] for j in spa
            ]
            assert r['contacting_relationship'] == [
                CONTACTING_PREDICATES[j] for j in con
            ]
    assert num_extra > 0


def test_k3_missing_person_boxes_drop_all_rows():
    missing = 0
    for vi in range(30):
        _, frames = render_video(vi, 0, 10, (48, 48), 0.25, None, 3)
        scenes, _, _ = _geometry(vi, 0, len(frames), (48, 48), 3, 0)
        for t, (_, pinfo, _) in enumerate(frames):
            gone = bool(scenes[0].no_person_box[t])
            assert len(pinfo['bbox']) == (0 if gone else len(scenes))
            missing += gone
        assert all(sc.x_range[0] <= sc.x_range[1] for sc in scenes)
    assert missing > 0
