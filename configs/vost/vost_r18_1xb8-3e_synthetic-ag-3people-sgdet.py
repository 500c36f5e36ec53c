# Full VOST (the main job's config) on synthetic Action Genome with up to 3
# people per video (the loader's several-people extension,
# docs/dataset_preparation.md). `python tools/main_job.py --config THIS`
# makes the data (synthetic_max_people below) and trains; by hand:
#   python tools/dataset_converters/make_synthetic_ag.py \
#       data/synthetic_ag_3people --videos 1000 --frames 10 --seed 0 \
#       --max-people 3
# What changes for several people: 3 person anchors picked with NMS (each
# paired with the same 12 object proposals, so 36 pair queries), the
# several-people post-processing (person_box='per_subject') and metric
# (subjects='per_triplet'). The whole run: tools/run_several_people.sh.
_base_ = ['./vost_r18_1xb8-3e_synthetic-ag-sgdet.py']

data_root = 'data/synthetic_ag_3people/'
synthetic_max_people = 3  # how tools/main_job.py generates data_root
num_queries = 36

train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(data_root=data_root, subjects='per_triplet')
test_evaluator = val_evaluator

model = dict(
    query_generator=dict(
        num_queries=num_queries, num_person_anchors=3,
        person_anchor_iou=0.5),
    test_cfg=dict(max_per_img=num_queries, person_box='per_subject'))
