import { describe, expect, it } from "vitest";
import {
  DEFAULT_SANDBOX_LIMITS,
  describeLimitHit,
  findPrlimit,
  limitFromOutcome,
  resolveLimits,
  rlimitArgv,
} from "./limits.js";

describe("resolveLimits", () => {
  it("fills in the defaults and keeps what is given", () => {
    expect(resolveLimits()).toEqual(DEFAULT_SANDBOX_LIMITS);
    expect(resolveLimits({ cpuSeconds: 5, diskBytes: 0, processes: Number.NaN })).toEqual({
      ...DEFAULT_SANDBOX_LIMITS,
      cpuSeconds: 5,
    });
  });

  it("has safe defaults", () => {
    expect(DEFAULT_SANDBOX_LIMITS).toEqual({
      processes: 512,
      memoryBytes: 4 * 1024 ** 3,
      cpuSeconds: 600,
      fileSizeBytes: 1024 ** 3,
      diskBytes: 5 * 1024 ** 3,
      inodes: 1_000_000,
    });
  });
});

describe("rlimitArgv", () => {
  it("runs the command through prlimit with every limit, the CPU hard limit a second above", () => {
    const prlimit = findPrlimit();
    expect(prlimit).not.toBeNull(); // util-linux is part of every supported host
    const limits = resolveLimits({ processes: 7, memoryBytes: 1000, cpuSeconds: 3, fileSizeBytes: 2000 });
    expect(rlimitArgv(limits, ["echo", "--nproc=1"], { processes: true })).toEqual([
      prlimit,
      "--nproc=7",
      "--data=1000",
      "--cpu=3:4",
      "--fsize=2000",
      "--core=0",
      "--",
      "echo",
      "--nproc=1",
    ]);
    expect(rlimitArgv(limits, ["true"], { processes: false })).not.toContain("--nproc=7");
  });
});

describe("limitFromOutcome", () => {
  it("tells the limits apart by signal and by message", () => {
    expect(limitFromOutcome(128 + 24, "")).toBe("cpu");
    expect(limitFromOutcome(128 + 25, "")).toBe("file_size");
    expect(limitFromOutcome(1, "Traceback…\nMemoryError\n")).toBe("memory");
    expect(limitFromOutcome(1, "bash: fork: retry: Resource temporarily unavailable\n")).toBe("processes");
    expect(limitFromOutcome(1, "cp: error writing 'x': File too large\n")).toBe("file_size");
    // A later command succeeded, but bash said one of its processes died of SIGXFSZ.
    expect(limitFromOutcome(0, "line 1: 3 File size limit exceeded head …\n")).toBe("file_size");
  });

  it("does not blame a limit for an ordinary failure or success", () => {
    expect(limitFromOutcome(1, "error: tests failed\n")).toBeUndefined();
    expect(limitFromOutcome(0, "grep hit: Cannot allocate memory\n")).toBeUndefined();
    expect(limitFromOutcome(137, "")).toBeUndefined();
  });
});

describe("describeLimitHit", () => {
  it("names the limit and its value", () => {
    const limits = resolveLimits({ cpuSeconds: 600, memoryBytes: 256 * 1024 * 1024 });
    expect(describeLimitHit("cpu", limits)).toBe("limit hit: CPU time (600 s per process); the process was killed");
    expect(describeLimitHit("memory", limits)).toContain("memory (256 MiB)");
    expect(describeLimitHit("disk", limits, "workspace grew to 3 MiB of 1 MiB allowed")).toBe(
      "disk limit exceeded: workspace grew to 3 MiB of 1 MiB allowed",
    );
  });
});
