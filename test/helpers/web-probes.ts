/**
 * Measurements taken inside the page: long tasks, layout shifts, focus, theme, clipboard.
 * These functions run in Chromium (Playwright sends their source), but the root tsconfig checks
 * Node code and has no DOM lib, so the few browser globals they touch are declared here, for
 * this module only.
 */
import type { Page } from "playwright-core";

interface ProbeElement {
  id: string;
  tagName: string;
  className: string;
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { top: number; bottom: number };
  labels?: ArrayLike<{ textContent: string | null }> | null;
}
interface ProbeEntry {
  duration: number;
  value: number;
  hadRecentInput: boolean;
  sources: { node?: unknown }[];
}
interface Probes {
  longest: number;
  shifts: LayoutShift[];
}
declare const window: { innerHeight: number } & Partial<Probes>;
declare const document: {
  activeElement: ProbeElement | null;
  documentElement: ProbeElement;
  fonts: { ready: Promise<unknown> };
};
declare const localStorage: { getItem(key: string): string | null };
declare const navigator: { clipboard: { readText(): Promise<string> } };
declare function getComputedStyle(element: ProbeElement): {
  backgroundColor: string;
  outlineStyle: string;
  outlineWidth: string;
};
declare class PerformanceObserver {
  constructor(callback: (list: { getEntries(): ProbeEntry[] }) => void);
  observe(options: { type: string; buffered?: boolean }): void;
}

export interface LayoutShift {
  value: number;
  /** What moved, as "TAG.class". */
  sources: string[];
}

/** Starts recording the longest main-thread task (Long Tasks API), including those before now. */
export async function recordLongTasks(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.longest = Math.max(window.longest ?? 0, entry.duration);
    }).observe({ type: "longtask", buffered: true });
  });
}

export function longestTask(page: Page): Promise<number> {
  return page.evaluate(() => window.longest ?? 0);
}

/** Starts recording layout shifts (Layout Instability API) not caused by the reader's input. */
export async function recordLayoutShifts(page: Page): Promise<void> {
  await page.evaluate(() => {
    window.shifts = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (entry.hadRecentInput) continue;
        const sources = entry.sources.map((source) => {
          const node = source.node as ProbeElement | undefined;
          return node?.tagName ? `${node.tagName}.${node.className}` : "text";
        });
        window.shifts?.push({ value: entry.value, sources });
      }
    }).observe({ type: "layout-shift" });
  });
}

export function layoutShifts(page: Page): Promise<LayoutShift[]> {
  return page.evaluate(() => window.shifts ?? []);
}

/** The focused element's accessible name (roughly: aria-label, its label, its text) and whether a ring shows. */
export function focusedControl(page: Page): Promise<{ name: string; id: string; ring: boolean }> {
  return page.evaluate(() => {
    const element = document.activeElement;
    if (!element) return { name: "", id: "", ring: false };
    const style = getComputedStyle(element);
    const name = element.getAttribute("aria-label") ?? (element.labels?.[0]?.textContent || element.textContent || "");
    const ring = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
    return { name: name.trim(), id: element.id, ring };
  });
}

export function rootBackground(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
}

export function storedItem(page: Page, key: string): Promise<string | null> {
  return page.evaluate((name) => localStorage.getItem(name), key);
}

export function readClipboard(page: Page): Promise<string> {
  return page.evaluate(() => navigator.clipboard.readText());
}

export async function fontsReady(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await document.fonts.ready;
  });
}

/** Whether the last element matching `selector` is (at least partly) inside the window. */
export function inView(page: Page, selector: string): Promise<boolean> {
  return page
    .locator(selector)
    .last()
    .evaluate((element) => {
      const box = (element as unknown as ProbeElement).getBoundingClientRect();
      return box.bottom > 0 && box.top < window.innerHeight;
    });
}
