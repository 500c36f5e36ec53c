"""Draw the demo's per-frame pictures in a background process.

Drawing a frame graph with matplotlib takes longer than predicting it on
a CPU, so the demo hands each frame to :class:`BackgroundFrameDrawer`: one
worker process (``spawn``-started, so it shares no thread pool with the
model) draws the pictures and appends them to the annotated video in
order, while the main process predicts the next frames. At most
``max_pending`` frames wait in the queue, so memory stays bounded on a
long video. ``workers=0`` draws in the calling process instead.
"""
import collections
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Deque, Dict, Optional

__all__ = ['BackgroundFrameDrawer', 'FrameDrawer']


class FrameDrawer:
    """Draw frame graphs to PNG files and, optionally, one video.

    Args:
        top_k (int): Edges listed under each graph.
        video_out (str, optional): Also append each drawing to this
            ``.mp4`` (frames resized to the first one's size).
        fps (float): Frame rate of ``video_out``. Defaults to 5.
    """

    def __init__(self, top_k: int = 10, video_out: Optional[str] = None,
                 fps: float = 5.0) -> None:
        from .graph_visualizer import SGGraphVisualizer
        # mmengine keeps visualizers by name: a fresh name per drawer
        self.visualizer = SGGraphVisualizer(
            name=f'frame_drawer_{id(self)}', top_k=top_k)
        self.video_out = video_out
        self.fps = fps
        self.writer = None
        self.size = None

    def draw(self, img_path: str, graph: Dict,
             out_file: Optional[str]) -> None:
        """Draw one frame (``img_path``, original pixels) and its graph.

        Args:
            img_path (str): The frame image.
            graph (dict): Its frame graph.
            out_file (str, optional): The PNG to write (atomically).
        """
        import mmcv
        import numpy as np

        from vost.utils.atomic_io import atomic_write_bytes
        image = mmcv.imread(img_path, channel_order='rgb')
        if image is None:
            raise ValueError(f'{img_path}: not a readable image')
        drawn = self.visualizer.draw_frame_graph(image, graph)
        bgr = np.ascontiguousarray(drawn[..., ::-1])
        if out_file is not None:
            import cv2
            ok, png = cv2.imencode('.png', bgr)
            if not ok:
                raise ValueError(f'{out_file}: cannot encode the drawing')
            atomic_write_bytes(out_file, png.tobytes())
        if self.video_out:
            self._append(bgr)

    def _append(self, bgr) -> None:
        import cv2
        import mmcv
        if self.writer is None:
            h, w = bgr.shape[:2]
            self.size = (w, h)
            self.writer = cv2.VideoWriter(
                self.video_out, cv2.VideoWriter_fourcc(*'mp4v'), self.fps,
                self.size)
            if not self.writer.isOpened():
                raise ValueError(f'{self.video_out}: OpenCV cannot write '
                                 'an mp4v video there')
        if (bgr.shape[1], bgr.shape[0]) != self.size:
            bgr = mmcv.imresize(bgr, self.size)
        self.writer.write(bgr)

    def close(self) -> None:
        """Finish the video file."""
        if self.writer is not None:
            self.writer.release()
            self.writer = None


# the worker process's drawer
_WORKER: Dict[str, FrameDrawer] = {}


def _init_worker(kwargs: Dict) -> None:
    import matplotlib
    matplotlib.use('Agg')
    _WORKER['drawer'] = FrameDrawer(**kwargs)


def _draw_in_worker(img_path: str, graph: Dict,
                    out_file: Optional[str]) -> None:
    _WORKER['drawer'].draw(img_path, graph, out_file)


def _close_in_worker() -> None:
    _WORKER['drawer'].close()


class BackgroundFrameDrawer:
    """A :class:`FrameDrawer` in a worker process, fed in order.

    Args:
        workers (int): 1 (a background process) or 0 (draw in this
            process, e.g. to debug). Defaults to 1.
        max_pending (int): Frames queued at most before :meth:`submit`
            waits for the worker. Defaults to 8.
        **kwargs: :class:`FrameDrawer` arguments.
    """

    def __init__(self, workers: int = 1, max_pending: int = 8,
                 **kwargs) -> None:
        if workers not in (0, 1):
            raise ValueError(f'BackgroundFrameDrawer: workers must be 0 or '
                             f'1 (frames go to one video in order), got '
                             f'{workers}')
        self.max_pending = max(1, int(max_pending))
        self.pending: Deque = collections.deque()
        self.count = 0
        if workers == 0:
            self.local: Optional[FrameDrawer] = FrameDrawer(**kwargs)
            self.pool = None
        else:
            self.local = None
            self.pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context('spawn'),
                initializer=_init_worker, initargs=(kwargs, ))

    def submit(self, img_path: str, graph: Dict,
               out_file: Optional[str] = None) -> None:
        """Queue one frame (drawn after the frames queued before it).

        Raises:
            Exception: A drawing that failed earlier, re-raised here.
        """
        self.count += 1
        if self.local is not None:
            self.local.draw(img_path, graph, out_file)
            return
        while len(self.pending) >= self.max_pending:
            self.pending.popleft().result()
        self.pending.append(
            self.pool.submit(_draw_in_worker, img_path, graph, out_file))

    def close(self) -> None:
        """Wait for every queued frame and finish the video.

        Raises:
            Exception: The first drawing that failed.
        """
        if self.local is not None:
            self.local.close()
            return
        try:
            while self.pending:
                self.pending.popleft().result()
            self.pool.submit(_close_in_worker).result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> 'BackgroundFrameDrawer':
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.close()
        elif self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)

