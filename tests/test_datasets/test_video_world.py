"""Tests of the video world: looks, tail, motion, visibility, subsets."""
import hashlib
import json
import math
import os.path as osp
from collections import Counter
from functools import partial

import cv2
import numpy as np
import pytest

from vost.ag_format import load_action_genome
from vost.ag_format.files import load_pickle
from vost.datasets.action_genome.video_subset import select_videos
from vost.datasets.synthetic import make_synthetic_ag
from vost.datasets.synthetic.body import make_body
from vost.datasets.synthetic.people import sample_people
from vost.datasets.synthetic.scene import Track, pose_frame
from vost.datasets.synthetic.video.looks import SHARED_LOOKS, VIDEO_LOOKS
from vost.datasets.synthetic.video.motion import (apply_motion,
                                                  draw_video_hands)
from vost.datasets.synthetic.video.render import VideoPainter, sample_size
from vost.datasets.synthetic.video.scene import sample_video_scene
from vost.datasets.synthetic.video.tail import (AG_PREDICATE_COUNTS, ALPHA,
                                                role_weights)
from vost.datasets.synthetic.video.world import render_video_world
from vost.structures.ag_meta import OBJECT_NAME_TO_ID

SMALL = dict(num_videos=12, num_frames=6, seed=5, world='video')


@pytest.fixture(scope='module')
def world_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('video_world'))
    make_synthetic_ag(root, **SMALL)
    return root


def _digest(root):
    """Hash of the decoded annotations and pixels (pickle bytes depend on
    object sharing, which differs between worker processes)."""
    sha = hashlib.sha256()
    ann = osp.join(root, 'annotations')
    objects = load_pickle(osp.join(ann, 'object_bbox_and_relationship.pkl'))
    people = load_pickle(osp.join(ann, 'person_bbox.pkl'))
    for name in ('frame_list.txt', 'synthetic_subsets.json'):
        with open(osp.join(ann, name), 'rb') as f:
            sha.update(f.read())
    for key in sorted(objects):
        sha.update(repr(objects[key]).encode())
        sha.update(np.asarray(people[key]['bbox']).tobytes())
        sha.update(cv2.imread(osp.join(root, 'frames', key)).tobytes())
    return sha.hexdigest()


def test_deterministic_and_seeded(world_root, tmp_path):
    again = str(tmp_path / 'again')
    make_synthetic_ag(again, num_workers=2, **SMALL)
    assert _digest(again) == _digest(world_root)
    other = str(tmp_path / 'other')
    make_synthetic_ag(other, **dict(SMALL, seed=6))
    assert _digest(other) != _digest(world_root)


def test_loads_with_default_filters_and_sizes_vary(world_root):
    sizes = set()
    for split in ('train', 'test'):
        videos, _ = load_action_genome(world_root, split, 'sgdet',
                                       check_frames_exist=True)
        for video in videos:
            for frame in video['images']:
                img = cv2.imread(osp.join(world_root, 'frames',
                                          frame['frame_key']))
                sizes.add(img.shape[:2])
    assert len(sizes) >= 2  # each video draws its own frame size


def test_fixed_size_for_every_video():
    for i in range(4):
        _, frames, _ = render_video_world(i, 1, 2, (320, 240), 0.25, None)
        assert all(p['bbox_size'] == (320, 240) for _, p, _ in frames)
    rng = np.random.default_rng(0)
    drawn = Counter(sample_size(rng) for _ in range(2000))
    portrait = sum(n for (w, h), n in drawn.items() if h > w)
    assert 0.06 < portrait / 2000 < 0.14  # 10 % portrait


def test_looks_many_per_class_and_shared():
    assert all(len(v) >= 2 for v in VIDEO_LOOKS.values())
    cup = OBJECT_NAME_TO_ID['cupglassbottle']
    med = OBJECT_NAME_TO_ID['medicine']
    shared = {(lk.shape, lk.colour, lk.texture) for lk in VIDEO_LOOKS[cup]} \
        & {(lk.shape, lk.colour, lk.texture) for lk in VIDEO_LOOKS[med]}
    assert shared == {SHARED_LOOKS['bottle'][0]}
    # no colour tells a class: every colour is used by several classes
    by_colour = Counter()
    for label, looks in VIDEO_LOOKS.items():
        for colour in {lk.colour for lk in looks}:
            by_colour[colour] += 1
    assert min(by_colour.values()) >= 2


def test_role_weights_follow_ag_counts():
    w = role_weights()
    c = AG_PREDICATE_COUNTS
    assert w['held'] / w['twist'] == pytest.approx(
        (c['holding'] / c['twisting'])**ALPHA)
    assert w['held'] / w['wipe'] == pytest.approx(
        (c['holding'] / c['wiping'])**ALPHA)
    order = sorted(['held', 'touch', 'drink', 'write', 'wipe', 'twist'],
                   key=lambda r: -w[r])
    assert order == ['held', 'touch', 'drink', 'write', 'wipe', 'twist']
    assert set(role_weights(web=True).values()) == {1.}


def _scene_with(role, start=0):
    """The first video (from ``start``) whose person has a ``role`` track."""
    for i in range(start, start + 4000):
        rng = np.random.default_rng([0, i])
        sc = sample_people(rng, [0, i, 1], 480, 270, 6, 1,
                           partial(sample_video_scene))[0]
        for j, tr in enumerate(sc.tracks):
            if tr.role == role and sc.vx == 0:
                return sc, j
    raise AssertionError(f'no {role} track')


def _frames(sc, j):
    out = []
    for t in range(6):
        body, places = pose_frame(sc, t)
        apply_motion(sc, body, places, t)
        hand = body.points[('hand_l', 'hand_r')[sc.tracks[j].hands[0]]]
        out.append((hand.copy(), places[j], body))
    return out


def test_wiping_is_a_back_and_forth_path():
    sc, j = _scene_with('wipe')
    frames = _frames(sc, j)
    tr, m = sc.tracks[j], sc.tracks[j].motion
    amp = min(0.1 * sc.scale, 0.35 * max(tr.size))
    base = frames[0][0] - amp * math.sin(m['mphase']) * (
        np.array([1., 0.]) if tr.size[0] >= tr.size[1] else
        np.array([0., 1.]))
    for t, (hand, place, _) in enumerate(frames):
        assert np.allclose(place['centre'], frames[0][1]['centre'])
        offset = hand - base
        assert np.linalg.norm(offset) == pytest.approx(
            amp * abs(math.sin(m['omega'] * t + m['mphase'])), abs=1e-6)
    assert np.ptp([h[0] for h, _, _ in frames] +
                  [h[1] for h, _, _ in frames]) > amp  # it moves


def test_twisting_rotates_and_holding_stays():
    sc, j = _scene_with('twist')
    frames = _frames(sc, j)
    m = sc.tracks[j].motion
    for t, (_, place, body) in enumerate(frames):
        assert place['angle'] == pytest.approx(m['tilt'] + m['twist'] * t)
        assert body.thumbs[sc.tracks[j].hands[0]] == pytest.approx(
            m['thumb'] + m['twist'] * t)
    sc, j = _scene_with('held')
    frames = _frames(sc, j)
    rel = [place['centre'] - hand for hand, place, _ in frames]
    assert np.allclose(rel, rel[0])  # the object moves with the hand
    thumbs = {body.thumbs[sc.tracks[j].hands[0]] for _, _, body in frames}
    assert len(thumbs) == 1


def test_every_contact_hand_looks_alike():
    imgs = []
    for gesture in ('grip', 'rub', 'turn', 'write', 'open'):
        body = make_body('stand', 1, 100., 60., 110.)
        body.gestures = [gesture, 'rest']
        body.thumbs = [0.3, 0.]
        img = np.zeros((120, 120, 3), np.uint8)
        draw_video_hands(img, body)
        imgs.append(img)
    assert imgs[0].any()
    assert all((img == imgs[0]).all() for img in imgs[1:])


def test_visible_box_excludes_occluded_pixels():
    painter = VideoPainter(100, 80, dict(occluder=None, blur=[None]))
    back = Track(OBJECT_NAME_TO_ID['table'], 'side', 'behind',
                 np.array([40., 20.]), [], {}, np.zeros(1, bool))
    back.look, back.jitter = VIDEO_LOOKS[back.label][0], (0, 0, 0)
    if back.look.shape != 'rect':
        back.look = [lk for lk in VIDEO_LOOKS[back.label]
                     if lk.shape == 'rect'][0]
    front = Track(back.label, 'side', 'front', np.array([20., 30.]), [], {},
                  np.zeros(1, bool))
    front.look, front.jitter = back.look, (0, 0, 0)
    img = np.zeros((80, 100, 3), np.uint8)
    # back: x 20..60, y 30..50; front covers x 40..60 fully
    painter.object(img, 0, back, dict(centre=(40, 40), size=(40, 20),
                                      angle=0.))
    painter.object(img, 1, front, dict(centre=(55, 40), size=(30, 30),
                                       angle=0.))
    pixels, box = painter.visible_box(0, (20, 30, 60, 50))
    assert box == [20., 30., 40., 51.]
    assert painter.full[0] == 41 * 21  # cv2 fills both ends
    assert pixels == 20 * 21


def test_window_rules_and_subsets(world_root):
    with open(osp.join(world_root, 'annotations',
                       'synthetic_subsets.json')) as f:
        summary = json.load(f)
    assert summary['world'] == 'video'
    assert summary['predicates']['motion'] == [
        'wiping', 'twisting', 'writing_on', 'eating', 'drinking_from']
    objects = load_pickle(osp.join(world_root, 'annotations',
                                   'object_bbox_and_relationship.pkl'))
    occluded = summary['frames']['occluded']
    assert occluded  # behind-layer objects, the occluder
    for keys in summary['frames'].values():
        for key in keys:
            assert objects[key][0]['metadata']['set'] == 'test'
            assert any(r['visible'] for r in objects[key])
    for name in ('wiping', 'twisting', 'writing_on'):
        cell = summary['ceiling'][name]
        assert cell['frame'] in (None, 0.)
    for cell in summary['ceiling'].values():
        if cell['n']:
            assert 0 <= cell['frame'] <= cell['window'] <= 1


def test_drinking_needs_the_window():
    """Some key frame is labelled drinking_from while the cup is away from
    the mouth (the hand-to-mouth path of the window decides it)."""
    found = 0
    for i in range(300):
        vid, frames, tags = render_video_world(i, 0, 8, (480, 270), 0.,
                                               None)
        labels = [lab for t in tags for lab in t['labels']
                  if lab[0] == 'drinking_from']
        found += sum(1 for _, frame_dec, _ in labels if not frame_dec)
        if found:
            break
    assert found


def test_video_subset_is_nested_and_seeded():
    videos = [dict(video_id=f'V{i:04d}.mp4') for i in range(50)]
    ten, rep = select_videos(videos, dict(share=0.1))
    thirty, _ = select_videos(videos, dict(share=0.3))
    assert rep == dict(kept=5, of=50, share=0.1, num=None, seed=0)
    assert {v['video_id'] for v in ten} <= {v['video_id'] for v in thirty}
    other, _ = select_videos(videos, dict(share=0.1, seed=1))
    assert other != ten
    assert select_videos(videos, dict(num=3))[1]['kept'] == 3
    for bad in (dict(share=0), dict(share=0.1, num=3), dict(frac=0.1),
                dict(num=0)):
        with pytest.raises(ValueError, match='video_subset'):
            select_videos(videos, bad)


def test_video_subset_is_a_cfg_option():
    from mmengine.config import Config

    from vost.utils import register_all_modules
    from vost.engine.cfg_options import check_cfg_options
    register_all_modules()
    cfg = Config.fromfile(osp.join(
        osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
        'configs', 'vost', 'vost_r18_1xb8-3e_synthetic-ag-sgdet.py'))
    check_cfg_options(cfg, {
        'train_dataloader.dataset.video_subset.share': 0.1,
        'train_dataloader.dataset.video_subset.seed': 0})
    with pytest.raises(KeyError, match='video_subsett'):
        check_cfg_options(
            cfg, {'train_dataloader.dataset.video_subsett.share': 0.1})
