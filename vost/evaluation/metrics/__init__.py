"""mmengine metrics of the Action Genome scene graph evaluation."""
from .ag_sgg_metric import ActionGenomeSGGMetric, load_gt_triplets
from .dump_sg_predictions import DumpSGPredictions
from .frame_result_gathering import gather_frame_results

__all__ = [
    'ActionGenomeSGGMetric', 'DumpSGPredictions', 'load_gt_triplets',
    'gather_frame_results'
]
