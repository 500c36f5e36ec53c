"""Identities across frames: mmdet's ByteTrack tracker on graph nodes.

Each key frame's graph nodes (one per object, see
:class:`~vost.graphs.FrameGraphBuilder`) are the detections of mmdet's
:class:`~mmdet.models.trackers.ByteTracker` with its Kalman filter motion
model: a two-stage association (nodes scoring above
``obj_score_thrs['high']`` first, then lower-scored ones against the tracks
left over) on IoU with the Kalman-predicted boxes, **class-aware** (a node
only continues a track of its own label), with tentative tracks confirmed
after ``num_tentatives`` matched frames and lost tracks kept for
``num_frames_retain`` key frames. Persons are tracked like objects, so
several people keep separate identities.

The tracker runs on key-frame positions (0, 1, 2, ... over the predicted
frames), so its motion model and retention count key frames, whatever the
stride between them in the video.
"""
import copy
from typing import Dict, List, Optional

import torch
from mmdet.structures import DetDataSample
from mmengine.structures import InstanceData

from vost.registry import MODELS

__all__ = ['NodeTracker', 'DEFAULT_TRACKER']

#: ByteTrack's settings for VOST's graph nodes: the association thresholds
#: are mmdet's ByteTrack defaults; the score thresholds follow the graph's
#: node threshold (0.3), and tracks confirm and retire faster because a
#: video has tens of key frames, not hundreds of frames.
DEFAULT_TRACKER = dict(
    type='mmdet.ByteTracker',
    motion=dict(type='mmdet.KalmanFilter'),
    obj_score_thrs=dict(high=0.5, low=0.3),
    init_track_thr=0.5,
    weight_iou_with_det_scores=True,
    match_iou_thrs=dict(high=0.1, low=0.5, tentative=0.3),
    num_tentatives=2,
    num_frames_retain=3)


class NodeTracker:
    """Give every node of a video's frame graphs a track id.

    Args:
        tracker (dict, optional): Config of an mmdet tracker with
            ``track(DetDataSample) -> InstanceData`` (``instances_id``).
            Defaults to :data:`DEFAULT_TRACKER`.
    """

    def __init__(self, tracker: Optional[Dict] = None) -> None:
        self.tracker_cfg = copy.deepcopy(
            DEFAULT_TRACKER if tracker is None else tracker)
        try:
            self.tracker = MODELS.build(copy.deepcopy(self.tracker_cfg))
        except RuntimeError as err:
            if 'lap' in str(err):
                raise RuntimeError(
                    'ByteTracker needs the `lap` package (pip install lap; '
                    'requirements/runtime.txt lists it)') from err
            raise
        self.position = 0

    @property
    def settings(self) -> Dict:
        """dict: The tracker's config (written into the outputs)."""
        return copy.deepcopy(self.tracker_cfg)

    def reset(self) -> None:
        """Start a new video."""
        self.tracker.reset()
        self.position = 0

    def update(self, frame_graph: Dict) -> List[Optional[int]]:
        """Track one key frame's nodes (in temporal order).

        Sets ``node['track_id']`` on every node of ``frame_graph``: an int
        (tracks are numbered from 1 in the order they start), or None for
        a node the tracker neither matched nor started a track for.

        Args:
            frame_graph (dict): A graph from
                :class:`~vost.graphs.FrameGraphBuilder`.

        Returns:
            list[int | None]: The track id of every node, in node order.
        """
        nodes = frame_graph['nodes']
        boxes = torch.tensor([n['bbox'] for n in nodes],
                             dtype=torch.float32).reshape(-1, 4)
        sample = DetDataSample(metainfo=dict(frame_id=self.position))
        sample.pred_instances = InstanceData(
            bboxes=boxes,
            labels=torch.tensor([n['label'] for n in nodes],
                                dtype=torch.long),
            scores=torch.tensor([n['score'] for n in nodes],
                                dtype=torch.float32))
        out = self.tracker.track(sample)
        self.position += 1
        ids: List[Optional[int]] = [None] * len(nodes)
        # The tracker returns its kept detections reordered, with their
        # boxes unchanged: find each one's node by its box and label.
        free = list(range(len(nodes)))
        for box, label, tid in zip(out.bboxes, out.labels,
                                   out.instances_id.tolist()):
            for k in free:
                if nodes[k]['label'] == int(label) and torch.equal(
                        boxes[k], box):
                    ids[k] = int(tid) + 1
                    free.remove(k)
                    break
            else:  # pragma: no cover - the tracker returns input boxes
                raise RuntimeError('tracker returned a box that is not '
                                   'one of the frame\'s nodes')
        for node, tid in zip(nodes, ids):
            node['track_id'] = tid
        return ids
