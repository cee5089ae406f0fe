"""Makes a tiny real Llama or GPT-2 (transformers) and a fine-tune of it, or checks a tvhub adapter with the real PEFT.

  make DIR [ARCH]   writes DIR/base and DIR/ft (config.json, model.safetensors), ARCH llama (default) or gpt2: the
                    fine-tune changes every Linear (Llama) or Conv1D (GPT-2's c_attn, c_proj, c_fc, stored [in, out])
                    by a rank-4 update, and the norms, biases and embeddings by noise, deterministically (seeded).
  check DIR ADAPTER [ARCH]
                    loads DIR/base, applies ADAPTER with PeftModel.from_pretrained, merge_and_unload, and prints one
                    JSON object: per weight, max |merged − (base + s·B·A in float64)| (transposed for a Conv1D and for an
                    embedding's lora_embedding_A/B, as PEFT merges them), and the comparisons with the fine-tune.
"""
import json
import sys

import torch
from safetensors.torch import load_file
from transformers import GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM


def tiny_config():
    return LlamaConfig(
        vocab_size=96, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=False, torch_dtype="float32",
        attention_bias=True,
    )


def tiny_gpt2_config():
    return GPT2Config(
        vocab_size=96, n_embd=32, n_layer=2, n_head=4, n_positions=64, n_inner=None, tie_word_embeddings=True,
        bos_token_id=0, eos_token_id=0,
        torch_dtype="float32",
    )


def model_class(arch):
    return GPT2LMHeadModel if arch == "gpt2" else LlamaForCausalLM


def make(out, arch):
    torch.manual_seed(1234)
    base = GPT2LMHeadModel(tiny_gpt2_config()) if arch == "gpt2" else LlamaForCausalLM(tiny_config())
    base.save_pretrained(f"{out}/base", safe_serialization=True)
    gen = torch.Generator().manual_seed(99)
    with torch.no_grad():
        for name, param in base.named_parameters():
            if name.endswith("k_proj.bias"):
                continue  # one bias that does not change: nothing is stored for it
            if param.dim() == 2 and "embed" not in name and "lm_head" not in name and not name.startswith("transformer.w"):
                # [out, in] for a Linear, [in, out] for a Conv1D: a rank-4 update either way.
                out_f, in_f = param.shape
                u = torch.randn(out_f, 4, generator=gen) * 0.05
                v = torch.randn(4, in_f, generator=gen) * 0.05
                param.add_(u @ v)
            else:
                param.add_(torch.randn(param.shape, generator=gen) * 0.01)
    base.save_pretrained(f"{out}/ft", safe_serialization=True)


def check(out, adapter, arch):
    from peft import PeftModel
    from transformers.pytorch_utils import Conv1D

    base = model_class(arch).from_pretrained(f"{out}/base", torch_dtype=torch.float32)
    base_weights = {k: v.clone() for k, v in base.state_dict().items()}
    conv1d = {name for name, module in base.named_modules() if isinstance(module, Conv1D)}
    model = PeftModel.from_pretrained(base, adapter)
    merged = model.merge_and_unload().state_dict()
    factors = load_file(f"{adapter}/adapter_model.safetensors")
    ft = load_file(f"{out}/ft/model.safetensors")
    config = json.load(open(f"{adapter}/adapter_config.json"))
    report = {"peft_type": type(model).__name__, "weights": {}}
    for name, w in base_weights.items():
        module = name[: -len(".weight")] if name.endswith(".weight") else None
        key = f"base_model.model.{module}"
        entry = {}
        bias_key = f"base_model.model.{name[: -len('.bias')]}.base_layer.bias" if name.endswith(".bias") else None
        if bias_key is not None and bias_key in factors:
            entry["kind"] = "full"
            entry["equals_saved"] = bool(torch.equal(merged[name], factors[bias_key]))
        elif module is not None and (f"{key}.lora_A.weight" in factors or f"{key}.lora_embedding_A" in factors):
            embedding = f"{key}.lora_embedding_A" in factors
            a = factors[f"{key}.lora_embedding_A" if embedding else f"{key}.lora_A.weight"].double()
            b = factors[f"{key}.lora_embedding_B" if embedding else f"{key}.lora_B.weight"].double()
            r = a.shape[0]
            alpha = config["alpha_pattern"].get(module, config["lora_alpha"])
            update = b @ a
            # PEFT merges (B·A)ᵀ into a Conv1D (fan_in_fan_out) and into an embedding.
            transposed = embedding or module in conv1d
            expected = w.double() + (alpha / r) * (update.T if transposed else update)
            entry["kind"] = "lora"
            entry["layout"] = "embedding" if embedding else "conv1d" if module in conv1d else "linear"
            entry["rank"] = r
            entry["max_abs_vs_base_plus_ba"] = (merged[name].double() - expected).abs().max().item()
            entry["scale"] = expected.abs().max().item()
        elif f"base_model.model.{name}" in factors:
            entry["kind"] = "full"
            entry["equals_saved"] = bool(torch.equal(merged[name], factors[f"base_model.model.{name}"].to(merged[name].dtype)))
        else:
            entry["kind"] = "untouched"
            entry["equals_base"] = bool(torch.equal(merged[name], w))
        if name in ft:
            diff = (merged[name].double() - ft[name].double()).norm().item()
            entry["relative_error_vs_ft"] = diff / max((ft[name].double() - w.double()).norm().item(), 1e-30)
        report["weights"][name] = entry
    print(json.dumps(report))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "llama")
    else:
        check(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else "llama")
