"""Whole-video inference: every frame runs through the spatial stages once,
across test batches, with the same results as without the cache."""
import copy
from dataclasses import fields

import numpy as np
import torch
from mmdet.structures import TrackDataSample

from vost.datasets.transforms import SGClipSample
from vost.models.detectors import FrameOutputCache
from vost.models.stage_outputs import FrameOutputs
from vost.testing import demo_sg_frame_sample
from ._helpers import build_temporal_model

NUM_FRAMES = 5


def _video(seed=0):
    rng = np.random.RandomState(seed)
    frames = [torch.from_numpy(rng.randint(0, 256, (3, 64, 64),
                                           dtype=np.uint8))
              for _ in range(NUM_FRAMES)]
    samples = [demo_sg_frame_sample(rng, (64, 64), 2,
                                    frame_key=f'vid.mp4/{t + 1:06d}.png',
                                    frame_id=t) for t in range(NUM_FRAMES)]
    return frames, samples


def _batches(frames, samples, key_batches):
    """Test clips (nearest 2 references, as SGClipSample in test mode)
    of the key frames, grouped in batches, in dataset order."""
    sampler = SGClipSample(num_ref_frames=2, frame_range=4, test_mode=True)
    out = []
    for keys in key_batches:
        inputs, tracks = [], []
        for key in keys:
            inds, flags = sampler.sample_inds(NUM_FRAMES, key)
            track = TrackDataSample()
            track.video_data_samples = [copy.deepcopy(samples[i])
                                        for i in inds]
            track.set_metainfo(dict(
                key_frames_inds=[flags.index(True)],
                ref_frames_inds=[i for i, f in enumerate(flags) if not f]))
            inputs.append(torch.stack([frames[i] for i in inds]))
            tracks.append(track)
        out.append(dict(inputs=inputs, data_samples=tracks))
    return out


def _tensors(head_outs):
    """The tensors of a HeadOutputs, in field order."""
    return [getattr(head_outs, f.name) for f in fields(head_outs)]


def _run(model, batches):
    seen, outs = [], []
    handle = model.backbone.register_forward_hook(
        lambda m, args, out: seen.append(args[0].size(0)))
    with torch.no_grad():
        for data in batches:
            data = model.data_preprocessor(copy.deepcopy(data), False)
            outs.append(model(**data, mode='tensor'))
    handle.remove()
    return sum(seen), outs


def test_each_frame_of_a_video_runs_once_with_equal_results():
    torch.manual_seed(0)
    model = build_temporal_model('sgdet').eval()
    batches = _batches(*_video(), key_batches=[[0, 1], [2, 3], [4]])
    plain_count, plain = _run(model, batches)
    model.frame_cache = FrameOutputCache(max_frames=8)
    cached_count, cached = _run(model, batches)
    assert plain_count == 3 + 4 + 3  # distinct frames per batch
    assert cached_count == NUM_FRAMES  # each frame once for the video
    assert model.frame_cache.hits == 10 - NUM_FRAMES
    assert model.frame_cache.misses == NUM_FRAMES
    for a, b in zip(plain, cached):
        for x, y in zip(_tensors(a), _tensors(b)):
            torch.testing.assert_close(x, y, atol=1e-5, rtol=1e-5)


def test_cache_is_dropped_on_new_weights_and_mode_switch_and_keyed_by_frame():
    torch.manual_seed(0)
    model = build_temporal_model('sgdet').eval()
    model.frame_cache = FrameOutputCache(max_frames=8)
    batches = _batches(*_video(), key_batches=[[1]])
    count1, out1 = _run(model, batches)
    count2, out2 = _run(model, batches)  # all hits
    assert (count1, count2) == (3, 0)
    # new weights through load_state_dict: every frame recomputed
    state = copy.deepcopy(model.state_dict())
    state['encoder.layers.0.norms.0.bias'] += 0.5
    model.load_state_dict(state)
    count3, out3 = _run(model, batches)
    assert count3 == 3
    assert not torch.allclose(out2[0].cls_scores, out3[0].cls_scores)
    # a train/eval switch (the runner's, around every optimiser step)
    model.train()
    model.eval()
    count4, out4 = _run(model, batches)
    assert count4 == 3
    torch.testing.assert_close(out4[0].cls_scores, out3[0].cls_scores)
    # another frame with the same key but other pixels is a miss
    frames, samples = _video()
    frames[1] = 255 - frames[1]
    count5, _ = _run(model, _batches(frames, samples, [[1]]))
    assert count5 == 1


def test_cache_is_bounded():
    torch.manual_seed(0)
    model = build_temporal_model('sgdet').eval()
    model.frame_cache = FrameOutputCache(max_frames=2)
    _run(model, _batches(*_video(), key_batches=[[0], [4]]))
    assert len(model.frame_cache) == 2


def _frame_outputs(num_frames=3, query_mask=False):
    return FrameOutputs(
        inst_hidden=torch.arange(2 * num_frames * 4.).view(2, num_frames, 4),
        references=torch.arange(3 * num_frames * 8.).view(3, num_frames, 8),
        rel_hidden=torch.arange(2 * num_frames * 4.).view(2, num_frames, 4)
        + 100,
        query_mask=torch.arange(num_frames * 2).view(num_frames, 2) % 3 == 0
        if query_mask else None,
        memory=torch.arange(num_frames * 5.).view(num_frames, 5),
        vlm_feats=dict(
            image_embeds=torch.arange(num_frames * 2.).view(num_frames, 2),
            text_obj=torch.ones(37, 2), grid_size=(4, 4)),
        enc_outputs=dict(x=1))


def test_select_frame_outputs_keeps_shared_vlm_features_whole():
    outs = _frame_outputs()
    sel = outs.select([2, 0, 2])
    assert torch.equal(sel.inst_hidden, outs.inst_hidden[:, [2, 0, 2]])
    assert torch.equal(sel.references, outs.references[:, [2, 0, 2]])
    assert torch.equal(sel.memory, outs.memory[[2, 0, 2]])
    assert sel.query_mask is None and sel.enc_outputs is outs.enc_outputs
    vlm = sel.vlm_feats
    assert torch.equal(vlm['image_embeds'],
                       outs.vlm_feats['image_embeds'][[2, 0, 2]])
    # text_* entries and non-tensors are shared by all frames
    assert vlm['text_obj'] is outs.vlm_feats['text_obj']
    assert vlm['grid_size'] == (4, 4)
    # every frame in order: the outputs themselves
    assert outs.select([0, 1, 2]) is outs


def test_split_then_cat_gives_the_frames_back():
    outs = _frame_outputs(query_mask=True)
    parts = outs.split()
    assert [p.num_frames for p in parts] == [1, 1, 1]
    assert torch.equal(parts[1].memory, outs.memory[1:2])
    back = FrameOutputs.cat([parts[2], parts[0]])
    for name in ('inst_hidden', 'references', 'rel_hidden'):
        assert torch.equal(getattr(back, name),
                           getattr(outs, name)[:, [2, 0]]), name
    assert torch.equal(back.query_mask, outs.query_mask[[2, 0]])
    assert torch.equal(back.vlm_feats['image_embeds'],
                       outs.vlm_feats['image_embeds'][[2, 0]])
    assert back.vlm_feats['text_obj'] is outs.vlm_feats['text_obj']
    assert back.enc_outputs is None
    # frames of other batches with other query counts do not stack
    wider = _frame_outputs(num_frames=1, query_mask=True)
    assert FrameOutputs.cat([parts[0], wider]) is not None
    wider.inst_hidden = torch.zeros(2, 1, 6)
    assert FrameOutputs.cat([parts[0], wider]) is None
    # nor a masked frame with an unmasked one
    assert FrameOutputs.cat([parts[0], _frame_outputs(1)]) is None
