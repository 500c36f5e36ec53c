"""Edit an annotation pickle of a copied Action Genome fixture."""
import pickle

__all__ = ['edit_annotation']


def edit_annotation(root, name, fn):
    """Load ``root/annotations/name``, apply ``fn`` in place, write back."""
    path = root / 'annotations' / name
    with open(path, 'rb') as f:
        data = pickle.load(f)
    fn(data)
    with open(path, 'wb') as f:
        pickle.dump(data, f)
