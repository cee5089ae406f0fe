/**
 * `load` called on first use and its promise shared by every later call; a failure is not remembered, so the next
 * call tries again and reports a fresh error instead of a stale rejection.
 */
export function rememberAsync<T>(load: () => Promise<T>): () => Promise<T> {
  let remembered: Promise<T> | undefined;
  return () => {
    if (remembered === undefined) {
      const loading = load();
      remembered = loading;
      loading.catch(() => {
        if (remembered === loading) remembered = undefined;
      });
    }
    return remembered;
  };
}
