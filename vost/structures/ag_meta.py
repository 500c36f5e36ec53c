"""Fixed Action Genome class tables (docs/design.md, section 1).

Below everything: this module imports nothing of VOST (nor torch), so
data, models, evaluation and visualization all read the tables here.

Object ids: 0 is ``__background__`` (also the classifier's "no object"
index), 1 is ``person``, 2..36 are the 35 object classes. Predicate ids are
global over the 26 predicates: attention 0-2, spatial 3-8, contacting 9-25.
Within a group, *local* indices start at 0 (e.g. spatial local index 0 is
``above``, global id 3).

The annotation pickles use the pretty names listed here; the txt files of
the real dataset use squashed names (``closetcabinet ``, ``lookingat``),
which :func:`normalize_name` maps back.
"""
from typing import Dict, Tuple

__all__ = [
    'OBJECT_CLASSES', 'NUM_OBJECT_CLASSES', 'PERSON_LABEL',
    'ATTENTION_PREDICATES', 'SPATIAL_PREDICATES', 'CONTACTING_PREDICATES',
    'PREDICATES', 'NUM_PREDICATES', 'PREDICATE_GROUPS',
    'PREDICATE_GROUP_OFFSETS', 'OBJECT_NAME_TO_ID', 'PREDICATE_NAME_TO_ID',
    'normalize_name', 'AG_METAINFO', 'PREDICATE_GROUP_NAMES',
    'NUM_CLASSES_WITH_BACKGROUND', 'TASKS', 'class_name',
    'PREDICATE_GROUP_OF'
]

#: The three settings (docs/design.md, section 1): GT boxes and classes
#: given, GT boxes given, nothing given.
TASKS: Tuple[str, ...] = ('predcls', 'sgcls', 'sgdet')

OBJECT_CLASSES: Tuple[str, ...] = (
    '__background__', 'person', 'bag', 'bed', 'blanket', 'book', 'box',
    'broom', 'chair', 'closet/cabinet', 'clothes', 'cup/glass/bottle', 'dish',
    'door', 'doorknob', 'doorway', 'floor', 'food', 'groceries', 'laptop',
    'light', 'medicine', 'mirror', 'paper/notebook', 'phone/camera',
    'picture', 'pillow', 'refrigerator', 'sandwich', 'shelf', 'shoe',
    'sofa/couch', 'table', 'television', 'towel', 'vacuum', 'window')
#: Number of real object classes (person included, background excluded).
NUM_OBJECT_CLASSES = len(OBJECT_CLASSES) - 1
#: Object ids 0..36: the real classes and ``__background__``.
NUM_CLASSES_WITH_BACKGROUND = len(OBJECT_CLASSES)
PERSON_LABEL = 1

ATTENTION_PREDICATES: Tuple[str, ...] = ('looking_at', 'not_looking_at',
                                         'unsure')
SPATIAL_PREDICATES: Tuple[str, ...] = ('above', 'beneath', 'in_front_of',
                                       'behind', 'on_the_side_of', 'in')
CONTACTING_PREDICATES: Tuple[str, ...] = (
    'carrying', 'covered_by', 'drinking_from', 'eating',
    'have_it_on_the_back', 'holding', 'leaning_on', 'lying_on',
    'not_contacting', 'other_relationship', 'sitting_on', 'standing_on',
    'touching', 'twisting', 'wearing', 'wiping', 'writing_on')
PREDICATES: Tuple[str, ...] = (
    ATTENTION_PREDICATES + SPATIAL_PREDICATES + CONTACTING_PREDICATES)
NUM_PREDICATES = len(PREDICATES)
#: Group name -> predicate names of the group, in global id order.
PREDICATE_GROUPS: Dict[str, Tuple[str, ...]] = {
    'attention': ATTENTION_PREDICATES,
    'spatial': SPATIAL_PREDICATES,
    'contacting': CONTACTING_PREDICATES,
}
#: The three predicate groups, in global id order.
PREDICATE_GROUP_NAMES: Tuple[str, ...] = tuple(PREDICATE_GROUPS)
#: Group name -> global id of the group's first predicate.
PREDICATE_GROUP_OFFSETS: Dict[str, int] = {
    'attention': 0,
    'spatial': len(ATTENTION_PREDICATES),
    'contacting': len(ATTENTION_PREDICATES) + len(SPATIAL_PREDICATES),
}


def normalize_name(name: str) -> str:
    """Squash a class or predicate name for lookup.

    ``'closet/cabinet'``, ``'closetcabinet '`` and ``'closet_cabinet'`` all
    map to ``'closetcabinet'``; ``'looking_at'`` and ``'lookingat'`` to
    ``'lookingat'``.

    Args:
        name (str): A pretty, raw (txt file) or tag-style name.

    Returns:
        str: The lower-case name without ``/``, ``_``, spaces.
    """
    return ''.join(ch for ch in name.lower() if ch.isalnum())


def class_name(label: int) -> str:
    """Name of an object id (``'class_<id>'`` outside 0..36)."""
    label = int(label)
    if 0 <= label < len(OBJECT_CLASSES):
        return OBJECT_CLASSES[label]
    return f'class_{label}'


#: Normalised object name -> object id (1..36; background is 0).
OBJECT_NAME_TO_ID: Dict[str, int] = {
    normalize_name(n): i
    for i, n in enumerate(OBJECT_CLASSES)
}
#: Normalised predicate name -> global predicate id (0..25).
PREDICATE_NAME_TO_ID: Dict[str, int] = {
    normalize_name(n): i
    for i, n in enumerate(PREDICATES)
}

#: Global predicate id -> (group, local index in the group).
PREDICATE_GROUP_OF: Dict[int, Tuple[str, int]] = {
    PREDICATE_GROUP_OFFSETS[g] + k: (g, k)
    for g, names in PREDICATE_GROUPS.items() for k in range(len(names))
}

#: Dataset metainfo shared by datasets, metrics and visualisers.
AG_METAINFO = dict(
    classes=OBJECT_CLASSES,
    predicates=PREDICATES,
    attention_predicates=ATTENTION_PREDICATES,
    spatial_predicates=SPATIAL_PREDICATES,
    contacting_predicates=CONTACTING_PREDICATES,
)
