"""The loader's extension for several people per frame
(``vost/ag_format/subjects.py``), on edited copies of the tiny fixture."""
import copy
import os.path as osp

import numpy as np
import pytest

from vost.ag_format import AGAnnotationError, load_action_genome

from .ag_edit import edit_annotation

FIXTURE = osp.join(osp.dirname(__file__), '..', 'data', 'ag_tiny')
KEY = 'CCCCC.mp4/000006.png'


def _frame(data_list, key=KEY):
    return next(f for v in data_list for f in v['images']
                if f['frame_key'] == key)


def _two_people(root, subjects=(0, 1, 1)):
    """Frame KEY gets a second person; its table is related to both people
    and a new cup to person 1 (records in ``subjects`` order)."""

    def persons(d):
        d[KEY]['bbox'] = np.array([[10, 5, 40, 45], [42, 4, 62, 46]],
                                  np.float32)

    def objects(d):
        table = d[KEY][0]
        cup = copy.deepcopy(table)
        cup.update({
            'class': 'cup/glass/bottle',
            'bbox': (44., 20., 6., 8.),
            'attention_relationship': ['looking_at'],
            'spatial_relationship': ['in_front_of'],
            'contacting_relationship': ['holding']
        })
        second = copy.deepcopy(table)
        second['attention_relationship'] = ['looking_at']
        records = [table, second, cup]
        for rec, sub in zip(records, subjects):
            rec['subject'] = sub
        d[KEY] = records

    edit_annotation(root, 'person_bbox.pkl', persons)
    edit_annotation(root, 'object_bbox_and_relationship.pkl', objects)


def test_one_person_reads_as_without_the_extension(ag_copy):
    before, report = load_action_genome(str(ag_copy), task='predcls')

    def name_the_person(d):
        for records in d.values():
            for rec in records:
                rec['subject'] = 0

    edit_annotation(ag_copy, 'object_bbox_and_relationship.pkl',
                    name_the_person)
    after, report_after = load_action_genome(str(ag_copy), task='predcls')
    assert after == before
    assert report_after == report


def test_two_people_share_one_object_instance(ag_copy):
    _two_people(ag_copy)
    frame = _frame(load_action_genome(str(ag_copy), task='predcls')[0])
    labels = [inst['bbox_label'] for inst in frame['instances']]
    # persons first, then the table (once) and the cup
    assert labels == [1, 1, 32, 11]  # person, person, table, cup
    assert frame['instances'][1]['bbox'] == [42, 4, 62, 46]
    assert frame['instances'][3]['bbox'] == [44., 20., 50., 28.]
    pairs = [(r['subject'], r['object'], r['attention'])
             for r in frame['relations']]
    # attention local ids: looking_at 0, not_looking_at 1
    assert pairs == [(0, 2, 1), (1, 2, 0), (1, 3, 0)]


def test_subject_errors_name_file_key_and_field(ag_copy):
    _two_people(ag_copy, subjects=(0, 2, 1))
    with pytest.raises(AGAnnotationError,
                       match=r"object_bbox_and_relationship.pkl: key "
                       r"'CCCCC.mp4/000006.png', object 'table'.*field "
                       r"'subject': 2 is not an index into the frame's 2"):
        load_action_genome(str(ag_copy))
    with pytest.warns(UserWarning, match='bad_subject'):
        data_list, report = load_action_genome(
            str(ag_copy), task='predcls', on_error='warn')
    assert report['errors'] == dict(bad_subject=1)
    assert report['removed']['objects']['invalid'] == 1
    assert [(r['subject'], r['object'])
            for r in _frame(data_list)['relations']] == [(0, 2), (1, 3)]


@pytest.mark.parametrize('subjects,why', [
    ((0, 0, 1), 'a second record of this object for subject 0'),
    ((0, True, 1), 'expected an int index'),
    ((0, -1, 1), '-1 is not an index'),
])
def test_bad_subjects(ag_copy, subjects, why):
    _two_people(ag_copy, subjects)
    with pytest.raises(AGAnnotationError, match=why):
        load_action_genome(str(ag_copy))


def test_several_people_need_named_subjects(ag_copy):

    def persons(d):
        d[KEY]['bbox'] = np.array([[10, 5, 40, 45], [42, 4, 62, 46]],
                                  np.float32)

    edit_annotation(ag_copy, 'person_bbox.pkl', persons)
    with pytest.raises(AGAnnotationError,
                       match=r"has 2 person boxes, so the record must name "
                       r"its subject \('subject': k\)"):
        load_action_genome(str(ag_copy))
