"""Identity and interval evaluation of video scene graphs on synthetic AG.

Real Action Genome does not say which boxes of two frames are the same
object. The synthetic generator does, by construction: it writes every
object track of a video in every frame, in the same order (invisible ones
with ``visible=False``), so **the position of an object in a frame's object
list is its identity** within the video; the video's one person is one
more identity. :func:`synthetic_identity_gt` reads that from the
unchanged annotation files (checking that every frame of a video lists the
same classes in the same order, which real AG files do not) for the frames
that :func:`~vost.ag_format.load_action_genome` keeps.

:func:`evaluate_video_graphs` scores the video records of
:class:`~vost.graphs.VideoSceneGraphBuilder` against it with
:mod:`~vost.evaluation.functional.track_metrics`.
"""
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from vost.ag_format import load_action_genome
from vost.ag_format.files import AGAnnotationError, load_pickle
from vost.structures.ag_meta import (OBJECT_NAME_TO_ID, PERSON_LABEL,
                                     PREDICATE_GROUP_NAMES, normalize_name)
from .functional.track_metrics import (clear_mot, gt_intervals, id_f1,
                                       interval_recall)

__all__ = ['synthetic_identity_gt', 'evaluate_video_graphs',
           'frame_local_identities', 'PERSON_ID']

#: GT identity of a video's person.
PERSON_ID = 'person'


def synthetic_identity_gt(data_root: str, split: str = 'test') -> List[Dict]:
    """Per video: key frames, GT objects with identities, GT relations.

    Args:
        data_root (str): A synthetic Action Genome root.
        split (str): ``'train'`` or ``'test'``. Defaults to ``'test'``.

    Returns:
        list[dict]: One per video kept by the loader (SGDet filters):
        ``video_id``, ``frame_keys``, ``img_paths``, ``objects`` (per
        frame, ``(identity, label, box XYXY)``) and ``relations`` (per
        frame, a set of ``(person, group, predicate, identity)``).

    Raises:
        AGAnnotationError: When a video's frames do not list the same
            classes in the same order (not a synthetic set).
    """
    videos, _ = load_action_genome(data_root, split=split, task='sgdet')
    path = osp.join(data_root, 'annotations',
                    'object_bbox_and_relationship.pkl')
    person_path = osp.join(data_root, 'annotations', 'person_bbox.pkl')
    raw, persons = load_pickle(path), load_pickle(person_path)
    out = []
    for video in videos:
        frames = video['images']
        classes = None
        entry = dict(video_id=video['video_id'], frame_keys=[],
                     img_paths=[], objects=[], relations=[])
        for frame in frames:
            key = frame['frame_key']
            objs = raw[key]
            if any('subject' in o for o in objs):
                raise AGAnnotationError(
                    f"{path}: frame '{key}': records name their 'subject' "
                    '(several people): identities are only defined for '
                    'one-person synthetic sets (--max-people 1)')
            names = [normalize_name(o['class']) for o in objs]
            if classes is None:
                classes = names
            elif names != classes:
                raise AGAnnotationError(
                    f"{path}: frame '{key}' lists the classes {names}, the "
                    f"video's first frame {classes}: object identities are "
                    'only defined for synthetic sets (same objects, same '
                    'order in every frame)')
            entry['frame_keys'].append(key)
            entry['img_paths'].append(frame['img_path'])
            boxes, rels = _frame_gt(objs, persons[key])
            entry['objects'].append(boxes)
            entry['relations'].append(rels)
        out.append(entry)
    return out


def _frame_gt(objs: Sequence[dict], person: dict):
    boxes, rels = [], set()
    pbox = np.asarray(person['bbox'], np.float64).reshape(-1, 4)
    if len(pbox):
        boxes.append((PERSON_ID, PERSON_LABEL, tuple(pbox[0])))
    for ident, obj in enumerate(objs):
        if not obj.get('visible') or obj.get('bbox') is None:
            continue
        x, y, w, h = (float(v) for v in obj['bbox'])
        boxes.append((ident, OBJECT_NAME_TO_ID[normalize_name(obj['class'])],
                      (x, y, x + w, y + h)))
        if not len(pbox):
            continue
        for group in PREDICATE_GROUP_NAMES:
            for pred in obj.get(f'{group}_relationship') or []:
                rels.add((PERSON_ID, group, pred, ident))
    return boxes, rels


def frame_local_identities(record: Dict) -> Dict:
    """A baseline: the same record with every node its own identity in
    every frame (no association across frames).

    Args:
        record (dict): ``frames`` (per frame, a graph with ``nodes``).

    Returns:
        dict: A copy with new ``track_id`` values.
    """
    import copy
    out = copy.deepcopy(record)
    next_id = 1
    for graph in out['graphs']:
        for node in graph['nodes']:
            node['track_id'] = next_id
            next_id += 1
    return out


def _pred_side(graphs: Sequence[Dict], max_gap: int):
    from vost.graphs import relation_intervals, relation_presence
    frames, intervals_in = [], []
    labels = {}
    for pos, graph in enumerate(graphs):
        frames.append([(n['track_id'], n['label'], tuple(n['bbox']))
                       for n in graph['nodes'] if n['track_id'] is not None])
        for n in graph['nodes']:
            if n['track_id'] is not None:
                labels[n['track_id']] = n['label_name']
        intervals_in.append(
            dict(position=pos, frame_index=pos, frame_key=None,
                 relations=relation_presence(graph)))
    intervals = [
        dict(it, start=it['start_frame'], end=it['end_frame'])
        for it in relation_intervals(intervals_in, labels, max_gap=max_gap)
    ]
    return frames, intervals


def evaluate_video_graphs(gt_videos: Sequence[Dict],
                          pred_videos: Dict[str, Dict],
                          iou_thr: float = 0.5,
                          t_iou: float = 0.5,
                          max_gap: int = 1) -> Dict[str, float]:
    """Identity and interval figures summed over videos.

    Args:
        gt_videos (Sequence[dict]): From :func:`synthetic_identity_gt`.
        pred_videos (dict): ``video_id`` -> ``dict(graphs=[frame graph per
            GT key frame, nodes with track_id])``.
        iou_thr (float): Box IoU of a match. Defaults to 0.5.
        t_iou (float): Temporal IoU of an interval match. Defaults to 0.5.
        max_gap (int): Missed key frames bridged in predicted intervals.
            Defaults to 1.

    Returns:
        dict: ``videos``; CLEAR MOT counts and ``mota``; ``idf1``,
        ``idp``, ``idr``; ``interval_recall``, ``interval_precision``
        (with ``gt_intervals``, ``pred_intervals``, ``interval_hits``).
    """
    tot = dict(num_gt=0, num_pred=0, matches=0, fp=0, fn=0, id_switches=0,
               fragmentations=0, idtp=0, gt_intervals=0, pred_intervals=0,
               interval_hits=0)
    for gt in gt_videos:
        vid = gt['video_id']
        if vid not in pred_videos:
            raise KeyError(f'no prediction for video {vid}')
        graphs = pred_videos[vid]['graphs']
        if len(graphs) != len(gt['objects']):
            raise ValueError(f'{vid}: {len(graphs)} predicted frames, '
                             f'{len(gt["objects"])} GT frames')
        pred_frames, pred_intervals = _pred_side(graphs, max_gap)
        mot = clear_mot(gt['objects'], pred_frames, iou_thr)
        ids = id_f1(gt['objects'], pred_frames, iou_thr)
        hits = interval_recall(gt_intervals(gt['relations']),
                               pred_intervals, ids['mapping'], t_iou)
        for k in ('num_gt', 'num_pred', 'matches', 'fp', 'fn', 'id_switches',
                  'fragmentations'):
            tot[k] += mot[k]
        tot['idtp'] += ids['idtp']
        tot['gt_intervals'] += hits['num_gt']
        tot['pred_intervals'] += hits['num_pred']
        tot['interval_hits'] += hits['hits']

    def ratio(a, b):
        return a / b if b else float('nan')

    tot.update(
        videos=len(gt_videos),
        mota=1 - ratio(tot['fn'] + tot['fp'] + tot['id_switches'],
                       tot['num_gt']),
        idf1=ratio(2 * tot['idtp'], tot['num_gt'] + tot['num_pred']),
        idp=ratio(tot['idtp'], tot['num_pred']),
        idr=ratio(tot['idtp'], tot['num_gt']),
        interval_recall=ratio(tot['interval_hits'], tot['gt_intervals']),
        interval_precision=ratio(tot['interval_hits'],
                                 tot['pred_intervals']))
    return tot
