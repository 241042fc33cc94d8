"""The throughput benchmark runs end to end (its numbers are recorded in docs/evaluation.md)."""

import pytest

from inception_repro.evaluate import PROTOCOL_NAMES, benchmark

pytestmark = pytest.mark.eval


def test_benchmark_measures_decode_and_every_protocol(tmp_path):
    result = benchmark.measure(tmp_path, images=6, repeats=1)
    assert result["images"] == 6 and result["mean_jpeg_kb"] > 20
    measured = ["raw decode", "records", "records + decode", *PROTOCOL_NAMES]
    for numbers in (result["images_per_s"], result["cpu_ms_per_image"]):
        assert list(numbers) == measured
        assert all(0 < value < float("inf") for value in numbers.values())
    table = benchmark.table(result)
    assert table.count("| pipeline, ") == len(PROTOCOL_NAMES)
    assert "| raw decode (JPEG bytes in memory) |" in table


def test_generated_jpegs_are_imagenet_sized(tmp_path):
    import tarfile

    jpegs = benchmark.write_tar(tmp_path, 3)
    with tarfile.open(tmp_path / "ILSVRC2012_img_val.tar") as tar:
        assert tar.getnames() == [f"ILSVRC2012_val_{i:08d}.JPEG" for i in (1, 2, 3)]
    assert all(60_000 < len(j) < 400_000 for j in jpegs)
