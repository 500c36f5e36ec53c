"""A readable text table of scene graph recalls (percentages)."""
from typing import Mapping, Sequence

__all__ = ['format_sgg_table']


def format_sgg_table(metrics: Mapping[str, float],
                     constraints: Sequence[str] = ('with', 'semi', 'no'),
                     ks: Sequence[int] = (10, 20, 50, 100),
                     title: str = '') -> str:
    """Format recalls as a constraints x K table in percent.

    One row per constraint; columns R@K, mR@K (hits and counts summed over
    frames) and mR_per_frame@K, followed by the frame counts.

    Args:
        metrics (Mapping[str, float]): Output of
            :func:`~vost.evaluation.functional.evaluate_sgg` (fractions).
        constraints (Sequence[str]): Rows, in order.
        ks (Sequence[int]): The Ks.
        title (str): Optional first line.

    Returns:
        str: The table, lines joined by newlines.
    """
    groups = ('R', 'mR', 'mR_per_frame')
    header = ['constraint'] + [f'{g}@{k}' for g in groups for k in ks]
    rows = [header]
    for c in constraints:
        row = [c]
        for g in groups:
            for k in ks:
                value = metrics.get(f'{c}/{g}@{k}')
                row.append('-' if value is None else f'{100 * value:.2f}')
        rows.append(row)
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    sep = '+'.join('-' * (w + 2) for w in widths)
    lines = [title] if title else []
    lines.append('+' + sep + '+')
    for i, row in enumerate(rows):
        cells = [
            row[j].ljust(widths[j]) if j == 0 else row[j].rjust(widths[j])
            for j in range(len(row))
        ]
        lines.append('| ' + ' | '.join(cells) + ' |')
        if i == 0:
            lines.append('+' + sep + '+')
    lines.append('+' + sep + '+')
    counts = [
        f'{name}={metrics[name]}'
        for name in ('num_frames', 'num_frames_without_prediction',
                     'num_frames_without_gt_triplets', 'num_gt_triplets')
        if name in metrics
    ]
    if counts:
        lines.append('recalls in %; ' + ', '.join(counts))
    return '\n'.join(lines)
