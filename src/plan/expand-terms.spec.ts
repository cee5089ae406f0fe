import { describe, expect, it } from "vitest";
import { expandTerms } from "./expand-terms.js";

describe("expandTerms", () => {
  it("keeps recipe order and expands an analogy to +c, +b, −a", () => {
    const terms = expandTerms({
      recipe: {
        vectors: [
          { vector: "org/tv", weight: 0.25 },
          { analogy: { a: { finetuned: "org/a" }, b: { vector: "org/b-tv" }, c: { finetuned: "org/c" } }, weight: 0.7 },
          { finetuned: "org/toxic", weight: -1 },
        ],
      },
    });
    expect(terms).toEqual([
      { kind: "vector", ref: "org/tv", weight: 0.25, origin: "vectors[0]" },
      { kind: "finetuned", ref: "org/c", weight: 0.7, origin: "vectors[1].analogy.c" },
      { kind: "vector", ref: "org/b-tv", weight: 0.7, origin: "vectors[1].analogy.b" },
      { kind: "finetuned", ref: "org/a", weight: -0.7, origin: "vectors[1].analogy.a" },
      { kind: "finetuned", ref: "org/toxic", weight: -1, origin: "vectors[2]" },
    ]);
  });

  it("a zero analogy weight stays +0 on the subtracted term", () => {
    const [, , a] = expandTerms({
      recipe: {
        vectors: [{ analogy: { a: { vector: "x/a" }, b: { vector: "x/b" }, c: { vector: "x/c" } }, weight: 0 }],
      },
    });
    expect(Object.is(a?.weight, 0)).toBe(true);
  });
});
