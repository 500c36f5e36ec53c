"""Validation against the JSON Schemas, and networkx node-link exports."""
import json
import os.path as osp
from functools import lru_cache
from typing import Dict

__all__ = ['SCHEMA_DIR', 'load_schema', 'validate_scene_graph',
           'frame_graph_to_networkx', 'frame_graph_to_node_link']

#: Folder of the JSON Schema files (installed with the package).
SCHEMA_DIR = osp.join(osp.dirname(__file__), 'schemas')
_SCHEMA_FILES = {
    'vost.frame_scene_graph/1': 'frame_scene_graph.schema.json',
    'vost.video_scene_graph/1': 'video_scene_graph.schema.json',
}


@lru_cache(maxsize=None)
def load_schema(schema_id: str) -> Dict:
    """The JSON Schema of a record kind.

    Args:
        schema_id (str): ``'vost.frame_scene_graph/1'`` or
            ``'vost.video_scene_graph/1'`` (a record's ``schema`` field).

    Returns:
        dict: The schema.
    """
    if schema_id not in _SCHEMA_FILES:
        raise ValueError(f'unknown scene graph schema {schema_id!r}; known: '
                         f'{", ".join(sorted(_SCHEMA_FILES))}')
    with open(osp.join(SCHEMA_DIR, _SCHEMA_FILES[schema_id])) as f:
        return json.load(f)


def validate_scene_graph(record: Dict, source: str = 'record') -> None:
    """Check a frame or video record against the schema it names.

    Args:
        record (dict): A frame graph or a video record (its ``schema``
            field picks the schema).
        source (str): Name of the record in the error (e.g. its file).

    Raises:
        ValueError: Naming the source, the path of the first bad field
            and why.
    """
    import jsonschema
    if not isinstance(record, dict) or 'schema' not in record:
        raise ValueError(f'{source}: not a VOST scene graph record (no '
                         '"schema" field)')
    schema = load_schema(record['schema'])
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(record),
                    key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        path = '/'.join(str(p) for p in err.absolute_path) or '(top level)'
        raise ValueError(f'{source}: field {path}: {err.message} '
                         f'({len(errors)} error(s) against '
                         f'{record["schema"]})')
    _check_references(record, source)


def _check_references(record: Dict, source: str) -> None:
    """What a schema cannot say: edges name nodes, intervals name tracks."""
    if record['schema'] == 'vost.frame_scene_graph/1':
        ids = {n['id'] for n in record['nodes']}
        for k, edge in enumerate(record['edges']):
            for end in ('subject', 'object'):
                if edge[end] not in ids:
                    raise ValueError(f'{source}: field edges/{k}/{end}: '
                                     f'node {edge[end]} does not exist')
    else:
        ids = {t['track_id'] for t in record['tracks']}
        for k, interval in enumerate(record['relation_intervals']):
            for end in ('subject', 'object'):
                if interval[end] not in ids:
                    raise ValueError(
                        f'{source}: field relation_intervals/{k}/{end}: '
                        f'track {interval[end]} does not exist')


def frame_graph_to_networkx(frame_graph: Dict):
    """A frame graph as a networkx ``MultiDiGraph``.

    Nodes are the graph's node ids with their fields (``label``,
    ``label_name``, ``bbox``, ``score``, ``track_id``); each predicate of an
    edge is one directed edge subject -> object keyed by the predicate, with
    ``group`` and ``score`` (spatial predicates read ``<object, predicate,
    subject>`` in the protocol; the edge keeps the pair's direction).

    Args:
        frame_graph (dict): From :class:`~vost.graphs.FrameGraphBuilder`.

    Returns:
        networkx.MultiDiGraph: With graph attributes ``frame_key`` and
        ``frame_index``.
    """
    import networkx as nx
    graph = nx.MultiDiGraph(
        frame_key=frame_graph.get('frame_key'),
        frame_index=frame_graph.get('frame_index'))
    for node in frame_graph['nodes']:
        graph.add_node(
            node['id'], **{k: node[k] for k in (
                'label', 'label_name', 'bbox', 'score', 'track_id')
                if k in node})
    for edge in frame_graph['edges']:
        preds = [('attention', edge['attention'])]
        preds += [(g, p) for g in ('spatial', 'contacting') for p in edge[g]]
        for group, pred in preds:
            graph.add_edge(edge['subject'], edge['object'],
                           key=pred['predicate'], group=group,
                           score=pred['score'])
    return graph


def frame_graph_to_node_link(frame_graph: Dict) -> Dict:
    """A frame graph as networkx node-link JSON
    (``networkx.node_link_graph`` reads it back; edges under ``links``).

    Args:
        frame_graph (dict): From :class:`~vost.graphs.FrameGraphBuilder`.

    Returns:
        dict: ``directed``, ``multigraph``, ``graph``, ``nodes``,
        ``links``.
    """
    import inspect

    import networkx as nx
    graph = frame_graph_to_networkx(frame_graph)
    if 'edges' in inspect.signature(nx.node_link_data).parameters:
        return nx.node_link_data(graph, edges='links')
    return nx.node_link_data(graph)
