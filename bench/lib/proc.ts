// CPU and memory of a process read from /proc (Linux): utime+stime in clock ticks, VmRSS.
// Benchmarks compare CPU-seconds over a window, never wall time, so a busy neighbour on
// the machine shows up as a noisier figure, not as a wrong one.
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let clockTicks: number | undefined;

/** Clock ticks per second for /proc/<pid>/stat times (usually 100). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

export interface CpuTimes {
  /** Seconds in user mode. */
  readonly user: number;
  /** Seconds in the kernel on the process's behalf (syscalls: socket reads, file writes). */
  readonly sys: number;
}

/** utime and stime of a process (`/proc/<pid>/stat`) or one thread (`/proc/<pid>/task/<tid>/stat`). */
export function cpuTimes(pid: number, tid?: number): CpuTimes {
  const stat = readFileSync(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  // the command name (field 2) may contain spaces and parentheses: split after its last ')'
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15
  return { user: Number(rest[11]) / clockTicksPerSecond(), sys: Number(rest[12]) / clockTicksPerSecond() };
}

/** utime + stime of `pid` in seconds (all its threads; children not included). */
export function cpuSeconds(pid: number): number {
  const t = cpuTimes(pid);
  return t.user + t.sys;
}

/** Resident set size of `pid` in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Sum of cpuTimes over pids that still exist. */
export function totalCpuTimes(pids: readonly number[]): CpuTimes {
  let user = 0;
  let sys = 0;
  for (const p of pids) {
    try {
      const t = cpuTimes(p);
      user += t.user;
      sys += t.sys;
    } catch {
      /* exited */
    }
  }
  return { user, sys };
}

export function totalRssBytes(pids: readonly number[]): number {
  let s = 0;
  for (const p of pids) {
    try {
      s += rssBytes(p);
    } catch {
      /* exited */
    }
  }
  return s;
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly date: string;
  readonly ffmpeg?: string;
}

export function machineInfo(): MachineInfo {
  let cpuModel = 'unknown';
  let cores = 0;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? cpuModel;
    cores = (info.match(/^processor\s*:/gm) ?? []).length;
  } catch {
    /* not Linux */
  }
  let ffmpeg: string | undefined;
  try {
    ffmpeg = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' })
      .split('\n')[0]
      ?.replace(/ Copyright.*/, '');
  } catch {
    /* not installed */
  }
  return { cpuModel, cores, node: process.version, date: new Date().toISOString(), ...(ffmpeg ? { ffmpeg } : {}) };
}
