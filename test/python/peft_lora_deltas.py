"""Real PEFT adapters for test/adapter-peft.spec.ts: tiny transformers models (Llama, GPT-2, BERT) with LoRA
adapters made by PEFT itself, saved with save_pretrained, plus what PEFT says their update is.

Usage: python peft_lora_deltas.py OUT_DIR

For each of llama, gpt2, bert it writes OUT_DIR/<name>/base (the model, save_pretrained, safetensors),
OUT_DIR/<name>/adapter (PeftModel.save_pretrained), OUT_DIR/<name>/deltas.safetensors (each LoRA layer's
get_delta_weight("default") in float32, under the base tensor's name) and OUT_DIR/<name>/merged.safetensors
(merge_and_unload()'s state dict). Deterministic: every random value comes from torch.manual_seed.
"""

import json
import os
import sys

import torch
from peft import LoraConfig, get_peft_model
from safetensors.torch import save_file
from transformers import BertConfig, BertForSequenceClassification, GPT2Config, GPT2LMHeadModel, LlamaConfig, LlamaForCausalLM


def train_like(peft_model, seed):
    """Gives every trainable LoRA and modules_to_save parameter nonzero values, as training would."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in peft_model.named_parameters():
            if param.requires_grad:
                param.add_(torch.randn(param.shape, generator=generator) * 0.05)


def export(name, model, config, seed, out):
    root = os.path.join(out, name)
    base_dir = os.path.join(root, "base")
    model.save_pretrained(base_dir, safe_serialization=True)
    base_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    peft_model = get_peft_model(model, config)
    train_like(peft_model, seed)
    peft_model.save_pretrained(os.path.join(root, "adapter"))
    deltas = {}
    for module_name, module in peft_model.base_model.model.named_modules():
        if hasattr(module, "get_delta_weight") and hasattr(module, "lora_A") and "default" in (list(module.lora_A.keys()) + list(getattr(module, "lora_embedding_A", {}).keys())):
            deltas[f"{module_name}.weight"] = module.get_delta_weight("default").detach().float().contiguous()
    save_file(deltas, os.path.join(root, "deltas.safetensors"))
    with open(os.path.join(root, "scaling.json"), "w") as f:
        scal = {}
        for module_name, module in peft_model.base_model.model.named_modules():
            if hasattr(module, "scaling") and isinstance(module.scaling, dict) and "default" in module.scaling:
                scal[module_name] = module.scaling["default"]
        json.dump(scal, f, indent=2, sort_keys=True)
    merged = peft_model.merge_and_unload()
    state = {k: v.detach().contiguous() for k, v in merged.state_dict().items() if k in base_state}
    # Tied weights are one tensor; safetensors refuses shared storage, so keep the first name only.
    seen, unique = set(), {}
    for k, v in state.items():
        if v.data_ptr() in seen:
            continue
        seen.add(v.data_ptr())
        unique[k] = v.clone()
    save_file(unique, os.path.join(root, "merged.safetensors"))



def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    llama = LlamaForCausalLM(LlamaConfig(vocab_size=96, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=False))
    export(
        "llama",
        llama,
        LoraConfig(
            r=8,
            lora_alpha=16,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "embed_tokens"],
            rank_pattern={"model.layers.1.mlp.down_proj": 4, "v_proj": 2},
            alpha_pattern={"down_proj": 2, "^model.layers.0.self_attn.q_proj": 3.5},
            modules_to_save=["lm_head"],
            task_type="CAUSAL_LM",
        ),
        1,
        out,
    )
    torch.manual_seed(1)
    gpt2 = GPT2LMHeadModel(GPT2Config(vocab_size=80, n_positions=32, n_embd=32, n_layer=2, n_head=4))
    export("gpt2", gpt2, LoraConfig(r=4, lora_alpha=12, use_rslora=True, target_modules=["c_attn"], fan_in_fan_out=True, bias="all", task_type="CAUSAL_LM"), 2, out)
    torch.manual_seed(2)
    bert = BertForSequenceClassification(BertConfig(vocab_size=64, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=48, max_position_embeddings=32, num_labels=3))
    export("bert", bert, LoraConfig(r=2, lora_alpha=4, target_modules=["query", "value"], alpha_pattern={"value": 8}, task_type="SEQ_CLS"), 3, out)


if __name__ == "__main__":
    main()
