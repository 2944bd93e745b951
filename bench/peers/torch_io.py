#!/usr/bin/python3
"""PyTorch peer for bench:io: torch.save and torch.load of a state dict of float32 tensors.

  /usr/bin/python3 bench/peers/torch_io.py --mb 256 --tensors 10 --runs 1 --dir /tmp

Prints one JSON line: framework, version, bytes (the file's size), save_gb_per_s and
load_gb_per_s (decimal GB/s, median over --runs), load_cpu_s (the process's CPU seconds in a load). bench:io runs it with --runs 1 in a fresh process
per round, as our load runs in a fresh process: within one process, later loads reuse memory the
allocator has already mapped and skip the page faults a fresh process pays.
Needs Debian's python3-torch; run it with /usr/bin/python3.
"""
import argparse
import json
import os
import statistics
import tempfile
import time

from torch_threads import pin_threads


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mb", type=float, default=256, help="total tensor bytes, in decimal MB")
    p.add_argument("--tensors", type=int, default=64)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--dir", default=tempfile.gettempdir())
    a = p.parse_args()
    torch = pin_threads(a.threads)
    torch.manual_seed(0)
    per_tensor = int(a.mb * 1e6 / 4 / a.tensors)
    state = {f"layer{i}.weight": torch.randn(per_tensor) for i in range(a.tensors)}
    path = os.path.join(a.dir, f"archbundle-torch-io-{os.getpid()}.pt")
    saves, loads, load_cpu = [], [], []
    try:
        for _ in range(a.runs):
            start = time.perf_counter()
            torch.save(state, path)
            saves.append(time.perf_counter() - start)
            start, cpu = time.perf_counter(), time.process_time()
            torch.load(path)
            loads.append(time.perf_counter() - start)
            load_cpu.append(time.process_time() - cpu)
        size = os.path.getsize(path)
    finally:
        if os.path.exists(path):
            os.remove(path)
    print(json.dumps({"framework": "pytorch", "version": torch.__version__, "bytes": size,
                      "save_gb_per_s": round(size / statistics.median(saves) / 1e9, 3),
                      "load_gb_per_s": round(size / statistics.median(loads) / 1e9, 3),
                      "load_cpu_s": round(statistics.median(load_cpu), 3)}))


if __name__ == "__main__":
    main()
