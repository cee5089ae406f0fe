"""Makes a tiny real Llama (transformers) and a fine-tune of it, or checks a tvhub adapter with the real PEFT.

  make DIR          writes DIR/base and DIR/ft (config.json, model.safetensors): the fine-tune changes every Linear
                    by a rank-4 update and the norms and embeddings by noise, deterministically (seeded).
  check DIR ADAPTER loads DIR/base, applies ADAPTER with PeftModel.from_pretrained, merge_and_unload, and prints one
                    JSON object: per weight, max |merged − (base + B·A in float64)|, and the comparisons with the fine-tune.
"""
import json
import sys

import torch
from safetensors.torch import load_file
from transformers import LlamaConfig, LlamaForCausalLM


def tiny_config():
    return LlamaConfig(
        vocab_size=96, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=64, tie_word_embeddings=False, torch_dtype="float32",
        attention_bias=True,
    )


def make(out):
    torch.manual_seed(1234)
    base = LlamaForCausalLM(tiny_config())
    base.save_pretrained(f"{out}/base", safe_serialization=True)
    gen = torch.Generator().manual_seed(99)
    with torch.no_grad():
        for name, param in base.named_parameters():
            if name.endswith("k_proj.bias"):
                continue  # one bias that does not change: nothing is stored for it
            if param.dim() == 2 and "embed" not in name and "lm_head" not in name:
                out_f, in_f = param.shape
                u = torch.randn(out_f, 4, generator=gen) * 0.05
                v = torch.randn(4, in_f, generator=gen) * 0.05
                param.add_(u @ v)
            else:
                param.add_(torch.randn(param.shape, generator=gen) * 0.01)
    base.save_pretrained(f"{out}/ft", safe_serialization=True)


def check(out, adapter):
    from peft import PeftModel

    base = LlamaForCausalLM.from_pretrained(f"{out}/base", torch_dtype=torch.float32)
    base_weights = {k: v.clone() for k, v in base.state_dict().items()}
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
        elif module is not None and f"{key}.lora_A.weight" in factors:
            a = factors[f"{key}.lora_A.weight"].double()
            b = factors[f"{key}.lora_B.weight"].double()
            r = a.shape[0]
            alpha = config["alpha_pattern"].get(module, config["lora_alpha"])
            expected = w.double() + (alpha / r) * (b @ a)
            entry["kind"] = "lora"
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
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
