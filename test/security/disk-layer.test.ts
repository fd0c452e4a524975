// A hostile command filling a task's workspace, on the real task layout: the snapshot under an
// overlay whose writable layer is the task's disk layer (a file system of the budget's size).
// Before, the budget was measured after each command and the host kept whatever was written.
import { statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { diskLayerImage, diskLayerSupported } from "../../packages/core/src/sandbox/disk-layer.js";
import {
  attachSnapshot,
  detachDiskLayer,
  detachSnapshot,
  taskUpperDir,
} from "../../packages/core/src/tasks/prepare.js";
import { type HostLayout, makeHostLayout, releaseTaskLayout, sandboxFor, sh, taskLayout } from "./attack-helpers.js";

const MIB = 1024 * 1024;
const BUDGET = { bytes: 16 * MIB, inodes: 2000 };

let host: HostLayout;
let taskDir: string;
beforeEach(() => {
  ({ host, taskDir } = taskLayout("task-layer"));
});
afterEach(() => releaseTaskLayout({ host, taskDir }));

const probeLayout = makeHostLayout();
const supported = await diskLayerSupported(probeLayout.root);
probeLayout.cleanup();

async function taskSandbox() {
  await attachSnapshot({ taskDir, snapshotDir: host.snapshot, overlay: true, diskBudget: BUDGET });
  const workspace = path.join(taskDir, "repo");
  const sandbox = sandboxFor(host, {
    workspace,
    diskUsageRoot: taskUpperDir(taskDir),
    limits: { diskBytes: BUDGET.bytes, inodes: BUDGET.inodes, fileSizeBytes: 64 * MIB },
  });
  return { sandbox, workspace };
}

describe.skipIf(!supported)("the task's disk layer", () => {
  it("refuses writes past the budget in the kernel: the host keeps no more than the budget", async () => {
    const { sandbox, workspace } = await taskSandbox();
    expect(taskUpperDir(taskDir)).toBe(path.join(taskDir, "disk", "upper"));
    // Four writers at once, as fast as they can: a watch alone would let hundreds of MiB through.
    const result = await sh(
      sandbox,
      "for w in 1 2 3 4; do (for i in $(seq 40); do head -c 8M /dev/zero > fill$w-$i || break; done) & done; wait; echo ended",
      { timeoutMs: 30_000 },
    );
    // The writers meet ENOSPC, or the watch stops them first (it may, on a fast disk): either way
    // the command ends at the disk limit, and the image's size below shows the kernel held it.
    expect(result.limitHit).toBe("disk");
    const image = statSync(diskLayerImage(path.join(taskDir, "disk")));
    expect(image.blocks * 512).toBeLessThanOrEqual(BUDGET.bytes + 4 * MIB); // ext4's own bookkeeping
    const seen = await sh(sandboxFor(host, { workspace, writable: false }), "du -sm . | cut -f1");
    expect(Number(seen.output.trim())).toBeLessThanOrEqual(16 + 1); // du rounds up
  });

  it("refuses files past the inode budget", async () => {
    const { sandbox } = await taskSandbox();
    const result = await sh(
      sandbox,
      "mkdir many; cd many; for i in $(seq 5000); do : > f$i || break; done; ls | wc -l",
      {
        timeoutMs: 30_000,
      },
    );
    expect(result.output).toMatch(/No space left on device/);
    const made = Number(/^(\d+)$/m.exec(result.output)?.[1] ?? "99999");
    expect(made).toBeLessThanOrEqual(BUDGET.inodes + 100); // mke2fs rounds up to whole block groups
  });

  it("reads the workspace's growth from the layer's own counters (statfs), not a walk", async () => {
    await attachSnapshot({ taskDir, snapshotDir: host.snapshot, overlay: true, diskBudget: BUDGET });
    const workspace = path.join(taskDir, "repo");
    // A budget below the layer's size, so that the watch, not the kernel, is what stops the writer.
    const sandbox = sandboxFor(host, {
      workspace,
      diskUsageRoot: taskUpperDir(taskDir),
      diskUsageOwnFileSystem: true,
      limits: { diskBytes: 4 * MIB, inodes: BUDGET.inodes, fileSizeBytes: 64 * MIB },
    });
    expect((await sh(sandbox, "head -c 1M /dev/zero > small && echo ok")).output).toBe("ok\n");
    const result = await sh(sandbox, "head -c 8M /dev/zero > big; sleep 5; echo not stopped", { timeoutMs: 30_000 });
    expect(result.limitHit).toBe("disk");
    expect(result.limitMessage).toMatch(/the workspace grew by [\d.]+ MiB, past the 4 MiB allowed/);
    expect(result.output).not.toContain("not stopped");
  });

  it("counts, with statfs, what a walk of the upper layer would not see: the whole layer is the budget", async () => {
    await attachSnapshot({ taskDir, snapshotDir: host.snapshot, overlay: true, diskBudget: BUDGET });
    const workspace = path.join(taskDir, "repo");
    const sandbox = sandboxFor(host, {
      workspace,
      diskUsageRoot: taskUpperDir(taskDir),
      diskUsageOwnFileSystem: true,
      limits: { diskBytes: 4 * MIB, inodes: BUDGET.inodes, fileSizeBytes: 64 * MIB },
    });
    // 1 MiB in the workspace, 8 MiB beside the upper layer on the same layer (as overlayfs'
    // work dir could hold): within the budget by a walk of the upper layer, past it by the layer's counters.
    const running = sh(sandbox, "head -c 1M /dev/zero > small; sleep 3; echo not stopped", { timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    writeFileSync(path.join(taskDir, "disk", "beside"), Buffer.alloc(8 * MIB, 1));
    const result = await running;
    expect(result.limitHit).toBe("disk");
    expect(result.output).not.toContain("not stopped");
  });

  it("keeps the task's writes across a detach and a new attach", async () => {
    const first = await taskSandbox();
    await sh(first.sandbox, "echo kept > kept.txt");
    await detachSnapshot(taskDir, true);
    await detachDiskLayer(taskDir);
    const again = await taskSandbox();
    expect((await sh(again.sandbox, "cat kept.txt README.md")).output).toBe("kept\nthe snapshot\n");
  });
});
