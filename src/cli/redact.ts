/** Replaces every secret, and anything shaped like a Hub token, with a placeholder. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join("***");
  return out.replace(/hf_[A-Za-z0-9._-]{6,}/g, "hf_***");
}
