"""Mean +- std over runs of ``sg_track_eval.py --json`` results.

Usage::

    python tools/analysis_tools/sg_track_table.py run_s0.json run_s1.json ...

Prints a markdown table: one row per identity rule (tracked, frame-local),
one column per figure, mean +- sample std over the given runs (percentages
for rates, counts for switches and fragmentations).
"""
import argparse
import json

import numpy as np

COLUMNS = (('mota', 'MOTA', 100), ('idf1', 'IDF1', 100), ('idp', 'IDP', 100),
           ('idr', 'IDR', 100), ('id_switches', 'ID switches', 1),
           ('fragmentations', 'fragmentations', 1),
           ('interval_recall', 'interval recall', 100),
           ('interval_precision', 'interval precision', 100))


def table(runs) -> str:
    """The markdown table of the module doc."""
    rows = list(runs[0]['results'])
    lines = ['| identities | runs | ' + ' | '.join(c[1] for c in COLUMNS) +
             ' |', '|---|---|' + '---|' * len(COLUMNS)]
    for row in rows:
        cells = []
        for key, _, scale in COLUMNS:
            vals = np.array([r['results'][row][key] for r in runs], float)
            vals = vals * scale
            std = vals.std(ddof=1) if len(vals) > 1 else 0.0
            fmt = '{:.2f} +- {:.2f}' if scale != 1 else '{:.0f} +- {:.0f}'
            cells.append(fmt.format(vals.mean(), std))
        lines.append(f'| {row} | {len(runs)} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    """Read the runs and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='sg_track_eval.py --json')
    args = parser.parse_args(argv)
    runs = []
    for path in args.runs:
        with open(path) as f:
            runs.append(json.load(f))
    print(table(runs))


if __name__ == '__main__':
    main()
