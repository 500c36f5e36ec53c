"""Load a frame's boxes, labels and (person, object) pair labels."""
import numpy as np
from mmdet.datasets.transforms import LoadAnnotations

from vost.registry import TRANSFORMS

from vost.structures.ag_meta import CONTACTING_PREDICATES, SPATIAL_PREDICATES

__all__ = ['LoadSGAnnotations']


@TRANSFORMS.register_module()
class LoadSGAnnotations(LoadAnnotations):
    """mmdet's ``LoadAnnotations`` plus the pair labels of a frame.

    Use it per frame (inside ``TransformBroadcaster``). Boxes are loaded by
    mmdet (``gt_bboxes`` as ``HorizontalBoxes`` XYXY, ``gt_bboxes_labels``
    AG object ids, ``gt_ignore_flags``) so that mmdet's geometric
    transforms update them; pairs index into these instances, so no
    transform may drop instances.

    Required Keys:

    - instances (list[dict]): ``bbox``, ``bbox_label``, ``ignore_flag``.
    - relations (list[dict]): ``subject``, ``object``, ``attention`` (local
      int), ``spatial`` / ``contacting`` (lists of local ints).

    Added Keys:

    - gt_bboxes, gt_bboxes_labels, gt_ignore_flags (mmdet)
    - gt_pair_inds (np.int64 (R, 2)): (subject, object) instance indices.
    - gt_attention (np.int64 (R,)): local attention index.
    - gt_spatial (np.float32 (R, 6)): multi-hot.
    - gt_contacting (np.float32 (R, 17)): multi-hot.

    Args:
        with_pairs (bool): Load the pair labels. Defaults to True.
        **kwargs: ``LoadAnnotations`` arguments (``with_bbox=True`` and
            ``with_label=True`` by default).
    """

    def __init__(self, with_pairs: bool = True, **kwargs) -> None:
        kwargs.setdefault('with_bbox', True)
        kwargs.setdefault('with_label', True)
        super().__init__(**kwargs)
        self.with_pairs = with_pairs

    def _load_pairs(self, results: dict) -> None:
        rels = results.get('relations', [])
        num_inst = len(results.get('instances', []))
        num = len(rels)
        pair_inds = np.zeros((num, 2), np.int64)
        attention = np.zeros((num, ), np.int64)
        spatial = np.zeros((num, len(SPATIAL_PREDICATES)), np.float32)
        contacting = np.zeros((num, len(CONTACTING_PREDICATES)), np.float32)
        for i, rel in enumerate(rels):
            sub, obj = rel['subject'], rel['object']
            if not (0 <= sub < num_inst and 0 <= obj < num_inst):
                raise ValueError(
                    f"frame {results.get('frame_key')}: relation {i} pairs "
                    f'instances ({sub}, {obj}) but the frame has {num_inst} '
                    'instances (a frame without a person box? keep '
                    'require_person=True for training)')
            pair_inds[i] = (sub, obj)
            attention[i] = rel['attention']
            spatial[i, rel['spatial']] = 1
            contacting[i, rel['contacting']] = 1
        results['gt_pair_inds'] = pair_inds
        results['gt_attention'] = attention
        results['gt_spatial'] = spatial
        results['gt_contacting'] = contacting

    def transform(self, results: dict) -> dict:
        """Load boxes, labels and pairs.

        Args:
            results (dict): One frame's result dict.

        Returns:
            dict: The updated dict.
        """
        results = super().transform(results)
        if self.with_pairs:
            self._load_pairs(results)
        return results

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f', with_pairs={self.with_pairs})'
