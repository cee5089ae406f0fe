import type { ReconstructionStats } from "../arithmetic/reconstruction-error.js";
import type { ExecuteResult, TensorStatistics } from "./execute-plan.js";

/** The weights a run publishes, however they came to be: computed here, or committed by the jobs of a matrix. */
export interface ProducedOutput {
  /** Every output file in layout order, then the index, with size and sha256: what the card and tvhub.json list. */
  files: Array<{ path: string; size: number; sha256: string }>;
  /** Which of them are in the staging folder, to upload. */
  staged: string[];
  /** Which of them are already on the Hub and stay (a matrix run's shards). */
  keep?: string[];
  /** The Hub commit `keep` was checked at: the publish must land right on top of it. */
  head?: string;
  /** Per output tensor in write order (task vectors). */
  tensors: Map<string, TensorStatistics>;
  reconstruction: ReconstructionStats;
}

/** A run that computed every file itself: all of them are staged. */
export function writtenOutput(executed: ExecuteResult): ProducedOutput {
  const written = [...executed.written.files, ...(executed.written.index ? [executed.written.index] : [])];
  const files = written.map((file) => ({ path: file.file, size: file.size, sha256: file.sha256 }));
  return {
    files,
    staged: files.map((file) => file.path),
    tensors: executed.tensors,
    reconstruction: executed.reconstruction,
  };
}
