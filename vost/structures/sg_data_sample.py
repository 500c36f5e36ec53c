"""Per-frame data sample of a scene graph."""
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

__all__ = ['SGDataSample']


class SGDataSample(DetDataSample):
    """A :class:`DetDataSample` that also carries (subject, object) pairs.

    Instance fields (``gt_instances`` / ``pred_instances``) follow mmdet:
    ``bboxes`` (N, 4) XYXY, ``labels`` (N,) int64 **Action Genome object ids
    1..36** (1 is ``person``; 0 is reserved for background / no object),
    and, for predictions, ``scores`` (N,).

    Pair fields (``gt_pairs`` / ``pred_pairs``), one row per
    (person, object) pair:

    - ``pair_inds`` (R, 2) int64: (subject, object) indices into the
      frame's instances; the subject is the person.
    - GT: ``attention`` (R,) int64 local attention index 0..2;
      ``spatial`` (R, 6) float multi-hot; ``contacting`` (R, 17) float
      multi-hot.
    - Predictions: ``attention_scores`` (R, 3), ``spatial_scores`` (R, 6),
      ``contacting_scores`` (R, 17), probabilities.

    Useful metainfo: ``frame_key`` (``'001YG.mp4/000089.png'``),
    ``img_shape``, ``ori_shape``, ``scale_factor``, ``flip``.
    """

    @property
    def gt_pairs(self) -> InstanceData:
        """InstanceData: ground-truth pairs and their predicate labels."""
        return self._gt_pairs

    @gt_pairs.setter
    def gt_pairs(self, value: InstanceData) -> None:
        self.set_field(value, '_gt_pairs', dtype=InstanceData)

    @gt_pairs.deleter
    def gt_pairs(self) -> None:
        del self._gt_pairs

    @property
    def pred_pairs(self) -> InstanceData:
        """InstanceData: predicted pairs and their predicate scores."""
        return self._pred_pairs

    @pred_pairs.setter
    def pred_pairs(self, value: InstanceData) -> None:
        self.set_field(value, '_pred_pairs', dtype=InstanceData)

    @pred_pairs.deleter
    def pred_pairs(self) -> None:
        del self._pred_pairs
