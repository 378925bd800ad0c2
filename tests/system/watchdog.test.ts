// WatchdogFeeder: WATCHDOG=1 only while scans complete and the store is healthy, at half of
// WatchdogSec; firstPollCycle: the READY=1 gate. All on virtual time.
import { Subject } from "rxjs";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../../src/system/log.js";
import { firstPollCycle, WatchdogFeeder } from "../../src/system/watchdog.js";
import { VirtualClock } from "../../src/time/virtual.js";

const WATCHDOG_MS = 30_000; // WatchdogSec=30s, as in deploy/systemd/reclaim.service
const SCAN_MS = 100;

/** A notifier that records the time of every pet. */
function fakeNotifier(clock: VirtualClock, watchdogIntervalMs: number | null = WATCHDOG_MS) {
  const pets: number[] = [];
  return { pets, watchdogIntervalMs, watchdog: () => void pets.push(clock.now()) };
}

/** A scan loop on the virtual clock that can be stalled and resumed. */
function scanLoop(clock: VirtualClock) {
  const scanned$ = new Subject<number>();
  let stalled = false;
  const tick = (): void => {
    if (!stalled) scanned$.next(clock.now());
    clock.setTimer(tick, SCAN_MS);
  };
  clock.setTimer(tick, SCAN_MS);
  return {
    scanned$,
    stall: () => void (stalled = true),
    resume: () => void (stalled = false),
  };
}

function setup(opts: { interval?: number | null } = {}) {
  const clock = new VirtualClock();
  const notifier = fakeNotifier(clock, opts.interval === undefined ? WATCHDOG_MS : opts.interval);
  const loop = scanLoop(clock);
  let healthy = true;
  const feeder = new WatchdogFeeder({
    notifier,
    scanned$: loop.scanned$,
    storeHealthy: () => healthy,
    clock,
    log: silentLogger(),
  });
  return { clock, notifier, loop, feeder, setHealthy: (h: boolean) => void (healthy = h) };
}

describe("WatchdogFeeder", () => {
  it("pets at half of WatchdogSec while scans complete and the store is healthy", async () => {
    const { clock, notifier, feeder } = setup();
    feeder.start();
    expect(feeder.periodMs).toBe(15_000);
    await clock.advance(5 * 60_000);
    expect(notifier.pets).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 15_000));
    expect(feeder.pets).toBe(20);
    feeder.stop();
  });

  it("stops petting when the scan stalls, so systemd's watchdog fires", async () => {
    const { clock, notifier, loop, feeder } = setup();
    feeder.start();
    await clock.advance(59_950);
    loop.stall(); // the last scan ran at 59.9 s
    await clock.advance(5 * 60_000);
    // The check at 60 s still saw scans since the one at 45 s; from then on nothing.
    expect(notifier.pets).toEqual([15_000, 30_000, 45_000, 60_000]);
    const lastPet = notifier.pets.at(-1) ?? 0;
    // systemd would have killed the process WatchdogSec after the last pet.
    expect(clock.now() - lastPet).toBeGreaterThan(WATCHDOG_MS);
    feeder.stop();
  });

  it("owes the withheld pet to the next scan: only a stall close to WatchdogSec goes unpetted that long", async () => {
    const { clock, notifier, loop, feeder } = setup();
    feeder.start();
    await clock.advance(14_950);
    loop.stall(); // the last scan ran at 14.9 s; the pet at 15 s still has it
    await clock.advance(16_000); // the check at 30 s finds no scan since 15 s: withheld
    expect(notifier.pets).toEqual([15_000]);
    loop.resume();
    await clock.advance(SCAN_MS); // the first scan after the stall, at 31 s, pays the pet
    expect(notifier.pets).toEqual([15_000, 31_000]);
    await clock.advance(60_000);
    // Back on the half-period cadence, every gap well inside WatchdogSec.
    const gaps = notifier.pets.slice(1).map((t, i) => t - (notifier.pets[i] ?? 0));
    expect(Math.max(...gaps)).toBeLessThan(WATCHDOG_MS);
    feeder.stop();
  });

  it("stops petting while the store is unhealthy, and resumes when it recovers", async () => {
    const { clock, notifier, feeder, setHealthy } = setup();
    feeder.start();
    await clock.advance(30_000);
    expect(notifier.pets).toEqual([15_000, 30_000]);
    setHealthy(false);
    await clock.advance(120_000);
    expect(notifier.pets).toEqual([15_000, 30_000]);
    setHealthy(true);
    await clock.advance(15_000);
    expect(notifier.pets).toEqual([15_000, 30_000, 165_000]);
    feeder.stop();
  });

  it("treats a storeHealthy() that throws as unhealthy", async () => {
    const clock = new VirtualClock();
    const notifier = fakeNotifier(clock);
    const loop = scanLoop(clock);
    const feeder = new WatchdogFeeder({
      notifier,
      scanned$: loop.scanned$,
      storeHealthy: () => {
        throw new Error("database is locked");
      },
      clock,
    });
    feeder.start();
    await clock.advance(60_000);
    expect(notifier.pets).toEqual([]);
    feeder.stop();
  });

  it("never pets before the first scan", async () => {
    const clock = new VirtualClock();
    const notifier = fakeNotifier(clock);
    const feeder = new WatchdogFeeder({ notifier, scanned$: new Subject<number>(), storeHealthy: () => true, clock });
    feeder.start();
    await clock.advance(120_000);
    expect(notifier.pets).toEqual([]);
    feeder.stop();
  });

  it("does nothing when systemd does not watch the process", async () => {
    const { clock, notifier, feeder } = setup({ interval: null });
    feeder.start();
    expect(feeder.periodMs).toBeNull();
    await clock.advance(120_000);
    expect(notifier.pets).toEqual([]);
    expect(clock.pendingTimers).toBe(1); // only the scan loop's own timer
  });

  it("stops petting when the scan stream completes (controller stopped), and on stop()", async () => {
    const { clock, notifier, loop, feeder } = setup();
    feeder.start();
    await clock.advance(15_000);
    loop.scanned$.complete();
    await clock.advance(60_000);
    expect(notifier.pets).toEqual([15_000]);

    const again = setup();
    again.feeder.start();
    await again.clock.advance(15_000);
    again.feeder.stop();
    await again.clock.advance(60_000);
    expect(again.notifier.pets).toEqual([15_000]);
  });
});

describe("firstPollCycle", () => {
  it("resolves at the first scan after every polled tag was reported, good or bad", async () => {
    const clock = new VirtualClock();
    const scanned$ = new Subject<number>();
    const pending = new Set(["AIT-403", "FIT-501"]);
    let resolvedAt: number | null = null;
    const p = firstPollCycle({ scanned$, pending: () => [...pending], clock, timeoutMs: 60_000 }).then(() => {
      resolvedAt = clock.now();
    });
    scanned$.next(clock.now());
    await clock.advance(1_000);
    expect(resolvedAt).toBeNull();
    pending.delete("AIT-403"); // answered
    pending.delete("FIT-501"); // timed out: reported Bad (no-comm), which still completes the cycle
    await clock.advance(100);
    expect(resolvedAt).toBeNull(); // not before a scan has taken the samples in
    scanned$.next(clock.now());
    await p;
    expect(resolvedAt).toBe(1_100);
  });

  it("rejects after the timeout, naming the tags that never arrived", async () => {
    const clock = new VirtualClock();
    const scanned$ = new Subject<number>();
    const p = firstPollCycle({ scanned$, pending: () => ["AIT-403"], clock, timeoutMs: 60_000 });
    const outcome = p.then(
      () => "resolved",
      (err: Error) => err.message,
    );
    scanned$.next(0);
    await clock.advance(60_000);
    expect(await outcome).toBe("first poll cycle not complete after 60000 ms: no value yet for AIT-403");
    expect(clock.pendingTimers).toBe(0);
    expect(scanned$.observed).toBe(false);
  });

  it("rejects when the controller stops first", async () => {
    const clock = new VirtualClock();
    const scanned$ = new Subject<number>();
    const p = firstPollCycle({ scanned$, pending: () => ["AIT-403"], clock, timeoutMs: 60_000 });
    scanned$.complete();
    await expect(p).rejects.toThrow("stopped before the first poll cycle");
    expect(clock.pendingTimers).toBe(0);
    // A stream that has already completed answers during subscribe(): same outcome.
    await expect(firstPollCycle({ scanned$, pending: () => [], clock, timeoutMs: 60_000 })).rejects.toThrow("stopped before");
    expect(clock.pendingTimers).toBe(0);
  });
});
