"""The throughput benchmark runs end to end (its numbers are recorded in docs/evaluation.md)."""

import pytest

from inception_repro.evaluate import PROTOCOL_NAMES, benchmark

pytestmark = pytest.mark.eval


def test_benchmark_measures_decode_and_every_protocol(tmp_path):
    result = benchmark.measure(tmp_path, images=6, repeats=1)
    assert result["images"] == 6 and result["mean_jpeg_kb"] > 20
    assert result["decode"] > 0 and result["records_decode"] > 0
    assert set(result["pipeline"]) == set(PROTOCOL_NAMES)
    assert all(rate > 0 for rate in result["pipeline"].values())
    table = benchmark.table(result)
    assert table.count("| pipeline, ") == len(PROTOCOL_NAMES)


def test_generated_jpegs_are_imagenet_sized(tmp_path):
    import tarfile

    jpegs = benchmark.write_tar(tmp_path, 3)
    with tarfile.open(tmp_path / "ILSVRC2012_img_val.tar") as tar:
        assert tar.getnames() == [f"ILSVRC2012_val_{i:08d}.JPEG" for i in (1, 2, 3)]
    assert all(60_000 < len(j) < 400_000 for j in jpegs)
