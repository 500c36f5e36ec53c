"""Hand-made GT frames, predictions and a naive per-frame evaluator."""
import numpy as np

PERSON_BOX = [0.0, 0.0, 99.0, 99.0]


def make_frame(key, objects, person_box=PERSON_BOX):
    """A frame_info of the data contract.

    Args:
        key (str): Frame key.
        objects (list[tuple]): ``(box, label, attention, spatial list,
            contacting list)`` per object (local predicate indices).
        person_box (list): The person's XYXY box.
    """
    instances = [dict(bbox=list(person_box), bbox_label=1, ignore_flag=0)]
    relations = []
    for j, (box, label, att, spa, con) in enumerate(objects):
        instances.append(dict(bbox=list(box), bbox_label=label,
                              ignore_flag=0))
        relations.append(dict(subject=0, object=j + 1, attention=att,
                              spatial=list(spa), contacting=list(con)))
    return dict(frame_key=key, instances=instances, relations=relations)


def data_list_of(frames):
    """Wrap frame_infos into a one-video data_list."""
    return [dict(video_id='V.mp4', video_length=len(frames), images=frames)]


def make_pred(key, boxes, labels, att, spa, con, scores=None, pairs=None):
    """A prediction-file dict; pairs default to (0, j) for j = 1..R."""
    att = np.asarray(att, np.float32).reshape(-1, 3)
    num = len(att)
    if pairs is None:
        pairs = [(0, j + 1) for j in range(num)]
    if scores is None:
        scores = np.ones(len(labels))
    return dict(
        frame_key=key,
        bboxes=np.asarray(boxes, np.float32).reshape(-1, 4),
        labels=np.asarray(labels, np.int64),
        scores=np.asarray(scores, np.float32),
        pair_inds=np.asarray(pairs, np.int64).reshape(-1, 2),
        attention_scores=att,
        spatial_scores=np.asarray(spa, np.float32).reshape(num, 6),
        contacting_scores=np.asarray(con, np.float32).reshape(num, 17))


def perfect_prediction(frame):
    """GT boxes and labels, one-hot / multi-hot predicate scores."""
    rels = frame['relations']
    att = np.zeros((len(rels), 3))
    spa = np.zeros((len(rels), 6))
    con = np.zeros((len(rels), 17))
    for r, rel in enumerate(rels):
        att[r, rel['attention']] = 1
        spa[r, rel['spatial']] = 1
        con[r, rel['contacting']] = 1
    return make_pred(
        frame['frame_key'], [i['bbox'] for i in frame['instances']],
        [i['bbox_label'] for i in frame['instances']], att, spa, con,
        pairs=[(rel['subject'], rel['object']) for rel in rels])


def empty_prediction(key):
    """A prediction with no box and no pair."""
    return make_pred(key, np.zeros((0, 4)), [], np.zeros((0, 3)),
                     np.zeros((0, 6)), np.zeros((0, 17)))


def _iou_legacy(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0]) + 1
    ih = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if iw <= 0 or ih <= 0:
        return 0.0
    inter = iw * ih
    area = lambda x: (x[2] - x[0] + 1) * (x[3] - x[1] + 1)  # noqa: E731
    return inter / (area(a) + area(b) - inter)


def naive_recall(frames, preds, mode, ks, semi_threshold=0.9, top_k_no=100):
    """Straightforward per-frame evaluation following the reference.

    GT triplets are (subject box, subject class, predicate, object box,
    object class) with spatial triplets reversed; candidates are built per
    pair and row, sorted with Python's stable sort on (-score) after being
    listed by pair index then predicate id. Returns (mean R@K dict,
    per-predicate hits dict {k: (26,)}, per-predicate counts (26,)).
    """
    by_key = {p['frame_key']: p for p in preds}
    recalls = {k: [] for k in ks}
    hits = {k: np.zeros(26) for k in ks}
    counts = np.zeros(26)
    for frame in frames:
        inst = frame['instances']
        gts = []
        for rel in frame['relations']:
            s, o = inst[rel['subject']], inst[rel['object']]
            gts.append((s, rel['attention'], o))
            gts += [(o, 3 + p, s) for p in rel['spatial']]
            gts += [(s, 9 + p, o) for p in rel['contacting']]
        for g in gts:
            counts[g[1]] += 1
        pred = by_key.get(frame['frame_key'])
        cands = []
        if pred is not None:
            sc = pred['scores'].astype(np.float64)
            for r, (i, j) in enumerate(pred['pair_inds']):
                rows = np.concatenate([pred['attention_scores'][r],
                                       pred['spatial_scores'][r],
                                       pred['contacting_scores'][r]])
                for p in range(26):
                    group = 0 if p < 3 else (1 if p < 9 else 2)
                    lo, hi = [(0, 3), (3, 9), (9, 26)][group]
                    if mode == 'with' or (mode == 'semi' and group == 0):
                        take = p == lo + int(np.argmax(rows[lo:hi]))
                    elif mode == 'semi':
                        take = rows[p] > semi_threshold
                    else:
                        take = True
                    if take:
                        sub, obj = (j, i) if group == 1 else (i, j)
                        cands.append((sc[i] * sc[j] * np.float64(rows[p]),
                                      sub, p, obj))
            cands.sort(key=lambda c: -c[0])  # stable: pair, then predicate
            if mode == 'no':
                cands = cands[:top_k_no]
        for k in ks:
            matched = set()
            for score, sub, p, obj in cands[:k]:
                for g, (gs, gp, go) in enumerate(gts):
                    if (gp == p and gs['bbox_label'] == pred['labels'][sub]
                            and go['bbox_label'] == pred['labels'][obj]
                            and _iou_legacy(gs['bbox'],
                                            pred['bboxes'][sub]) >= 0.5
                            and _iou_legacy(go['bbox'],
                                            pred['bboxes'][obj]) >= 0.5):
                        matched.add(g)
            recalls[k].append(len(matched) / len(gts))
            for g in matched:
                hits[k][gts[g][1]] += 1
    return {k: float(np.mean(v)) for k, v in recalls.items()}, hits, counts


def random_case(rng, num_frames=40, max_objects=4, max_extra=3):
    """Random GT frames and noisy predictions with many score ties."""
    frames, preds = [], []
    for f in range(num_frames):
        objects = []
        for _ in range(int(rng.integers(1, max_objects + 1))):
            xy = rng.integers(0, 150, 2)
            wh = rng.integers(10, 80, 2)
            objects.append((
                [*map(float, xy), *map(float, xy + wh)],
                int(rng.integers(2, 8)),  # few classes: repeated classes
                int(rng.integers(3)),
                list(rng.choice(6, int(rng.integers(1, 3)), False)),
                list(rng.choice(17, int(rng.integers(1, 3)), False))))
        frame = make_frame(f'V.mp4/{f:06d}.png', objects)
        frames.append(frame)
        if rng.random() < 0.1:
            continue  # a frame without prediction
        boxes = [i['bbox'] for i in frame['instances']]
        labels = [i['bbox_label'] for i in frame['instances']]
        for _ in range(int(rng.integers(0, max_extra + 1))):
            boxes.append(boxes[int(rng.integers(len(boxes)))])
            labels.append(int(rng.integers(2, 8)))
        boxes = np.asarray(boxes) + rng.integers(-12, 13, (len(boxes), 4))
        boxes[:, 2:] = np.maximum(boxes[:, 2:], boxes[:, :2])
        labels = np.asarray(labels)
        wrong = rng.random(len(labels)) < 0.2
        labels[wrong & (np.arange(len(labels)) > 0)] = 3
        num = len(boxes) - 1
        # Quantised scores create ties, including saturated 1.0 values.
        q = lambda *s: rng.integers(0, 5, s) / 4  # noqa: E731
        preds.append(make_pred(
            frame['frame_key'], boxes, labels, q(num, 3), q(num, 6),
            q(num, 17), scores=np.concatenate([[1.0], q(num)])))
    return frames, preds
