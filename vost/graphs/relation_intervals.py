"""Relation intervals: when a (subject track, predicate, object track)
holds.

A relation is *present* in a key frame when that frame's graph has an edge
from a node of the subject track to a node of the object track that carries
the predicate (attention: the edge's one label; spatial / contacting: every
predicate above the graph's ``multi_label_thr``). Present key frames whose
positions (0, 1, 2, ... over the predicted key frames) are at most
``max_gap + 1`` apart join one interval, so ``max_gap`` missed key frames
inside a relation are bridged; an interval shorter than ``min_frames``
present key frames is dropped. An interval's ``score`` is the mean over its
present key frames of subject score x object score x predicate
probability, ``max_score`` their maximum.
"""
from typing import Dict, Iterable, List, Tuple

__all__ = ['relation_presence', 'relation_intervals']

RelationKey = Tuple[int, str, str, int]


def relation_presence(frame_graph: Dict) -> Dict[RelationKey, float]:
    """The relations present in one tracked frame graph.

    Args:
        frame_graph (dict): A graph from
            :class:`~vost.graphs.FrameGraphBuilder` whose nodes carry
            ``track_id`` (int, or None for untracked nodes).

    Returns:
        dict: ``(subject track, group, predicate, object track)`` -> the
        triplet score (subject score x object score x probability); the
        best one where several edges join the same two tracks.
    """
    nodes = {n['id']: n for n in frame_graph['nodes']}
    out: Dict[RelationKey, float] = {}
    for edge in frame_graph['edges']:
        sub, obj = nodes[edge['subject']], nodes[edge['object']]
        if sub.get('track_id') is None or obj.get('track_id') is None:
            continue
        pair = sub['score'] * obj['score']
        preds = [('attention', edge['attention'])]
        preds += [(g, p) for g in ('spatial', 'contacting') for p in edge[g]]
        for group, pred in preds:
            key = (sub['track_id'], group, pred['predicate'], obj['track_id'])
            out[key] = max(out.get(key, 0.0), pair * pred['score'])
    return out


def relation_intervals(frames: Iterable[Dict],
                       track_labels: Dict[int, str],
                       max_gap: int = 1,
                       min_frames: int = 1) -> List[Dict]:
    """Join per-frame relations into intervals (rule in the module doc).

    Args:
        frames (Iterable[dict]): Per key frame, in temporal order:
            ``position`` (int, key-frame order), ``frame_index`` (int, the
            frame in the video), ``frame_key`` (str) and ``relations``
            (from :func:`relation_presence`).
        track_labels (dict): Track id -> class name.
        max_gap (int): Missed key frames bridged inside an interval.
            Defaults to 1.
        min_frames (int): Minimum present key frames of an interval.
            Defaults to 1.

    Returns:
        list[dict]: Intervals sorted by start, then by decreasing score:
        ``subject``, ``object`` (track ids), ``subject_label``,
        ``object_label``, ``group``, ``predicate``, ``start_frame``,
        ``end_frame`` (video frame indices, inclusive), ``start_key``,
        ``end_key``, ``num_frames`` (present key frames), ``score``,
        ``max_score``.
    """
    if max_gap < 0 or min_frames < 1:
        raise ValueError('max_gap must be >= 0 and min_frames >= 1, got '
                         f'{max_gap} and {min_frames}')
    open_runs: Dict[RelationKey, Dict] = {}
    done: List[Dict] = []

    def close(key: RelationKey) -> None:
        run = open_runs.pop(key)
        if len(run['scores']) >= min_frames:
            done.append(_interval(key, run, track_labels))

    for frame in frames:
        pos = frame['position']
        for key in [k for k, run in open_runs.items()
                    if pos - run['last'] > max_gap + 1]:
            close(key)
        for key, score in frame['relations'].items():
            run = open_runs.get(key)
            if run is None:
                run = open_runs[key] = dict(
                    start=frame['frame_index'], start_key=frame['frame_key'],
                    scores=[])
            run.update(last=pos, end=frame['frame_index'],
                       end_key=frame['frame_key'])
            run['scores'].append(score)
    for key in list(open_runs):
        close(key)
    done.sort(key=lambda r: (r['start_frame'], -r['score'], r['subject'],
                             r['object'], r['group'], r['predicate']))
    return done


def _interval(key: RelationKey, run: Dict, track_labels: Dict) -> Dict:
    sub, group, predicate, obj = key
    scores = run['scores']
    return dict(
        subject=sub,
        object=obj,
        subject_label=track_labels[sub],
        object_label=track_labels[obj],
        group=group,
        predicate=predicate,
        start_frame=run['start'],
        end_frame=run['end'],
        start_key=run['start_key'],
        end_key=run['end_key'],
        num_frames=len(scores),
        score=round(sum(scores) / len(scores), 4),
        max_score=round(max(scores), 4))
