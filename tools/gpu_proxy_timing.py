"""How fast a GPU runs the evaluation's model step, measured without TensorFlow or ImageNet.

    python tools/gpu_proxy_timing.py        # needs torch, timm and a CUDA GPU; not a dependency

A proxy, for docs/evaluation.md's "How long it takes": timm's PyTorch port of
Inception-ResNet-v2 (the same network, 13.2 billion multiply-adds per image; random weights) in
float32 with TF32 off, as the evaluation runs; and a gather-based resize of a padded batch of
the same shapes as protocols.Protocol.resize_batch's (64 images of 500x375, 4 column taps then
4 row taps, as keras-applications). TensorFlow's own speed may differ.
"""

import json
import time

import timm
import torch

BATCHES = (64, 128)
IMAGES, HEIGHT, WIDTH, OUT, TAPS = 64, 500, 375, 299, 4


def seconds_per_call(fn, calls: int) -> float:
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    torch.cuda.synchronize()
    return (time.perf_counter() - started) / calls


def model_images_per_s(device) -> dict:
    model = timm.create_model("inception_resnet_v2", pretrained=False).to(device).eval()
    rates = {}
    with torch.no_grad():
        for batch in BATCHES:
            x = torch.randn(batch, 3, OUT, OUT, device=device)
            rates[batch] = batch / seconds_per_call(lambda x=x: model(x), 10)
    return rates


def resize_ms(device) -> float:
    pixels = torch.randint(0, 256, (IMAGES, HEIGHT * WIDTH, 3), dtype=torch.uint8, device=device)
    cidx = torch.randint(0, WIDTH, (IMAGES, OUT, TAPS), device=device)
    ridx = torch.randint(0, HEIGHT, (IMAGES, OUT, TAPS), device=device)
    cw, rw = (
        torch.rand(IMAGES, OUT, TAPS, device=device),
        torch.rand(IMAGES, OUT, TAPS, device=device),
    )
    row_starts = (torch.arange(HEIGHT, device=device) * WIDTH)[None, :, None]

    def resize():
        x = 0
        for k in range(TAPS):
            flat = (row_starts + cidx[:, None, :, k]).reshape(IMAGES, -1, 1).expand(-1, -1, 3)
            columns = torch.gather(pixels, 1, flat).float().reshape(IMAGES, HEIGHT, OUT, 3)
            x = x + columns * cw[:, None, :, k, None]
        y = 0
        for k in range(TAPS):
            rows = torch.gather(x, 1, ridx[:, :, k, None, None].expand(-1, -1, OUT, 3))
            y = y + rows * rw[:, :, k, None, None]
        return y

    return 1e3 * seconds_per_call(resize, 20)


def main() -> None:
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    device = torch.device("cuda")
    result = {
        "gpu": torch.cuda.get_device_name(0),
        "torch": torch.__version__,
        "timm": timm.__version__,
        "model_float32_images_per_s": model_images_per_s(device),
        "resize_64_images_ms": resize_ms(device),
    }
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
