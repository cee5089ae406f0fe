/** A Hub input as the card records it: what the user asked for and the commit it was pinned to. */
export interface PinnedInput {
  /** `org/name`, or a local path for local inputs. */
  repo: string;
  /** The 40-hex commit the run read; absent for local directories. */
  revision?: string;
  /** What the user wrote (`main`, a tag), when it differs from the commit. */
  requested?: string;
}

export interface NormRow {
  /** A layer or tensor group, e.g. `model.layers.3` or `model.embed_tokens.weight`. */
  name: string;
  norm: number;
}

export interface ReconstructionStats {
  /** Elements where base + τ (float32) does not give the fine-tuned value exactly. */
  inexactElements: number;
  totalElements: number;
  maxAbsError: number;
}
