"""The pair-level view of a frame's ground truth."""
from mmengine.structures import InstanceData

from .ag_meta import CONTACTING_PREDICATES, SPATIAL_PREDICATES

__all__ = ['gt_pair_view']


def gt_pair_view(sample, owner: str = 'VOST') -> InstanceData:
    """One row per GT (person, object) pair, with both boxes and labels.

    ``SGDataSample`` stores the GT as instances (``gt_instances``) and pairs
    that index them (``gt_pairs.pair_inds``); the losses, the assigner and
    the GT-pair query generators need each pair's subject box, object box
    and object class side by side. This is that view, written once.

    Args:
        sample (SGDataSample): With ``gt_instances`` (``bboxes`` (N, 4) XYXY
            tensor or mmdet boxes, ``labels`` (N,)) and ``gt_pairs``
            (``pair_inds`` (R, 2), ``attention`` (R,), ``spatial`` (R, 6),
            ``contacting`` (R, 17)).
        owner (str): Named in the error messages (the caller).

    Returns:
        InstanceData: ``labels`` (R,) int64 object AG ids, ``sub_bboxes``
        and ``obj_bboxes`` (R, 4) float32 XYXY input pixels, ``attention``
        (R,) int64, ``spatial`` (R, 6) and ``contacting`` (R, 17) float32.

    Raises:
        KeyError: The sample has no ``gt_pairs`` or ``gt_instances``.
        IndexError: A pair refers to an instance that does not exist.
    """
    meta = sample.metainfo
    where = meta.get('frame_key', meta.get('img_path', '?'))
    if 'gt_pairs' not in sample or 'gt_instances' not in sample:
        raise KeyError(f'{owner}: frame {where} has no gt_pairs / '
                       'gt_instances (the pipeline must pack the GT: '
                       'LoadSGAnnotations and PackSGInputs)')
    boxes = sample.gt_instances.bboxes
    boxes = boxes.tensor if hasattr(boxes, 'tensor') else boxes
    pairs = sample.gt_pairs
    inds = pairs.pair_inds.long().reshape(-1, 2)
    if inds.numel() and int(inds.max()) >= boxes.size(0):
        raise IndexError(f'{owner}: frame {where}: gt_pairs.pair_inds '
                         f'refers to instance {int(inds.max())} but '
                         f'gt_instances has {boxes.size(0)}')
    return InstanceData(
        labels=sample.gt_instances.labels[inds[:, 1]].long(),
        sub_bboxes=boxes[inds[:, 0]].float(),
        obj_bboxes=boxes[inds[:, 1]].float(),
        attention=pairs.attention.long().reshape(-1),
        spatial=pairs.spatial.float().reshape(-1, len(SPATIAL_PREDICATES)),
        contacting=pairs.contacting.float().reshape(
            -1, len(CONTACTING_PREDICATES)))
