"""Model outputs to prediction dicts, and repeats in gathered results."""
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

from .prediction_format import (PREDICTION_FIELDS, PredictionFormatError,
                                check_structure)

__all__ = [
    'sg_sample_to_prediction', 'deduplicate_predictions', 'same_prediction'
]


#: How far a repeat of a frame's prediction may differ from the first and
#: still count as the same prediction: the same model on the same frame in
#: another batch (sampler padding puts the repeat into another batch, whose
#: padded query or token counts change float sums in the last bits).
REPEAT_RTOL = 1e-3
REPEAT_ATOL = 1e-4


def same_prediction(first: dict, other: dict) -> bool:
    """Whether two predictions of one frame are the same up to batch noise.

    The fields must have equal shapes; each field's sorted values must
    agree within :data:`REPEAT_RTOL` / :data:`REPEAT_ATOL` (boxes in
    pixels: an absolute tolerance scaled by the box size). Sorting makes
    the check blind to the order of near-tied pairs, which batch noise may
    swap, not to different values.

    Args:
        first (dict): A checked prediction dict.
        other (dict): Another one for the same frame.

    Returns:
        bool: True for the same prediction.
    """
    for field in PREDICTION_FIELDS:
        a, b = np.asarray(first[field]), np.asarray(other[field])
        if a.shape != b.shape:
            return False
        a, b = np.sort(a, axis=None), np.sort(b, axis=None)
        if a.dtype.kind in 'iub':
            if not np.array_equal(a, b):
                return False
        else:
            scale = max(1.0, float(np.abs(a).max(initial=0.0)))
            if not np.allclose(a, b, rtol=REPEAT_RTOL,
                               atol=REPEAT_ATOL * scale):
                return False
    return True


def deduplicate_predictions(
        preds: Sequence[dict],
        source: str = 'predictions') -> Tuple[List[dict], int]:
    """Drop repeats of a frame's prediction, refuse conflicting ones.

    Distributed samplers may pad the last batch by repeating items, so a
    gathered result list can hold the same key frame twice. A repeat that
    is the same prediction (:func:`same_prediction`: equal up to the float
    noise of another batch) is dropped and counted, the first occurrence is
    kept; repeats that differ mean two different predictions for one frame
    and raise.

    Args:
        preds (Sequence[dict]): Checked prediction dicts.
        source (str): Origin, for messages.

    Returns:
        tuple[list[dict], int]: The unique predictions (first occurrence
        order) and the number of dropped repeats.

    Raises:
        PredictionFormatError: If two predictions of one frame differ.
    """
    unique: Dict[str, dict] = {}
    dropped = 0
    for pred in preds:
        key = pred['frame_key']
        first = unique.get(key)
        if first is None:
            unique[key] = pred
            continue
        if not same_prediction(first, pred):
            raise PredictionFormatError(
                f'{source}: two different predictions for frame_key '
                f'{key!r} (beyond the float noise of another batch)')
        dropped += 1
    return list(unique.values()), dropped


def _get(container: Any, name: str) -> Any:
    if isinstance(container, dict):
        return container.get(name)
    return getattr(container, name, None)


def sg_sample_to_prediction(sample: Any) -> Dict[str, Any]:
    """Convert a model output sample to a prediction-file dict.

    Args:
        sample (SGDataSample | dict): The key frame's output, as returned by
            ``model.predict`` (an ``SGDataSample``) or as the dict an
            mmengine ``Evaluator`` passes to ``BaseMetric.process``
            (``SGDataSample.to_dict()``). Needs metainfo ``frame_key``,
            ``pred_instances`` (``bboxes`` in ORIGINAL frame pixels,
            ``labels``, ``scores``) and ``pred_pairs`` (``pair_inds``,
            ``attention_scores``, ``spatial_scores``,
            ``contacting_scores``).

    Returns:
        dict: A prediction dict with numpy arrays of the canonical dtypes;
        shapes are checked here, values when the predictions are stacked.

    Raises:
        PredictionFormatError: If a field is missing or has a bad shape.
    """
    if hasattr(sample, 'to_dict') and not isinstance(sample, dict):
        sample = sample.to_dict()
    if not isinstance(sample, dict):
        raise PredictionFormatError(
            'expected an SGDataSample or its dict, got '
            f'{type(sample).__name__}')
    key = sample.get('frame_key')
    flat = {'frame_key': key}
    for part, fields in (('pred_instances', ('bboxes', 'labels', 'scores')),
                         ('pred_pairs', ('pair_inds', 'attention_scores',
                                         'spatial_scores',
                                         'contacting_scores'))):
        container = sample.get(part)
        if container is None:
            raise PredictionFormatError(
                f'model output (frame_key={key!r}): missing {part!r}')
        for field in fields:
            value = _get(container, field)
            if value is None:
                raise PredictionFormatError(
                    f'model output (frame_key={key!r}): missing field '
                    f'{part}.{field}')
            flat[field] = value
    return check_structure(flat, None, 'model output')
