/**
 * Keeps a scrolling box pinned to its end while new content arrives, as long as the reader
 * was at the end: scrolling up to read stops the following, scrolling back down resumes it.
 */
import { useEffect, useLayoutEffect, useRef, type RefObject } from "react";

const SLACK_PX = 80;

export interface FollowOptions {
  /** The box that scrolls, from the anchor (default: the anchor itself). */
  scroller?: (anchor: HTMLElement) => HTMLElement | null;
  /** How to reach the end (a virtualised list scrolls to its last index). */
  toEnd?: () => void;
}

export function useFollowEnd(
  anchor: RefObject<HTMLElement | null>,
  content: unknown,
  active: boolean,
  options: FollowOptions = {},
): void {
  const atEnd = useRef(true);
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });
  const box = (): HTMLElement | null =>
    anchor.current && (latest.current.scroller ? latest.current.scroller(anchor.current) : anchor.current);

  useEffect(() => {
    const element = box();
    if (!element) return;
    const onScroll = (): void => {
      atEnd.current = element.scrollTop + element.clientHeight >= element.scrollHeight - SLACK_PX;
    };
    element.addEventListener("scroll", onScroll, { passive: true });
    return () => element.removeEventListener("scroll", onScroll);
    // (The anchor is mounted once; the box it leads to does not change.)
  }, [anchor]);

  // After the DOM grew, before paint: no flicker of the old position.
  useLayoutEffect(() => {
    const element = box();
    if (!active || !element || !atEnd.current) return;
    if (latest.current.toEnd) latest.current.toEnd();
    else element.scrollTop = element.scrollHeight;
  }, [content, active]);
}
