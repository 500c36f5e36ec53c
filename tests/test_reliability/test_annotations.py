"""Bad object records in the annotation files: each is named (file, key,
object, field) and never silently accepted or miscounted."""
import math
import os.path as osp
import pickle
import shutil

import pytest

from vost.ag_format import AGAnnotationError, load_action_genome

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
FIXTURE = osp.join(REPO, 'tests', 'data', 'ag_tiny')
KEY = 'CCCCC.mp4/000006.png'  # a 64 x 48 frame, one table (0, 24, 50, 24)


@pytest.fixture
def ag_copy(tmp_path):
    root = tmp_path / 'ag'
    shutil.copytree(osp.join(FIXTURE, 'annotations'), root / 'annotations')
    return root


def _set_object(root, **fields):
    path = root / 'annotations' / 'object_bbox_and_relationship.pkl'
    with open(path, 'rb') as f:
        data = pickle.load(f)
    for name, value in fields.items():
        if value is None:
            data[KEY][0].pop(name)
        else:
            data[KEY][0][name] = value
    with open(path, 'wb') as f:
        pickle.dump(data, f)


@pytest.mark.parametrize('box, needles', [
    ((math.nan, 24.0, 50.0, 20.0), ['not finite']),
    ((0.0, 24.0, math.inf, 20.0), ['not finite']),
    ((20.0, 20.0, 60.0, 46.0), ['beyond the 64x48 frame',
                                'looks like XYXY (x1, y1, x2, y2)']),
    ((50.0, 10.0, 40.0, 10.0), ['reaches (90, 20), beyond the 64x48']),
    ((-20.0, 10.0, 30.0, 10.0), ['beyond the 64x48 frame']),
])
@pytest.mark.parametrize('task', ['predcls', 'sgdet'])
def test_bad_boxes_are_named(ag_copy, box, needles, task):
    _set_object(ag_copy, bbox=box)
    with pytest.raises(AGAnnotationError) as info:
        load_action_genome(str(ag_copy), task=task)
    msg = str(info.value)
    assert 'object_bbox_and_relationship.pkl' in msg and KEY in msg
    assert "'table'" in msg and "field 'bbox'" in msg
    for needle in needles:
        assert needle in msg, msg


def test_a_box_within_the_tolerance_is_kept(ag_copy):
    # 4 px beyond the right edge: annotation noise, not an error
    _set_object(ag_copy, bbox=(30.0, 24.0, 38.0, 20.0))
    data_list, report = load_action_genome(str(ag_copy), task='predcls')
    frame = next(f for v in data_list for f in v['images']
                 if f['frame_key'] == KEY)
    assert frame['instances'][1]['bbox'] == [30.0, 24.0, 68.0, 44.0]


def test_missing_visible_is_an_error_not_an_invisible_object(ag_copy):
    _set_object(ag_copy, visible=None)
    with pytest.raises(AGAnnotationError, match="no 'visible' field"):
        load_action_genome(str(ag_copy), task='predcls')
    with pytest.warns(UserWarning):
        _, report = load_action_genome(str(ag_copy), task='predcls',
                                       on_error='warn')
    _, clean = load_action_genome(osp.join(FIXTURE), task='predcls')
    removed, before = report['removed']['objects'], clean['removed']['objects']
    assert removed['invisible'] == before['invisible']
    assert removed['invalid'] == before['invalid'] + 1
    assert report['errors']['bad_object'] == 1
