"""Where SGDet misses come from: objects not found vs found with a wrong class.

Usage::

    python tools/analysis_tools/detection_breakdown.py DATA_ROOT preds.pkl \
        [--split test] [--top-k 20] [--json out.json]

For every GT object of the split (after the SGDet filters) it looks at the
frame's top-``K`` predicted pairs (by the order of the prediction file's
pairs, i.e. the model's ranking) and reports, in %:

- ``found``: some predicted object box has legacy IoU >= 0.5 with it (any
  class): the localisation recall;
- ``found_right_class``: such a box also has the GT class;
- ``class_accuracy``: ``found_right_class / found``;
- ``person_found``: the frame's predicted person box has IoU >= 0.5 with
  the GT person.

The triplet recall needs both boxes and the class right, so this splits the
detection part of the SGDet misses into localisation and classification.
"""
import argparse
import json

import numpy as np

from vost.ag_format import load_action_genome
from vost.evaluation.functional.box_iou import aligned_box_iou
from vost.evaluation.functional.prediction_format import load_predictions


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root')
    parser.add_argument('predictions')
    parser.add_argument('--split', default='test')
    parser.add_argument('--top-k', type=int, default=20,
                        help='predicted pairs per frame considered')
    parser.add_argument('--json', default=None)
    return parser.parse_args(argv)


def breakdown(data_list, preds, top_k: int = 20) -> dict:
    """The rates of the module docstring (fractions in [0, 1])."""
    by_key = {p['frame_key']: p for p in preds}
    objects = found = right = persons = person_found = 0
    for video in data_list:
        for frame in video['images']:
            pred = by_key.get(frame['frame_key'])
            insts = frame['instances']
            gt_person = [i for i in insts if i['bbox_label'] == 1]
            gt_objects = [i for i in insts if i['bbox_label'] != 1]
            objects += len(gt_objects)
            persons += len(gt_person)
            if pred is None or len(pred['pair_inds']) == 0:
                continue
            pairs = np.asarray(pred['pair_inds'])[:top_k]
            boxes = np.asarray(pred['bboxes'], dtype=np.float64)
            labels = np.asarray(pred['labels'])
            obj_idx = np.unique(pairs[:, 1])
            for gt in gt_objects:
                gt_box = np.repeat(
                    np.asarray(gt['bbox'], dtype=np.float64)[None],
                    len(obj_idx), 0)
                hit = aligned_box_iou(boxes[obj_idx], gt_box) >= 0.5
                found += bool(hit.any())
                right += bool((hit & (labels[obj_idx] ==
                                      gt['bbox_label'])).any())
            for gt in gt_person:
                sub = boxes[pairs[0, 0]][None]
                person_found += bool(aligned_box_iou(
                    sub, np.asarray(gt['bbox'], dtype=np.float64)[None])[0]
                    >= 0.5)
    return dict(
        objects=objects,
        found=found / max(objects, 1),
        found_right_class=right / max(objects, 1),
        class_accuracy=right / max(found, 1),
        person_found=person_found / max(persons, 1))


def main(argv=None):
    """Print (and optionally write) the breakdown."""
    args = parse_args(argv)
    data_list, _ = load_action_genome(args.data_root, args.split, 'sgdet')
    preds = load_predictions(args.predictions)
    out = breakdown(data_list, preds, args.top_k)
    print(', '.join(f'{k} {100 * v:.2f}%' if k != 'objects' else f'{k} {v}'
                    for k, v in out.items()))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(out, f, indent=2)
    return out


if __name__ == '__main__':
    main()
