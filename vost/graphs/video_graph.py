"""A video's spatio-temporal scene graph: tracks and relation intervals.

:class:`VideoSceneGraphBuilder` takes a video's predicted key frames in
temporal order (the model's ``SGDataSample`` outputs, one at a time, so it
serves offline and streaming inference alike), builds each frame's graph
(:class:`~vost.graphs.FrameGraphBuilder`), gives its nodes track ids
(:class:`~vost.graphs.NodeTracker`) and, at the end, assembles the video
record: the tracks with their per-frame boxes and the relation intervals
(:func:`~vost.graphs.relation_intervals`). The record's layout is
``vost/graphs/schemas/video_scene_graph.schema.json`` (docs/outputs.md).
"""
import copy
from typing import Dict, List, Optional

from .frame_graph import FrameGraphBuilder
from .node_tracker import NodeTracker
from .relation_intervals import relation_intervals, relation_presence

__all__ = ['VideoSceneGraphBuilder', 'VIDEO_SCHEMA_ID', 'FRAME_SCHEMA_ID']

VIDEO_SCHEMA_ID = 'vost.video_scene_graph/1'
FRAME_SCHEMA_ID = 'vost.frame_scene_graph/1'


class VideoSceneGraphBuilder:
    """Frame graphs, tracks and relation intervals of one video.

    Args:
        video_id (str): Name of the video.
        graph (dict, optional): :class:`FrameGraphBuilder` arguments.
        tracker (dict, optional): :class:`NodeTracker`'s tracker config.
        intervals (dict, optional): ``max_gap`` and ``min_frames`` of
            :func:`relation_intervals`. Defaults to ``max_gap=1,
            min_frames=1``.
    """

    def __init__(self,
                 video_id: str,
                 graph: Optional[Dict] = None,
                 tracker: Optional[Dict] = None,
                 intervals: Optional[Dict] = None) -> None:
        self.video_id = video_id
        self.graph_builder = FrameGraphBuilder(**(graph or {}))
        self.tracker = NodeTracker(tracker)
        self.interval_cfg = dict(max_gap=1, min_frames=1)
        self.interval_cfg.update(intervals or {})
        self.frames: List[Dict] = []
        self._tracks: Dict[int, Dict] = {}

    @property
    def settings(self) -> Dict:
        """dict: Every rule's settings, as written into the record."""
        return dict(
            graph=self.graph_builder.settings,
            tracker=self.tracker.settings,
            intervals=dict(self.interval_cfg))

    def update(self, sample, frame_index: Optional[int] = None) -> Dict:
        """Add the next key frame.

        Args:
            sample (SGDataSample): A predicted frame (``pred_instances``,
                ``pred_pairs``; metainfo ``frame_key``, ``img_path``,
                ``frame_id``).
            frame_index (int, optional): The frame's index in the video.
                Defaults to the sample's ``frame_id`` metainfo, else its
                key-frame position.

        Returns:
            dict: The frame's graph (schema ``frame_scene_graph``), its
            nodes carrying ``track_id``.
        """
        position = len(self.frames)
        meta = sample.metainfo
        if frame_index is None:
            frame_index = meta.get('frame_id', position)
        graph = self.graph_builder(
            sample.pred_instances, sample.pred_pairs,
            meta=dict(
                schema=FRAME_SCHEMA_ID,
                video_id=self.video_id,
                position=position,
                frame_index=int(frame_index),
                frame_key=meta.get('frame_key'),
                img_path=meta.get('img_path')))
        self.tracker.update(graph)
        for node in graph['nodes']:
            if node['track_id'] is not None:
                self._add_to_track(node, graph)
        self.frames.append(
            dict(
                position=position,
                frame_index=graph['frame_index'],
                frame_key=graph['frame_key'],
                img_path=graph['img_path'],
                relations=relation_presence(graph)))
        return graph

    def _add_to_track(self, node: Dict, graph: Dict) -> None:
        track = self._tracks.setdefault(
            node['track_id'],
            dict(
                track_id=node['track_id'],
                label=node['label'],
                label_name=node['label_name'],
                boxes=[]))
        track['boxes'].append(
            dict(
                position=graph['position'],
                frame_index=graph['frame_index'],
                bbox=node['bbox'],
                score=node['score']))

    def result(self) -> Dict:
        """The video record (schema ``video_scene_graph``).

        Returns:
            dict: ``schema``, ``video_id``, ``settings``, ``frames``
            (``position``, ``frame_index``, ``frame_key``, ``img_path``),
            ``tracks`` (``track_id``, ``label``, ``label_name``,
            ``start_frame``, ``end_frame``, ``num_frames``, ``score``,
            ``boxes``) and ``relation_intervals``.
        """
        tracks = []
        for tid in sorted(self._tracks):
            track = copy.deepcopy(self._tracks[tid])
            boxes = track['boxes']
            track.update(
                start_frame=boxes[0]['frame_index'],
                end_frame=boxes[-1]['frame_index'],
                num_frames=len(boxes),
                score=round(sum(b['score'] for b in boxes) / len(boxes), 4))
            tracks.append(track)
        labels = {t['track_id']: t['label_name'] for t in tracks}
        intervals = relation_intervals(self.frames, labels,
                                       **self.interval_cfg)
        return dict(
            schema=VIDEO_SCHEMA_ID,
            video_id=self.video_id,
            settings=self.settings,
            frames=[{k: f[k] for k in ('position', 'frame_index',
                                       'frame_key', 'img_path')}
                    for f in self.frames],
            tracks=tracks,
            relation_intervals=intervals)
