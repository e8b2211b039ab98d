import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** The process as `/api/health/detailed` shows it. */
export interface ProcessInfo {
  readonly pid: number;
  /** Node.js version, e.g. `v20.20.0`. */
  readonly node: string;
  /** Seconds since the process started (wall time). */
  readonly uptimeSeconds: number;
  /** CPU time used since the start, seconds, and its share of one core over the process's life, percent. */
  readonly cpu: { readonly userSeconds: number; readonly systemSeconds: number; readonly percent: number };
  /** Memory, bytes (`process.memoryUsage()`): resident set, V8 heap used and total, external, array buffers. */
  readonly memory: NodeJS.MemoryUsage;
  /** The process's operating-system threads (the event loop, libuv's pool, V8's), from `/proc` on Linux; `null` elsewhere. */
  readonly threads: number | null;
  /** The machine's load averages over 1, 5 and 15 minutes. */
  readonly loadAverage: readonly number[];
}

function threadCount(): number | null {
  try {
    const threads = /^Threads:\s+(\d+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    return threads === undefined ? null : Number(threads);
  } catch {
    return null;
  }
}

/** Reads {@link ProcessInfo} now. @internal */
export function processInfo(): ProcessInfo {
  const uptimeSeconds = process.uptime();
  const { user, system } = process.cpuUsage();
  const userSeconds = user / 1e6;
  const systemSeconds = system / 1e6;
  return {
    pid: process.pid,
    node: process.version,
    uptimeSeconds,
    cpu: {
      userSeconds,
      systemSeconds,
      percent: uptimeSeconds === 0 ? 0 : Math.round(((userSeconds + systemSeconds) / uptimeSeconds) * 10_000) / 100,
    },
    memory: process.memoryUsage(),
    threads: threadCount(),
    loadAverage: loadavg(),
  };
}
