"""A short synthetic video with known tracks and relations, and its viewer.

The frame graphs come from the real :class:`VideoSceneGraphBuilder` fed
with hand-made predictions: a person at rest, a cup moving right (held in
key frames 0-2), a television at rest and a weak lamp that never starts a
track; the person touches the television from key frame 3 on. Frames are
160x120, 30 fps, one key frame a second.
"""
import numpy as np
import torch
from mmengine.structures import InstanceData

CUP, TV, LIGHT = 11, 33, 20
SIZE = (120, 160)  # (H, W)


def synthetic_sample(t: int, key: str):
    """The predictions of key frame ``t``: two queries on the cup."""
    from vost.structures import SGDataSample
    cup = [70. + 8 * t, 50., 90. + 8 * t, 70.]
    inst = InstanceData(
        bboxes=torch.tensor([[10., 10., 60., 110.], cup,
                             [c + 0.5 for c in cup], [110., 15., 150., 45.],
                             [120., 80., 140., 100.]]),
        labels=torch.tensor([1, CUP, CUP, TV, LIGHT]),
        scores=torch.tensor([1.0, 0.9, 0.7, 0.8, 0.35]))
    att = torch.tensor([[0.9, 0.1, 0.], [0.8, 0.2, 0.], [0., 1., 0.],
                        [0.2, 0.7, 0.1]])
    spa = torch.zeros(4, 6)
    spa[:2, 2] = 0.8  # the cup is in front of the person
    con = torch.zeros(4, 17)
    con[2:, 8] = 0.9  # not contacting the tv, the lamp
    if t < 3:
        con[:2, 5] = 0.9  # holding the cup in key frames 0-2
    else:
        con[2, 12] = 0.9  # touching the tv from key frame 3 on
    pairs = InstanceData(
        pair_inds=torch.tensor([[0, 1], [0, 2], [0, 3], [0, 4]]),
        attention_scores=att, spatial_scores=spa, contacting_scores=con)
    sample = SGDataSample(metainfo=dict(frame_key=key, img_path=key))
    sample.pred_instances = inst
    sample.pred_pairs = pairs
    return sample


def synthetic_frame(graph: dict) -> np.ndarray:
    """A dark RGB frame with a grey patch on each node's box."""
    img = np.full(SIZE + (3, ), 30, np.uint8)
    for node in graph['nodes']:
        x0, y0, x1, y1 = (int(round(v)) for v in node['bbox'])
        img[y0 + 3:y1 - 3, x0 + 3:x1 - 3] = 90
    return img


def make_synthetic_video(num_frames: int = 6, video_id='synthetic.mp4'):
    """The frame graphs and the video record of the synthetic video."""
    from vost.graphs import VideoSceneGraphBuilder
    builder = VideoSceneGraphBuilder(video_id)
    graphs = [builder.update(synthetic_sample(t, f'{video_id}/{30 * t:06d}'),
                             frame_index=30 * t) for t in range(num_frames)]
    return graphs, builder.result()


def write_synthetic_viewer(out_dir: str, num_frames: int = 6) -> dict:
    """Write the viewer of the synthetic video; return its inputs."""
    from vost.visualization import HtmlViewerWriter
    graphs, record = make_synthetic_video(num_frames)
    writer = HtmlViewerWriter(out_dir)
    for graph in graphs:
        writer.add_frame(graph, synthetic_frame(graph), 'synthetic')
    index = writer.finish(record)
    return dict(index=index, graphs=graphs, record=record)

