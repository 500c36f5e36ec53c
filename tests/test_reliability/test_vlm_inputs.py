"""VLM paths and feature caches: every failure names the path and the fix."""
import os
import os.path as osp
import shutil

import numpy as np
import pytest

from vost.models.vlm import VLMFeatureCache, VLMFeatureCacheWriter, load_vlm
from vost.pretraining import make_tiny_vlm


@pytest.fixture(scope='module')
def tiny_clip(tmp_path_factory):
    return make_tiny_vlm(str(tmp_path_factory.mktemp('clip')), seed=0)


def test_missing_local_path(tmp_path):
    missing = str(tmp_path / 'nowhere' / 'clip')
    with pytest.raises(FileNotFoundError, match='does not exist') as info:
        load_vlm(missing, local_files_only=True)
    assert missing in str(info.value)
    assert 'save_pretrained' in str(info.value)


def test_a_file_and_a_folder_without_config(tmp_path):
    (tmp_path / 'weights.bin').write_bytes(b'x')
    with pytest.raises(NotADirectoryError, match='is a file'):
        load_vlm(str(tmp_path / 'weights.bin'), local_files_only=True)
    (tmp_path / 'empty').mkdir()
    with pytest.raises(FileNotFoundError, match='no config.json'):
        load_vlm(str(tmp_path / 'empty'), local_files_only=True)


def test_missing_weights(tmp_path, tiny_clip):
    folder = str(tmp_path / 'no_weights')
    shutil.copytree(tiny_clip, folder)
    for name in os.listdir(folder):
        if name.endswith(('.safetensors', '.bin')):
            os.remove(osp.join(folder, name))
    with pytest.raises(OSError, match='Cannot load the weights') as info:
        load_vlm(folder, local_files_only=True)
    assert folder in str(info.value)


def test_wrong_family(tmp_path, tiny_clip):
    from transformers import BertConfig, BertModel
    folder = str(tmp_path / 'bert')
    BertModel(BertConfig(hidden_size=8, num_hidden_layers=1,
                         num_attention_heads=2, intermediate_size=8,
                         vocab_size=50)).save_pretrained(folder)
    for name in os.listdir(tiny_clip):
        if 'token' in name or name in ('vocab.json', 'merges.txt'):
            shutil.copy(osp.join(tiny_clip, name), folder)
    with pytest.raises(TypeError, match='is not supported') as info:
        load_vlm(folder, local_files_only=True)
    assert folder in str(info.value)


def _cache(folder):
    settings = dict(model_name='m')
    writer = VLMFeatureCacheWriter(folder, ['a', 'b', 'c'], settings, 4,
                                   (2, 2), dtype='float32')
    writer.write(['a', 'b', 'c'], np.ones((3, 4)), np.ones((3, 4, 2, 2)))
    writer.close()
    return settings


def test_truncated_cache_array(tmp_path):
    settings = _cache(str(tmp_path))
    path = tmp_path / 'patch_feats.npy'
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(ValueError, match='truncated or damaged') as info:
        VLMFeatureCache(str(tmp_path), settings)
    assert str(path) in str(info.value)
    assert 'tools/extract_vlm_features.py' in str(info.value)


def test_cache_array_of_another_shape(tmp_path):
    settings = _cache(str(tmp_path))
    np.save(tmp_path / 'image_embeds.npy', np.ones((2, 4), np.float32))
    with pytest.raises(ValueError, match=r'shape \(2, 4\), meta.json says '
                       r'\(3, 4\)'):
        VLMFeatureCache(str(tmp_path), settings)
    os.remove(tmp_path / 'image_embeds.npy')
    with pytest.raises(FileNotFoundError, match='image_embeds.npy is '
                       'missing'):
        VLMFeatureCache(str(tmp_path), settings)
