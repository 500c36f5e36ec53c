"""Write the frequency baseline's predictions for an Action Genome test set.

Usage::

    # PredCls: GT boxes and labels, predicates from training frequencies
    python tools/analysis_tools/frequency_baseline.py DATA_ROOT \
        --task predcls --out freq_predcls.pkl
    # SGDet/SGCls: a detector's boxes (a prediction file), frequencies
    python tools/analysis_tools/frequency_baseline.py DATA_ROOT \
        --task sgdet --detections model_preds.pkl --out freq_sgdet.pkl

Then evaluate with ``tools/analysis_tools/eval_sgg.py DATA_ROOT OUT --task``.
See :mod:`vost.evaluation.frequency_baseline`.
"""
import argparse
import sys

from vost.ag_format import load_action_genome
from vost.evaluation.frequency_baseline import (
    PredicateFrequencies, frequency_predictions_from_detections,
    frequency_predictions_from_gt)
from vost.evaluation.functional.prediction_format import (dump_predictions,
                                                          load_predictions)


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('data_root')
    parser.add_argument('--task', choices=['predcls', 'sgcls', 'sgdet'],
                        default='predcls')
    parser.add_argument('--detections',
                        help='prediction file whose boxes are used '
                        '(required for sgcls/sgdet)')
    parser.add_argument('--out', required=True, help='output .pkl')
    return parser.parse_args(argv)


def main(argv=None):
    """Compute training statistics and write the test predictions."""
    args = parse_args(argv)
    train, _ = load_action_genome(args.data_root, 'train', args.task)
    freq = PredicateFrequencies(train)
    if args.task == 'predcls':
        test, _ = load_action_genome(args.data_root, 'test', args.task)
        preds = frequency_predictions_from_gt(freq, test)
    else:
        if not args.detections:
            sys.exit(f'--detections is required for --task {args.task}')
        preds = frequency_predictions_from_detections(
            freq, load_predictions(args.detections))
    dump_predictions(preds, args.out)
    print(f'{len(preds)} frames -> {args.out}')


if __name__ == '__main__':
    main()
