"""The options of an Action Genome load: the split, the task and the
filters (:func:`vost.ag_format.load_action_genome`)."""
import dataclasses
from typing import Optional

from vost.structures.ag_meta import TASKS

__all__ = ['LoadOptions', 'SPLITS']

SPLITS = ('train', 'test')


@dataclasses.dataclass(frozen=True)
class LoadOptions:
    """What :func:`load_action_genome` reads and which filters it applies.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'test'``.
        task (str): ``'predcls'``, ``'sgcls'`` or ``'sgdet'``; only decides
            whether the small-box filter applies. Defaults to ``'sgdet'``.
        split_by_first_object (bool): Assign a frame to the split of its
            first object's ``metadata['set']``. If False, every frame is
            kept whatever its set. Defaults to True.
        require_person (bool): Drop frames without a person box.
            Defaults to True.
        require_visible_object (bool): Drop frames without a kept object.
            Defaults to True.
        min_frames_per_video (int): Drop videos with fewer kept frames;
            0 or 1 disables. Defaults to 3.
        min_box_short_edge (float, optional): For sgcls/sgdet, drop objects
            whose box short edge (``min(w, h)`` of the XYWH box) is smaller.
            None disables. Never applied for predcls. Defaults to 16.
        check_frames_exist (bool): Require every kept frame's image under
            ``<data_root>/<frames_dir>/``. Defaults to False.
        check_class_files (bool): Read and check ``object_classes.txt`` and
            ``relationship_classes.txt``. Defaults to True.
        frames_dir (str): Frame folder inside ``data_root``.
            Defaults to ``'frames'``.
        on_error (str): ``'raise'`` raises :class:`AGAnnotationError` (or
            FileNotFoundError for a missing frame) at the first bad item;
            ``'warn'`` skips the bad object/frame, counts it in
            ``report['errors']`` and warns once per kind. Defaults to
            ``'raise'``.
    """
    split: str = 'test'
    task: str = 'sgdet'
    split_by_first_object: bool = True
    require_person: bool = True
    require_visible_object: bool = True
    min_frames_per_video: int = 3
    min_box_short_edge: Optional[float] = 16
    check_frames_exist: bool = False
    check_class_files: bool = True
    frames_dir: str = 'frames'
    on_error: str = 'raise'

    def __post_init__(self):
        if self.split not in SPLITS:
            raise ValueError(
                f'split must be one of {SPLITS}, got {self.split!r}')
        if self.task not in TASKS:
            raise ValueError(
                f'task must be one of {TASKS}, got {self.task!r}')

    @property
    def min_edge(self) -> Optional[float]:
        """The small-box threshold of this task (None for predcls)."""
        return None if self.task == 'predcls' else self.min_box_short_edge
