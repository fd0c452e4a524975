/**
 * The MCP SDK's client talks to a stdio server through this transport: newline-delimited JSON-RPC
 * over the pipes of a process Quire started itself (in the task's sandbox), instead of the SDK's
 * own StdioClientTransport, which would start the server on the host. A line longer than
 * MAX_LINE_BYTES ends the server: it cannot make Quire hold more.
 */
import type { ChildProcess } from "node:child_process";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export class ChildProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new ReadBuffer();
  private pendingBytes = 0;
  private stderrTail = "";

  constructor(private readonly child: ChildProcess) {}

  async start(): Promise<void> {
    const { child } = this;
    child.stdout?.on("data", (chunk: Buffer) => {
      const newline = chunk.lastIndexOf(0x0a);
      this.pendingBytes = newline === -1 ? this.pendingBytes + chunk.length : chunk.length - newline - 1;
      if (this.pendingBytes > MAX_LINE_BYTES) {
        this.onerror?.(new Error(`the server wrote a line over ${MAX_LINE_BYTES} bytes`));
        child.kill("SIGKILL");
        return;
      }
      this.buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.buffer.readMessage();
        } catch (error) {
          this.onerror?.(error as Error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    // The last of stderr says why a server died; the rest is dropped.
    child.stderr?.on("data", (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-2000);
    });
    child.on("error", (error) => this.onerror?.(error));
    child.on("close", () => {
      this.buffer.clear();
      this.onclose?.();
    });
    child.stdin?.on("error", () => undefined);
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed) throw new Error(`the MCP server is not running${this.why()}`);
    await new Promise<void>((resolve, reject) =>
      stdin.write(serializeMessage(message), (error) => (error ? reject(error) : resolve())),
    );
  }

  async close(): Promise<void> {
    this.child.stdin?.end();
    this.child.kill("SIGKILL");
  }

  /** The end of the server's stderr, for an error message. */
  why(): string {
    const tail = this.stderrTail.trim().split("\n").slice(-3).join(" | ");
    return tail ? ` (its stderr: ${tail})` : "";
  }
}
