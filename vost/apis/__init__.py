"""High-level APIs: build a model and run it on new videos."""
from .inference import (build_inference_pipeline, frames_from_input,
                        inference_video, init_sg_model, make_video_dict)
from .streaming import StreamingSGInference
from .video_input import (DEFAULT_SAMPLE_FPS, VideoInfo, decode_key_frames,
                          key_frame_input, probe_video, sample_key_frames)

__all__ = [
    'init_sg_model', 'build_inference_pipeline', 'frames_from_input',
    'make_video_dict', 'inference_video', 'StreamingSGInference',
    'VideoInfo', 'probe_video', 'sample_key_frames', 'decode_key_frames',
    'key_frame_input', 'DEFAULT_SAMPLE_FPS'
]
