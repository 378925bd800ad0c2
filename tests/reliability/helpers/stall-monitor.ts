// Event-loop stalls on real time, told apart from a busy test machine. perf_hooks'
// histogram measures how late the loop was; on a shared 2-core CI machine most of that can be
// other processes holding the CPU. A 10 ms interval also reads this process's CPU time: a
// stall the controller causes (synchronous work) costs CPU for as long as it lasts, being
// preempted does not. The stall of a tick is min(lateness, CPU time spent meanwhile).
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

export interface StallReport {
  /** perf_hooks' event-loop delay, ms (includes the 10 ms resolution and time preempted). */
  p50: number;
  p99: number;
  max: number;
  /** The longest lateness that this process spent on a CPU, ms. */
  maxCpuStall: number;
}

export class StallMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | undefined;
  private maxCpuStall = 0;

  start(): void {
    this.histogram.enable();
    let last = performance.now();
    let lastCpu = process.cpuUsage();
    this.timer = setInterval(() => {
      const now = performance.now();
      const cpu = process.cpuUsage(lastCpu);
      const late = now - last - 10;
      this.maxCpuStall = Math.max(this.maxCpuStall, Math.min(late, (cpu.user + cpu.system) / 1000));
      last = now;
      lastCpu = process.cpuUsage();
    }, 10);
  }

  stop(): StallReport {
    clearInterval(this.timer);
    this.histogram.disable();
    const ms = (ns: number): number => ns / 1e6;
    return { p50: ms(this.histogram.percentile(50)), p99: ms(this.histogram.percentile(99)), max: ms(this.histogram.max), maxCpuStall: this.maxCpuStall };
  }
}
