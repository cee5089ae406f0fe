"""The PyTorch side of `npm run bench -- lora-extract`: the same extraction tvhub's publish-vector --lora-rank does.

  square N RANK OVERSAMPLING NITER THREADS
      a random N × N float32 τ; torch.svd_lowrank(τ, q=RANK+OVERSAMPLING, niter=NITER), A = √S·Vᵀ, B = U·√S, and
      ‖τ − B·A‖/‖τ‖ (tvhub measures it too); prints {"seconds": ..., "cpu_seconds": ...} for the extraction alone,
      and "svd_seconds" for a second torch.svd_lowrank call alone.
  model BASE FT OUT RANK OVERSAMPLING NITER THREADS
      every 2-D weight but embeddings and lm_head: τ = ft − base in float32, the same factorization and error, the
      factors written with safetensors; other tensors copied whole (modules_to_save); prints {"seconds": ...} from
      opening the files to the written adapter.
"""
import json
import sys
import time

import torch


def factor(tau, rank, oversampling, niter):
    q = min(rank + oversampling, *tau.shape)
    u, s, v = torch.svd_lowrank(tau, q=q, niter=niter)
    k = min(rank, q)
    root = s[:k].sqrt()
    a = root[:, None] * v[:, :k].T
    b = u[:, :k] * root[None, :]
    error = (torch.linalg.matrix_norm(tau - b @ a) / torch.linalg.matrix_norm(tau)).item()
    return a.contiguous(), b.contiguous(), error


def main():
    mode = sys.argv[1]
    if mode == "square":
        n, rank, oversampling, niter, threads = map(int, sys.argv[2:7])
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        factor(torch.randn(256, 256), rank, oversampling, niter)  # warm-up, as tvhub's side has
        tau = torch.randn(n, n) * 0.002
        start = time.perf_counter()
        cpu = time.process_time()
        _, _, error = factor(tau, rank, oversampling, niter)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu
        # The SVD alone, as tvhub's side measures it too: the error step allocates two fresh 64 MB tensors, which
        # costs more than the products on a machine with slow page faults.
        start_svd = time.perf_counter()
        torch.svd_lowrank(tau, q=min(rank + oversampling, n), niter=niter)
        svd_seconds = time.perf_counter() - start_svd
        print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "error": error, "svd_seconds": svd_seconds, "threads": torch.get_num_threads(), "torch": torch.__version__}))
        return
    from safetensors import safe_open
    from safetensors.torch import save_file
    import glob, os

    base_dir, ft_dir, out = sys.argv[2:5]
    rank, oversampling, niter, threads = map(int, sys.argv[5:9])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    start = time.perf_counter()
    files = sorted(glob.glob(os.path.join(base_dir, "*.safetensors")))
    tensors = {}
    for path in files:
        name = os.path.basename(path)
        with safe_open(path, "pt") as b, safe_open(os.path.join(ft_dir, name), "pt") as f:
            for key in b.keys():
                ft = f.get_tensor(key)
                if ft.dim() == 2 and "embed" not in key and "lm_head" not in key:
                    tau = ft.float() - b.get_tensor(key).float()
                    a, bb, _ = factor(tau, rank, oversampling, niter)
                    module = key[: -len(".weight")]
                    tensors[f"base_model.model.{module}.lora_A.weight"] = a
                    tensors[f"base_model.model.{module}.lora_B.weight"] = bb
                else:
                    tensors[f"base_model.model.{key}"] = ft
    save_file(tensors, out, metadata={"format": "pt"})
    print(json.dumps({"seconds": time.perf_counter() - start, "threads": torch.get_num_threads(), "torch": torch.__version__}))


main()
