"""The generated fake validation tar is what the other tests rely on."""

import tarfile

import numpy as np
import pytest
import tensorflow as tf

from fixtures import fake_imagenet

pytestmark = pytest.mark.eval

# tensorflow_datasets/datasets/imagenet2012/validation_labels.txt (docs/sources.md): the first
# ten validation labels.
FIRST_TEN_LABELS = [65, 970, 230, 809, 516, 57, 334, 415, 674, 332]


def test_labels_are_tfds_bundled_ones():
    assert fake_imagenet.tfds_validation_labels()[:10] == FIRST_TEN_LABELS
    assert len(fake_imagenet.tfds_validation_labels()) == 50_000


def test_tar_holds_images_1_to_n_as_plain_top_level_files(fake_val):
    manual, plan = fake_val
    with tarfile.open(manual / "ILSVRC2012_img_val.tar") as tar:
        members = tar.getmembers()
    assert all(m.isfile() for m in members)
    assert sorted(m.name for m in members) == [
        f"ILSVRC2012_val_{i:08d}.JPEG" for i in range(1, len(plan) + 1)
    ]


def test_every_image_decodes_to_the_class_it_encodes(fake_val):
    manual, plan = fake_val
    with tarfile.open(manual / "ILSVRC2012_img_val.tar") as tar:
        for image in plan:
            pixels = tf.io.decode_jpeg(tar.extractfile(image.name).read(), channels=3).numpy()
            assert pixels.shape == (image.height, image.width, 3)
            levels = np.floor(pixels[..., :2].astype(float) / fake_imagenet.LEVEL)
            assert (levels[..., 0] * 32 + levels[..., 1] == image.encoded).all()


def test_plan_mixes_outcomes_sizes_and_flavours(fake_val):
    _, plan = fake_val
    outcomes = [fake_imagenet.outcome(im.encoded, im.label) for im in plan]
    assert {o: outcomes.count(o) > 0 for o in fake_imagenet.OUTCOMES} == dict.fromkeys(
        fake_imagenet.OUTCOMES, True
    )
    assert {im.flavour for im in plan} == {"420", "444", "progressive", "gray"}
    assert any(im.height > im.width for im in plan) and any(im.width > im.height for im in plan)
    assert min(min(im.height, im.width) for im in plan) < 299 < max(im.width for im in plan)


def test_outcome_rule():
    # The oracle ranks c, c+1 .. c+4 (mod 1000): a label c+2 is a top-5 hit, c+5 a miss.
    outcome = fake_imagenet.outcome
    assert outcome(10, 10) == "top1"
    assert outcome(10, 12) == "top5"
    assert outcome(998, 2) == "top5"
    assert outcome(10, 15) == "miss"
    assert outcome(10, 9) == "miss"
