"""Frame graphs drawn with one colour per track, and the timeline."""
import numpy as np

from vost.visualization import (SGGraphVisualizer, node_name,
                                plot_relation_timeline, track_color)


def _graph(track_ids):
    nodes = [
        dict(id=0, label=1, label_name='person', bbox=[5, 5, 40, 90],
             score=1.0, members=[0], track_id=track_ids[0]),
        dict(id=1, label=11, label_name='cup/glass/bottle',
             bbox=[60, 30, 90, 60], score=0.8, members=[1, 2],
             track_id=track_ids[1]),
    ]
    edges = [dict(subject=0, object=1, score=0.7, pairs=[0, 1],
                  attention=dict(predicate='looking_at', score=0.9),
                  spatial=[], contacting=[dict(predicate='holding',
                                               score=0.8)])]
    return dict(nodes=nodes, edges=edges)


def _has_color(img, color, tol=6):
    return bool((np.abs(img.astype(int) - color).max(-1) <= tol).any())


def test_boxes_take_their_track_colour():
    vis = SGGraphVisualizer(panel_width=200)
    image = np.zeros((100, 120, 3), np.uint8)
    a = vis.draw_frame_graph(image, _graph([1, 7]))
    assert a.shape[0] >= 100 and a.shape[1] == 320
    frame = a[:100, :120]
    assert _has_color(frame, track_color(1))
    assert _has_color(frame, track_color(7))
    assert not _has_color(frame, track_color(3))
    # the same track keeps its colour in another frame
    b = vis.draw_frame_graph(image, _graph([1, 3]))[:100, :120]
    assert _has_color(b, track_color(3)) and _has_color(b, track_color(1))
    assert track_color(None) == (150, 150, 150)
    # untracked nodes are drawn only on request
    image = np.zeros((100, 120, 3), np.uint8)
    c = vis.draw_frame_graph(image, _graph([1, None]))[:100, :120]
    assert not _has_color(c, track_color(None))
    vis = SGGraphVisualizer(panel_width=200, draw_untracked=True)
    c = vis.draw_frame_graph(image, _graph([1, None]))[:100, :120]
    assert _has_color(c, track_color(None))
    assert node_name(_graph([None, 7])['nodes'][1]) == '#7 cup/glass/bottle'
    assert node_name(_graph([None, 7])['nodes'][0]) == 'n0 person'


def test_timeline_rows(tmp_path):
    import mmcv
    record = dict(
        video_id='v.mp4',
        frames=[dict(position=p, frame_index=4 * p) for p in range(5)],
        relation_intervals=[
            dict(subject=1, object=2, subject_label='person',
                 object_label='cup', group=g, predicate=p, start_frame=s,
                 end_frame=e, num_frames=2, score=sc, max_score=sc)
            for g, p, s, e, sc in [
                ('contacting', 'holding', 0, 8, 0.9),
                ('contacting', 'holding', 12, 16, 0.5),
                ('attention', 'looking_at', 4, 16, 0.7),
                ('spatial', 'in_front_of', 0, 0, 0.1)]
        ])
    out = str(tmp_path / 'sub' / 'timeline.png')
    assert plot_relation_timeline(record, out) == 3
    assert mmcv.imread(out).shape[1] > 500
    assert plot_relation_timeline(record, out, max_rows=1) == 1
    assert plot_relation_timeline(record, out, min_score=0.6) == 2


def _many_edges(n_objects, scale=1.0):
    """A person with ``n_objects`` objects, each edge with 3 predicates."""
    nodes = [dict(id=0, label=1, label_name='person',
                  bbox=[2 * scale, 2 * scale, 40 * scale, 100 * scale],
                  score=1.0, members=[0], track_id=1)]
    edges = []
    for k in range(1, n_objects + 1):
        nodes.append(dict(id=k, label=11, label_name='cup/glass/bottle',
                          bbox=[(60 + 10 * k) * scale, 30 * scale,
                                (80 + 10 * k) * scale, 60 * scale],
                          score=0.8, members=[k], track_id=k + 1))
        edges.append(dict(subject=0, object=k, score=0.7, pairs=[k],
                          attention=dict(predicate='not_looking_at',
                                         score=0.9),
                          spatial=[dict(predicate='in_front_of', score=0.8)],
                          contacting=[dict(predicate='not_contacting',
                                           score=0.8)]))
    return dict(nodes=nodes, edges=edges)


def test_pictures_stay_readable_on_small_and_large_frames():
    from vost.visualization.graph_visualizer import text_scale, wrap_text
    assert [text_scale(h) for h in (144, 360, 720, 1080, 4000)] == [
        1.0, 1.0, 2.0, 3.0, 4.0]
    lines = wrap_text('#1 person -not_looking_at,in_front_of,not_contacting'
                      '-> #2 cup/glass/bottle 0.70', 150, 7)
    assert len(lines) == 3 and all(len(x) <= 30 for x in lines)
    vis = SGGraphVisualizer(name='readable', top_k=10)
    # a 176x144 camera frame: the long triplet lines wrap inside the panel
    # (its right edge stays white) instead of being cut there
    small = vis.draw_frame_graph(np.zeros((144, 176, 3), np.uint8),
                                 _many_edges(3))
    panel = small[:, 176:]
    assert panel.shape[1] == 320
    assert (panel[:, -4:] == 255).all()
    assert small.shape[0] > 144  # the panel grew; the frame is padded
    # a 1080p frame: panel and text three times as large
    large = vis.draw_frame_graph(np.zeros((1080, 1920, 3), np.uint8),
                                 _many_edges(3, scale=6))
    assert large.shape == (1080, 1920 + 960, 3)
    assert (large[:, -4:] == 255).all()


def test_background_drawer_matches_drawing_in_process(tmp_path):
    import mmcv
    import pytest

    from vost.visualization import BackgroundFrameDrawer
    frame = str(tmp_path / 'f.png')
    mmcv.imwrite(np.full((100, 120, 3), 30, np.uint8), frame)
    local = BackgroundFrameDrawer(workers=0, top_k=5)
    local.submit(frame, _graph([1, 7]), str(tmp_path / 'w0.png'))
    local.close()
    drawer = BackgroundFrameDrawer(workers=1, top_k=5)
    drawer.submit(frame, _graph([1, 7]), str(tmp_path / 'w1.png'))
    # a frame that cannot be read is named when the drawer is closed
    drawer.submit(str(tmp_path / 'gone.png'), _graph([1, 7]), None)
    with pytest.raises(FileNotFoundError, match='gone.png'):
        drawer.close()
    first = mmcv.imread(str(tmp_path / 'w0.png'))
    assert (first == mmcv.imread(str(tmp_path / 'w1.png'))).all()
    assert _has_color(first[..., ::-1], track_color(7))
