"""Draw a frame's scene graph: one box per node, one colour per track."""
import textwrap
from typing import Dict, List, Optional, Tuple

import numpy as np
from matplotlib import colormaps
from mmengine.dist import master_only

from vost.registry import VISUALIZERS
from .sg_visualizer import SGLocalVisualizer

__all__ = [
    'SGGraphVisualizer', 'track_color', 'node_name', 'text_scale',
    'wrap_text'
]

_UNTRACKED = (150, 150, 150)
# pixels per character of DejaVu Sans at font size 1 (matplotlib points at
# mmengine's dpi), a safe upper bound for wrapping
_CHAR_W = 0.7


def text_scale(height: int) -> float:
    """Text and panel scale of a frame ``height`` pixels high: 1 up to
    360 px, growing with the frame (at most 4), so that labels stay
    readable on small frames and large ones alike."""
    return float(min(4.0, max(1.0, height / 360)))


def wrap_text(text: str, width_px: float, font_size: float) -> List[str]:
    """Lines of ``text`` no wider than ``width_px`` at ``font_size``."""
    chars = max(8, int(width_px / (_CHAR_W * font_size)))
    return textwrap.wrap(text, chars, subsequent_indent='  ',
                         break_on_hyphens=False) or ['']


def track_color(track_id: Optional[int]) -> Tuple[int, int, int]:
    """RGB colour of a track (matplotlib's ``tab20``, by id; grey for
    untracked nodes)."""
    if track_id is None:
        return _UNTRACKED
    r, g, b, _ = colormaps['tab20'](int(track_id) % 20)
    return int(r * 255), int(g * 255), int(b * 255)


def node_name(node: Dict) -> str:
    """``'#3 cup/glass/bottle'`` (track id) or ``'n2 cup/glass/bottle'``
    (node id, untracked)."""
    tid = node.get('track_id')
    tag = f'#{tid}' if tid is not None else f'n{node["id"]}'
    return f'{tag} {node["label_name"]}'


def _edge_lines(edge: Dict) -> List[str]:
    preds = [edge['attention']['predicate']]
    preds += [p['predicate'] for g in ('spatial', 'contacting')
              for p in edge[g]]
    return preds


@VISUALIZERS.register_module()
class SGGraphVisualizer(SGLocalVisualizer):
    """Draw frame graphs from :class:`~vost.graphs.FrameGraphBuilder`.

    The frame gets one box per node, coloured and named by its track id
    (``#id class``), and a side panel draws the graph: subjects on the
    left (named below), objects in the middle (named on their right), one
    line per edge labelled with its predicates at its middle (rows spaced
    so that labels of neighbouring edges do not meet), then the edges as
    text by decreasing score,
    wrapped to the panel's width. Text, panel width and node sizes grow
    with frames taller than 360 px (:func:`text_scale`). Only tracked
    nodes are drawn unless ``draw_untracked`` (the video record has tracks
    only; an untracked node scored too low to start a track). Arguments as
    :class:`SGLocalVisualizer` (``top_k`` edges listed), and
    ``draw_untracked`` (bool, default False).
    """

    def __init__(self, name: str = 'visualizer',
                 draw_untracked: bool = False, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.draw_untracked = draw_untracked

    def _shown(self, frame_graph: Dict) -> Dict:
        """The nodes (and their edges) drawn."""
        if self.draw_untracked:
            return frame_graph
        keep = {n['id'] for n in frame_graph['nodes']
                if n.get('track_id') is not None}
        return dict(
            frame_graph,
            nodes=[n for n in frame_graph['nodes'] if n['id'] in keep],
            edges=[e for e in frame_graph['edges']
                   if e['subject'] in keep and e['object'] in keep])

    def draw_frame_graph(self,
                         image: np.ndarray,
                         frame_graph: Dict,
                         title: str = 'scene graph') -> np.ndarray:
        """Render one frame and its graph side by side.

        Args:
            image (np.ndarray): (H, W, 3) RGB uint8 frame (original
                pixels).
            frame_graph (dict): The frame's graph (nodes with
                ``track_id``).
            title (str): Panel title.

        Returns:
            np.ndarray: (H', W + panel_width, 3) RGB uint8 image.
        """
        image = np.ascontiguousarray(image.clip(0, 255).astype(np.uint8))
        frame_graph = self._shown(frame_graph)
        nodes = frame_graph['nodes']
        height, width = image.shape[:2]
        scale = text_scale(height)
        font = 9 * scale
        self.set_image(image)
        for node in nodes:
            color = track_color(node.get('track_id'))
            box = np.array([node['bbox']], dtype=np.float32)
            x0, y0, x1, _ = box[0]
            self.draw_bboxes(box, edge_colors=[color], alpha=1.0,
                             line_widths=self.line_width * scale)
            # the label stays inside the frame: from the box's left edge in
            # the left half, ending at its right edge in the right half;
            # above the box, or inside its top when there is no room
            left = (x0 + x1) / 2 < width / 2
            x = x0 + 2 if left else x1 - 2
            above = y0 - 2 > 1.6 * font
            self.draw_texts(
                node_name(node), np.array([[x, y0 - 2 if above else y0 + 2]]),
                colors=[(255, 255, 255)], font_sizes=font,
                horizontal_alignments='left' if left else 'right',
                vertical_alignments='bottom' if above else 'top',
                bboxes=[dict(facecolor=tuple(c / 255 for c in color),
                             alpha=0.75, pad=0.5, edgecolor='none')])
        frame = self.get_image()
        panel = self._graph_panel(frame.shape[0], frame_graph, title, scale)
        if panel.shape[0] > frame.shape[0]:
            pad = np.full((panel.shape[0] - frame.shape[0], *frame.shape[1:]),
                          255, dtype=np.uint8)
            frame = np.concatenate([frame, pad], axis=0)
        return np.concatenate([frame, panel], axis=1)

    def _graph_panel(self, height: int, frame_graph: Dict, title: str,
                     scale: float = 1.0) -> np.ndarray:
        nodes = {n['id']: n for n in frame_graph['nodes']}
        edges = frame_graph['edges'][:self.top_k]
        subjects = sorted({e['subject'] for e in edges})
        objects = sorted({e['object'] for e in edges} - set(subjects))
        width = int(round(self.panel_width * scale))
        margin, line_h, font = 6 * scale, 13 * scale, 7 * scale
        lines = []  # the edges as text, wrapped to the panel
        for edge in edges:
            sub, obj = nodes[edge['subject']], nodes[edge['object']]
            text = (f"{node_name(sub)} -{','.join(_edge_lines(edge))}-> "
                    f"{node_name(obj)} {edge['score']:.2f}")
            lines += wrap_text(text, width - 2 * margin, font)
        # subjects at 12% of the width, objects at 60% with their names on
        # the right; edge labels (wrapped to 38%) at the edges' middles,
        # which lie half a row apart: rows fit two labels
        sub_x, obj_x = 0.12 * width, 0.6 * width
        labels = [wrap_text(', '.join(_edge_lines(e)), 0.38 * width,
                            6 * scale) for e in edges]
        label_h = 9 * scale * max([len(x) for x in labels] + [1])
        rows = max(len(subjects), len(objects), 1)
        row_h = max(34 * scale, 2 * label_h + 10 * scale)
        graph_h = max(120 * scale, row_h * rows)
        top = 24 * scale
        needed = int(top + graph_h + 6 * scale + line_h * len(lines) + 10)
        panel = np.full((max(height, needed), width, 3), 255, np.uint8)
        self.set_image(panel)
        self.draw_texts(title, np.array([[margin, 4]]), colors='black',
                        font_sizes=10 * scale)
        pos = {}
        for column, x in ((subjects, sub_x), (objects, obj_x)):
            step = graph_h / (len(column) + 1)
            for k, nid in enumerate(column):
                pos[nid] = (x, top + step * (k + 1))
        for edge, label in zip(edges, labels):
            (x0, y0), (x1, y1) = pos[edge['subject']], pos[edge['object']]
            self.draw_lines(np.array([x0, x1]), np.array([y0, y1]),
                            colors='gray', line_widths=scale)
            self.draw_texts(
                '\n'.join(label),
                np.array([[(x0 + x1) / 2, (y0 + y1) / 2]]),
                colors='black', font_sizes=6 * scale,
                horizontal_alignments='center',
                vertical_alignments='center',
                bboxes=[dict(facecolor='white', alpha=0.8, pad=0.3,
                             edgecolor='none')])
        for nid, (x, y) in pos.items():
            node = nodes[nid]
            self.draw_circles(
                np.array([[x, y]]), np.array([8 * scale]),
                face_colors=[track_color(node.get('track_id'))],
                edge_colors='black', line_widths=scale, alpha=1.0)
            if x == obj_x and nid not in subjects:
                where, h_align, v_align = [[x + 11 * scale, y]], 'left', \
                    'center'
            else:
                where, h_align, v_align = [[x, y + 10 * scale]], 'center', \
                    'top'
            self.draw_texts(node_name(node), np.array(where),
                            colors='black', font_sizes=font,
                            horizontal_alignments=h_align,
                            vertical_alignments=v_align)
        y = top + graph_h + 6 * scale
        for text in lines:
            self.draw_texts(text, np.array([[margin, y]]), colors='black',
                            font_sizes=font)
            y += line_h
        return self.get_image()

    @master_only
    def add_frame_graph(self,
                        name: str,
                        image: np.ndarray,
                        frame_graph: Dict,
                        out_file: Optional[str] = None,
                        step: int = 0) -> np.ndarray:
        """Draw a frame graph and save it (``out_file``) or send it to the
        backends.

        Args:
            name (str): Image identifier for the backends.
            image (np.ndarray): (H, W, 3) RGB frame.
            frame_graph (dict): The frame's graph.
            out_file (str, optional): Write the drawing here (PNG).
            step (int): Global step for the backends. Defaults to 0.

        Returns:
            np.ndarray: The drawn RGB image.
        """
        import mmcv
        drawn = self.draw_frame_graph(image, frame_graph)
        if out_file is not None:
            mmcv.imwrite(drawn[..., ::-1], out_file)
        else:
            self.add_image(name, drawn, step)
        return drawn
