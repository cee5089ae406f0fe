"""PyTorch baselines for bench/adapter-dense.ts: a LoRA adapter's dense update, s * (B @ A), in float32.

  kernel --out O --in I --rank R --repetitions N --threads T
      times torch.mm(B, A).mul_(s) on random float32 factors (the product alone), wall and CPU seconds of N; prints JSON.
  folder --adapter DIR --to DIR --threads T
      reads DIR/adapter_model.safetensors and adapter_config.json (r, lora_alpha, no patterns), writes every
      module's s * (B @ A) in bfloat16 to task_vector.safetensors, as tvhub publish-vector does; prints JSON
      with the seconds from reading the adapter to the file on disk (the import of torch excluded).
"""

import argparse
import json
import os
import time

import torch


def kernel(args):
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(args.rank, args.in_features, generator=generator)
    b = torch.randn(args.out, args.rank, generator=generator)
    s = 2.0
    torch.mm(b, a).mul_(s)  # warm-up
    seconds = []
    cpu_seconds = []
    for _ in range(args.repetitions):
        start = time.perf_counter()
        cpu = time.process_time()
        torch.mm(b, a).mul_(s)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
    print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "threads": torch.get_num_threads(), "version": torch.__version__}))


def folder(args):
    from safetensors import safe_open
    from safetensors.torch import save_file

    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    with open(os.path.join(args.adapter, "adapter_config.json")) as f:
        config = json.load(f)
    s = config["lora_alpha"] / config["r"]
    out = {}
    prefix = "base_model.model."
    with safe_open(os.path.join(args.adapter, "adapter_model.safetensors"), "pt") as file:
        for key in file.keys():
            if not key.endswith(".lora_A.weight"):
                continue
            module = key[len(prefix) : -len(".lora_A.weight")]
            a = file.get_tensor(key).float()
            b = file.get_tensor(f"{prefix}{module}.lora_B.weight").float()
            out[f"{module}.weight"] = torch.mm(b, a).mul_(s).to(torch.bfloat16)
    os.makedirs(args.to, exist_ok=True)
    save_file(out, os.path.join(args.to, "task_vector.safetensors"), metadata={"format": "pt"})
    print(json.dumps({"seconds": time.perf_counter() - start, "threads": torch.get_num_threads(), "version": torch.__version__}))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    k = sub.add_parser("kernel")
    k.add_argument("--out", type=int, required=True)
    k.add_argument("--in", dest="in_features", type=int, required=True)
    k.add_argument("--rank", type=int, required=True)
    k.add_argument("--repetitions", type=int, default=5)
    k.add_argument("--threads", type=int, default=1)
    f = sub.add_parser("folder")
    f.add_argument("--adapter", required=True)
    f.add_argument("--to", required=True)
    f.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    kernel(args) if args.mode == "kernel" else folder(args)


if __name__ == "__main__":
    main()
