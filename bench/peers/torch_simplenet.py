#!/usr/bin/python3
"""PyTorch peer for bench:train: SimpleNet (the reference implementation's layer plan) trained with
Adam or run for inference on a fixed random batch, at a given thread count.

  /usr/bin/python3 bench/peers/torch_simplenet.py --mode train --channels 16 --resolution 1,28,28 --batch 128 --threads 1

Prints one JSON line: framework, version, mode, threads (as torch reports them), batch, channels,
resolution, ms_per_step (mean over --steps after --warmup), images_per_s, parameters.
Needs Debian's python3-torch; run it with /usr/bin/python3.
"""
import argparse
import json
import time

from torch_threads import pin_threads


def conv_plan(channels, height, width):
    """(out_channels, kernel, max_pool_after) per conv block, as the reference implementation's
    SimpleNet lays them out: blocks 9 and 10 exist only for inputs of at least 32x32."""
    c = channels
    large = height >= 32 and width >= 32
    blocks = [(c, 3, False), (2 * c, 3, False), (2 * c, 3, False), (2 * c, 3, True),
              (2 * c, 3, False), (2 * c, 3, False), (4 * c, 3, True),
              (4 * c if large else 8 * c, 3, False)]
    if large:
        blocks += [(4 * c, 3, True), (8 * c, 3, True)]
    return blocks + [(32 * c, 1, False), (4 * c, 1, True), (4 * c, 3, False)]


def simplenet(torch, classes, resolution, channels, batch_norm):
    nn = torch.nn
    cin, height, width = resolution
    layers, halvings = [], 0
    for cout, kernel, pool in conv_plan(channels, height, width):
        layers.append(nn.Conv2d(cin, cout, kernel, padding=kernel // 2))
        if batch_norm:
            layers.append(nn.BatchNorm2d(cout))
        layers.append(nn.ReLU())
        if pool:
            layers.append(nn.MaxPool2d(2))
            halvings += 1
        cin = cout
    # global max pool over what is left, then the classifier
    layers += [nn.MaxPool2d((height >> halvings, width >> halvings)), nn.Flatten(), nn.Linear(cin, classes)]
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    p.add_argument("--channels", type=int, default=16)
    p.add_argument("--resolution", default="1,28,28")
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--normalization", choices=["bn", "none"], default="bn")
    a = p.parse_args()
    torch = pin_threads(a.threads)
    torch.manual_seed(0)
    resolution = [int(v) for v in a.resolution.split(",")]
    model = simplenet(torch, a.classes, resolution, a.channels, a.normalization == "bn")
    x = torch.randn(a.batch, *resolution)
    y = torch.randint(0, a.classes, (a.batch,))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train = a.mode == "train"
    model.train(train)

    def step():
        if train:
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x), y).backward()
            optimizer.step()
        else:
            with torch.no_grad():
                model(x)

    for _ in range(a.warmup):
        step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = (time.perf_counter() - start) / a.steps
    print(json.dumps({"framework": "pytorch", "version": torch.__version__, "mode": a.mode,
                      "threads": torch.get_num_threads(), "batch": a.batch, "channels": a.channels,
                      "resolution": resolution, "ms_per_step": round(seconds * 1000, 2),
                      "images_per_s": round(a.batch / seconds, 1),
                      "parameters": sum(t.numel() for t in model.parameters())}))


if __name__ == "__main__":
    main()
