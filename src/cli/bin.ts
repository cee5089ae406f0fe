import { createInterrupt, interruptExitCode } from "./interrupt.js";
import { main } from "./main.js";

// Ctrl-C (or a SIGTERM) during a publish lets it remove what it created and say what it left; at any other
// moment, or a second time, tvhub stops at once (unless the command handles the signal itself). Either way the run
// ends with one sentence.
const interrupt = createInterrupt();
const onSignal = (name: NodeJS.Signals): void => {
  if (interrupt.receive(name) === "wait") return;
  // A command with its own handling (hub serve, demo, greedy's scorers) stops in its own way.
  if (process.listenerCount(name) > 1) return;
  process.stderr.write(
    `tvhub: interrupted by ${name} with no upload in flight, so nothing was left half-published; rerun the command ` +
      `to finish.\n`,
  );
  process.exit(interruptExitCode(name));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

process.exitCode = await main({ argv: process.argv.slice(2), env: process.env, interrupt });
