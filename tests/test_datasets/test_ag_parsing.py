"""Tests of load_action_genome on the checked-in tiny fixture."""
import os.path as osp

import numpy as np
import pytest

from vost.ag_format import (
    AGAnnotationError,
    load_action_genome,
    read_class_file,
)

from .ag_edit import edit_annotation

FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')


def _keys(data_list):
    return [f['frame_key'] for v in data_list for f in v['images']]


def test_test_sgdet_counts_and_order():
    data_list, report = load_action_genome(FIXTURE, 'test', 'sgdet')
    assert [v['video_id'] for v in data_list] == ['AAAAA.mp4', 'CCCCC.mp4']
    # Frames are in temporal order although written shuffled.
    assert [f['frame_number'] for f in data_list[0]['images']] == [3, 10, 100]
    assert [f['frame_id'] for f in data_list[0]['images']] == [0, 1, 2]
    assert [v['video_length'] for v in data_list] == [3, 3]
    assert report['kept'] == dict(videos=2, frames=6, objects=7)
    rem = report['removed']
    assert rem['frames'] == dict(
        other_split=6,
        no_visible_object=2,
        no_person=1,
        missing_on_disk=0,
        invalid=0,
        in_short_videos=3)
    assert rem['objects'] == dict(
        invisible=3, small_box=2, invalid=0, in_removed_frames=5)
    assert rem['videos'] == dict(too_few_frames=2, no_kept_frame=0)
    assert report['keys'] == 18


def test_xywh_to_xyxy_and_relations():
    data_list, _ = load_action_genome(FIXTURE, 'test', 'sgdet')
    f3 = data_list[0]['images'][0]
    assert f3['frame_key'] == 'AAAAA.mp4/000003.png'
    assert f3['ori_shape'] == (48, 64)
    assert (f3['width'], f3['height']) == (64, 48)
    assert f3['img_path'] == osp.abspath(
        osp.join(FIXTURE, 'frames', 'AAAAA.mp4', '000003.png'))
    person, chair = f3['instances']  # the invisible cup is gone
    assert person == dict(
        bbox=[10.0, 5.0, 40.0, 45.0], bbox_label=1, ignore_flag=0)
    # XYWH (20, 20, 30, 20) -> XYXY; chair is AG id 8.
    assert chair == dict(
        bbox=[20.0, 20.0, 50.0, 40.0], bbox_label=8, ignore_flag=0)
    # looking_at=0; in_front_of=2, beneath=1; sitting_on=10, touching=12.
    assert f3['relations'] == [
        dict(
            subject=0,
            object=1,
            attention=0,
            spatial=[2, 1],
            contacting=[10, 12])
    ]
    f100 = data_list[0]['images'][2]
    assert f100['instances'][1]['bbox_label'] == 9  # closet/cabinet
    assert f100['instances'][1]['bbox'] == [30.0, 2.0, 60.0, 42.0]


def test_predcls_keeps_small_boxes():
    data_list, report = load_action_genome(FIXTURE, 'test', 'predcls')
    assert report['kept'] == dict(videos=2, frames=7, objects=9)
    assert report['removed']['objects']['small_box'] == 0
    f10 = data_list[0]['images'][1]
    assert [i['bbox_label'] for i in f10['instances']] == [1, 31, 24]
    assert [r['object'] for r in f10['relations']] == [1, 2]
    # The min_box_short_edge option also applies to sgcls, None disables it.
    _, rep = load_action_genome(FIXTURE, 'test', 'sgcls')
    assert rep['kept']['objects'] == 7
    _, rep = load_action_genome(
        FIXTURE, 'test', 'sgdet', min_box_short_edge=None)
    assert rep['kept']['objects'] == 9
    _, rep = load_action_genome(
        FIXTURE, 'test', 'sgdet', min_box_short_edge=10)
    assert rep['removed']['objects']['small_box'] == 1  # only the 8 px phone


def test_train_split_by_first_object():
    data_list, report = load_action_genome(FIXTURE, 'train', 'sgdet')
    assert [v['video_id'] for v in data_list] == ['DDDDD.mp4', 'EEEEE.mp4']
    keys = _keys(data_list)
    assert 'DDDDD.mp4/000004.png' not in keys  # its first object is 'test'
    assert report['kept'] == dict(videos=2, frames=6, objects=6)
    assert report['removed']['objects']['invisible'] == 1
    d1 = data_list[0]['images'][0]
    # carrying=0, holding=5; behind=3; not_looking_at=1.
    assert d1['relations'][0]['contacting'] == [0, 5]
    assert d1['relations'][0]['spatial'] == [3]
    assert d1['relations'][0]['attention'] == 1
    e = data_list[1]['images'][0]['relations'][0]
    assert e['contacting'] == [9, 4] and e['spatial'] == [5]
    # Objects of 20 px all fail a 25 px filter: both videos lose every
    # frame, which the report counts (nothing disappears silently).
    data_list, report = load_action_genome(
        FIXTURE, 'train', 'sgdet', min_box_short_edge=25)
    assert data_list == []
    assert report['removed']['videos'] == dict(
        too_few_frames=0, no_kept_frame=2)
    assert report['removed']['frames']['no_visible_object'] == 6


def test_filters_switch_off():
    data_list, report = load_action_genome(
        FIXTURE,
        'test',
        'sgdet',
        require_person=False,
        require_visible_object=False,
        min_frames_per_video=0)
    # A: 4, B: 2, C: 5, D: 1 frames.
    assert [v['video_length'] for v in data_list] == [4, 2, 5, 1]
    c5 = data_list[2]['images'][0]
    assert c5['frame_key'] == 'CCCCC.mp4/000005.png'
    # No person: objects start at 0 and the subject is -1.
    assert c5['instances'][0]['bbox_label'] == 13
    assert c5['relations'][0]['subject'] == -1
    assert c5['relations'][0]['object'] == 0
    assert data_list[2]['images'][4]['instances'][0]['bbox_label'] == 1
    all_frames, _ = load_action_genome(
        FIXTURE,
        'test',
        split_by_first_object=False,
        require_person=False,
        require_visible_object=False,
        min_frames_per_video=0)
    assert sum(v['video_length'] for v in all_frames) == 18


def test_class_files_accept_squashed_names():
    ids = read_class_file(
        osp.join(FIXTURE, 'annotations', 'object_classes.txt'), 'object')
    assert ids == list(range(1, 37))
    with open(osp.join(FIXTURE, 'annotations', 'object_classes.txt')) as f:
        assert 'closetcabinet \n' in f.read()
    ids = read_class_file(
        osp.join(FIXTURE, 'annotations', 'relationship_classes.txt'),
        'relationship')
    assert ids == list(range(26))


def test_missing_annotation_file(ag_copy):
    (ag_copy / 'annotations' / 'person_bbox.pkl').unlink()
    with pytest.raises(FileNotFoundError, match='person_bbox.pkl'):
        load_action_genome(str(ag_copy))


def test_unreadable_pickle(ag_copy):
    (ag_copy / 'annotations' / 'object_bbox_and_relationship.pkl'
     ).write_bytes(b'not a pickle')
    with pytest.raises(AGAnnotationError,
                       match='object_bbox_and_relationship.pkl'):
        load_action_genome(str(ag_copy))


def test_key_sets_differ(ag_copy):
    edit_annotation(ag_copy, 'person_bbox.pkl',
          lambda d: d.pop('AAAAA.mp4/000010.png'))
    with pytest.raises(
            AGAnnotationError,
            match=r"object_bbox_and_relationship.pkl: key "
            r"'AAAAA.mp4/000010.png' is missing from .*person_bbox.pkl"):
        load_action_genome(str(ag_copy))
    with pytest.warns(UserWarning, match='key_mismatch'):
        data_list, report = load_action_genome(str(ag_copy), on_error='warn')
    # Missing from one file -> reported under both others' keys.
    assert report['errors'] == dict(key_mismatch=2)
    assert 'AAAAA.mp4/000010.png' not in _keys(data_list)
    assert report['keys'] == 17


def test_unknown_class_and_predicate(ag_copy):

    def bad_class(d):
        d['AAAAA.mp4/000003.png'][0]['class'] = 'spaceship'

    edit_annotation(ag_copy, 'object_bbox_and_relationship.pkl', bad_class)
    with pytest.raises(AGAnnotationError,
                       match=r"key 'AAAAA.mp4/000003.png'.*'spaceship'"):
        load_action_genome(str(ag_copy))
    with pytest.warns(UserWarning, match='unknown_class'):
        _, report = load_action_genome(str(ag_copy), on_error='warn')
    assert report['errors'] == dict(unknown_class=1)
    assert report['removed']['objects']['invalid'] == 1
    # A3 lost its only object, so A keeps 2 frames and is dropped.
    assert report['kept']['videos'] == 1

    def bad_pred(d):
        d['CCCCC.mp4/000007.png'][1]['spatial_relationship'] = ['levitating']

    edit_annotation(ag_copy, 'object_bbox_and_relationship.pkl', bad_pred)
    with pytest.raises(AGAnnotationError,
                       match=r"key 'AAAAA.mp4/000003.png'.*'spaceship'"):
        load_action_genome(str(ag_copy))
    with pytest.warns(UserWarning):
        _, report = load_action_genome(str(ag_copy), on_error='warn')
    assert report['errors'] == dict(unknown_class=1, unknown_predicate=1)


def test_predicate_in_the_wrong_group(ag_copy):

    def fn(d):
        d['CCCCC.mp4/000007.png'][1]['attention_relationship'] = ['holding']

    edit_annotation(ag_copy, 'object_bbox_and_relationship.pkl', fn)
    with pytest.raises(AGAnnotationError,
                       match=r"unknown attention predicate 'holding'"):
        load_action_genome(str(ag_copy))


@pytest.mark.parametrize('box', [(1, 1, 0, 5), (1, 1, 5, -2), None])
def test_bad_object_box(ag_copy, box):

    def fn(d):
        d['CCCCC.mp4/000006.png'][0]['bbox'] = box

    edit_annotation(ag_copy, 'object_bbox_and_relationship.pkl', fn)
    with pytest.raises(AGAnnotationError,
                       match=r"key 'CCCCC.mp4/000006.png'.*field 'bbox'"):
        load_action_genome(str(ag_copy), task='predcls')


def test_bad_person_box(ag_copy):

    def fn(d):
        d['CCCCC.mp4/000006.png']['bbox'] = np.array([[10, 10, 5, 20]],
                                                     np.float32)

    edit_annotation(ag_copy, 'person_bbox.pkl', fn)
    with pytest.raises(AGAnnotationError,
                       match=r"person_bbox.pkl: key 'CCCCC.mp4/000006.png'"):
        load_action_genome(str(ag_copy))


def test_none_relations_of_visible_object(ag_copy):

    def fn(d):
        d['CCCCC.mp4/000006.png'][0]['contacting_relationship'] = None

    edit_annotation(ag_copy, 'object_bbox_and_relationship.pkl', fn)
    with pytest.raises(AGAnnotationError,
                       match=r"'contacting_relationship' is None"):
        load_action_genome(str(ag_copy))
    with pytest.warns(UserWarning, match='bad_relation'):
        _, report = load_action_genome(str(ag_copy), on_error='warn')
    assert report['errors'] == dict(bad_relation=1)
    assert report['removed']['frames']['no_visible_object'] == 3


def test_missing_frame_on_disk(ag_copy):
    (ag_copy / 'frames' / 'CCCCC.mp4' / '000007.png').unlink()
    # Not checked by default.
    load_action_genome(str(ag_copy))
    with pytest.raises(FileNotFoundError,
                       match=r"frame 'CCCCC.mp4/000007.png'.*frame_list.txt"):
        load_action_genome(str(ag_copy), check_frames_exist=True)
    with pytest.warns(UserWarning, match='missing_frame'):
        data_list, report = load_action_genome(
            str(ag_copy), check_frames_exist=True, on_error='warn')
    assert report['removed']['frames']['missing_on_disk'] == 1
    # C is left with 2 frames: dropped.
    assert [v['video_id'] for v in data_list] == ['AAAAA.mp4']


def test_unknown_name_in_class_file(ag_copy):
    path = ag_copy / 'annotations' / 'relationship_classes.txt'
    path.write_text(path.read_text().replace('twisting', 'juggling'))
    with pytest.raises(AGAnnotationError,
                       match=r"relationship_classes.txt, line 23.*juggling"):
        load_action_genome(str(ag_copy))
    load_action_genome(str(ag_copy), check_class_files=False)


def test_bad_arguments():
    with pytest.raises(ValueError, match='split'):
        load_action_genome(FIXTURE, 'val')
    with pytest.raises(ValueError, match='task'):
        load_action_genome(FIXTURE, 'test', 'detection')
    with pytest.raises(ValueError, match='on_error'):
        load_action_genome(FIXTURE, on_error='ignore')
