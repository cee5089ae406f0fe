import { DataError } from "../../errors.js";
import type { VitConfig } from "./config.js";

/** The fields of a Transformers `ViTImageProcessor` (preprocessor_config.json) that the evaluator applies. */
export interface ImageProcessor {
  /** [height, width] the processor resizes to; the evaluator requires images of exactly this size. */
  size: [number, number];
  doRescale: boolean;
  rescaleFactor: number;
  doNormalize: boolean;
  /** One value per channel. */
  imageMean: number[];
  imageStd: number[];
}

export interface ParseImageProcessorOptions {
  /** The parsed preprocessor_config.json, or undefined when the model has none (ViTImageProcessor's defaults then). */
  json: unknown;
  subject: string;
  config: VitConfig;
}

/** ViTImageProcessor's defaults: rescale by 1/255, normalize with IMAGENET_STANDARD_MEAN/STD (0.5 each). */
export function parseImageProcessor(options: ParseImageProcessorOptions): ImageProcessor {
  const { json, subject, config } = options;
  const channels = config.numChannels;
  if (json === undefined) {
    return {
      size: config.imageSize,
      doRescale: true,
      rescaleFactor: 1 / 255,
      doNormalize: true,
      imageMean: new Array<number>(channels).fill(0.5),
      imageStd: new Array<number>(channels).fill(0.5),
    };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new DataError(
      `${subject} is not a JSON object; give a ViTImageProcessor preprocessor_config.json or remove it.`,
      { code: "VIT_PREPROCESSOR_INVALID", subject },
    );
  }
  const raw = json as Record<string, unknown>;
  const fail = (field: string, why: string): never => {
    throw new DataError(`${subject}: field "${field}" ${why}.`, {
      code: "VIT_PREPROCESSOR_INVALID",
      subject: `${subject}#${field}`,
    });
  };
  const bool = (field: string, fallback: boolean): boolean => {
    const value = raw[field] ?? fallback;
    if (typeof value !== "boolean") fail(field, "must be true or false");
    return value as boolean;
  };
  const perChannel = (field: string): number[] => {
    const value = raw[field] ?? 0.5;
    const list = typeof value === "number" ? new Array<number>(channels).fill(value) : value;
    if (
      !Array.isArray(list) ||
      list.length !== channels ||
      !list.every((v) => typeof v === "number" && Number.isFinite(v))
    ) {
      fail(field, `must be a number or a list of ${channels} numbers (num_channels is ${channels})`);
    }
    return list as number[];
  };

  const doResize = bool("do_resize", true);
  let size = config.imageSize;
  const rawSize = raw["size"];
  if (doResize && rawSize !== undefined && rawSize !== null) {
    if (typeof rawSize === "number") size = [rawSize, rawSize];
    else if (
      typeof rawSize === "object" &&
      typeof (rawSize as Record<string, unknown>)["height"] === "number" &&
      typeof (rawSize as Record<string, unknown>)["width"] === "number"
    ) {
      size = [
        (rawSize as Record<string, number>)["height"] as number,
        (rawSize as Record<string, number>)["width"] as number,
      ];
    } else fail("size", 'must be {"height": H, "width": W} or a number');
  }
  const rescaleFactor = raw["rescale_factor"] ?? 1 / 255;
  if (typeof rescaleFactor !== "number" || !Number.isFinite(rescaleFactor)) fail("rescale_factor", "must be a number");
  const imageStd = perChannel("image_std");
  if (imageStd.some((v) => v === 0)) fail("image_std", "must not contain 0");
  return {
    size,
    doRescale: bool("do_rescale", true),
    rescaleFactor: rescaleFactor as number,
    doNormalize: bool("do_normalize", true),
    imageMean: perChannel("image_mean"),
    imageStd,
  };
}

export interface ToPatchesOptions {
  /** Pixels, N × C × H × W in row-major order (C = 1 for [N, H, W] sets). */
  pixels: Uint8Array;
  /** Channels stored per image: 1 or the model's num_channels (grayscale is repeated, like converting to RGB). */
  channels: number;
  /** The first image and how many to cut. */
  start: number;
  count: number;
  config: VitConfig;
  processor: ImageProcessor;
}

/**
 * Preprocesses images as ViTImageProcessor does (rescale, normalize per channel) and cuts them into the patch
 * layout vitForward expects: [count, P, C·ph·pw], patches row-major, values in (channel, row, column) order, the
 * order in which Conv2d's weight [H, C, ph, pw] flattens.
 */
export function toPatches(options: ToPatchesOptions): Float32Array {
  const { pixels, channels, start, count, config, processor } = options;
  const [height, width] = config.imageSize;
  const [ph, pw] = config.patchSize;
  const c = config.numChannels;
  const rows = height / ph;
  const columns = width / pw;
  const patchLength = c * ph * pw;
  const scale = new Float32Array(c);
  const shift = new Float32Array(c);
  for (let k = 0; k < c; k++) {
    const rescale = processor.doRescale ? processor.rescaleFactor : 1;
    const mean = processor.doNormalize ? (processor.imageMean[k] ?? 0) : 0;
    const std = processor.doNormalize ? (processor.imageStd[k] ?? 1) : 1;
    scale[k] = rescale / std;
    shift[k] = mean / std;
  }
  const out = new Float32Array(count * rows * columns * patchLength);
  const imageLength = channels * height * width;
  let o = 0;
  for (let n = 0; n < count; n++) {
    const base = (start + n) * imageLength;
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < columns; q++) {
        for (let k = 0; k < c; k++) {
          const plane = base + (channels === 1 ? 0 : k) * height * width;
          const s = scale[k] as number;
          const t = shift[k] as number;
          for (let i = 0; i < ph; i++) {
            let p = plane + (r * ph + i) * width + q * pw;
            for (let j = 0; j < pw; j++) out[o++] = (pixels[p++] as number) * s - t;
          }
        }
      }
    }
  }
  return out;
}
