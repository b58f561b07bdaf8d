/**
 * CPU time used by processes, to say where a phase's time went: on two shared
 * cores, throughput is bounded by the CPU each submission costs across all the
 * processes involved (the function, the emulators, the proxies).
 */
import { readFileSync } from 'node:fs';

/** Linux reports /proc/<pid>/stat times in clock ticks of 1/100 s. */
const TICK_MS = 10;

/** User + system CPU ms the process has used so far; undefined where /proc is not available. */
function cpuMsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

export type CpuSample = Record<string, number | undefined>;

/** CPU ms used so far by each named process; `self` is this one. */
export function sampleCpu(pids: Record<string, number | undefined>): CpuSample {
  const { user, system } = process.cpuUsage();
  const sample: CpuSample = { bench: (user + system) / 1000 };
  for (const [name, pid] of Object.entries(pids)) sample[name] = cpuMsOf(pid);
  return sample;
}

/** CPU ms each process used between two samples (undefined where unknown). */
export function cpuUsedBetween(before: CpuSample, after: CpuSample): CpuSample {
  return Object.fromEntries(
    Object.keys(after).map((name) => {
      const start = before[name];
      const end = after[name];
      return [name, start === undefined || end === undefined ? undefined : end - start];
    }),
  );
}

/** Adds `more` into `total`, process by process. */
export function addCpu(total: CpuSample, more: CpuSample): CpuSample {
  const sum: CpuSample = { ...total };
  for (const [name, value] of Object.entries(more)) {
    sum[name] =
      value === undefined || (name in total && total[name] === undefined)
        ? undefined
        : (total[name] ?? 0) + value;
  }
  return sum;
}

/** Resident memory of a process in MiB (VmRSS), undefined where /proc is not available. */
export function residentMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}
