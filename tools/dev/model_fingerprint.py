"""A seeded fingerprint of the models of a few synthetic configs.

For each config the model is built and initialised under
``torch.manual_seed(0)`` (the VLM configs load a random-weight tiny CLIP
written with seed 0 instead of the pretrained one); temporal models then
load their own spatial weights without ``temporal.*`` keys, as a stage-1
checkpoint is loaded, so the temporal head copies the spatial head. On a
fixed batch of 2 random clips of 3 frames (64 x 64, key frame 1, the
causal config's key frame 2; the inputs of the model tests) it runs one
loss pass (train mode) with a backward of the summed losses, then two
predict passes (eval mode, the second one reads the temporal frame
cache where there is one). The SHA-256 of every loss value, every
parameter gradient, the temporal head's loaded weights and every
prediction field is printed per config, then one digest over all
configs. A refactoring that keeps behaviour leaves every line unchanged.

Usage:
    OMP_NUM_THREADS=1 python tools/dev/model_fingerprint.py [--verbose]
"""
import argparse
import hashlib
import os.path as osp
import sys
import tempfile

import torch

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = (
    'vost/vost_r18_1xb8-3e_synthetic-ag-sgdet.py',
    'vost/vost-spatial_r18_1xb8-3e_synthetic-ag-sgdet.py',
    'vost/vost-spatial_r18_1xb8-3e_synthetic-ag-predcls.py',
    'vost/vost-temporal_r18_1xb8-1e_synthetic-ag-sgdet.py',
    'vost/vost-spatial-temporal_r18_1xb8-1e_synthetic-ag-predcls.py',
    'vost/vost-spatial-temporal-causal_r18_1xb8-1e_synthetic-ag-sgdet.py',
)


def _digest(tensor) -> str:
    """SHA-256 (16 hex digits) of a tensor's dtype, shape and bytes."""
    t = tensor.detach().cpu().contiguous()
    h = hashlib.sha256(f'{t.dtype}{tuple(t.shape)}'.encode())
    h.update(t.view(-1).view(torch.uint8).numpy().tobytes()
             if t.numel() else b'')
    return h.hexdigest()[:16]


def _batch(model, training, key):
    """The fixed batch, through the model's data preprocessor."""
    from vost.testing import demo_sg_track_inputs
    data = demo_sg_track_inputs(
        batch_size=2, num_frames=3, key_frame_ind=key,
        image_shapes=(3, 64, 64), num_objects=[2, 3], seed=0)
    return model.data_preprocessor(data, training)


def fingerprint(rel: str, vlm_dir: str) -> dict:
    """``{item name: digest}`` of one config's model."""
    from mmengine.config import Config

    from vost.registry import MODELS
    cfg = Config.fromfile(osp.join(REPO, 'configs', rel))
    if cfg.model.get('vlm_encoder') is not None:
        cfg.model.vlm_encoder.model_name = vlm_dir
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    key = 2 if 'causal' in rel else 1
    items = {}
    if getattr(model, 'temporal', None) is not None:
        spatial = {k: v for k, v in model.state_dict().items()
                   if not k.startswith('temporal.')}
        model.load_state_dict(spatial, strict=False)
        for k, v in sorted(model.temporal.head.state_dict().items()):
            items[f'loaded temporal.head.{k}'] = _digest(v)
    model.train()
    losses = model(**_batch(model, True, key), mode='loss')
    for k in sorted(losses):
        items[f'loss {k}'] = _digest(losses[k])
    sum(v for v in losses.values()).backward()
    for k, p in sorted(model.named_parameters()):
        if p.grad is not None:
            items[f'grad {k}'] = _digest(p.grad)
    model.eval()
    for run in range(2):
        with torch.no_grad():
            results = model(**_batch(model, False, key), mode='predict')
        for n, sample in enumerate(results):
            for group in ('pred_instances', 'pred_pairs'):
                data = sample.get(group)
                for k in sorted(data.keys()):
                    items[f'predict{run} {n} {group}.{k}'] = _digest(
                        data.get(k))
    return items


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--verbose', action='store_true',
                        help='print every item digest')
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    import logging

    from mmengine.logging import MMLogger
    MMLogger.get_instance('mmengine').setLevel(logging.WARNING)
    from vost.pretraining import make_tiny_vlm
    from vost.utils import register_all_modules
    register_all_modules()
    total = hashlib.sha256()
    with tempfile.TemporaryDirectory() as tmp:
        vlm_dir = make_tiny_vlm(osp.join(tmp, 'tiny_clip'), family='clip',
                                seed=0)
        for rel in CONFIGS:
            items = fingerprint(rel, vlm_dir)
            h = hashlib.sha256()
            for k, v in items.items():
                h.update(f'{k}={v}\n'.encode())
                if args.verbose:
                    print(f'  {k} {v}')
            total.update(h.digest())
            print(f'{h.hexdigest()[:16]} {len(items):4d} items  {rel}')
    print(f'{total.hexdigest()[:16]} all')
    return 0


if __name__ == '__main__':
    sys.exit(main())
