/**
 * `quire login` keeps the server and its token in Quire's home, `login.json` (mode 0600, like an
 * SSH key: the token acts for its user), so later commands need no flags.
 */
import { chmod, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

export interface StoredLogin {
  server: string;
  token: string | null;
}

export function loginFile(home: string): string {
  return path.join(home, "login.json");
}

export async function readLogin(home: string): Promise<StoredLogin | null> {
  let text: string;
  try {
    text = await readFile(loginFile(home), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<StoredLogin>;
  if (typeof parsed.server !== "string") throw new Error(`${loginFile(home)} names no server: run quire login again`);
  return { server: parsed.server, token: typeof parsed.token === "string" ? parsed.token : null };
}

/** Written to a private temporary file and renamed over the old one: never readable by others, never half written. */
export async function writeLogin(home: string, login: StoredLogin): Promise<void> {
  const file = loginFile(home);
  const scratch = `${file}.${process.pid}.tmp`;
  await writeFile(scratch, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  await chmod(scratch, 0o600);
  await rename(scratch, file);
}

export async function removeLogin(home: string): Promise<boolean> {
  try {
    await rm(loginFile(home));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
