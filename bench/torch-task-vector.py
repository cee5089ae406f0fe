#!/usr/bin/env python3
"""The task vector tau = theta_ft - theta_base with PyTorch: the reference `npm run bench -- publish-vector` times.

It is the script an ML engineer would write to produce what `tvhub publish-vector --base B --finetuned F --to DIR`
writes, with the `safetensors` package's approach but not the package (the bench machine has no PyPI):

- Both models are read through model.safetensors.index.json or a single model.safetensors: each header parsed with
  struct + json, each file mapped with mmap and every tensor a zero-copy torch.frombuffer view of the mapping, as
  safetensors.torch.load_file does.
- For every floating-point tensor of the base: tau = (ft.float() - base.float()).to(dtype), DESIGN.md's
  "Arithmetic semantics": one float32 subtraction, one round-to-nearest-even to the output dtype (the fine-tune's
  unless --dtype says otherwise), computed a slice of 1 Mi elements at a time in reused buffers (see below).
  Integer and bool tensors are not part of tau.
- The output is laid out as tvhub lays it out (so the files are byte-identical when tau is): huggingface_hub's
  shard rule with --max-shard-size (5 GB default), task_vector.safetensors or task_vector-0000k-of-0000n.safetensors
  plus task_vector.safetensors.index.json, and each file's header as safetensors' serializer writes it (tensors
  sorted by dtype then name, compact JSON, space padding to 8 bytes), with no __metadata__ (tvhub writes none).
- The sha256 that an upload needs is computed as the bytes are written (not by reading the file back).
- Files are written into a staging folder beside --to, fsynced, then renamed into --to, which is fsynced: a crash
  never leaves a truncated file under a final name. (On /dev/shm fsync costs nothing.)
- The L2 norm of the stored tau (the card reports it): float32 sums of 1 Mi-element slices added in float64.

By default it computes, hashes and writes in turn on one Python thread (the torch operations use
torch.get_num_threads() threads), as such a script usually does; --overlap hashes and writes each slice on a
second Python thread while the next one is computed. Unlike tvhub it computes no reconstruction check (base + tau
against the fine-tune) and writes no card or tvhub.json. Memory: a few slices besides torch itself, plus the pages
of the mapped inputs that it touched (they count in the process's RSS but are page cache, not allocations).

Prints one JSON object on stdout: files (path, size, sha256), norm, tensors, parameters, threads, overlap, seconds.
"""

import argparse
import hashlib
import json
import math
import mmap
import os
import queue
import shutil
import struct
import sys
import tempfile
import threading
import time
import warnings

started = time.perf_counter()
import torch  # noqa: E402 (timed: importing torch is a good part of a short run)

imported = time.perf_counter()

DTYPES = {"F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
SIZES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2}
# The Dtype enum of huggingface/safetensors (safetensors/src/tensor.rs): its serializer sorts tensors by it,
# descending, then by name.
DTYPE_ORDER = ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
# Elements computed at a time: 4 MiB of float32 per operand, which stays in cache.
SLICE = 1 << 20
# torch.frombuffer over a read-only mapping warns on every call; nothing here writes through those views.
warnings.filterwarnings("ignore", message="The given buffer is not writable")


class Model:
    """A safetensors model, one file or shards behind an index, mapped read-only."""

    def __init__(self, path):
        self.path = path
        index = os.path.join(path, "model.safetensors.index.json")
        if os.path.exists(index):
            with open(index) as f:
                weight_map = json.load(f)["weight_map"]
            files = sorted(set(weight_map.values()))
        elif os.path.exists(os.path.join(path, "model.safetensors")):
            files = ["model.safetensors"]
        else:
            raise SystemExit(f"{path} has neither model.safetensors.index.json nor model.safetensors; give a model folder.")
        self.maps = {}
        self.tensors = {}  # name -> (file, dtype, shape, absolute begin, absolute end), in file order then data order
        for file in files:
            with open(os.path.join(path, file), "rb") as f:
                (length,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(length))
                self.maps[file] = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            header.pop("__metadata__", None)
            for name, info in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
                begin, end = info["data_offsets"]
                self.tensors[name] = (file, info["dtype"], info["shape"], 8 + length + begin, 8 + length + end)

    def tensor(self, name):
        file, dtype, shape, begin, end = self.tensors[name]
        count = (end - begin) // SIZES[dtype]
        if count == 0:
            return torch.empty(shape, dtype=DTYPES[dtype])
        return torch.frombuffer(self.maps[file], dtype=DTYPES[dtype], count=count, offset=begin).view(shape)


def shard(tensors, max_shard_size):
    """huggingface_hub's split_torch_state_dict_into_shards, as tvhub's planModelLayout applies it."""
    shards, current, size = [], [], 0
    for tensor in tensors:
        nbytes = tensor["nbytes"]
        if nbytes > max_shard_size:
            shards.append([tensor])
            continue
        if size + nbytes > max_shard_size:
            shards.append(current)
            current, size = [], 0
        current.append(tensor)
        size += nbytes
    if current or not shards:
        shards.append(current)
    return shards


def header_of(tensors):
    """The header safetensors' serializer writes, and the tensors in the order their bytes follow it."""
    ordered = sorted(tensors, key=lambda t: (-DTYPE_ORDER.index(t["dtype"]), t["name"]))
    entries, offset = {}, 0
    for t in ordered:
        entries[t["name"]] = {"dtype": t["dtype"], "shape": t["shape"], "data_offsets": [offset, offset + t["nbytes"]]}
        offset += t["nbytes"]
    text = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text, ordered


class Writer:
    """Hashes and writes slices in order, on the calling thread or, with overlap, on a thread of its own while the
    next slice is computed (hashlib and file writes release the GIL). Slices live in a few reused buffers."""

    def __init__(self, overlap, slice_bytes):
        self.buffers = [bytearray(slice_bytes) for _ in range(3 if overlap else 1)]
        self.free = queue.Queue()
        for buffer in self.buffers:
            self.free.put(buffer)
        self.seconds = 0.0
        self.error = None
        self.pending = queue.Queue() if overlap else None
        if overlap:
            threading.Thread(target=self._run, daemon=True).start()

    def buffer(self):
        """A free buffer: waits while all of them are being hashed and written."""
        buffer = self.free.get()
        if self.error is not None:
            raise self.error
        return buffer

    def write(self, file, digest, buffer, nbytes):
        if self.pending is None:
            self._write(file, digest, buffer, nbytes)
        else:
            self.pending.put((file, digest, buffer, nbytes))

    def drain(self):
        """Waits until every slice handed over is written."""
        held = [self.free.get() for _ in self.buffers]
        for buffer in held:
            self.free.put(buffer)
        if self.error is not None:
            raise self.error

    def _write(self, file, digest, buffer, nbytes):
        clock = time.perf_counter()
        try:
            data = memoryview(buffer)[:nbytes]
            digest.update(data)
            file.write(data)
        except BaseException as error:  # surfaces on the main thread at its next buffer() or drain()
            self.error = error
        finally:
            self.seconds += time.perf_counter() - clock
            self.free.put(buffer)

    def _run(self):
        while True:
            self._write(*self.pending.get())


def main():
    parser = argparse.ArgumentParser(description="tau = theta_ft - theta_base with PyTorch, written as tvhub writes it.")
    parser.add_argument("--base", required=True, help="the base model's folder")
    parser.add_argument("--finetuned", required=True, help="the fine-tuned model's folder")
    parser.add_argument("--to", required=True, help="the output folder (created; must not hold files)")
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads; 0 keeps PyTorch's default (every core)")
    parser.add_argument("--dtype", choices=sorted(DTYPES), help="dtype of tau (default: the fine-tune's, tensor by tensor)")
    parser.add_argument("--max-shard-size", type=int, default=5_000_000_000, help="bytes of tensor data per shard at most")
    parser.add_argument("--overlap", action="store_true", help="hash and write on a second Python thread while the next slice is computed")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if os.path.isdir(args.to) and os.listdir(args.to):
        raise SystemExit(f"{args.to} already holds files; give an empty or new folder.")

    base, finetuned = Model(args.base), Model(args.finetuned)
    planned = []
    for name, (_, dtype, shape, begin, end) in base.tensors.items():
        if dtype not in DTYPES:
            continue  # integer and bool tensors never enter tau
        theirs = finetuned.tensors.get(name)
        if theirs is None or theirs[2] != shape or theirs[1] not in DTYPES:
            raise SystemExit(f"{args.finetuned} has no floating-point tensor {name} of shape {shape}; the models do not match.")
        out = args.dtype or theirs[1]
        count = (end - begin) // SIZES[dtype]
        planned.append({"name": name, "dtype": out, "shape": shape, "count": count, "nbytes": count * SIZES[out]})
    shards = shard(planned, args.max_shard_size)
    names = (
        ["task_vector.safetensors"]
        if len(shards) == 1
        else [f"task_vector-{i + 1:05d}-of-{len(shards):05d}.safetensors" for i in range(len(shards))]
    )

    # Two float32 buffers and the writer's output buffers of a slice, reused throughout: the whole-tensor expression
    # (ft.float() - base.float()).to(dtype) allocates three fresh float32 tensors per tensor and their page faults
    # made it 2 to 10 times slower here; a slice that stays in cache is faster still, and memory stays bounded.
    ft32, base32 = torch.empty(SLICE, dtype=torch.float32), torch.empty(SLICE, dtype=torch.float32)
    writer = Writer(args.overlap, SLICE * 8)
    views = {id(buffer): torch.frombuffer(buffer, dtype=torch.uint8) for buffer in writer.buffers}

    to = os.path.abspath(args.to)
    os.makedirs(os.path.dirname(to), exist_ok=True)
    stage = tempfile.mkdtemp(prefix=f".{os.path.basename(to)}.torch-", dir=os.path.dirname(to))
    files, sum_of_squares, computing, syncing = [], 0.0, 0.0, 0.0
    try:
        for name, tensors in zip(names, shards):
            header, ordered = header_of(tensors)
            digest = hashlib.sha256(header)
            with open(os.path.join(stage, name), "wb") as f:
                f.write(header)
                for t in ordered:
                    ft = finetuned.tensor(t["name"]).reshape(-1)
                    base_values = base.tensor(t["name"]).reshape(-1)
                    size = SIZES[t["dtype"]]
                    for start in range(0, t["count"], SLICE):
                        buffer = writer.buffer()
                        clock = time.perf_counter()
                        count = min(SLICE, t["count"] - start)
                        tau, other = ft32[:count], base32[:count]
                        tau.copy_(ft[start : start + count])  # ft.float()
                        other.copy_(base_values[start : start + count])  # base.float()
                        tau.sub_(other)  # one float32 subtraction
                        stored = views[id(buffer)][: count * size].view(DTYPES[t["dtype"]])
                        stored.copy_(tau)  # .to(dtype): round to nearest even
                        # ‖τ‖² of the stored values: a float32 pairwise sum per slice (relative error ~1e-8), added
                        # in a Python float. torch.linalg.vector_norm of a whole tensor in float32 is off by about 1%
                        # at 10^8 elements here, and with dtype=float64 it runs 2 to 3 times slower.
                        other.copy_(stored)
                        sum_of_squares += other.square().sum().item()
                        computing += time.perf_counter() - clock
                        writer.write(f, digest, buffer, count * size)
                clock = time.perf_counter()
                writer.drain()
                f.flush()
                os.fsync(f.fileno())
                syncing += time.perf_counter() - clock
            files.append({"path": name, "size": os.path.getsize(os.path.join(stage, name)), "sha256": digest.hexdigest()})
        if len(shards) > 1:
            weight_map = {t["name"]: name for name, tensors in zip(names, shards) for t in tensors}
            index = {"metadata": {"total_size": sum(t["nbytes"] for t in planned)}, "weight_map": weight_map}
            text = (json.dumps(index, indent=2, sort_keys=True) + "\n").encode()  # as Transformers writes it
            index_name = "task_vector.safetensors.index.json"
            with open(os.path.join(stage, index_name), "wb") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            names.append(index_name)
            files.append({"path": index_name, "size": len(text), "sha256": hashlib.sha256(text).hexdigest()})
        os.makedirs(to, exist_ok=True)
        for name in names:
            os.replace(os.path.join(stage, name), os.path.join(to, name))
        directory = os.open(to, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    finally:
        shutil.rmtree(stage, ignore_errors=True)

    json.dump(
        {
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "overlap": args.overlap,
            "files": files,
            # null when τ holds NaN or ±Inf, as tvhub's --json prints it (JSON has no NaN).
            "norm": sum_of_squares**0.5 if math.isfinite(sum_of_squares) else None,
            "tensors": len(planned),
            "parameters": sum(t["count"] for t in planned),
            "seconds": {
                "import": imported - started,
                "compute": computing,
                # On the writer's thread with --overlap, so then it overlaps "compute".
                "hashAndWrite": writer.seconds,
                "fsync": syncing,
                "total": time.perf_counter() - started,
            },
        },
        sys.stdout,
        indent=2,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
