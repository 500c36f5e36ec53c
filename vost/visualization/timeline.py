"""A timeline picture of a video's relation intervals (matplotlib)."""
from typing import Dict, Optional

__all__ = ['plot_relation_timeline', 'GROUP_COLORS']

#: Bar colour of each predicate group.
GROUP_COLORS = dict(attention='#4c72b0', spatial='#55a868',
                    contacting='#c44e52')


def plot_relation_timeline(video_graph: Dict,
                           out_file: str,
                           max_rows: int = 40,
                           min_score: float = 0.0,
                           dpi: int = 110) -> int:
    """Draw one row per relation, one bar per interval, over the frames.

    Rows are ``subject#id predicate object#id`` (spatial relations read
    ``object predicate subject``, as in the protocol), grouped by object
    track; a bar spans an interval's first to last key frame, coloured by
    predicate group, its opacity the interval's score. The rows with the
    highest summed interval score (times length) are kept when there are
    more than ``max_rows``.

    Args:
        video_graph (dict): A video record (schema
            ``vost.video_scene_graph/1``).
        out_file (str): PNG to write.
        max_rows (int): Rows drawn at most. Defaults to 40.
        min_score (float): Minimum interval score drawn. Defaults to 0.
        dpi (int): Resolution. Defaults to 110.

    Returns:
        int: Number of rows drawn.
    """
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    frames = video_graph['frames']
    # A bar spans [frame, next key frame): the key frames' own spacing.
    indices = [f['frame_index'] for f in frames]
    next_of = {a: b for a, b in zip(indices, indices[1:])}
    step = min((b - a for a, b in zip(indices, indices[1:])), default=1)
    rows: Dict[tuple, list] = {}
    for it in video_graph['relation_intervals']:
        if it['score'] < min_score:
            continue
        key = (it['object'], it['subject'], it['group'], it['predicate'])
        rows.setdefault(key, []).append(it)

    def weight(key):
        return sum(i['score'] * i['num_frames'] for i in rows[key])

    keep = sorted(sorted(rows, key=weight, reverse=True)[:max_rows])
    height = 1.2 + 0.28 * max(1, len(keep))
    fig, ax = plt.subplots(figsize=(10, height))
    labels = []
    for y, key in enumerate(keep):
        first = rows[key][0]
        if first['group'] == 'spatial':
            text = (f"{first['object_label']}#{first['object']} "
                    f"{first['predicate']} "
                    f"{first['subject_label']}#{first['subject']}")
        else:
            text = (f"{first['subject_label']}#{first['subject']} "
                    f"{first['predicate']} "
                    f"{first['object_label']}#{first['object']}")
        labels.append(text)
        for it in rows[key]:
            end = next_of.get(it['end_frame'], it['end_frame'] + step)
            ax.broken_barh(
                [(it['start_frame'], end - it['start_frame'])],
                (y - 0.4, 0.8),
                facecolors=GROUP_COLORS[it['group']],
                alpha=0.35 + 0.65 * min(1.0, it['score']))
    ax.set_yticks(range(len(keep)), labels, fontsize=7)
    ax.invert_yaxis()
    if indices:
        ax.set_xlim(indices[0], indices[-1] + step)
    ax.set_xlabel('frame')
    ax.set_title(f"{video_graph['video_id']}: relation intervals", fontsize=9)
    ax.grid(axis='x', alpha=0.3)
    ax.legend(handles=[Patch(color=c, label=g)
                       for g, c in GROUP_COLORS.items()],
              loc='upper right', fontsize=7, ncols=3)
    fig.tight_layout()
    _save(fig, out_file, dpi)
    plt.close(fig)
    return len(keep)


def _save(fig, out_file: str, dpi: Optional[int]) -> None:
    """Write the figure atomically (:func:`vost.utils.atomic_write`)."""
    from vost.utils.atomic_io import atomic_write
    with atomic_write(out_file, 'wb') as f:
        fig.savefig(f, format='png', dpi=dpi)
