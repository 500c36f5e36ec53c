"""Read the Action Genome annotation files, with clear errors.

Every error names the file, the frame key and the field. With
``on_error='warn'`` a bad item is skipped, counted and reported once per
kind instead (see :class:`ErrorCollector`).
"""
import os
import os.path as osp
import pickle
import warnings
from collections import defaultdict
from typing import Dict, List

from vost.structures.ag_meta import (
    OBJECT_CLASSES,
    OBJECT_NAME_TO_ID,
    PREDICATE_NAME_TO_ID,
    normalize_name,
)

__all__ = [
    'AGAnnotationError', 'ErrorCollector', 'load_pickle', 'read_lines',
    'read_class_file', 'check_key_sets', 'write_annotations',
    'RAW_OBJECT_CLASS_LINES', 'RAW_RELATIONSHIP_CLASS_LINES'
]

class AGAnnotationError(ValueError):
    """Raised for malformed Action Genome annotations.

    The message names the file, the frame key and the field.
    """


class ErrorCollector:
    """Collects data errors: raises at once, or counts and warns later."""

    def __init__(self, on_error: str):
        if on_error not in ('raise', 'warn'):
            raise ValueError(
                f"on_error must be 'raise' or 'warn', got {on_error!r}")
        self.on_error = on_error
        self.counts: Dict[str, int] = defaultdict(int)
        self.examples: Dict[str, List[str]] = defaultdict(list)

    def __call__(self, kind: str, msg: str) -> None:
        if self.on_error == 'raise':
            raise AGAnnotationError(msg)
        self.counts[kind] += 1
        if len(self.examples[kind]) < 3:
            self.examples[kind].append(msg)

    def flush(self) -> None:
        """Emit one warning per error kind (with up to 3 examples)."""
        for kind, num in self.counts.items():
            examples = '\n  '.join(self.examples[kind])
            warnings.warn(f'Action Genome: skipped {num} item(s) with error '
                          f"'{kind}', e.g.:\n  {examples}")


def load_pickle(path: str):
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Action Genome annotation file not found: {path}')
    try:
        with open(path, 'rb') as f:
            return pickle.load(f)
    except Exception as e:  # corrupt / truncated / not a pickle
        raise AGAnnotationError(
            f'cannot read Action Genome annotation file {path}: '
            f'{type(e).__name__}: {e}') from e


def read_lines(path: str) -> List[str]:
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'Action Genome annotation file not found: {path}')
    try:
        with open(path, encoding='utf-8') as f:
            return [line.rstrip('\r\n') for line in f]
    except (OSError, UnicodeDecodeError) as e:
        raise AGAnnotationError(
            f'cannot read Action Genome annotation file {path}: {e}') from e


def read_class_file(path: str, kind: str) -> List[int]:
    """Read ``object_classes.txt`` or ``relationship_classes.txt``.

    Raw names are matched to the fixed id tables through
    :func:`~vost.structures.ag_meta.normalize_name`, so the squashed names of
    the real files (``'closetcabinet '``, ``'lookingat'``) and the pretty
    names are both accepted.

    Args:
        path (str): The txt file.
        kind (str): ``'object'`` or ``'relationship'``.

    Returns:
        list[int]: The fixed id of every non-empty line, in file order.

    Raises:
        AGAnnotationError: On an unknown name, a duplicate, or a file that
            does not list every class.
    """
    table = OBJECT_NAME_TO_ID if kind == 'object' else PREDICATE_NAME_TO_ID
    expected = (set(range(1, len(OBJECT_CLASSES))) if kind == 'object' else
                set(PREDICATE_NAME_TO_ID.values()))
    ids = []
    for lineno, raw in enumerate(read_lines(path), 1):
        if not raw.strip():
            continue
        idx = table.get(normalize_name(raw))
        if idx is None or (kind == 'object' and idx == 0):
            raise AGAnnotationError(
                f'{path}, line {lineno}: unknown {kind} class name {raw!r}')
        if idx in ids:
            raise AGAnnotationError(
                f'{path}, line {lineno}: duplicate {kind} class {raw!r}')
        ids.append(idx)
    missing = expected - set(ids)
    if missing:
        raise AGAnnotationError(f'{path}: {len(missing)} {kind} class(es) '
                                f'missing, e.g. id {min(missing)}')
    return ids


def check_key_sets(person: dict, objects: dict, frame_list: List[str],
                   paths: Dict[str, str],
                   errors: ErrorCollector) -> List[str]:
    """Keys present in all three files; differences are errors."""
    listed = [k.strip() for k in frame_list if k.strip()]
    sets = dict(
        person=set(person), objects=set(objects), frame_list=set(listed))
    common = sets['person'] & sets['objects'] & sets['frame_list']
    for name, keys in sets.items():
        extra = keys - common
        if extra:
            for key in sorted(extra)[:1 if errors.on_error == 'raise' else
                                     len(extra)]:
                lacking = [
                    paths[n] for n in sets if n != name and key not in sets[n]
                ]
                errors(
                    'key_mismatch', f"{paths[name]}: key '{key}' is missing "
                    f"from {', '.join(lacking)} ({len(extra)} such key(s); "
                    f'the annotation files must hold the same keys)')
    return [k for k in listed if k in common]


#: The raw names of the real ``object_classes.txt`` (squashed, with the
#: trailing space of ``'closetcabinet '``), in file order.
RAW_OBJECT_CLASS_LINES = (
    'person', 'bag', 'bed', 'blanket', 'book', 'box', 'broom', 'chair',
    'closetcabinet ', 'clothes', 'cupglassbottle', 'dish', 'door',
    'doorknob', 'doorway', 'floor', 'food', 'groceries', 'laptop', 'light',
    'medicine', 'mirror', 'papernotebook', 'phonecamera', 'picture',
    'pillow', 'refrigerator', 'sandwich', 'shelf', 'shoe', 'sofacouch',
    'table', 'television', 'towel', 'vacuum', 'window')
#: The raw names of the real ``relationship_classes.txt``, in file order.
RAW_RELATIONSHIP_CLASS_LINES = tuple(
    normalize_name(n) for n in PREDICATE_NAME_TO_ID)


def write_annotations(data_root: str, person: dict, objects: dict,
                      frame_list: List[str]) -> None:
    """Write the five Action Genome annotation files.

    The class files get the raw squashed names of the real dataset.

    Args:
        data_root (str): Output root; files go to ``<data_root>/annotations``.
        person (dict): Content of ``person_bbox.pkl``.
        objects (dict): Content of ``object_bbox_and_relationship.pkl``.
        frame_list (list[str]): Keys for ``frame_list.txt``, in order.
    """
    ann_dir = osp.join(data_root, 'annotations')
    os.makedirs(ann_dir, exist_ok=True)
    with open(osp.join(ann_dir, 'person_bbox.pkl'), 'wb') as f:
        pickle.dump(person, f, protocol=4)
    with open(osp.join(ann_dir, 'object_bbox_and_relationship.pkl'),
              'wb') as f:
        pickle.dump(objects, f, protocol=4)
    for name, lines in (('frame_list.txt', frame_list),
                        ('object_classes.txt', RAW_OBJECT_CLASS_LINES),
                        ('relationship_classes.txt',
                         RAW_RELATIONSHIP_CLASS_LINES)):
        with open(osp.join(ann_dir, name), 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
