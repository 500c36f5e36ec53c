"""tools/analysis_tools/detection_breakdown.py on a hand-made frame."""
import os.path as osp
import runpy

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = runpy.run_path(
    osp.join(REPO, 'tools', 'analysis_tools', 'detection_breakdown.py'))


def test_found_and_right_class_by_hand():
    # GT: person, a cup (11) and a book (5); predictions: the person box,
    # the cup's box with the cup class, the book's box with a wrong class
    # (dish, 12), and a far box
    frame = dict(frame_key='A.mp4/000001.png', instances=[
        dict(bbox=[0, 0, 50, 100], bbox_label=1),
        dict(bbox=[60, 10, 80, 30], bbox_label=11),
        dict(bbox=[10, 60, 40, 90], bbox_label=5),
    ])
    pred = dict(
        frame_key='A.mp4/000001.png',
        bboxes=np.array([[1, 0, 50, 100], [60, 10, 80, 31], [10, 61, 40, 90],
                         [200, 200, 220, 220]], dtype=np.float32),
        labels=np.array([1, 11, 12, 5]),
        pair_inds=np.array([[0, 1], [0, 2], [0, 3]]))
    out = TOOL['breakdown']([dict(images=[frame])], [pred], top_k=20)
    assert out['objects'] == 2
    assert out['found'] == 1.0
    assert out['found_right_class'] == 0.5
    assert out['class_accuracy'] == 0.5
    assert out['person_found'] == 1.0
    # only the best pair considered: the book is not found
    out = TOOL['breakdown']([dict(images=[frame])], [pred], top_k=1)
    assert out['found'] == 0.5 and out['found_right_class'] == 0.5
