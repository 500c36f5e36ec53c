"""A local visualizer that draws a frame's scene graph."""
import math
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.dist import master_only
from mmengine.visualization import Visualizer

from vost.registry import VISUALIZERS
from .triplets import (class_name, gt_pairs_to_triplets,
                       pair_predictions_to_triplets, to_numpy, triplet_text)

__all__ = ['SGLocalVisualizer']

_PERSON_COLOR = (255, 80, 80)
_OBJECT_COLORS = [(80, 160, 255), (80, 220, 120), (255, 200, 60),
                  (200, 120, 255), (60, 220, 220), (255, 140, 200),
                  (160, 160, 160), (240, 120, 40)]


@VISUALIZERS.register_module()
class SGLocalVisualizer(Visualizer):
    """Draw boxes, class labels, the top triplets and a small graph.

    The output image is the frame with its boxes and labels, and a side
    panel that draws the graph (the person in the middle, the objects
    around, one edge per object labelled with the predicates of the top
    triplets) above the list of the top triplets. With both GT and
    predictions, the GT rendering is stacked on the left.

    Args:
        name (str): Instance name. Defaults to ``'visualizer'``.
        vis_backends (list[dict], optional): Storage backends, e.g.
            ``dict(type='LocalVisBackend')`` or
            ``dict(type='TensorboardVisBackend')``.
        save_dir (str, optional): Where backends save. Defaults to None.
        top_k (int): Triplets to draw. Defaults to 8.
        pred_score_thr (float): Minimum object score of drawn predicted
            boxes. Defaults to 0.3.
        multi_label_thr (float): Minimum probability of a drawn spatial or
            contacting predicate. Defaults to 0.5.
        panel_width (int): Width of the side panel in pixels. Defaults to
            320.
        line_width (int): Box line width. Defaults to 2.
    """

    def __init__(self,
                 name: str = 'visualizer',
                 vis_backends: Optional[List[Dict]] = None,
                 save_dir: Optional[str] = None,
                 top_k: int = 8,
                 pred_score_thr: float = 0.3,
                 multi_label_thr: float = 0.5,
                 panel_width: int = 320,
                 line_width: int = 2) -> None:
        super().__init__(
            name=name, vis_backends=vis_backends, save_dir=save_dir)
        self.top_k = top_k
        self.pred_score_thr = pred_score_thr
        self.multi_label_thr = multi_label_thr
        self.panel_width = panel_width
        self.line_width = line_width

    # ------------------------------------------------------------------
    # Drawing
    # ------------------------------------------------------------------
    @staticmethod
    def _color(label: int, index: int) -> Tuple[int, int, int]:
        if int(label) == 1:
            return _PERSON_COLOR
        return _OBJECT_COLORS[index % len(_OBJECT_COLORS)]

    def _draw_frame(self, image: np.ndarray, bboxes: np.ndarray,
                    labels: np.ndarray, keep: np.ndarray,
                    names: Sequence[str]) -> np.ndarray:
        self.set_image(image)
        for i in np.flatnonzero(keep):
            color = self._color(labels[i], i)
            self.draw_bboxes(
                bboxes[i:i + 1], edge_colors=[color],
                line_widths=self.line_width)
            x1, y1 = bboxes[i, :2]
            self.draw_texts(
                f'{i}:{names[i]}',
                np.array([[x1 + 2, max(0.0, y1 - 2)]]),
                colors=[(255, 255, 255)],
                font_sizes=9,
                vertical_alignments='bottom',
                bboxes=[
                    dict(
                        facecolor=tuple(c / 255 for c in color),
                        alpha=0.7,
                        pad=0.5,
                        edgecolor='none')
                ])
        return self.get_image()

    def _draw_panel(self, height: int, labels: np.ndarray,
                    names: Sequence[str], triplets: List[Dict],
                    title: str) -> np.ndarray:
        width = self.panel_width
        graph_h = 220
        needed = 30 + graph_h + 13 * len(triplets) + 10
        panel = np.full((max(height, needed), width, 3), 255, dtype=np.uint8)
        self.set_image(panel)
        self.draw_texts(title, np.array([[6, 4]]), colors='black',
                        font_sizes=10)
        cx, cy = width / 2, 20 + graph_h / 2
        radius = min(graph_h, width) / 2 - 30
        nodes = sorted({t['object'] for t in triplets} - {0})
        positions = {0: (cx, cy)}
        for k, node in enumerate(nodes):
            angle = 2 * math.pi * k / max(1, len(nodes)) - math.pi / 2
            positions[node] = (cx + radius * math.cos(angle),
                               cy + radius * math.sin(angle))
        edges: Dict[int, List[str]] = {}
        for t in triplets:
            edges.setdefault(t['object'], []).append(t['predicate'])
        for node, preds in edges.items():
            (x0, y0), (x1, y1) = positions[0], positions[node]
            self.draw_lines(
                np.array([x0, x1]), np.array([y0, y1]), colors='gray',
                line_widths=1)
            self.draw_texts(
                '\n'.join(dict.fromkeys(preds)),
                np.array([[0.4 * x0 + 0.6 * x1, 0.4 * y0 + 0.6 * y1]]),
                colors='black', font_sizes=7,
                horizontal_alignments='center',
                vertical_alignments='center')
        for node, (x, y) in positions.items():
            if node >= len(labels):
                continue
            color = self._color(labels[node], node)
            self.draw_circles(
                np.array([[x, y]]), np.array([9]), face_colors=[color],
                edge_colors='black', line_widths=1, alpha=1.0)
            self.draw_texts(
                f'{node}:{names[node]}', np.array([[x, y + 11]]),
                colors='black', font_sizes=7,
                horizontal_alignments='center')
        y = 24 + graph_h
        for t in triplets:
            self.draw_texts(
                triplet_text(t), np.array([[6, y]]), colors='black',
                font_sizes=8)
            y += 13
        return self.get_image()

    def draw_scene_graph(self,
                         image: np.ndarray,
                         instances,
                         triplets: List[Dict],
                         title: str,
                         score_thr: float = 0.0) -> np.ndarray:
        """Render one frame and its graph side by side.

        Args:
            image (np.ndarray): (H, W, 3) RGB uint8 frame.
            instances: ``bboxes`` (B, 4), ``labels`` (B,) and optionally
                ``scores`` (B,) in the frame's pixel coordinates.
            triplets (list[dict]): Triplets to draw (see
                :mod:`vost.visualization.triplets`).
            title (str): Panel title.
            score_thr (float): Minimum object score of drawn boxes; boxes
                used by a drawn triplet are always drawn.

        Returns:
            np.ndarray: (H', W + panel_width, 3) RGB uint8 image.
        """
        bboxes = to_numpy(instances.bboxes).reshape(-1, 4)
        labels = to_numpy(instances.labels).reshape(-1)
        scores = to_numpy(instances.scores) if 'scores' in instances else \
            np.ones(len(labels), dtype=np.float32)
        names = [class_name(label) for label in labels]
        keep = scores >= score_thr
        for t in triplets:
            keep[t['subject']] = keep[t['object']] = True
        frame = self._draw_frame(image, bboxes, labels, keep, names)
        panel = self._draw_panel(frame.shape[0], labels, names, triplets,
                                 title)
        if panel.shape[0] > frame.shape[0]:
            pad = np.full((panel.shape[0] - frame.shape[0], *frame.shape[1:]),
                          255, dtype=np.uint8)
            frame = np.concatenate([frame, pad], axis=0)
        return np.concatenate([frame, panel], axis=1)

    @master_only
    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       pred_score_thr: Optional[float] = None,
                       step: int = 0) -> np.ndarray:
        """Draw a key frame's GT and/or predicted scene graph.

        Args:
            name (str): Image identifier for the backends.
            image (np.ndarray): (H, W, 3) RGB frame in the coordinates of
                the data sample's instances (original pixels for
                predictions).
            data_sample (SGDataSample, optional): GT (``gt_instances``,
                ``gt_pairs``) and/or predictions (``pred_instances``,
                ``pred_pairs``).
            draw_gt (bool): Draw the GT graph. Defaults to True.
            draw_pred (bool): Draw the predicted graph. Defaults to True.
            show (bool): Show in a window instead of saving. Defaults to
                False.
            wait_time (float): Seconds to show. Defaults to 0.
            out_file (str, optional): Write the drawing to this file
                (RGB->BGR PNG) instead of the backends.
            pred_score_thr (float, optional): Overrides ``pred_score_thr``.
            step (int): Global step for the backends. Defaults to 0.

        Returns:
            np.ndarray: The drawn RGB image.
        """
        import mmcv
        image = np.ascontiguousarray(image.clip(0, 255).astype(np.uint8))
        thr = self.pred_score_thr if pred_score_thr is None else \
            pred_score_thr
        parts = []
        if data_sample is not None:
            data_sample = data_sample.cpu()
        if draw_gt and data_sample is not None and 'gt_pairs' in data_sample:
            gt_triplets = gt_pairs_to_triplets(data_sample.gt_instances,
                                               data_sample.gt_pairs)
            parts.append(
                self.draw_scene_graph(image, data_sample.gt_instances,
                                      gt_triplets[:self.top_k], 'GT'))
        if draw_pred and data_sample is not None and \
                'pred_pairs' in data_sample:
            triplets = pair_predictions_to_triplets(
                data_sample.pred_instances, data_sample.pred_pairs,
                top_k=self.top_k, multi_label_thr=self.multi_label_thr)
            parts.append(
                self.draw_scene_graph(image, data_sample.pred_instances,
                                      triplets, 'prediction', thr))
        if not parts:
            parts.append(image)
        height = max(p.shape[0] for p in parts)
        parts = [
            np.concatenate([
                p,
                np.full((height - p.shape[0], *p.shape[1:]), 255, np.uint8)
            ]) if p.shape[0] < height else p for p in parts
        ]
        drawn = np.concatenate(parts, axis=1)
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn
