/** Resolves with the first SIGINT or SIGTERM, and stops listening: a server runs until then. */
export function waitForSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolvePromise) => {
    const stop = (received: NodeJS.Signals): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolvePromise(received);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
