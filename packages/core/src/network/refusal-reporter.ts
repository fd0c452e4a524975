import { formatNetworkRefusal, type NetworkDecision } from "./decision.js";

/** Refusals shown one by one before they are only counted. */
export const REFUSALS_SHOWN = 20;
/** Hosts named in the summary; the rest are counted together. */
const HOSTS_NAMED = 20;

/**
 * Turns the proxy's refusals into a bounded number of `error` items. A command can make
 * thousands of requests in a loop (its own output bounded), and one item each grew a task's
 * event log by megabytes: the first REFUSALS_SHOWN become items, the rest are counted per host
 * and reported in one summary item when the phase ends.
 */
export class RefusalReporter {
  private shown = 0;
  private counted = 0;
  private readonly perHost = new Map<string, number>();
  private otherHosts = 0;

  constructor(
    /** "setup: " for the setup phase, "" for the agent phase. */
    private readonly prefix: string,
    private readonly emitError: (message: string) => void,
  ) {}

  /** The proxy's onDecision: allowed requests are not reported. */
  readonly onDecision = (decision: NetworkDecision): void => {
    if (decision.allowed) return;
    if (this.shown < REFUSALS_SHOWN) {
      this.shown++;
      this.emitError(`${this.prefix}${formatNetworkRefusal(decision)}`);
      return;
    }
    this.counted++;
    const host = `${decision.host}:${decision.port}`;
    const known = this.perHost.get(host);
    if (known !== undefined) this.perHost.set(host, known + 1);
    else if (this.perHost.size < HOSTS_NAMED) this.perHost.set(host, 1);
    else this.otherHosts++;
  };

  /** Emits the summary of the refusals not shown, if any; call once, when the phase's network closes. */
  flush(): void {
    if (this.counted === 0) return;
    const hosts = [...this.perHost].sort((a, b) => b[1] - a[1]).map(([host, count]) => `${host} ×${count}`);
    if (this.otherHosts > 0) hosts.push(`other hosts ×${this.otherHosts}`);
    this.emitError(
      `${this.prefix}network: ${this.counted} more requests blocked after the first ${REFUSALS_SHOWN} (${hosts.join(", ")})`,
    );
    this.counted = 0;
    this.perHost.clear();
    this.otherHosts = 0;
  }
}
