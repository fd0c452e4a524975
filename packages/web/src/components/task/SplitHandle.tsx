/**
 * The handle between the log and the review: drag it, or focus it and use the arrow keys, to
 * give the diff more or less of the width. The share is kept in localStorage, and applied as
 * two grid fractions on the task body (`--log-share`, `--review-share`).
 */
import { useCallback, useEffect, useState, type KeyboardEvent, type PointerEvent, type RefObject } from "react";

const SHARE_KEY = "quire.reviewShare";
export const DEFAULT_REVIEW_SHARE = 60;
const MIN_SHARE = 25;
const MAX_SHARE = 80;
const STEP = 5;

const clamp = (share: number): number => Math.round(Math.min(MAX_SHARE, Math.max(MIN_SHARE, share)));

function storedShare(): number {
  const stored = Number(window.localStorage.getItem(SHARE_KEY));
  return Number.isFinite(stored) && stored > 0 ? clamp(stored) : DEFAULT_REVIEW_SHARE;
}

/** The review's share of the width (percent), applied to `body` and remembered. */
export function useReviewShare(body: RefObject<HTMLElement | null>): [number, (share: number) => void] {
  const [share, setShare] = useState(storedShare);
  useEffect(() => {
    body.current?.style.setProperty("--review-share", `${share}fr`);
    body.current?.style.setProperty("--log-share", `${100 - share}fr`);
  });
  const choose = useCallback((next: number) => {
    const clamped = clamp(next);
    setShare(clamped);
    window.localStorage.setItem(SHARE_KEY, String(clamped));
  }, []);
  return [share, choose];
}

interface Props {
  body: RefObject<HTMLElement | null>;
  share: number;
  onShare(share: number): void;
}

export function SplitHandle({ body, share, onShare }: Props) {
  const [dragging, setDragging] = useState(false);

  const onPointerDown = (event: PointerEvent<HTMLDivElement>): void => {
    event.currentTarget.setPointerCapture(event.pointerId);
    setDragging(true);
  };
  const onPointerMove = (event: PointerEvent<HTMLDivElement>): void => {
    const box = body.current?.getBoundingClientRect();
    if (!dragging || !box || box.width === 0) return;
    onShare(((box.right - event.clientX) / box.width) * 100);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>): void => {
    if (event.key === "ArrowLeft") onShare(share + STEP);
    else if (event.key === "ArrowRight") onShare(share - STEP);
    else if (event.key === "Home") onShare(MAX_SHARE);
    else if (event.key === "End") onShare(MIN_SHARE);
    else return;
    event.preventDefault();
  };

  return (
    <div
      className={`split-handle${dragging ? " dragging" : ""}`}
      role="separator"
      aria-orientation="vertical"
      aria-label="Width of the review"
      aria-valuemin={MIN_SHARE}
      aria-valuemax={MAX_SHARE}
      aria-valuenow={share}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={() => setDragging(false)}
      onPointerCancel={() => setDragging(false)}
      onKeyDown={onKeyDown}
      onDoubleClick={() => onShare(DEFAULT_REVIEW_SHARE)}
    />
  );
}
