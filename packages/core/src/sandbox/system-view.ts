import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import path from "node:path";

/** Top-level system directories that merged-/usr systems make symlinks into /usr. */
const USR_ALIASES = ["/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"];

/** Mirrors the host's layout of the /usr aliases: the same symlink, or a read-only bind. */
export function systemAliasArgs(): string[] {
  const args: string[] = [];
  for (const alias of USR_ALIASES) {
    try {
      const stat = lstatSync(alias);
      if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(alias), alias);
      else if (stat.isDirectory()) args.push("--ro-bind", alias, alias);
    } catch {
      // Absent on this host: absent inside too.
    }
  }
  return args;
}

const OTHERS_READ = 0o004;
const OTHERS_SEARCH = 0o001;

/** Entries under `dir` that other users may not read: files (and dirs they may not enter). */
function privateEntries(dir: string, found: { files: string[]; dirs: string[] }): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    found.dirs.push(dir);
    return;
  }
  for (const name of names) {
    const entry = path.join(dir, name);
    let stat: ReturnType<typeof lstatSync>;
    try {
      stat = lstatSync(entry);
    } catch {
      continue; // removed meanwhile
    }
    if (stat.isSymbolicLink()) continue; // the target is masked, or not visible, on its own
    if (stat.isDirectory()) {
      if ((stat.mode & OTHERS_READ) === 0 || (stat.mode & OTHERS_SEARCH) === 0) found.dirs.push(entry);
      else privateEntries(entry, found);
    } else if ((stat.mode & OTHERS_READ) === 0) {
      found.files.push(entry);
    }
  }
}

let etcMasks: string[] | undefined;

/**
 * Hides what the allowlisted parts of /etc (sandbox-etc.ts) keep from other users (a TLS
 * private key dropped among the certificates). The command runs as the user that started
 * Quire, so when that is root it could otherwise read them: files become an unopenable device
 * node, directories an empty read-only tmpfs. Computed once per process.
 */
export function etcMaskArgs(allowed: string[]): string[] {
  if (etcMasks === undefined) {
    const found = { files: [] as string[], dirs: [] as string[] };
    for (const entry of allowed) {
      let stat;
      try {
        stat = lstatSync(entry);
      } catch {
        continue;
      }
      if (stat.isSymbolicLink()) continue;
      const hidden = (stat.mode & OTHERS_READ) === 0 || (stat.mode & OTHERS_SEARCH) === 0;
      if (stat.isDirectory()) {
        if (hidden) found.dirs.push(entry);
        else privateEntries(entry, found);
      } else if ((stat.mode & OTHERS_READ) === 0) found.files.push(entry);
    }
    etcMasks = [
      ...found.files.flatMap((file) => ["--ro-bind", "/dev/null", file]),
      ...found.dirs.flatMap((dir) => ["--tmpfs", dir, "--remount-ro", dir]),
    ];
  }
  return etcMasks;
}
