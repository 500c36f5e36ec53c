"""The frequency baseline: predicates from training-set statistics.

The classic scene-graph sanity baseline (Zellers et al., "Neural Motifs",
CVPR 2018, FREQ): a pair's predicate scores are the training-set
frequencies of each predicate given the object class, whatever the pixels
say. On Action Genome the subject is always the person, so the statistics
are per object class:

- attention: the distribution of the (single) attention label;
- spatial / contacting: the rate at which each label is present.

A class never seen in training falls back to the statistics over all
classes. In PredCls the boxes and labels are the GT's (score 1); in SGCls
and SGDet they come from a detector's prediction file, whose predicate
scores are replaced.
"""
from typing import Dict, List, Sequence

import numpy as np

from vost.structures.ag_meta import ATTENTION_PREDICATES
from vost.structures.ag_meta import CONTACTING_PREDICATES
from vost.structures.ag_meta import NUM_CLASSES_WITH_BACKGROUND as _NUM_CLASSES
from vost.structures.ag_meta import SPATIAL_PREDICATES

__all__ = ['PredicateFrequencies', 'frequency_predictions_from_gt',
           'frequency_predictions_from_detections']



class PredicateFrequencies:
    """Per-object-class predicate statistics of a training data_list.

    Args:
        data_list (Sequence[dict]): Videos as returned by
            ``load_action_genome`` (the training split).

    Attributes:
        attention (np.ndarray): (37, 3) P(attention | object class).
        spatial (np.ndarray): (37, 6) P(spatial label present | class).
        contacting (np.ndarray): (37, 17) P(contacting label | class).
        pair_counts (np.ndarray): (37,) training pairs per class.
    """

    def __init__(self, data_list: Sequence[dict]) -> None:
        att = np.zeros((_NUM_CLASSES, len(ATTENTION_PREDICATES)))
        spa = np.zeros((_NUM_CLASSES, len(SPATIAL_PREDICATES)))
        con = np.zeros((_NUM_CLASSES, len(CONTACTING_PREDICATES)))
        counts = np.zeros(_NUM_CLASSES)
        for video in data_list:
            for frame in video['images']:
                instances = frame['instances']
                for rel in frame['relations']:
                    label = instances[rel['object']]['bbox_label']
                    counts[label] += 1
                    att[label, rel['attention']] += 1
                    spa[label, rel['spatial']] += 1
                    con[label, rel['contacting']] += 1
        if counts.sum() == 0:
            raise ValueError('the training data_list has no relations: '
                             'cannot compute predicate frequencies')
        total = counts.sum()
        fallback = (att.sum(0) / total, spa.sum(0) / total,
                    con.sum(0) / total)
        seen = counts > 0
        denom = np.maximum(counts, 1)[:, None]
        self.attention = np.where(seen[:, None], att / denom, fallback[0])
        self.spatial = np.where(seen[:, None], spa / denom, fallback[1])
        self.contacting = np.where(seen[:, None], con / denom, fallback[2])
        self.pair_counts = counts

    def scores(self, object_labels: np.ndarray) -> Dict[str, np.ndarray]:
        """Predicate scores of pairs with the given object classes.

        Args:
            object_labels (np.ndarray): (R,) AG object ids.

        Returns:
            dict: ``attention_scores`` (R, 3), ``spatial_scores`` (R, 6),
            ``contacting_scores`` (R, 17), float32.
        """
        labels = np.clip(np.asarray(object_labels, dtype=np.int64), 0,
                         _NUM_CLASSES - 1)
        return dict(
            attention_scores=self.attention[labels].astype(np.float32),
            spatial_scores=self.spatial[labels].astype(np.float32),
            contacting_scores=self.contacting[labels].astype(np.float32))


def frequency_predictions_from_gt(freq: PredicateFrequencies,
                                  data_list: Sequence[dict]) -> List[dict]:
    """PredCls frequency predictions: GT boxes and labels, score 1.

    Args:
        freq (PredicateFrequencies): Training statistics.
        data_list (Sequence[dict]): Test videos (``load_action_genome``).

    Returns:
        list[dict]: One prediction-file dict per test frame.
    """
    preds = []
    for video in data_list:
        for frame in video['images']:
            instances = frame['instances']
            bboxes = np.array([i['bbox'] for i in instances],
                              dtype=np.float32).reshape(-1, 4)
            labels = np.array([i['bbox_label'] for i in instances],
                              dtype=np.int64)
            pair_inds = np.array(
                [[r['subject'], r['object']] for r in frame['relations']],
                dtype=np.int64).reshape(-1, 2)
            pred = dict(
                frame_key=frame['frame_key'],
                bboxes=bboxes,
                labels=labels,
                scores=np.ones(len(labels), dtype=np.float32),
                pair_inds=pair_inds)
            pred.update(freq.scores(labels[pair_inds[:, 1]]))
            preds.append(pred)
    return preds


def frequency_predictions_from_detections(
        freq: PredicateFrequencies, detections: Sequence[dict]) -> List[dict]:
    """SGCls/SGDet frequency predictions on a detector's boxes.

    Args:
        freq (PredicateFrequencies): Training statistics.
        detections (Sequence[dict]): A prediction file's dicts; their
            boxes, labels, scores and pairs are kept.

    Returns:
        list[dict]: The same frames with frequency predicate scores.
    """
    preds = []
    for det in detections:
        pred = {
            k: det[k]
            for k in ('frame_key', 'bboxes', 'labels', 'scores', 'pair_inds')
        }
        pair_inds = np.asarray(det['pair_inds'], dtype=np.int64).reshape(
            -1, 2)
        labels = np.asarray(det['labels'], dtype=np.int64)
        pred.update(freq.scores(labels[pair_inds[:, 1]]))
        preds.append(pred)
    return preds
