"""Write a small random-weight VLM directory (for tests and CPU demos).

Usage::

    python tools/misc/make_tiny_vlm.py data/tiny_clip --family clip
    python tools/misc/make_tiny_vlm.py data/tiny_siglip --family siglip
    python tools/misc/make_tiny_vlm.py data/tiny_qwen2_5_vl \\
        --family qwen2_5_vl

The directory loads through ``transformers``' ``from_pretrained`` like a real
checkpoint; the weights are random, so its features carry no meaning.
Qwen2.5-VL (``vost.pretraining.make_tiny_qwen2_5_vl``): vision depth 2,
patch 14, merge 2, window 56; language model of ``--hidden-size`` and
``--num-layers``; ``--image-size`` and ``--patch-size`` do not apply (the
input size is the encoder's ``qwen_image_size``). Nothing is downloaded.
"""
import argparse

from vost.pretraining import make_tiny_qwen2_5_vl, make_tiny_vlm


def parse_args():
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='output directory')
    parser.add_argument(
        '--family', default='clip', choices=['clip', 'siglip', 'qwen2_5_vl'])
    parser.add_argument('--image-size', type=int, default=64)
    parser.add_argument('--patch-size', type=int, default=16)
    parser.add_argument('--hidden-size', type=int, default=32)
    parser.add_argument('--num-layers', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main():
    """Write the VLM."""
    args = parse_args()
    if args.family == 'qwen2_5_vl':
        out = make_tiny_qwen2_5_vl(
            args.out_dir,
            hidden_size=args.hidden_size,
            num_layers=args.num_layers,
            seed=args.seed)
    else:
        out = make_tiny_vlm(
            args.out_dir,
            family=args.family,
            image_size=args.image_size,
            patch_size=args.patch_size,
            hidden_size=args.hidden_size,
            num_layers=args.num_layers,
            projection_dim=args.hidden_size,
            seed=args.seed)
    print(f'Wrote a random-weight {args.family} VLM to {out}')


if __name__ == '__main__':
    main()
