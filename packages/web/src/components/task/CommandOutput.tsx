/**
 * A command's output with its ANSI colours. Long output is virtualised (only the visible lines
 * are in the DOM) rather than cut: every line stays reachable by scrolling.
 */
import Convert from "ansi-to-html";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useMemo, useRef } from "react";
import { ansiStylesToClasses } from "../../lib/ansi-classes";
import { useFollowEnd } from "../../state/use-follow";

/** Below this many lines a plain block is cheaper than the virtualiser. */
const VIRTUALISE_ABOVE = 300;
const LINE_HEIGHT = 18;

/** `follow`: the command is running; keep its newest output in view (unless the reader scrolled up). */
export function CommandOutput({ output, follow }: { output: string; follow: boolean }) {
  const lines = useMemo(() => toHtmlLines(output), [output]);
  if (output === "") return <p className="output-empty">No output.</p>;
  if (lines.length <= VIRTUALISE_ABOVE) return <PlainOutput lines={lines} follow={follow} />;
  return <VirtualOutput lines={lines} follow={follow} />;
}

function PlainOutput({ lines, follow }: { lines: string[]; follow: boolean }) {
  const scroller = useRef<HTMLPreElement>(null);
  useFollowEnd(scroller, lines, follow);
  return (
    <pre ref={scroller} className="command-output" data-lines={lines.length}>
      {lines.map((html, index) => (
        <div key={index} className="output-line" dangerouslySetInnerHTML={{ __html: html || " " }} />
      ))}
    </pre>
  );
}

function VirtualOutput({ lines, follow }: { lines: string[]; follow: boolean }) {
  const scroller = useRef<HTMLPreElement>(null);
  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => LINE_HEIGHT,
    overscan: 20,
  });
  const toEnd = useCallback(() => virtualizer.scrollToIndex(lines.length - 1, { align: "end" }), [virtualizer, lines]);
  useFollowEnd(scroller, lines, follow, { toEnd });
  return (
    <>
      <p className="output-note">{lines.length.toLocaleString()} lines (scroll to see them all)</p>
      <pre ref={scroller} className="command-output virtual" data-lines={lines.length}>
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((row) => (
            <div
              key={row.key}
              className="output-line"
              style={{
                position: "absolute",
                top: 0,
                left: 0,
                right: 0,
                height: LINE_HEIGHT,
                transform: `translateY(${row.start}px)`,
              }}
              dangerouslySetInnerHTML={{ __html: lines[row.index] || " " }}
            />
          ))}
        </div>
      </pre>
    </>
  );
}

/** One converter for all lines, in streaming mode, so a colour opened on one line carries to the next. */
function toHtmlLines(output: string): string[] {
  const convert = new Convert({ escapeXML: true, stream: true, fg: "currentColor", bg: "transparent" });
  const text = output.endsWith("\n") ? output.slice(0, -1) : output;
  return text.split("\n").map((line) => ansiStylesToClasses(convert.toHtml(line)));
}
