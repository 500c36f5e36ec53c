"""Write the tiny Action Genome fixture in this folder (checked in).

Run ``python tests/data/ag_tiny/make_ag_tiny.py`` to regenerate. Frames are
64x48 PNGs (w x h). The cases, with the counts the tests assert:

Test split (first object's ``metadata['set'] == 'test'``):

- ``AAAAA.mp4``: frames 3, 10, 21, 100 (written in shuffled order).
  f3: chair (XYWH 20,20,30,20) + invisible cup; f10: sofa + small phone
  (8 px); f21: only a small cup (12 px); f100: closet (raw name).
- ``BBBBB.mp4``: a 2-frame video (frames 1, 2; one book each).
- ``CCCCC.mp4``: f5 no person box (door); f6, f8 table; f7 table + laptop;
  f9 only invisible objects (light, window).
- ``DDDDD.mp4`` f4: first object 'test', second 'train' -> a 1-frame test
  video.

Train split: ``DDDDD.mp4`` f1-f3 (f2's first object is invisible),
``EEEEE.mp4`` f3-f5.

Expected (see tests/test_datasets/test_ag_parsing.py):

- test/sgdet: videos A (f3, f10, f100), C (f6, f7, f8): 2 videos, 6 frames,
  7 objects; removed frames no_visible_object 2 (A21, C9), no_person 1,
  in_short_videos 3; objects invisible 3, small_box 2, in_removed_frames 5;
  videos too_few_frames 2.
- test/predcls: 2 videos, 7 frames, 9 objects.
- train/sgdet: 2 videos, 6 frames.
"""
import os
import os.path as osp
import struct
import sys
import zlib

import numpy as np

HERE = osp.dirname(osp.abspath(__file__))
W, H = 64, 48


def _person(box):
    bbox = np.zeros((0, 4), np.float32) if box is None else np.array(
        [box], np.float32)
    n = len(bbox)
    return dict(
        bbox=bbox,
        bbox_score=np.ones((n, ), np.float32),
        bbox_size=(W, H),
        bbox_mode='xyxy',
        keypoints=np.zeros((n, 17, 3), np.float32),
        keypoints_logits=np.zeros((n, 17), np.float32))


def _obj(key, cls, box, split, att=None, spa=None, con=None):
    visible = box is not None
    if visible:
        att = att or ['not_looking_at']
        spa = spa or ['in_front_of']
        con = con or ['not_contacting']
    vid, frame = key.split('/')
    tag = f"{vid}/{cls.replace('/', '_')}/{frame[:-4]}"
    return {
        'class': cls,
        'bbox': None if box is None else tuple(float(v) for v in box),
        'attention_relationship': att if visible else None,
        'spatial_relationship': spa if visible else None,
        'contacting_relationship': con if visible else None,
        'metadata': dict(tag=tag, set=split),
        'visible': visible,
    }


def build():
    """Return (person, objects, frame_list) of the fixture."""
    P = (10, 5, 40, 45)  # person XYXY
    frames = []  # (key, person box or None, [objects])

    def add(key, person, objs):
        frames.append((key, person, objs))

    a = 'AAAAA.mp4/'
    add(a + '000100.png', P,
        [_obj(a + '000100.png', 'closet/cabinet', (30, 2, 30, 40), 'test')])
    add(a + '000003.png', P, [
        _obj(a + '000003.png', 'chair', (20, 20, 30, 20), 'test',
             ['looking_at'], ['in_front_of', 'beneath'],
             ['sitting_on', 'touching']),
        _obj(a + '000003.png', 'cup/glass/bottle', None, 'test')
    ])
    add(a + '000021.png', P,
        [_obj(a + '000021.png', 'cup/glass/bottle', (10, 10, 12, 12), 'test')])
    add(a + '000010.png', P, [
        _obj(a + '000010.png', 'sofa/couch', (0, 20, 64, 28), 'test',
             ['unsure'], ['beneath'], ['lying_on']),
        _obj(a + '000010.png', 'phone/camera', (5, 5, 8, 10), 'test',
             ['looking_at'], ['in_front_of'], ['holding'])
    ])
    b = 'BBBBB.mp4/'
    for n in (1, 2):
        k = f'{b}{n:06d}.png'
        add(k, P, [_obj(k, 'book', (20, 20, 20, 20), 'test')])
    c = 'CCCCC.mp4/'
    add(c + '000005.png', None,
        [_obj(c + '000005.png', 'door', (40, 0, 20, 40), 'test')])
    for n in (6, 7, 8):
        k = f'{c}{n:06d}.png'
        objs = [_obj(k, 'table', (0, 24, 50, 24), 'test')]
        if n == 7:
            objs.append(
                _obj(k, 'laptop', (20, 20, 20, 16), 'test', ['looking_at'],
                     ['on_the_side_of', 'above'], ['writing_on', 'touching']))
        add(k, P, objs)
    add(c + '000009.png', P, [
        _obj(c + '000009.png', 'light', None, 'test'),
        _obj(c + '000009.png', 'window', None, 'test')
    ])
    d = 'DDDDD.mp4/'
    for n in (1, 2, 3):
        k = f'{d}{n:06d}.png'
        objs = [_obj(k, 'bag', (2, 2, 20, 20), 'train', ['not_looking_at'],
                     ['behind'], ['carrying', 'holding'])]
        if n == 2:
            objs.insert(0, _obj(k, 'pillow', None, 'train'))
        add(k, P, objs)
    k = d + '000004.png'
    add(k, P, [
        _obj(k, 'shelf', (30, 0, 30, 30), 'test'),
        _obj(k, 'bag', (2, 2, 20, 20), 'train')
    ])
    e = 'EEEEE.mp4/'
    for n in (3, 4, 5):
        k = f'{e}{n:06d}.png'
        add(k, P, [
            _obj(k, 'paper/notebook', (20, 10, 20, 20), 'train',
                 ['looking_at'], ['in'],
                 ['other_relationship', 'have_it_on_the_back'])
        ])
    person = {k: _person(p) for k, p, _ in frames}
    objects = {k: o for k, _, o in frames}
    frame_list = [k for k, _, _ in frames]
    return person, objects, frame_list


def write_png(path, img):
    """Write an (H, W, 3) uint8 RGB image as PNG without cv2."""
    h, w, _ = img.shape
    raw = b''.join(b'\x00' + img[y].tobytes() for y in range(h))

    def chunk(tag, data):
        return (struct.pack('>I', len(data)) + tag + data +
                struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff))

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' +
                chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
                chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))


def main(root=HERE):
    """Write annotations and 64x48 PNG frames under ``root``."""
    sys.path.insert(0, osp.join(HERE, '..', '..', '..'))
    from vost.ag_format import write_annotations
    person, objects, frame_list = build()
    write_annotations(root, person, objects, frame_list)
    for i, key in enumerate(frame_list):
        path = osp.join(root, 'frames', key)
        os.makedirs(osp.dirname(path), exist_ok=True)
        img = np.full((H, W, 3), 10 * i % 256, np.uint8)
        img[:, :W // 2, 0] = 255  # left half red: shows a flip
        write_png(path, img)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else HERE)
