"""Write the interactive scene-graph viewer: one self-contained folder.

The folder opens from disk in a browser, offline: ``index.html``,
``viewer.js`` and ``viewer.css`` (package data, copied), ``data.js`` (the
video record and the frame graphs, as the demos write them) and
``frames/`` (the key frames as JPEG). A browser does not let a page read
JSON files next to it from ``file://``, so the records travel inside
``data.js`` as one JavaScript object; nothing is fetched at view time.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional

import numpy as np

from vost.utils.atomic_io import atomic_write, atomic_write_bytes
from ..graph_visualizer import track_color
from ..timeline import GROUP_COLORS

__all__ = ['HtmlViewerWriter', 'STATIC_DIR', 'VIEWER_FORMAT']

#: The static files of the viewer (installed with the package).
STATIC_DIR = osp.join(osp.dirname(osp.abspath(__file__)), 'static')
#: ``format`` field of ``data.js``'s object.
VIEWER_FORMAT = 'vost.html_viewer/1'
_STATIC_FILES = ('index.html', 'viewer.js', 'viewer.css')
# what the viewer reads of a frame graph: the ranked list and the member /
# pair indices into it stay in the demo's JSON files
_NODE_KEYS = ('id', 'label', 'label_name', 'bbox', 'score', 'track_id')
_EDGE_KEYS = ('subject', 'object', 'score', 'attention', 'spatial',
              'contacting')
_FRAME_KEYS = ('schema', 'video_id', 'position', 'frame_index', 'frame_key',
               'latency_ms')


def _hex(rgb) -> str:
    return '#{:02x}{:02x}{:02x}'.format(*rgb)


class HtmlViewerWriter:
    """Build a viewer folder one key frame at a time.

    Frames are added in their order (``position`` 0, 1, 2, ...); each is
    checked against the frame schema and its picture written at once, so
    a long video keeps only the small graph records in memory.
    :meth:`finish` adds the video record and writes the page.

    Args:
        out_dir (str): The viewer folder (created; an existing viewer in it
            is replaced).
        title (str, optional): Page title. Defaults to the video id.
        max_side (int): Frames are downscaled so that their longer side is
            at most this many pixels (boxes keep original pixels).
            Defaults to 960.
        jpeg_quality (int): JPEG quality of the frames. Defaults to 85.
        play_fps (float): Key frames per second when playing. Defaults
            to 4.
    """

    def __init__(self, out_dir: str, title: Optional[str] = None,
                 max_side: int = 960, jpeg_quality: int = 85,
                 play_fps: float = 4.0) -> None:
        if max_side < 16:
            raise ValueError(f'HtmlViewerWriter: max_side must be >= 16, '
                             f'got {max_side}')
        self.out_dir = out_dir
        self.title = title
        self.max_side = int(max_side)
        self.jpeg_quality = int(jpeg_quality)
        self.play_fps = float(play_fps)
        self.frames: List[Dict] = []
        self.images: List[Dict] = []
        os.makedirs(osp.join(out_dir, 'frames'), exist_ok=True)
        # a viewer half rebuilt says so (no data.js) rather than show the
        # previous video's graphs over the new frames
        if osp.isfile(osp.join(out_dir, 'data.js')):
            os.remove(osp.join(out_dir, 'data.js'))

    def add_frame(self, frame_graph: Dict, image: np.ndarray,
                  source: str = 'frame') -> None:
        """Add the next key frame.

        Args:
            frame_graph (dict): Its graph (schema
                ``vost.frame_scene_graph/1``, as the demos write it).
            image (np.ndarray): (H, W, 3) RGB uint8 frame, original pixels
                (the boxes' coordinates).
            source (str): Name of the record in errors (e.g. its file).

        Raises:
            ValueError: The record breaks its schema (naming ``source``
                and the field), it is not the next key frame, or the image
                is not an (H, W, 3) array.
        """
        from vost.graphs import validate_scene_graph
        validate_scene_graph(frame_graph, source)
        position = len(self.frames)
        if frame_graph['position'] != position:
            raise ValueError(
                f'{source}: field position: {frame_graph["position"]}, but '
                f'the viewer expects key frame {position} next (frames are '
                'added in order)')
        image = np.asarray(image)
        if image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
            raise ValueError(f'{source}: the frame image must be (H, W, 3), '
                             f'got shape {image.shape}')
        height, width = image.shape[:2]
        src = f'frames/{position:06d}.jpg'
        self._write_jpeg(osp.join(self.out_dir, src), image)
        self.images.append(dict(src=src, width=width, height=height))
        self.frames.append(self._slim(frame_graph))

    def add_frame_file(self, frame_graph: Dict, img_path: str,
                       source: str = 'frame') -> None:
        """:meth:`add_frame` with the frame read from ``img_path``.

        Raises:
            FileNotFoundError: ``img_path`` is missing (naming the record).
            ValueError: It is not a readable image.
        """
        import mmcv
        if not img_path or not osp.isfile(img_path):
            raise FileNotFoundError(
                f'{source}: field img_path: frame {img_path!r} does not '
                'exist (the viewer needs the frames the graphs were made '
                'from)')
        try:
            image = mmcv.imread(img_path, channel_order='rgb')
        except Exception as exc:  # mmcv/cv2 raise several types
            raise ValueError(f'{source}: field img_path: {img_path} is not '
                             f'a readable image ({exc})') from exc
        if image is None:
            raise ValueError(f'{source}: field img_path: {img_path} is not '
                             'a readable image')
        self.add_frame(frame_graph, image, source)

    def finish(self, video_record: Dict,
               source: str = 'video_graph.json') -> str:
        """Write ``data.js`` and the page.

        Args:
            video_record (dict): The video record (schema
                ``vost.video_scene_graph/1``) of the added frames.
            source (str): Its name in errors.

        Returns:
            str: Path of ``index.html``.

        Raises:
            ValueError: The record breaks its schema, or its key frames
                are not the added ones (naming ``source`` and the field).
        """
        from vost.graphs import validate_scene_graph
        validate_scene_graph(video_record, source)
        mine = [f['frame_index'] for f in self.frames]
        theirs = [f['frame_index'] for f in video_record['frames']]
        if mine != theirs:
            raise ValueError(
                f'{source}: field frames: the record lists {len(theirs)} key '
                f'frames {theirs[:5]}..., the viewer was given '
                f'{len(mine)} frame graphs {mine[:5]}...: not the same video')
        colors = {str(t['track_id']): _hex(track_color(t['track_id']))
                  for t in video_record['tracks']}
        data = dict(
            format=VIEWER_FORMAT,
            title=self.title or video_record['video_id'],
            play_fps=self.play_fps,
            video=video_record,
            frames=self.frames,
            images=self.images,
            track_colors=colors,
            untracked_color=_hex(track_color(None)),
            group_colors=dict(GROUP_COLORS))
        text = json.dumps(data, separators=(',', ':'), allow_nan=False)
        # '</' never appears inside the script (a label could hold one)
        text = text.replace('</', '<\\/')
        with atomic_write(osp.join(self.out_dir, 'data.js'), 'w') as f:
            f.write('window.VOST_VIEWER_DATA = ' + text + ';\n')
        for name in _STATIC_FILES:
            with open(osp.join(STATIC_DIR, name), 'rb') as f:
                atomic_write_bytes(osp.join(self.out_dir, name), f.read())
        self._remove_stale_frames()
        return osp.join(self.out_dir, 'index.html')

    # ------------------------------------------------------------------
    def _slim(self, graph: Dict) -> Dict:
        """The fields the viewer reads."""
        out = {k: graph[k] for k in _FRAME_KEYS if k in graph}
        out['nodes'] = [{k: n[k] for k in _NODE_KEYS}
                        for n in graph['nodes']]
        out['edges'] = [{k: e[k] for k in _EDGE_KEYS}
                        for e in graph['edges']]
        return out

    def _write_jpeg(self, path: str, image: np.ndarray) -> None:
        """Write an RGB frame as JPEG, downscaled to ``max_side``."""
        import cv2
        bgr = np.ascontiguousarray(image[..., ::-1]).astype(np.uint8)
        h, w = bgr.shape[:2]
        scale = self.max_side / max(h, w)
        if scale < 1:
            bgr = cv2.resize(bgr, (max(1, round(w * scale)),
                                   max(1, round(h * scale))),
                             interpolation=cv2.INTER_AREA)
        ok, buf = cv2.imencode('.jpg', bgr,
                               [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality])
        if not ok:
            raise ValueError(f'{path}: OpenCV cannot encode the frame as '
                             'JPEG')
        atomic_write_bytes(path, buf.tobytes())

    def _remove_stale_frames(self) -> None:
        """Remove ``frames/*.jpg`` past the added ones (a viewer rebuilt
        in the same folder from a shorter video)."""
        folder = osp.join(self.out_dir, 'frames')
        for name in os.listdir(folder):
            stem, ext = osp.splitext(name)
            if ext == '.jpg' and stem.isdigit() and \
                    int(stem) >= len(self.frames):
                os.remove(osp.join(folder, name))
