export interface SelectLambdaOptions<T extends { lambda: number }> {
  /** One entry per λ tried, with what was measured there on validation data. */
  points: readonly T[];
  /** Higher is better. */
  score: (point: T) => number;
  /** Points that may be chosen at all (negation: the control task keeps 95% of the base's accuracy). @default all */
  eligible?: (point: T) => boolean;
}

/**
 * The point with the best validation score. Ties go to the smaller |λ|, the smaller edit of the base, then to the
 * earlier point, so the choice does not depend on the order of equal scores. Undefined when no point is eligible.
 */
export function selectLambda<T extends { lambda: number }>(options: SelectLambdaOptions<T>): T | undefined {
  let best: { point: T; score: number } | undefined;
  for (const point of options.points) {
    if (options.eligible && !options.eligible(point)) continue;
    const score = options.score(point);
    if (!Number.isFinite(score)) continue;
    if (
      best === undefined ||
      score > best.score ||
      (score === best.score && Math.abs(point.lambda) < Math.abs(best.point.lambda))
    )
      best = { point, score };
  }
  return best?.point;
}
