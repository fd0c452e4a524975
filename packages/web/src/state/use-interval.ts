import { useEffect, useRef, useState } from "react";

/**
 * Calls `tick` every `ms` while the page is visible (and once when it becomes visible again):
 * a hidden tab costs the server nothing. `ms` null stops it.
 */
export function useVisibleInterval(tick: () => void, ms: number | null): void {
  const latest = useRef(tick);
  useEffect(() => {
    latest.current = tick;
  });
  useEffect(() => {
    if (ms === null) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === "visible") latest.current();
    }, ms);
    const onVisible = (): void => {
      if (document.visibilityState === "visible") latest.current();
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [ms]);
}

/** The current time, refreshed every `ms` (for clocks: "working for 42 s", task ages). */
export function useNow(ms: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  useVisibleInterval(() => setNow(Date.now()), ms);
  return now;
}
