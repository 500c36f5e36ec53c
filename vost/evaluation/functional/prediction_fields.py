"""The fields of a prediction file: one rule per field (kind, shape, length
name, value range), read by every check of
:mod:`~vost.evaluation.functional.prediction_format`."""
from collections import OrderedDict
from typing import NamedTuple, Tuple

import numpy as np

from vost.structures.ag_meta import (ATTENTION_PREDICATES,
                                     CONTACTING_PREDICATES,
                                     SPATIAL_PREDICATES)

__all__ = ['FieldRule', 'FIELD_RULES', 'PREDICTION_FIELDS']

_DTYPES = dict(f=np.dtype(np.float32), i=np.dtype(np.int64))


class FieldRule(NamedTuple):
    """What one field of a prediction must be.

    Attributes:
        field (str): The key.
        kind (str): ``'f'`` (float, stored float32) or ``'i'`` (integer,
            stored int64).
        tail (tuple): Trailing shape; the leading dimension is ``dim``.
        dim (str): ``'B'`` (one row per box) or ``'R'`` (per pair).
        probability (bool): Values in [0, 1].
    """
    field: str
    kind: str
    tail: tuple
    dim: str
    probability: bool

    @property
    def dtype(self) -> np.dtype:
        """The canonical dtype."""
        return _DTYPES[self.kind]

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return len(self.tail) + 1

    def accepts_kind(self, dtype: np.dtype) -> bool:
        """Whether an array of ``dtype`` converts to this field's kind
        (numbers and booleans; never floats for an integer field)."""
        return dtype.kind in 'fiub' and not (self.kind == 'i'
                                             and dtype.kind == 'f')


#: The rule table, read by both the fast (stacked) and the frame-by-frame
#: checks: field by field, kind, trailing shape, length name, probability.
FIELD_RULES: Tuple[FieldRule, ...] = (
    FieldRule('bboxes', 'f', (4, ), 'B', False),
    FieldRule('labels', 'i', (), 'B', False),
    FieldRule('scores', 'f', (), 'B', True),
    FieldRule('pair_inds', 'i', (2, ), 'R', False),
    FieldRule('attention_scores', 'f', (len(ATTENTION_PREDICATES), ), 'R',
              True),
    FieldRule('spatial_scores', 'f', (len(SPATIAL_PREDICATES), ), 'R', True),
    FieldRule('contacting_scores', 'f', (len(CONTACTING_PREDICATES), ), 'R',
              True),
)
#: field -> (dtype kind: 'f' float / 'i' integer, trailing shape, length
#: name), from :data:`FIELD_RULES`. The leading dimension is B (boxes) or
#: R (pairs).
PREDICTION_FIELDS: 'OrderedDict[str, Tuple[str, tuple, str]]' = OrderedDict(
    (r.field, (r.kind, r.tail, r.dim)) for r in FIELD_RULES)
