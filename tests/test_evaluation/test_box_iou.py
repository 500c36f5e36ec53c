"""Tests of the aligned legacy / continuous box IoU."""
import numpy as np
import pytest

from vost.evaluation.functional import aligned_box_iou


def test_hand_computed_legacy_and_continuous():
    a = np.array([[0, 0, 9, 9], [0, 0, 9, 9], [0, 0, 2, 2], [0, 0, 9, 9]])
    b = np.array([[0, 0, 9, 9], [5, 0, 14, 9], [1, 0, 3, 2], [9, 0, 18, 9]])
    # Legacy: 10x10 boxes; shifted by 5: inter 5x10 / union 150; 3x3 boxes
    # shifted by 1: inter 2x3 / union 12; touching at x=9: 1x10 / 190.
    np.testing.assert_allclose(
        aligned_box_iou(a, b, 'legacy'), [1, 50 / 150, 6 / 12, 10 / 190])
    # Continuous: 9x9 boxes; inter 4x9 / union 126; 2x2: 1x2 / 6; touching 0.
    np.testing.assert_allclose(
        aligned_box_iou(a, b, 'continuous'), [1, 36 / 126, 2 / 6, 0])


def test_disjoint_and_degenerate_boxes():
    a = np.array([[0, 0, 4, 4], [3, 3, 3, 3]])
    b = np.array([[10, 10, 20, 20], [3, 3, 3, 3]])
    np.testing.assert_array_equal(aligned_box_iou(a, b, 'legacy'), [0, 1])
    # A zero-area box has zero union in continuous mode: IoU 0, no NaN.
    np.testing.assert_array_equal(aligned_box_iou(a, b, 'continuous'),
                                  [0, 0])


def test_matches_mmdet_bbox_overlaps():
    from mmdet.evaluation.functional import bbox_overlaps
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, (200, 2))
    a = np.concatenate([xy, xy + rng.uniform(1, 40, (200, 2))], 1)
    b = a + rng.uniform(-15, 15, (200, 4))
    b[:, 2:] = np.maximum(b[:, 2:], b[:, :2] + 0.5)
    for iou_type, legacy in (('legacy', True), ('continuous', False)):
        ref = np.diag(bbox_overlaps(a, b, use_legacy_coordinate=legacy))
        np.testing.assert_allclose(aligned_box_iou(a, b, iou_type), ref,
                                   rtol=1e-5, atol=1e-6)


def test_bad_arguments():
    with pytest.raises(ValueError, match='iou_type'):
        aligned_box_iou(np.zeros((1, 4)), np.zeros((1, 4)), 'giou')
    with pytest.raises(ValueError, match='same'):
        aligned_box_iou(np.zeros((2, 4)), np.zeros((1, 4)))
