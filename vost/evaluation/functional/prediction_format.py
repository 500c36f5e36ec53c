"""The prediction file format: fields, checks, loading and dumping.

A prediction file is a pickle holding a list with one dict per evaluated key
frame (``docs/evaluation.md``)::

    {'frame_key': '001YG.mp4/000089.png',
     'bboxes': float32 (B, 4) XYXY in original-frame pixels,
     'labels': int64 (B,) object ids 1..36 (1 = person),
     'scores': float32 (B,) object scores (1.0 in PredCls),
     'pair_inds': int64 (R, 2) (subject, object) indices into bboxes,
     'attention_scores': float32 (R, 3),
     'spatial_scores': float32 (R, 6),
     'contacting_scores': float32 (R, 17)}

All scores are probabilities in [0, 1].
"""
import gc
import os
import os.path as osp
import pickle
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

import numpy as np

from vost.structures.ag_meta import NUM_OBJECT_CLASSES
from .prediction_fields import FIELD_RULES, PREDICTION_FIELDS, FieldRule

__all__ = [
    'PREDICTION_FIELDS', 'FIELD_RULES', 'FieldRule', 'PredictionFormatError',
    'PredictionBatch',
    'check_prediction', 'stack_predictions', 'load_predictions',
    'dump_predictions', 'check_structure'
]

#: Tolerance above 1 accepted for probabilities (float rounding of softmax).
_PROB_TOL = 1e-5


class PredictionFormatError(ValueError):
    """A prediction does not follow the prediction file format."""


def _where(source: str, index: Optional[int], key: Any) -> str:
    pos = '' if index is None else f' #{index}'
    return f'{source}: prediction{pos} (frame_key={key!r})'


def check_structure(pred: Any, index: Optional[int],
                     source: str) -> Dict[str, Any]:
    """Check keys, shapes and dtype kinds of one prediction (no values).

    Args:
        pred (Any): The candidate prediction dict.
        index (int, optional): Its position, for messages.
        source (str): Its origin, for messages.

    Returns:
        dict: ``frame_key`` and the seven fields as numpy arrays of the
        canonical dtypes (float32 / int64).

    Raises:
        PredictionFormatError: Naming position, frame key and field.
    """
    if not isinstance(pred, dict):
        raise PredictionFormatError(
            f'{_where(source, index, None)}: expected a dict, got '
            f'{type(pred).__name__}')
    key = pred.get('frame_key')
    if not isinstance(key, str):
        raise PredictionFormatError(
            f"{_where(source, index, key)}: field 'frame_key' must be a str "
            f"like '001YG.mp4/000089.png', got {type(key).__name__}")
    out: Dict[str, Any] = {'frame_key': key}
    lengths: Dict[str, int] = {}
    for rule in FIELD_RULES:
        value = pred.get(rule.field)
        if type(value) is np.ndarray and value.dtype is rule.dtype \
                and value.ndim == rule.ndim and value.shape[1:] == rule.tail:
            arr = value  # the fast path of well-formed files
        else:
            arr = _as_field_array(value, rule, _where(source, index, key))
        if lengths.setdefault(rule.dim, arr.shape[0]) != arr.shape[0]:
            raise PredictionFormatError(
                f"{_where(source, index, key)}: field '{rule.field}' has "
                f'{arr.shape[0]} rows but {rule.dim} = {lengths[rule.dim]} '
                'from the other fields')
        out[rule.field] = arr
    return out


def _as_field_array(value: Any, rule: FieldRule, where: str) -> np.ndarray:
    """Convert one field to its canonical dtype, checking kind and shape."""
    field, tail = rule.field, rule.tail
    if value is None:
        raise PredictionFormatError(f'{where}: missing field {field!r}')
    if hasattr(value, 'detach'):  # a torch tensor
        value = value.detach().cpu().numpy()
    arr = np.asarray(value)
    # an empty list is float64 for numpy: accepted for any field
    if not (rule.accepts_kind(arr.dtype) or
            (arr.size == 0 and arr.dtype.kind == 'f')):
        raise PredictionFormatError(
            f"{where}: field '{field}' must hold "
            f"{'integers' if rule.kind == 'i' else 'floats'}, got dtype "
            f'{arr.dtype}')
    if arr.size == 0 and arr.ndim == 1 and tail:
        arr = arr.reshape((0, ) + tail)  # tolerate np.array([]) empties
    if arr.ndim != rule.ndim or arr.shape[1:] != tail:
        expected = f"({rule.dim}{''.join(f', {t}' for t in tail)})"
        raise PredictionFormatError(
            f"{where}: field '{field}' has shape {arr.shape}, expected "
            f'{expected}')
    return arr.astype(rule.dtype, copy=False)


@dataclass
class PredictionBatch:
    """Checked predictions of N frames, concatenated field by field.

    Attributes:
        frame_keys (list[str]): N frame keys, in input order.
        box_offsets (np.ndarray): (N + 1,) int64; frame i owns boxes
            ``box_offsets[i]:box_offsets[i + 1]``.
        pair_offsets (np.ndarray): (N + 1,) int64, the same for pairs.
        fields (dict[str, np.ndarray]): Each field of
            :data:`PREDICTION_FIELDS` concatenated over frames (``bboxes``
            (B, 4) float32, ..., ``pair_inds`` (P, 2) int64 with indices
            local to their frame).
    """
    frame_keys: List[str]
    box_offsets: np.ndarray
    pair_offsets: np.ndarray
    fields: Dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.frame_keys)

    def frame(self, i: int) -> Dict[str, Any]:
        """The prediction dict of frame ``i`` (views into the arrays)."""
        out: Dict[str, Any] = {'frame_key': self.frame_keys[i]}
        for field, (_, _, dim) in PREDICTION_FIELDS.items():
            off = self.box_offsets if dim == 'B' else self.pair_offsets
            out[field] = self.fields[field][off[i]:off[i + 1]]
        return out


def _first_bad(batch: PredictionBatch, field: str, bad_rows: np.ndarray,
               source: str, msg: str) -> None:
    """Raise for the frame that owns the first bad row of a field."""
    dim = PREDICTION_FIELDS[field][2]
    off = batch.box_offsets if dim == 'B' else batch.pair_offsets
    row = int(np.flatnonzero(bad_rows)[0])
    i = int(np.searchsorted(off, row, side='right') - 1)
    value = batch.fields[field][row]
    raise PredictionFormatError(
        f'{_where(source, i, batch.frame_keys[i])}: field {field!r} '
        f'{msg} (row {row - off[i]}: {value})')


def _stack_checked(checked: List[dict]) -> tuple:
    """Concatenate structure-checked predictions."""
    fields = {}
    for rule in FIELD_RULES:
        parts = [p[rule.field] for p in checked]
        fields[rule.field] = (np.concatenate(parts) if parts else np.zeros(
            (0, ) + rule.tail, dtype=rule.dtype))
    counts_b = np.fromiter((len(p['labels']) for p in checked), np.int64,
                           len(checked))
    counts_p = np.fromiter((len(p['pair_inds']) for p in checked), np.int64,
                           len(checked))
    return [p['frame_key'] for p in checked], fields, counts_b, counts_p


def _stack_fast(preds: Sequence[Any]) -> Optional[tuple]:
    """Concatenate well-formed predictions without per-frame checks.

    Returns None if anything needs the frame-by-frame path: a non-dict, a
    missing key, a non-ndarray value, a non-str key, a shape or row count
    that differs from the format, or a dtype of the wrong kind.
    """
    if not preds:
        return None
    try:
        keys = [p['frame_key'] for p in preds]
        if not all(type(k) is str for k in keys):
            return None
        fields, counts = {}, {}
        for rule in FIELD_RULES:
            parts = [p[rule.field] for p in preds]
            if not all(type(x) is np.ndarray for x in parts):
                return None
            arr = np.concatenate(parts)
            if arr.ndim != rule.ndim or arr.shape[1:] != rule.tail or \
                    not rule.accepts_kind(arr.dtype):
                return None
            num = np.fromiter(map(len, parts), np.int64, len(parts))
            if rule.dim in counts and not np.array_equal(
                    counts[rule.dim], num):
                return None
            counts[rule.dim] = num
            fields[rule.field] = arr.astype(rule.dtype, copy=False)
    except (TypeError, KeyError, ValueError, IndexError):
        return None
    return keys, fields, counts['B'], counts['R']


def stack_predictions(preds: Sequence[Any],
                      source: str = 'predictions') -> PredictionBatch:
    """Check predictions and concatenate them into a batch.

    Checks, naming source, position, frame key and field on failure: each
    item is a dict with every field; ``frame_key`` is a str and unique;
    each array has its shape ((B, ...) or (R, ...)) and dtype kind; values
    are finite; labels are in 1..36; ``pair_inds`` index into the frame's
    B boxes; boxes have ``x2 >= x1`` and ``y2 >= y1``; scores are
    probabilities in [0, 1]. Well-formed input is concatenated field by
    field and checked on the concatenated arrays (fast for 55k frames);
    anything unusual (a missing key, a list, a tensor, a bad shape) is
    checked frame by frame to name the culprit.

    Args:
        preds (Sequence): Prediction dicts (numpy arrays or tensors).
        source (str): The file name (or other origin), for messages.

    Returns:
        PredictionBatch: The checked predictions in canonical dtypes.

    Raises:
        PredictionFormatError: On the first invalid prediction.
    """
    stacked = _stack_fast(preds)
    if stacked is None:  # something is off: find it frame by frame
        checked = [
            check_structure(p, i, source) for i, p in enumerate(preds)
        ]
        stacked = _stack_checked(checked)
    keys, fields, counts_b, counts_p = stacked
    if len(set(keys)) != len(keys):
        seen: Dict[str, int] = {}
        for i, key in enumerate(keys):
            first = seen.setdefault(key, i)
            if first != i:
                raise PredictionFormatError(
                    f'{source}: frame_key {key!r} occurs twice (predictions '
                    f'#{first} and #{i})')
    batch = PredictionBatch(
        frame_keys=keys,
        box_offsets=np.concatenate([[0], np.cumsum(counts_b)]),
        pair_offsets=np.concatenate([[0], np.cumsum(counts_p)]),
        fields=fields)
    _check_values(batch, counts_b, source)
    return batch


def _check_values(batch: PredictionBatch, counts_b: np.ndarray,
                  source: str) -> None:
    """Vectorised value checks of a batch (see :func:`stack_predictions`)."""
    f = batch.fields
    for rule in FIELD_RULES:
        if rule.kind == 'f':
            bad = ~np.isfinite(f[rule.field])
            if bad.any():
                _first_bad(batch, rule.field,
                           bad.reshape(len(bad), -1).any(1), source,
                           'holds NaN or infinite values')
    labels = f['labels']
    bad = (labels < 1) | (labels > NUM_OBJECT_CLASSES)
    if bad.any():
        _first_bad(
            batch, 'labels', bad, source, 'must hold object ids '
            f'1..{NUM_OBJECT_CLASSES} (0 = background is not a prediction)')
    inds = f['pair_inds']
    num_boxes = np.repeat(counts_b, np.diff(batch.pair_offsets))
    bad = (inds < 0).any(1) | (inds >= num_boxes[:, None]).any(1)
    if bad.any():
        _first_bad(batch, 'pair_inds', bad, source,
                   "holds an index out of range for the frame's boxes")
    boxes = f['bboxes']
    bad = (boxes[:, 2] < boxes[:, 0]) | (boxes[:, 3] < boxes[:, 1])
    if bad.any():
        _first_bad(batch, 'bboxes', bad, source,
                   'must be XYXY with x2 >= x1 and y2 >= y1')
    for rule in FIELD_RULES:
        if not rule.probability:
            continue
        arr = f[rule.field]
        bad = (arr < 0) | (arr > 1 + _PROB_TOL)
        if bad.any():
            _first_bad(batch, rule.field, bad.reshape(len(bad), -1).any(1),
                       source, 'must hold probabilities in [0, 1]')


def check_prediction(pred: Any,
                     index: Optional[int] = None,
                     source: str = 'predictions') -> Dict[str, Any]:
    """Check one prediction dict and return it with canonical dtypes.

    Args:
        pred (Any): The candidate prediction dict.
        index (int, optional): Its position in a file, for messages.
        source (str): The file name (or other origin), for messages.

    Returns:
        dict: ``frame_key`` and the seven arrays as numpy arrays of the
        canonical dtypes (float32 / int64); extra keys are dropped.

    Raises:
        PredictionFormatError: As :func:`stack_predictions`.
    """
    try:
        batch = stack_predictions([pred], source)
    except PredictionFormatError as exc:
        if index is None:
            raise
        msg = str(exc).replace('prediction #0', f'prediction #{index}')
        raise PredictionFormatError(msg) from None
    return batch.frame(0)


def load_predictions(path: str, check: bool = True) -> List[Any]:
    """Read a prediction file.

    Args:
        path (str): The pickle file.
        check (bool): Check every prediction (:func:`stack_predictions`).
            Callers that stack the predictions themselves (the evaluator)
            pass False to check only once. Defaults to True.

    Returns:
        list: The per-frame prediction dicts, as stored.

    Raises:
        FileNotFoundError: If the file does not exist.
        PredictionFormatError: If it is not a pickled list, or (with
            ``check``) holds an invalid prediction.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'prediction file {path} does not exist')
    # The cyclic GC would rescan the growing list of 55k dicts many times
    # (about 3x slower); nothing cyclic is created while unpickling.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        with open(path, 'rb') as f:
            preds = pickle.load(f)
    except Exception as exc:  # unpickling errors have many types
        raise PredictionFormatError(
            f'{path}: cannot be read as a pickle: {exc!r}') from exc
    finally:
        if gc_was_enabled:
            gc.enable()
    if not isinstance(preds, (list, tuple)):
        raise PredictionFormatError(
            f'{path}: expected a list of per-frame dicts, got '
            f'{type(preds).__name__}')
    if check:
        stack_predictions(preds, path)
    return list(preds)


def dump_predictions(preds: Sequence[Any], path: str) -> None:
    """Check predictions and write them as a prediction file.

    Args:
        preds (Sequence): Prediction dicts.
        path (str): Output ``.pkl`` path; its folder is created.

    Raises:
        PredictionFormatError: If a prediction is invalid or a frame key
            occurs twice.
    """
    batch = stack_predictions(preds, path)
    out = [batch.frame(i) for i in range(len(batch))]
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    with open(path, 'wb') as f:
        pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
