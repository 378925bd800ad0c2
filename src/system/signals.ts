// Stop on SIGTERM or SIGINT: one clean, ordered stop; a second signal, or a stop that takes
// longer than the deadline, exits at once (systemd would SIGKILL us anyway).
import type { Logger } from "./log.js";

export interface SignalWatch {
  /** Resolves once a signal has stopped everything. */
  done: Promise<void>;
  /** Stops listening (the controller is being restarted, not stopped). */
  dispose(): void;
}

export function stopOnSignals(stop: () => Promise<void>, log: Logger, deadlineMs = 10_000): SignalWatch {
  let dispose: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (stopping) {
        log.warn(`${sig} again: exiting now`);
        process.exit(1);
      }
      stopping = true;
      log.info(`${sig}: stopping`);
      const force = setTimeout(() => {
        log.error(`stop took longer than ${deadlineMs} ms: exiting`);
        process.exit(1);
      }, deadlineMs);
      force.unref();
      stop().then(
        () => {
          clearTimeout(force);
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          resolve();
        },
        (err: unknown) => {
          log.error({ err }, "stop failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    dispose = () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    };
  });
  return { done, dispose };
}
