import type { Tensor } from "@tensorflow/tfjs";
import type { Tf } from "../load-tf.js";

/**
 * The `hidden_act` names of Transformers' ACT2FN that the evaluator implements. "gelu" is the exact erf form
 * (GELUActivation); tfjs-layers' "gelu" is the same, its "gelu_new" the tanh form: spelled out here so that neither
 * tfjs version matters.
 */
export const activations = [
  "gelu",
  "gelu_python",
  "gelu_new",
  "gelu_pytorch_tanh",
  "gelu_fast",
  "quick_gelu",
  "relu",
  "relu6",
  "silu",
  "swish",
  "sigmoid",
  "tanh",
  "linear",
] as const;

export type Activation = (typeof activations)[number];

export function isActivation(name: string): name is Activation {
  return (activations as readonly string[]).includes(name);
}

const sqrtHalf = Math.SQRT1_2;
const sqrtTwoOverPi = Math.sqrt(2 / Math.PI);

/** Applies `hidden_act` element-wise, as Transformers' ACT2FN[name] does. */
export function applyActivation(tf: Tf, name: Activation, x: Tensor): Tensor {
  return tf.tidy(() => {
    switch (name) {
      case "gelu":
      case "gelu_python":
        return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, sqrtHalf))));
      case "gelu_new":
      case "gelu_pytorch_tanh": {
        const inner = tf.mul(sqrtTwoOverPi, tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
        return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
      }
      case "gelu_fast": {
        const inner = tf.mul(tf.mul(x, 0.7978845608), tf.add(1, tf.mul(0.044715, tf.mul(x, x))));
        return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(inner)));
      }
      case "quick_gelu":
        return tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
      case "relu":
        return tf.relu(x);
      case "relu6":
        return tf.relu6(x);
      case "silu":
      case "swish":
        return tf.mul(x, tf.sigmoid(x));
      case "sigmoid":
        return tf.sigmoid(x);
      case "tanh":
        return tf.tanh(x);
      case "linear":
        return tf.clone(x);
    }
  });
}
