"""High-level APIs: build a model and run it on new videos."""
from .inference import (build_inference_pipeline, frames_from_input,
                        inference_video, init_sg_model, make_video_dict)

__all__ = [
    'init_sg_model', 'build_inference_pipeline', 'frames_from_input',
    'make_video_dict', 'inference_video'
]
