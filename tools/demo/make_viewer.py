"""Make the interactive scene-graph viewer of a finished demo run.

Example::

    python tools/demo/make_viewer.py outputs/demo [--viewer-dir DIR]

Reads what ``video_demo.py`` (``json/*.json``) or ``stream_demo.py`` (a
frame folder's ``frames.jsonl``) wrote, with ``video_graph.json``, and
writes ``{demo_dir}/viewer/index.html`` with its script, data and frames:
the same folder as the demos' ``--html`` (docs/outputs.md, section 7).
"""
import argparse

from vost.visualization import build_viewer_from_outputs


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description='The interactive viewer of a demo output folder')
    parser.add_argument('demo_dir', help='the demo\'s --out-dir')
    parser.add_argument('--viewer-dir',
                        help='where to write it (default: DEMO_DIR/viewer)')
    parser.add_argument('--max-side', type=int, default=960,
                        help='longer side of the saved frames, in pixels')
    return parser.parse_args(argv)


def main(argv=None):
    """Build the viewer; a bad input file is named in the error."""
    args = parse_args(argv)
    try:
        index = build_viewer_from_outputs(args.demo_dir, args.viewer_dir,
                                          max_side=args.max_side)
    except (OSError, ValueError) as exc:
        raise SystemExit(f'error: {exc}')
    print(f'Viewer: {index} (open it in a browser; it works offline)')


if __name__ == '__main__':
    main()
