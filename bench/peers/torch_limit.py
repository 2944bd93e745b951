#!/usr/bin/python3
"""PyTorch peer for bench:limit: GFLOP/s of one large float32 GEMM and one large convolution, the
same shapes bench/limit.ts gives our wasm build, at a given thread count.

  /usr/bin/python3 bench/peers/torch_limit.py --gemm 1024,1024,1024 --conv 16,56,56,64,64,3 --threads 1

--gemm M,K,N multiplies [M,K] by [K,N] (2*M*K*N FLOPs). --conv B,H,W,Ci,Co,k is a stride-1 'same'
convolution of B images HxWxCi by a kxk filter to Co channels (2*B*H*W*Co*Ci*k*k FLOPs).
Debian's torch.mm runs on the system's generic BLAS (BLAS_INFO=generic in torch.__config__.show()),
while its convolutions run oneDNN's JIT kernels; so the same GEMM is also timed as a 1x1 convolution
(16 images of K channels and M/16 pixels, by N filters of K; oneDNN takes convolutions with a batch
of at least 16), which is PyTorch's fastest float32 GEMM here: "gemm_onednn". M must divide by 16.
Prints one JSON line: framework, version, threads, and per op (gemm, gemm_onednn, conv) its shape,
ms (median over --runs after one warm-up) and gflop_per_s. Needs Debian's python3-torch; run it with /usr/bin/python3.
"""
import argparse
import json
import statistics
import time

from torch_threads import pin_threads


def median_ms(work, runs):
    work()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--gemm", default="1024,1024,1024")
    p.add_argument("--conv", default="16,56,56,64,64,3")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    torch = pin_threads(a.threads)
    torch.manual_seed(0)
    m, k, n = (int(v) for v in a.gemm.split(","))
    b, h, w, ci, co, kk = (int(v) for v in a.conv.split(","))
    x, y = torch.randn(m, k), torch.randn(k, n)
    images, filters = torch.randn(b, ci, h, w), torch.randn(co, ci, kk, kk)
    with torch.no_grad():
        gemm_ms = median_ms(lambda: torch.mm(x, y), a.runs)
        rows = x.reshape(16, m // 16, k).permute(0, 2, 1).reshape(16, k, m // 16, 1).contiguous()
        cols = y.t().reshape(n, k, 1, 1).contiguous()
        gemm_onednn_ms = median_ms(lambda: torch.nn.functional.conv2d(rows, cols), a.runs)
        conv_ms = median_ms(lambda: torch.nn.functional.conv2d(images, filters, padding=kk // 2), a.runs)
    gemm_flops = 2 * m * k * n
    conv_flops = 2 * b * h * w * co * ci * kk * kk
    print(json.dumps({"framework": "pytorch", "version": torch.__version__, "threads": torch.get_num_threads(),
                      "gemm": {"shape": [m, k, n], "ms": round(gemm_ms, 3),
                               "gflop_per_s": round(gemm_flops / gemm_ms / 1e6, 2)},
                      "gemm_onednn": {"shape": [m, k, n], "ms": round(gemm_onednn_ms, 3),
                                      "gflop_per_s": round(gemm_flops / gemm_onednn_ms / 1e6, 2)},
                      "conv": {"shape": [b, h, w, ci, co, kk], "ms": round(conv_ms, 3),
                               "gflop_per_s": round(conv_flops / conv_ms / 1e6, 2)}}))


if __name__ == "__main__":
    main()
