"""Write the chance baseline of zero-shot predicates: a prediction file
with the scores of the named predicates replaced by seeded uniform draws.

Usage::

    python tools/analysis_tools/chance_baseline.py preds.pkl \
        --predicates on_the_side_of sitting_on wiping --out chance.pkl
    python tools/analysis_tools/eval_sgg.py DATA_ROOT chance.pkl \
        --task sgdet --predicate-subset novel on_the_side_of sitting_on \
        wiping

See :mod:`vost.evaluation.chance_baseline`.
"""
import argparse
import sys

from vost.evaluation.chance_baseline import chance_predicate_scores
from vost.evaluation.functional.prediction_format import (dump_predictions,
                                                          load_predictions)


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('pred_file', help='a model\'s prediction file')
    parser.add_argument('--predicates', nargs='+', required=True,
                        help='predicates whose scores become random')
    parser.add_argument('--out', required=True, help='output .pkl')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Write the chance predictions; returns the exit code."""
    args = parse_args(argv)
    try:
        preds = chance_predicate_scores(load_predictions(args.pred_file),
                                        args.predicates, args.seed)
        dump_predictions(preds, args.out)
    except (FileNotFoundError, ValueError) as exc:
        print(f'error: {exc}', file=sys.stderr)
        return 1
    print(f'wrote {len(preds)} predictions to {args.out} (random scores '
          f'for {", ".join(args.predicates)}, seed {args.seed})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
