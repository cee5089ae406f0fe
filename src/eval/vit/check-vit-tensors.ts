import { DataError } from "../../errors.js";
import { elementCount, formatShape, sameShape } from "../../tensor/shape.js";
import type { VitConfig } from "./config.js";
import { vitTensorShapes } from "./tensor-shapes.js";

export interface CheckVitTensorsOptions {
  /** What messages call the model: a folder, or `candidate 3` for an in-memory merge. */
  name: string;
  config: VitConfig;
  /** Each tensor's element count, and its shape when known (in-memory arrays carry none). */
  tensors: ReadonlyMap<string, { length: number; shape?: readonly number[] }>;
}

/**
 * Every tensor that ViTForImageClassification needs is present with the shape its config implies. Extra tensors
 * (a pooler saved by ViTModel, say) are ignored, as Transformers ignores unexpected keys with a warning.
 */
export function checkVitTensors(options: CheckVitTensorsOptions): void {
  const { name, config, tensors } = options;
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const [tensorName, shape] of vitTensorShapes(config)) {
    const tensor = tensors.get(tensorName);
    if (tensor === undefined) {
      missing.push(tensorName);
      continue;
    }
    const mismatch =
      tensor.shape !== undefined ? !sameShape(tensor.shape, shape) : tensor.length !== elementCount(shape);
    if (mismatch) {
      const actual = tensor.shape !== undefined ? formatShape(tensor.shape) : `${tensor.length} elements`;
      wrong.push(`${tensorName} is ${actual}, expected ${formatShape(shape)}`);
    }
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 3).join(", ") + (missing.length > 3 ? ` and ${missing.length - 3} more` : "");
    throw new DataError(
      `${name} lacks ${missing.length} tensor${missing.length === 1 ? "" : "s"} of ViTForImageClassification ` +
        `(${shown}); give a model saved by Transformers' ViTForImageClassification.`,
      {
        code: "VIT_MISSING_TENSOR",
        subject: name,
      },
    );
  }
  if (wrong.length > 0) {
    const shown = wrong.slice(0, 3).join("; ") + (wrong.length > 3 ? `; and ${wrong.length - 3} more` : "");
    throw new DataError(
      `${name} has tensors whose shapes do not match its config.json (${shown}); check that config.json belongs to ` +
        "these weights.",
      {
        code: "VIT_SHAPE_MISMATCH",
        subject: name,
      },
    );
  }
}
