"""Action Genome scene graph metric: R@K and mR@K under three constraints."""
from typing import Any, Dict, List, Optional, Sequence, Union

from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log

from vost.ag_format import format_load_report, load_action_genome
from vost.registry import METRICS
from vost.structures.ag_meta import TASKS
from ..functional import (CONSTRAINTS, IOU_TYPES, SUBJECT_MODES,
                          GTTriplets,
                          build_gt_triplets, deduplicate_predictions,
                          evaluate_sgg, format_sgg_table,
                          sg_sample_to_prediction)
from ..functional.frame_subsets import load_frame_subsets
from ..functional.frequency_subsets import (FREQUENCY_GROUPS,
                                            format_frequency_groups,
                                            resolve_frequency_cfg,
                                            training_frequency_subsets)
from ..functional.subset_recalls import (evaluate_subsets,
                                         format_subset_tables, plan_subsets)
from ..functional.world_subsets import read_world_subsets
from .frame_result_gathering import gather_frame_results

__all__ = ['ActionGenomeSGGMetric', 'load_gt_triplets']


def load_gt_triplets(data_root: str, split: str, task: str,
                     subjects: str = 'one_person',
                     **filter_cfg) -> GTTriplets:
    """GT triplets of the evaluated frames, read from the annotation files.

    Args:
        data_root (str): Action Genome root.
        split (str): ``'train'`` or ``'test'``.
        task (str): ``'predcls'``, ``'sgcls'`` or ``'sgdet'`` (SGCls/SGDet
            drop objects whose box short edge is < 16 px).
        subjects (str): ``'one_person'`` (the published protocol) or
            ``'per_triplet'`` (several people; see
            :data:`~vost.evaluation.functional.SUBJECT_MODES`).
        **filter_cfg: Keyword options of
            :func:`vost.ag_format.load_action_genome`.

    Returns:
        GTTriplets: The triplets of every kept frame.
    """
    data_list, report = load_action_genome(data_root, split, task,
                                           **filter_cfg)
    print_log(format_load_report(report), logger='current')
    return build_gt_triplets(data_list, subjects)


@METRICS.register_module()
class ActionGenomeSGGMetric(BaseMetric):
    """Recall@K and mean recall@K of Action Genome scene graphs.

    The protocol of every Action Genome paper (``docs/evaluation.md``):
    ``with``, ``semi`` (threshold 0.9) and ``no`` (top 100) constraints,
    triplets ranked by subject score x object score x predicate score, a
    hit needs equal classes and predicate and IoU >= 0.5 on both boxes
    (legacy +1 pixel IoU by default). R@K is the mean over GT frames (a GT
    frame without prediction counts as 0 and is counted in the log); mR@K
    sums hits and counts over frames per predicate (``mR``), and the
    per-frame variant is reported as ``mR_per_frame``.

    The model outputs one ``SGDataSample`` per key frame (``frame_key``
    metainfo, ``pred_instances`` in original pixels, ``pred_pairs``). In
    distributed evaluation every rank's results are gathered in full;
    repeats of a frame (sampler padding; equal up to float noise,
    ``same_prediction``) are dropped and counted,
    different predictions for one frame raise.

    Output keys (no prefix): ``with/R@10`` ... ``no/R@100``, ``with/mR@10``
    ... ``no/mR@100``, ``.../mR_per_frame@K``, ``num_frames``,
    ``num_frames_without_prediction``, ``num_frames_without_gt_triplets``,
    ``num_gt_triplets``; recalls are fractions in [0, 1]. The subset
    options below add ``'{subset}/...'`` copies of these keys and change
    none of them (``docs/evaluation.md``, Subset recalls).

    Args:
        data_root (str): Action Genome root holding ``annotations/``.
        task (str): ``'predcls'``, ``'sgcls'`` or ``'sgdet'``; required
            (in a config it comes from ``model.task``, filled in by
            :func:`vost.engine.fill_from_model`).
        split (str): GT split. Defaults to ``'test'``.
        filter_cfg (dict, optional): Extra options of
            :func:`vost.ag_format.load_action_genome` (use the
            dataset's). Defaults to None (the standard filters).
        constraints (Sequence[str]): Defaults to ``('with', 'semi', 'no')``.
        ks (Sequence[int]): Defaults to (10, 20, 50, 100).
        semi_threshold (float): Defaults to 0.9.
        top_k_no (int): Defaults to 100.
        iou_type (str): ``'legacy'`` (default) or ``'continuous'``.
        iou_threshold (float): Defaults to 0.5.
        mr_absent_as_zero (bool): mR over all 26 predicates (absent ones
            count 0, the reference) or only those in the GT. Defaults to
            True.
        subjects (str): ``'one_person'`` (default, the published protocol:
            a GT frame with relations of several people is an error) or
            ``'per_triplet'`` (several people per frame, each GT triplet
            matched on its own subject box; with one person per frame the
            numbers are equal).
        predicate_subsets (dict, optional): Subset name -> predicate
            names (or ``'rest'``: every predicate of no other subset): also
            the metrics on the GT triplets of those predicates only, keys
            prefixed ``'{name}/'`` (e.g. ``novel`` for the
            zero-shot recall of held-out predicates;
            :mod:`~vost.evaluation.functional.predicate_subsets`).
        class_subsets (dict, optional): Subset name -> object class names
            (or ``'rest'``): the metrics on the GT triplets whose object
            class is in the subset, keys ``'{name}/...'``
            (:mod:`~vost.evaluation.functional.class_subsets`).
        frequency_subsets (bool | dict): False (default), True or
            ``dict(split='train', fractions=(1/3, 1/3))``: head / body /
            tail predicates (by training triplets) and object classes (by
            training object boxes) of that split of ``data_root`` (same
            task and filters), sorted by count (ties by id), cut by rank
            (head = the first ``ceil(n * fractions[0])`` ranks, body up
            to ``ceil(n * (fractions[0] + fractions[1]))``, tail the rest
            and every id with count 0; 26 predicates -> 9 / 9 / 8, 35
            classes -> 12 / 12 / 11); keys ``pred_head/...`` ...
            ``cls_tail/...``; the groups are logged
            (:mod:`~vost.evaluation.functional.frequency_subsets`).
        frame_subsets (dict, optional): Subset name -> frame keys, or the
            path of a JSON file holding the list: the metrics on those GT
            frames only; a key naming no evaluated GT frame is an error
            (:mod:`~vost.evaluation.functional.frame_subsets`).
        world_subsets (str, optional): Path, relative to ``data_root``, of
            the synthetic world's subsets file (e.g.
            ``'annotations/synthetic_subsets.json'``), read when the metric
            is built: its ``frames`` entries become frame subsets (keys
            outside the evaluated frames are left out and counted), its
            ``predicates`` entries predicate subsets
            (:mod:`~vost.evaluation.functional.world_subsets`). Defaults to
            None.
        allow_empty (bool): Evaluate an empty result list (recall 0); by
            default it is an error. Defaults to False.
        collect_device (str): Kept for mmengine compatibility; results are
            gathered with ``all_gather_object``. Defaults to ``'cpu'``.
        prefix (str, optional): Metric name prefix. Defaults to None.
    """
    default_prefix: Optional[str] = None

    def __init__(self,
                 data_root: str,
                 task: Optional[str] = None,
                 split: str = 'test',
                 filter_cfg: Optional[dict] = None,
                 constraints: Sequence[str] = CONSTRAINTS,
                 ks: Sequence[int] = (10, 20, 50, 100),
                 semi_threshold: float = 0.9,
                 top_k_no: int = 100,
                 iou_type: str = 'legacy',
                 iou_threshold: float = 0.5,
                 mr_absent_as_zero: bool = True,
                 subjects: str = 'one_person',
                 predicate_subsets: Optional[Dict[str, Sequence[str]]] = None,
                 class_subsets: Optional[Dict[str, Sequence[str]]] = None,
                 frequency_subsets: Union[bool, dict] = False,
                 frame_subsets: Optional[Dict[str, Any]] = None,
                 world_subsets: Optional[str] = None,
                 allow_empty: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(
            collect_device=collect_device, prefix=prefix, **kwargs)
        if task is None:
            raise ValueError(
                'ActionGenomeSGGMetric: task is not set. Configs state the '
                'task once, as model.task; SGRunner (the default runtime\'s '
                'runner_type) passes it to the metric. Building mmengine\'s '
                'Runner directly, call vost.engine.fill_from_model(cfg) '
                'first.')
        if task not in TASKS:
            raise ValueError("task must be 'predcls', 'sgcls' or 'sgdet', "
                             f'got {task!r}')
        if iou_type not in IOU_TYPES:
            raise ValueError(f'iou_type must be one of {IOU_TYPES}, got '
                             f'{iou_type!r}')
        if subjects not in SUBJECT_MODES:
            raise ValueError(f'subjects must be one of {SUBJECT_MODES}, got '
                             f'{subjects!r}')
        bad = [c for c in constraints if c not in CONSTRAINTS]
        if bad or not constraints:
            raise ValueError(f'constraints must be a non-empty subset of '
                             f'{CONSTRAINTS}, got {constraints!r}')
        self.data_root = data_root
        self.task = task
        self.split = split
        self.filter_cfg = dict(filter_cfg or {})
        self.constraints = tuple(constraints)
        self.ks = tuple(sorted(int(k) for k in ks))
        self.semi_threshold = semi_threshold
        self.top_k_no = top_k_no
        self.iou_type = iou_type
        self.iou_threshold = iou_threshold
        self.mr_absent_as_zero = mr_absent_as_zero
        self.subjects = subjects
        self.allow_empty = bool(allow_empty)
        self.predicate_subsets = dict(predicate_subsets or {})
        self.class_subsets = dict(class_subsets or {})
        self.frequency_cfg = resolve_frequency_cfg(frequency_subsets)
        self.frame_subsets = load_frame_subsets(dict(frame_subsets or {}))
        self.world_subsets = None if world_subsets is None else \
            read_world_subsets(data_root, world_subsets)
        # checks every option and name now, not after a training run
        reserved = None if self.frequency_cfg is None else tuple(
            {f'{kind}_{g}': [] for g in FREQUENCY_GROUPS}
            for kind in ('pred', 'cls'))
        self._subset_plan(reserved)
        self._gt: Optional[GTTriplets] = None
        self._frequency: Optional[tuple] = None

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        """Convert each key frame's output to a prediction-file dict.

        Args:
            data_batch: Unused.
            data_samples (Sequence[SGDataSample | dict]): Model outputs, one
                per key frame.
        """
        for sample in data_samples:
            self.results.append(sg_sample_to_prediction(sample))

    def load_gt(self) -> GTTriplets:
        """GT triplets, loaded once (main process) and cached."""
        if self._gt is None:
            self._gt = load_gt_triplets(self.data_root, self.split,
                                        self.task, self.subjects,
                                        **self.filter_cfg)
        return self._gt

    def _subset_plan(self, frequency: Optional[tuple]) -> dict:
        """Every subset option as one plan (see :func:`plan_subsets`)."""
        return plan_subsets(self.predicate_subsets, self.class_subsets,
                            self.frame_subsets, frequency,
                            self.world_subsets)

    def load_frequency_subsets(self) -> tuple:
        """Head / body / tail subsets of the training split, computed
        once (main process), logged and cached."""
        if self._frequency is None:
            split = self.frequency_cfg['split']
            data_list, report = load_action_genome(
                self.data_root, split, self.task, **self.filter_cfg)
            print_log(format_load_report(report), logger='current')
            source = f'{split} split of {self.data_root}'
            self._frequency = training_frequency_subsets(
                data_list, self.frequency_cfg['fractions'], self.subjects,
                source)
            print_log(format_frequency_groups(*self._frequency, source),
                      logger='current')
        return self._frequency

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Evaluate gathered prediction dicts and log the table.

        Args:
            results (list[dict]): Prediction dicts of all ranks.

        Returns:
            dict[str, float]: The metrics (see the class docstring).
        """
        logger = MMLogger.get_current_instance()
        if not results and not self.allow_empty:
            raise ValueError(
                'ActionGenomeSGGMetric: no prediction to evaluate (the loop '
                'gave 0 results for the GT of '
                f'{self.data_root} {self.split}); set allow_empty=True to '
                'evaluate it as recall 0')
        preds, dropped = deduplicate_predictions(results, 'metric results')
        if dropped:
            logger.info(f'{dropped} repeated prediction(s) of the same key '
                        'frame (distributed sampler padding) were dropped')
        metrics, details = evaluate_sgg(
            self.load_gt(), preds,
            constraints=self.constraints,
            ks=self.ks,
            semi_threshold=self.semi_threshold,
            top_k_no=self.top_k_no,
            iou_type=self.iou_type,
            iou_threshold=self.iou_threshold,
            mr_absent_as_zero=self.mr_absent_as_zero,
            source='metric results')
        logger.info('\n' + format_sgg_table(
            metrics, self.constraints, self.ks,
            title=f'Action Genome {self.split} {self.task.upper()}'))
        plan = self._subset_plan(
            None if self.frequency_cfg is None else
            self.load_frequency_subsets())
        if plan:
            subset = evaluate_subsets(
                self.load_gt(), preds, plan,
                constraints=self.constraints, ks=self.ks,
                semi_threshold=self.semi_threshold, top_k_no=self.top_k_no,
                iou_type=self.iou_type, iou_threshold=self.iou_threshold,
                source='metric results')
            for table in format_subset_tables(subset, plan, self.constraints,
                                              self.ks):
                logger.info('\n' + table)
            metrics.update(subset)
        if metrics['num_frames_without_prediction']:
            logger.warning(
                f"{metrics['num_frames_without_prediction']} of "
                f"{metrics['num_frames']} GT frames have no prediction; "
                'they count as recall 0')
        if details['absent_predicates']:
            logger.warning('predicates without GT triplets (recall 0 in mR'
                           f"): {details['absent_predicates']}")
        return dict(metrics)

    def evaluate(self, size: int) -> dict:
        """Gather all ranks' results in full and compute the metrics.

        Args:
            size (int): Dataset length; unused (results are keyed by frame,
                see :func:`gather_frame_results`).

        Returns:
            dict: The metrics, on every rank.
        """
        results = gather_frame_results(self.results)
        if is_main_process():
            metrics = [self.compute_metrics(results)]
            if self.prefix:
                metrics = [{
                    f'{self.prefix}/{k}': v
                    for k, v in metrics[0].items()
                }]
        else:
            metrics = [None]
        broadcast_object_list(metrics)
        self.results.clear()
        return metrics[0]
