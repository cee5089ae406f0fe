"""Drives the real huggingface_hub client, with its defaults (hf_xet installed, so every LFS-sized file goes
through Xet), against a local Hub, and reports what it saw as one JSON object.

Usage: python xet_scenarios.py CONFIG_JSON SCENARIO...
CONFIG_JSON: {"prefix", "work", "token"}. HF_ENDPOINT, HF_HOME, HF_HUB_CACHE and HF_XET_CACHE must already point at
the local Hub and a scratch folder (the test sets them). The last stdout line is
{"version": ..., "results": {scenario: observations | {"error": ...}}}; the test judges it.
"""

import array
import hashlib
import json
import os
import random
import struct
import sys
import traceback

import huggingface_hub
from huggingface_hub import HfApi, hf_hub_download

config = json.loads(sys.argv[1])
p = config["prefix"]
work = config["work"]
api = HfApi(token=config["token"])
user = api.whoami()["name"]


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write(name, data):
    path = os.path.join(work, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def weights(count, seed):
    """float32 values shaped like trained weights (small, centred, no repeats), which hf_xet compresses with BG4+LZ4."""
    step = 2654435761 + seed
    return array.array("f", ((i * step % 1000003) / 25000075 - 0.02 for i in range(count))).tobytes()


def safetensors(tensors):
    """A real safetensors file: an 8-byte header length, the JSON header, then the F32 data."""
    header, offset, blobs = {}, 0, []
    for name, shape, data in tensors:
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def downloaded(repo, paths):
    return {path: sha256_of(hf_hub_download(repo, path)) for path in paths}


def upload_file():
    repo = f"{user}/{p}-files"
    api.create_repo(repo)
    # 12 MB of random bytes (incompressible: chunks stored as-is), ~60 MB half weights half random (LZ4 and BG4).
    small = write("files/twelve.bin", random.Random(1).randbytes(12 * 1024 * 1024))
    large = write("files/sixty.bin", weights(7_500_000, 2) + random.Random(3).randbytes(30 * 1024 * 1024))
    first = api.upload_file(path_or_fileobj=small, path_in_repo="twelve.bin", repo_id=repo)
    second = api.upload_file(path_or_fileobj=large, path_in_repo="data/sixty.bin", repo_id=repo)
    return {
        "repo": repo,
        "commits": [first.oid, second.oid],
        "local": {"twelve.bin": sha256_of(small), "data/sixty.bin": sha256_of(large)},
        "downloaded": downloaded(repo, ["twelve.bin", "data/sixty.bin"]),
    }


def upload_folder():
    repo = f"{user}/{p}-model"
    api.create_repo(repo)
    folder = os.path.join(work, "model")
    write("model/model.safetensors", safetensors([
        ("model.embed.weight", [512, 1024], weights(512 * 1024, 4)),
        ("model.layers.0.mlp.weight", [1024, 1024], weights(1024 * 1024, 5)),
        ("model.norm.weight", [1024], weights(1024, 6)),
    ]))
    write("model/extra/optimizer.bin", random.Random(7).randbytes(11 * 1024 * 1024))
    write("model/extra/scaler.bin", weights(3_000_000, 8))
    write("model/config.json", json.dumps({"architectures": ["LlamaForCausalLM"], "model_type": "llama"}).encode())
    commit = api.upload_folder(folder_path=folder, repo_id=repo, commit_message="a model through Xet")
    paths = ["model.safetensors", "extra/optimizer.bin", "extra/scaler.bin", "config.json"]
    return {
        "repo": repo,
        "commit": commit.oid,
        "local": {path: sha256_of(os.path.join(folder, path)) for path in paths},
        "downloaded": downloaded(repo, paths),
    }


def reupload():
    """The same bytes again, to a second repo: hf_xet may find every chunk in its local cache and upload no xorb."""
    repo = f"{user}/{p}-again"
    api.create_repo(repo)
    path = os.path.join(work, "files/twelve.bin")
    api.upload_file(path_or_fileobj=path, path_in_repo="copy.bin", repo_id=repo)
    return {"repo": repo, "local": sha256_of(path), "downloaded": downloaded(repo, ["copy.bin"])["copy.bin"]}


def upload_pr():
    """An LFS file through Xet into a pull request (the write token is asked for revision `None?create_pr=1`)."""
    repo = f"{user}/{p}-pr"
    api.create_repo(repo)
    path = write("pr/weights.bin", weights(3_000_000, 11))
    commit = api.upload_file(path_or_fileobj=path, path_in_repo="weights.bin", repo_id=repo, create_pr=True)
    return {
        "repo": repo,
        "revision": commit.pr_revision,
        "local": {"weights.bin": sha256_of(path)},
        "downloaded": {"weights.bin": sha256_of(hf_hub_download(repo, "weights.bin", revision=commit.pr_revision))},
    }


def upload_large():
    """A file of more than one xorb (over 64 MiB), so that a test can stop the server between two xorbs."""
    repo = f"{user}/{p}-large"
    api.create_repo(repo, exist_ok=True)
    path = os.path.join(work, "large.bin")
    if not os.path.exists(path):
        write("large.bin", weights(10_000_000, 9) + random.Random(10).randbytes(60 * 1024 * 1024))
    api.upload_file(path_or_fileobj=path, path_in_repo="large.bin", repo_id=repo)
    return {"repo": repo, "local": {"large.bin": sha256_of(path)}, "downloaded": downloaded(repo, ["large.bin"])}


scenarios = {"upload_file": upload_file, "upload_folder": upload_folder, "reupload": reupload, "upload_pr": upload_pr, "upload_large": upload_large}
results = {}
for name in sys.argv[2:]:
    try:
        results[name] = scenarios[name]()
    except Exception as error:  # reported, judged by the test
        results[name] = {"error": f"{type(error).__name__}: {error}", "trace": traceback.format_exc()}
print(json.dumps({"version": huggingface_hub.__version__, "results": results}))
