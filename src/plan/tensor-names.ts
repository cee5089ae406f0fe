/**
 * Non-parameter buffers that some checkpoints store and others do not: GPT-2's causal mask (`h.0.attn.bias`,
 * `attn.masked_bias`), BERT's `position_ids`, RoPE `inv_freq` tables. Their presence says nothing about lineage.
 */
export const bufferNamePattern = /(^|\.)(attn\.(bias|masked_bias)|position_ids|rotary_emb\.inv_freq)$/;

/** Embedding and LM-head names across families, for when no config says the vocabulary size. */
export const embeddingNamePattern =
  /(^|\.)(embed_tokens|wte|word_embeddings|embed_in|embed_out|tok_embeddings|shared|lm_head)\.weight$/;
