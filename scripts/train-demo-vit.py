"""Trains the demo's tiny ViTs for scripts/train-demo-models.ts, which prepares every input and reads the result.

One run takes a job file (JSON) naming raw little-endian files: the initial tensors (float32, in the order the job
lists them), the images (uint8 [N, 28, 28]), the labels (int32 [N], the model's class indices) and the batches
(int32 [steps, batch] image indices, drawn by the TypeScript side's seeded generator). It trains with Adam (AdamW
when the job sets weight_decay) and writes the trained tensors (float32, same order). Each task has its own head:
the model's classes come in groups of `classes_per_head` (ten digits per task), and an example's loss is the
cross-entropy over its own group only, as the paper gives every task its own classification head. The forward pass
is Transformers' ViTForImageClassification (pre-LayerNorm encoder, exact GELU, CLS token) written out on the
tensors' Transformers names, so that it depends on torch alone.
PyTorch on one thread with deterministic algorithms gives the same bytes on every run of the same machine and
torch version.

    python scripts/train-demo-vit.py job.json
"""

import json
import math
import sys
import time

import torch
import torch.nn.functional as F


def read(path, dtype):
    with open(path, "rb") as f:
        return torch.frombuffer(bytearray(f.read()), dtype=dtype)


def forward(p, x, cfg):
    """Logits of ViTForImageClassification in inference mode (no dropout: the demo's config has none)."""
    h, heads, layers, eps = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_hidden_layers"], cfg["layer_norm_eps"]
    patch = cfg["patch_size"]
    b = x.shape[0]
    emb = F.conv2d(x, p["vit.embeddings.patch_embeddings.projection.weight"], p["vit.embeddings.patch_embeddings.projection.bias"], stride=patch)
    emb = emb.flatten(2).transpose(1, 2)
    hidden = torch.cat([p["vit.embeddings.cls_token"].expand(b, -1, -1), emb], dim=1) + p["vit.embeddings.position_embeddings"]
    tokens = hidden.shape[1]
    size = h // heads

    def split(t):
        return t.view(b, tokens, heads, size).transpose(1, 2)

    for i in range(layers):
        pre = f"vit.encoder.layer.{i}"
        n = F.layer_norm(hidden, (h,), p[f"{pre}.layernorm_before.weight"], p[f"{pre}.layernorm_before.bias"], eps)
        q, k, v = (split(F.linear(n, p[f"{pre}.attention.attention.{part}.weight"], p.get(f"{pre}.attention.attention.{part}.bias"))) for part in ("query", "key", "value"))
        context = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(size), dim=-1) @ v
        hidden = F.linear(context.transpose(1, 2).reshape(b, tokens, h), p[f"{pre}.attention.output.dense.weight"], p[f"{pre}.attention.output.dense.bias"]) + hidden
        n = F.layer_norm(hidden, (h,), p[f"{pre}.layernorm_after.weight"], p[f"{pre}.layernorm_after.bias"], eps)
        inner = F.gelu(F.linear(n, p[f"{pre}.intermediate.dense.weight"], p[f"{pre}.intermediate.dense.bias"]))
        hidden = F.linear(inner, p[f"{pre}.output.dense.weight"], p[f"{pre}.output.dense.bias"]) + hidden
    cls = F.layer_norm(hidden[:, 0], (h,), p["vit.layernorm.weight"], p["vit.layernorm.bias"], eps)
    return F.linear(cls, p["classifier.weight"], p["classifier.bias"])


def train(job, cfg, tensors):
    raw = read(job["init"], torch.float32)
    params, offset = {}, 0
    for name, shape in tensors:
        count = math.prod(shape)
        frozen = any(name.startswith(prefix) for prefix in job["frozen"])
        params[name] = raw[offset : offset + count].reshape(shape).clone().requires_grad_(not frozen)
        offset += count
    images = read(job["images"], torch.uint8).reshape(-1, 1, cfg["image_size"], cfg["image_size"])
    # ViTImageProcessor: rescale by 1/255, then normalize with mean 0.5 and std 0.5.
    pixels = (images.to(torch.float32) / 255 - 0.5) / 0.5
    labels = read(job["labels"], torch.int32).to(torch.int64)
    steps, batch = job["steps"], job["batch"]
    order = read(job["order"], torch.int32).to(torch.int64).reshape(steps, batch)
    rate, warmup = job["learning_rate"], job["warmup"]
    trained = [t for t in params.values() if t.requires_grad]
    # AdamW with the paper's decoupled weight decay when the job asks for it, else plain Adam.
    decay = job.get("weight_decay", 0.0)
    optimizer = (
        torch.optim.AdamW(trained, lr=rate, weight_decay=decay, foreach=False)
        if decay
        else torch.optim.Adam(trained, lr=rate, foreach=False)
    )

    def schedule(step):
        # A linear warm-up, then cosine decay to 0 (the paper's fine-tuning schedule); constant when warmup is None.
        if warmup is None:
            return 1.0
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    started, running = time.time(), 0.0
    for step in range(steps):
        for group in optimizer.param_groups:
            group["lr"] = rate * schedule(step)
        index = order[step]
        # The label's group is the example's head: its loss sees only that head's logits.
        group = cfg["classes_per_head"]
        logits = forward(params, pixels[index], cfg).view(batch, -1, group)
        target = labels[index]
        loss = F.cross_entropy(logits[torch.arange(batch), target // group], target % group)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running = 0.98 * running + 0.02 * loss.item()
        if (step + 1) % 250 == 0 or step + 1 == steps:
            print(f"  {job['label']}: step {step + 1}/{steps}, loss {running / (1 - 0.98 ** (step + 1)):.3f} ({time.time() - started:.0f} s)", flush=True)
    with open(job["out"], "wb") as f:
        for name, _ in tensors:
            f.write(params[name].detach().contiguous().numpy().tobytes())


def main():
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    for job in spec["jobs"]:
        train(job, spec["config"], spec["tensors"])


if __name__ == "__main__":
    main()
