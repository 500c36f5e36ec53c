"""Model outputs to prediction dicts, and repeats in gathered results."""
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

from .prediction_format import (PREDICTION_FIELDS, PredictionFormatError,
                                check_structure)

__all__ = ['sg_sample_to_prediction', 'deduplicate_predictions']


def deduplicate_predictions(
        preds: Sequence[dict],
        source: str = 'predictions') -> Tuple[List[dict], int]:
    """Drop exact repeats of a frame's prediction, refuse conflicting ones.

    Distributed samplers may pad the last batch by repeating items, so a
    gathered result list can hold the same key frame twice with identical
    outputs. Identical repeats are dropped (and counted); repeats that
    differ mean two different predictions for one frame and raise.

    Args:
        preds (Sequence[dict]): Checked prediction dicts.
        source (str): Origin, for messages.

    Returns:
        tuple[list[dict], int]: The unique predictions (first occurrence
        order) and the number of dropped identical repeats.

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
        same = all(
            np.array_equal(first[f], pred[f]) for f in PREDICTION_FIELDS)
        if not same:
            raise PredictionFormatError(
                f'{source}: two different predictions for frame_key '
                f'{key!r}')
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
