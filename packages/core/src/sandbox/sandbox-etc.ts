import { lstatSync, readdirSync, readlinkSync } from "node:fs";
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

let hostEtc: { binds: string[]; args: string[] } | undefined;

/** The allowlisted host paths, and the bwrap arguments mirroring them (once per process). */
function mirroredHostEtc(): { binds: string[]; args: string[] } {
  if (hostEtc) return hostEtc;
  let names: string[] = [];
  try {
    names = readdirSync("/etc");
  } catch {
    // no /etc to mirror: the synthetic files alone
  }
  const binds: string[] = [];
  const args: string[] = [];
  for (const source of hostEntries(names)) {
    let stat;
    try {
      stat = lstatSync(source);
    } catch {
      continue; // not on this host
    }
    if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(source), source);
    else if (stat.isDirectory() || stat.isFile()) {
      args.push("--ro-bind", source, source);
      binds.push(source);
    }
  }
  hostEtc = { binds, args };
  return hostEtc;
}

/**
 * The sandbox's /etc: an empty tmpfs that gets the allowlisted host entries (read-only binds,
 * symlinks kept), their private files masked, the synthetic files (copied in by bwrap from
 * fds numbered from `firstFd`), the host's resolver settings only with the network on, and is
 * then made read-only. Nothing there is a mount of a host path other than /etc's own.
 */
export function sandboxEtc(options: { uid: string; hostname: string; network: boolean; firstFd: number }): {
  args: string[];
  inputFds: string[];
} {
  const mirrored = mirroredHostEtc();
  const files = Object.entries(syntheticEtcFiles(options.uid, options.hostname));
  const args = [
    "--size",
    String(ETC_TMPFS_BYTES),
    "--tmpfs",
    "/etc",
    ...mirrored.args,
    ...etcMaskArgs(mirrored.binds),
    ...files.flatMap(([name], index) => ["--perms", "0644", "--file", String(options.firstFd + index), `/etc/${name}`]),
    ...(options.network ? ["--ro-bind-try", "/etc/resolv.conf", "/etc/resolv.conf"] : []),
    "--remount-ro",
    "/etc",
  ];
  return { args, inputFds: files.map(([, content]) => content) };
}

/** Room for the synthetic files and the mount points; read-only once made. */
const ETC_TMPFS_BYTES = 1024 * 1024;
