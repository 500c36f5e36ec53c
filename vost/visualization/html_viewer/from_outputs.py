"""Build the viewer from a demo's output folder (after the fact)."""
import json
import os
import os.path as osp
from typing import Dict, Iterator, Optional, Tuple

from .writer import HtmlViewerWriter

__all__ = ['build_viewer_from_outputs', 'read_frame_records']


def _load_json(path: str) -> Dict:
    """Read one JSON file; errors name the file."""
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except json.JSONDecodeError as exc:
        raise ValueError(f'{path}: not valid JSON (line {exc.lineno}, '
                         f'column {exc.colno}: {exc.msg})') from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f'{path}: not UTF-8 text ({exc.reason})') from exc


def read_frame_records(demo_dir: str) -> Iterator[Tuple[Dict, str]]:
    """The frame graphs a demo wrote, in key-frame order.

    ``video_demo.py`` writes ``json/<frame>.json`` (one record a file),
    ``stream_demo.py`` ``frames.jsonl`` (one record a line).

    Args:
        demo_dir (str): The demo's ``--out-dir``.

    Yields:
        tuple[dict, str]: The record and its source (``file`` or
        ``file:line``) for error messages.

    Raises:
        FileNotFoundError: Neither layout is there.
        ValueError: A file or line is not valid JSON (naming it).
    """
    json_dir = osp.join(demo_dir, 'json')
    lines = osp.join(demo_dir, 'frames.jsonl')
    if osp.isdir(json_dir):
        records = []
        for name in os.listdir(json_dir):
            if name.endswith('.json'):
                path = osp.join(json_dir, name)
                record = _load_json(path)
                if not isinstance(record, dict) or not isinstance(
                        record.get('position'), int):
                    raise ValueError(f'{path}: field position: missing or '
                                     'not an integer (not a frame graph)')
                records.append((record['position'], record, path))
        if not records:
            raise FileNotFoundError(f'{json_dir}: no frame graph (*.json)')
        for _, record, path in sorted(records, key=lambda r: r[0]):
            yield record, path
        return
    if osp.isfile(lines):
        with open(lines, encoding='utf-8') as f:
            for number, line in enumerate(f, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(
                        f'{lines}:{number}: not valid JSON (column '
                        f'{exc.colno}: {exc.msg}); a stream cut short '
                        'leaves a partial last line') from exc
                yield record, f'{lines}:{number}'
        return
    raise FileNotFoundError(
        f'{demo_dir}: neither json/ (video_demo.py) nor frames.jsonl '
        '(stream_demo.py): not a demo output folder')


def build_viewer_from_outputs(demo_dir: str,
                              viewer_dir: Optional[str] = None,
                              **writer_kwargs) -> str:
    """Make the viewer of a finished demo run.

    Args:
        demo_dir (str): The demo's ``--out-dir`` (with
            ``video_graph.json`` and ``json/`` or ``frames.jsonl``).
        viewer_dir (str, optional): Where to write it. Defaults to
            ``{demo_dir}/viewer``.
        **writer_kwargs: :class:`HtmlViewerWriter` arguments.

    Returns:
        str: Path of the viewer's ``index.html``.

    Raises:
        FileNotFoundError: ``video_graph.json`` or a frame is missing.
        ValueError: A record breaks its schema (naming the file and the
            field), or a frame has no image (a stream read from a video
            keeps no frame files: run ``stream_demo.py --html``).
    """
    video_json = osp.join(demo_dir, 'video_graph.json')
    if not osp.isfile(video_json):
        raise FileNotFoundError(f'{video_json}: missing (the demo writes it '
                                'when the video ends)')
    video = _load_json(video_json)
    writer = HtmlViewerWriter(viewer_dir or osp.join(demo_dir, 'viewer'),
                              **writer_kwargs)
    for record, source in read_frame_records(demo_dir):
        if isinstance(record, dict) and record.get('img_path') is None:
            raise ValueError(
                f'{source}: field img_path: null (the frames of a stream '
                'read from a video or a camera are not saved): run '
                'stream_demo.py with --html, which saves them')
        writer.add_frame_file(record, record.get('img_path'), source)
    return writer.finish(video, video_json)
