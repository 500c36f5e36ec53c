"""Tabulate multi-seed runs of the main job as mean +- std per row.

Usage::

    python tools/analysis_tools/ablation_table.py WORK_ROOT \
        [--rows spatial-only vost-spatial ...] [--out table.md]

Reads ``WORK_ROOT/ROW/seed_S/main_job_results.json`` (written by
``tools/main_job.py``, e.g. through ``tools/run_ablations.sh``) and prints
a Markdown table: per row the seeds, each run's torch thread count, and for
each column the mean +- sample standard deviation (``ddof=1``) over the
seeds, in %, plus the minutes per run. A row with one seed shows no std.
"""
import argparse
import glob
import json
import os.path as osp
import statistics

COLUMNS = ('with/R@10', 'with/R@20', 'with/R@50', 'no/R@20', 'no/R@50',
           'with/mR@20', 'no/mR@50')


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work_root')
    parser.add_argument('--rows', nargs='+', default=None,
                        help='row folders in table order (default: all)')
    parser.add_argument('--model', default='VOST (trained)',
                        help='which evaluated model of each run')
    parser.add_argument('--out', default=None, help='also write the table')
    return parser.parse_args(argv)


def read_row(work_root: str, row: str, model: str) -> list:
    """The results of every finished seed of one row, by seed."""
    runs = []
    for path in sorted(glob.glob(osp.join(work_root, row, 'seed_*',
                                          'main_job_results.json'))):
        with open(path) as f:
            res = json.load(f)
        if model not in res['metrics']:
            raise KeyError(f'{path}: no metrics of {model!r} (has '
                           f'{sorted(res["metrics"])})')
        runs.append(res)
    return sorted(runs, key=lambda r: r['seed'])


def mean_std(values) -> str:
    """``mean +- std`` in %, or the mean alone for one value."""
    values = [100 * v for v in values]
    if len(values) == 1:
        return f'{values[0]:.2f}'
    return (f'{statistics.mean(values):.2f} +- '
            f'{statistics.stdev(values):.2f}')


def make_table(work_root: str, rows=None, model='VOST (trained)') -> str:
    """The Markdown table of the rows that have at least one seed."""
    if rows is None:
        rows = sorted(osp.basename(osp.dirname(p)) for p in glob.glob(
            osp.join(work_root, '*', 'seed_*')))
        rows = list(dict.fromkeys(rows))
    lines = ['| row | config | seeds | threads | ' + ' | '.join(COLUMNS) +
             ' | minutes |', '|---' * (len(COLUMNS) + 5) + '|']
    for row in rows:
        runs = read_row(work_root, row, model)
        if not runs:
            lines.append(f'| {row} | (not run) |' + ' |' *
                         (len(COLUMNS) + 3))
            continue
        metrics = [r['metrics'][model] for r in runs]
        minutes = [r['seconds']['total'] / 60 for r in runs]
        seeds = ','.join(str(r['seed']) for r in runs)
        threads = ','.join(str(r.get('torch_threads', '?')) for r in runs)
        lines.append(
            f"| {row} | `{osp.basename(runs[0]['config'])}` | {seeds} | "
            f'{threads} | ' +
            ' | '.join(mean_std([m[c] for m in metrics]) for c in COLUMNS) +
            f' | {statistics.mean(minutes):.1f} |')
    return '\n'.join(lines)


def main(argv=None):
    """Print (and optionally write) the table."""
    args = parse_args(argv)
    table = make_table(args.work_root, args.rows, args.model)
    print(table)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table + '\n')
    return table


if __name__ == '__main__':
    main()
