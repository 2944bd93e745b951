"""Thread settings for the PyTorch peers, applied before torch is imported.

OpenMP and MKL read their thread counts once, when torch loads them; torch.set_num_threads alone
sets intra-op parallelism but leaves the inter-op pool at its default, so both are pinned here and
the benches compare against PyTorch at exactly the thread count our side runs with.
"""
import os


def pin_threads(threads):
    """Sets OMP/MKL thread counts, then imports torch and pins its intra- and inter-op pools."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = str(threads)
    import torch

    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(threads)
    except RuntimeError:
        pass  # already set in this process (only possible once, before any parallel work)
    return torch
