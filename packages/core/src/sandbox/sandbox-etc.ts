import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { etcMaskArgs } from "./system-view.js";
import path from "node:path";

/**
 * What the sandbox's /etc holds from the host: only what programs need to run (the dynamic
 * loader, certificates, alternatives, time zone, shell and tool settings), none of it secret or
 * telling which services the host runs. Everything else of the host's /etc (service configs,
 * shadow, keys, machine-id, sudoers...) is simply absent, so its names cannot be listed either.
 * Directories are bound whole; a symlink is kept as a symlink.
 */
export const HOST_ETC_ALLOWLIST = [
  "alternatives",
  "bash.bashrc",
  "ca-certificates",
  "ca-certificates.conf",
  "debian_version",
  "fonts",
  "gai.conf",
  "host.conf",
  "inputrc",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "localtime",
  "locale.alias",
  "magic",
  "magic.mime",
  "mime.types",
  "os-release",
  "pki",
  "profile",
  "protocols",
  "services",
  "shells",
  "ssl/certs",
  "ssl/openssl.cnf",
  "terminfo",
  "timezone",
] as const;

/** Version-named directories that runtimes read their settings from (Debian's java, python, perl). */
const HOST_ETC_PATTERNS = [/^java-\d+-openjdk$/, /^python3(\.\d+)?$/, /^perl$/];

/** Files written for the sandbox alone: its own users, names and lookup rules. */
export function syntheticEtcFiles(uid: string, hostname: string): Record<string, string> {
  return {
    passwd: [
      "root:x:0:0:root:/root:/usr/sbin/nologin",
      `quire:x:${uid}:${uid}:quire:/home/quire:/bin/bash`,
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
      "",
    ].join("\n"),
    group: ["root:x:0:", `quire:x:${uid}:`, "nogroup:x:65534:", ""].join("\n"),
    hosts: `127.0.0.1 localhost ${hostname}\n::1 localhost ip6-localhost ip6-loopback\n`,
    hostname: `${hostname}\n`,
    "nsswitch.conf": [
      "passwd: files",
      "group: files",
      "shadow: files",
      "hosts: files dns",
      "networks: files",
      "protocols: files",
      "services: files",
      "",
    ].join("\n"),
  };
}

/** The host's allowlisted /etc entries that match on this host's listing. */
function hostEntries(names: string[]): string[] {
  const listed = new Set<string>(HOST_ETC_ALLOWLIST);
  for (const name of names) if (HOST_ETC_PATTERNS.some((pattern) => pattern.test(name))) listed.add(name);
  return [...listed].sort().map((entry) => path.join("/etc", entry));
}

/** A host file larger than this is bound rather than copied in (none of the allowlist is, normally). */
const COPY_MAX_BYTES = 4 * 1024 * 1024;
const OTHERS_READ = 0o004;

interface HostEtc {
  /** Directories bound read-only (their private files get masked). */
  binds: string[];
  /** --ro-bind and --symlink arguments. */
  args: string[];
  /** Small files copied in: no mount each, which would cost bwrap time on every command. */
  copies: { path: string; content: Buffer }[];
}

let hostEtc: HostEtc | undefined;

/** The allowlisted host entries, as binds, symlinks and copies (read once per process). */
function mirroredHostEtc(): HostEtc {
  if (hostEtc) return hostEtc;
  let names: string[] = [];
  try {
    names = readdirSync("/etc");
  } catch {
    // no /etc to mirror: the synthetic files alone
  }
  const found: HostEtc = { binds: [], args: [], copies: [] };
  for (const source of hostEntries(names)) {
    let stat;
    try {
      stat = lstatSync(source);
    } catch {
      continue; // not on this host
    }
    if (stat.isSymbolicLink()) {
      found.args.push("--symlink", readlinkSync(source), source);
    } else if (stat.isDirectory()) {
      found.args.push("--ro-bind", source, source);
      found.binds.push(source);
    } else if (stat.isFile() && (stat.mode & OTHERS_READ) !== 0) {
      if (stat.size > COPY_MAX_BYTES) found.args.push("--ro-bind", source, source);
      else found.copies.push({ path: source, content: readFileSync(source) });
    }
  }
  hostEtc = found;
  return hostEtc;
}

/**
 * The sandbox's /etc: an empty tmpfs that gets the allowlisted host entries (directories bound
 * read-only with their private files masked, small files copied, symlinks kept), the synthetic
 * files, the host's resolver settings only with the network on, and is then made read-only.
 * Copied files come to bwrap on fds numbered from `firstFd` (its --file). The host files are
 * read once per process: a change to them shows in the sandbox after Quire restarts.
 */
export function sandboxEtc(options: { uid: string; hostname: string; network: boolean; firstFd: number }): {
  args: string[];
  inputFds: Buffer[];
} {
  const mirrored = mirroredHostEtc();
  const synthetic = Object.entries(syntheticEtcFiles(options.uid, options.hostname)).map(([name, content]) => ({
    path: `/etc/${name}`,
    content: Buffer.from(content),
  }));
  const files = [...mirrored.copies, ...synthetic];
  const bytes = files.reduce((sum, file) => sum + file.content.length, 0);
  const args = [
    "--size",
    String(bytes + ETC_TMPFS_SLACK_BYTES),
    "--tmpfs",
    "/etc",
    ...mirrored.args,
    ...etcMaskArgs(mirrored.binds),
    ...files.flatMap((file, index) => ["--perms", "0644", "--file", String(options.firstFd + index), file.path]),
    ...(options.network ? ["--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"] : []),
    "--remount-ro",
    "/etc",
  ];
  return { args, inputFds: files.map((file) => file.content) };
}

/** Room beyond the files: directories and mount points (4 KiB pages each); read-only once made. */
const ETC_TMPFS_SLACK_BYTES = 512 * 1024;
