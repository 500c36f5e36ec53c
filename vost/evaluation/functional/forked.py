"""The evaluation on two processes (``eval_sgg.py --workers 2``).

The evaluation core is single threaded numpy. On a machine with two or more
cores the CLI splits :func:`evaluate_files` between itself and one forked
child:

- the child reads and checks the prediction file and builds the
  candidates of the ``'no'`` constraint (the largest: 26 per pair; they do
  not depend on the GT) while the parent reads the GT annotations;
- the parent then receives the predictions and sends the GT triplets (both
  pickled through a pipe); the child evaluates ``'semi'`` and ``'no'``
  while the parent evaluates ``'with'`` (the split of the work measured
  fastest on 2 cores).

The metrics are those of :func:`evaluate_sgg` on one process, bit for bit:
each constraint is computed by the same code on the same arrays. Only
where the ``fork`` start method exists (Linux, macOS); elsewhere, or with
``workers=1``, everything runs in this process.
"""
import inspect
import multiprocessing as mp
import os
from collections import OrderedDict
from typing import Any, Callable, Dict, List, Sequence, Tuple

from .candidates import CONSTRAINTS, build_candidates
from .gt_triplets import GTTriplets
from .prediction_format import (PredictionBatch, load_predictions,
                                stack_predictions)
from .sgg_recall import evaluate_sgg, metric_keys

__all__ = ['can_fork', 'load_prediction_batch', 'evaluate_files']


def can_fork() -> bool:
    """Whether this platform has the ``fork`` start method."""
    return 'fork' in mp.get_all_start_methods()


def load_prediction_batch(path: str) -> PredictionBatch:
    """Read a prediction file and check and concatenate it.

    Args:
        path (str): A prediction file (``tools/test.py --out``).

    Returns:
        PredictionBatch: Its checked predictions.
    """
    return stack_predictions(load_predictions(path, check=False), path)


def _merge(parts: Sequence[Tuple[dict, dict]], constraints: Sequence[str],
           ks: Sequence[int]) -> Tuple['OrderedDict[str, float]', dict]:
    """One :func:`evaluate_sgg` result from results over constraint
    subsets (same GT, same predictions)."""
    table, details = {}, dict(per_predicate={}, per_predicate_frame={})
    for metrics, det in parts:
        table.update(metrics)
        for name in ('per_predicate', 'per_predicate_frame'):
            details[name].update(det[name])
        details['absent_predicates'] = det['absent_predicates']
    metrics = OrderedDict(
        (k, table[k]) for k in metric_keys(constraints, sorted(ks)))
    for key in ('num_frames', 'num_frames_without_prediction',
                'num_frames_without_gt_triplets', 'num_gt_triplets'):
        metrics[key] = table[key]
    for name in ('per_predicate', 'per_predicate_frame'):
        details[name] = {c: details[name][c] for c in constraints}
    return metrics, details


def _candidate_settings(kwargs: dict) -> Tuple[float, int]:
    """``semi_threshold`` and ``top_k_no`` of an :func:`evaluate_sgg` call
    (its defaults where not given)."""
    params = inspect.signature(evaluate_sgg).parameters
    return tuple(kwargs.get(name, params[name].default)
                 for name in ('semi_threshold', 'top_k_no'))


def _child(conn, pred_file: str, constraints: List[str], ks: List[int],
           kwargs: dict) -> None:
    """The forked worker of :func:`evaluate_files` (see the module doc).

    Sends ``('ok', batch)`` or ``('error', exception)``, then receives the
    GT and sends ``('ok', (metrics, details))`` or ``('error', ...)``;
    returns quietly when the parent has gone.
    """
    try:
        try:
            batch = load_prediction_batch(pred_file)
            semi, top_k = _candidate_settings(kwargs)
            cands = {  # before the GT comes: the largest only
                c: build_candidates(batch, c, semi, top_k, limit=max(ks))
                for c in constraints if c == 'no'
            }
        except Exception as exc:  # raised in the parent
            conn.send(('error', exc))
            return
        conn.send(('ok', batch))
        gt = conn.recv()
        try:
            result = evaluate_sgg(gt, batch, constraints, ks,
                                  source=pred_file, candidates=cands,
                                  **kwargs)
        except Exception as exc:
            conn.send(('error', exc))
            return
        conn.send(('ok', result))
    except (BrokenPipeError, ConnectionResetError, EOFError):
        pass  # the parent stopped
    finally:
        conn.close()


def _receive(conn, proc) -> Any:
    """The worker's next value; its exception raised here."""
    try:
        status, value = conn.recv()
    except EOFError:
        proc.join()
        raise RuntimeError(
            'the forked evaluation worker ended without a result (exit code '
            f'{proc.exitcode}); rerun with --workers 1') from None
    if status == 'error':
        raise value
    return value


def evaluate_files(load_gt: Callable[[], GTTriplets],
                   pred_file: str,
                   constraints: Sequence[str] = CONSTRAINTS,
                   ks: Sequence[int] = (10, 20, 50, 100),
                   workers: int = 2,
                   **kwargs) -> Tuple['OrderedDict[str, float]', Dict]:
    """Load the GT and a prediction file and evaluate, on two processes.

    Args:
        load_gt (callable): Returns the GT triplets (run in this process).
        pred_file (str): The prediction file.
        constraints (Sequence[str]): Constraint modes to evaluate.
        ks (Sequence[int]): The Ks of R@K.
        workers (int): Processes; 1 (or no ``fork``) runs everything here,
            in order. Defaults to 2.
        **kwargs: The other arguments of :func:`evaluate_sgg` (not
            ``source``: the file is).

    Returns:
        tuple[OrderedDict, dict]: As :func:`evaluate_sgg`, equal to it.
    """
    constraints, ks = list(constraints), sorted(int(k) for k in ks)
    if not os.path.isfile(pred_file):  # before the GT is read
        raise FileNotFoundError(f'prediction file {pred_file} does not exist')
    if workers < 2 or not can_fork():
        gt = load_gt()
        return evaluate_sgg(gt, load_prediction_batch(pred_file),
                            constraints, ks, source=pred_file, **kwargs)
    # this process: the first constraint (the cheapest: 'with' holds 3
    # candidates per pair); the child: the others
    mine = [min(constraints, key=CONSTRAINTS.index)] \
        if len(constraints) > 1 else []
    theirs = [c for c in constraints if c not in mine]
    ctx = mp.get_context('fork')
    here, there = ctx.Pipe()
    proc = ctx.Process(target=_child,
                       args=(there, pred_file, theirs, ks, kwargs),
                       daemon=True)
    proc.start()
    there.close()
    try:
        gt = load_gt()
        batch = _receive(here, proc)
        here.send(gt)
        parts = [evaluate_sgg(gt, batch, mine, ks, source=pred_file,
                              **kwargs)] if mine else []
        parts.append(_receive(here, proc))
    except BaseException:
        proc.terminate()
        raise
    finally:
        here.close()
        proc.join()
    return _merge(parts, constraints, ks)
