/**
 * The diff, rendered by diff2html (side-by-side or unified) in the app's theme, with the
 * changed files as a tree. Unified unless the pane is wide enough for two columns of code (or
 * the reader chose a layout, which is remembered). A citation focuses a file and line: the file scrolls into view and
 * the line is highlighted; a file or line the diff does not show opens as the file itself, at the
 * task's commit.
 */
import { html } from "diff2html";
import type { ColorSchemeType } from "diff2html/lib/types";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTheme } from "../../lib/theme";
import { useFocus } from "../task/focus";
import { findFile, parseDiff } from "./diff-files";
import { CitedFile } from "./CitedFile";
import { FileTree } from "./FileTree";

type Layout = "side-by-side" | "line-by-line";
const LAYOUT_KEY = "quire.diffLayout";
/** Narrower than this, side by side leaves each version under ~60 columns of code. */
const SIDE_BY_SIDE_MIN_PX = 1000;

function storedLayout(): Layout | null {
  const stored = window.localStorage.getItem(LAYOUT_KEY);
  return stored === "line-by-line" || stored === "side-by-side" ? stored : null;
}

export function DiffView({ diff, taskId }: { diff: string; taskId: string }) {
  const [chosen, setChosen] = useState<Layout | null>(() => storedLayout());
  const [width, setWidth] = useState<number | null>(null);
  // Side by side halves the pane: only when there is room for two columns of code, unless chosen.
  const layout: Layout = chosen ?? (width !== null && width >= SIDE_BY_SIDE_MIN_PX ? "side-by-side" : "line-by-line");
  const [note, setNote] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ path: string; line: number | null } | null>(null);
  const files = useMemo(() => parseDiff(diff), [diff]);
  const theme = useTheme();
  const rendered = useMemo(
    () =>
      html(
        files.map((file) => file.file),
        {
          outputFormat: layout,
          drawFileList: false,
          matching: "lines",
          // The enum's values are these strings; importing it would pull a CommonJS module in.
          colorScheme: theme as ColorSchemeType,
        },
      ),
    [files, layout, theme],
  );
  const container = useRef<HTMLDivElement>(null);
  const { focus } = useFocus();

  const chooseLayout = (next: Layout): void => {
    setChosen(next);
    window.localStorage.setItem(LAYOUT_KEY, next);
  };
  const view = useRef<HTMLDivElement>(null);
  const hasFiles = files.length > 0;
  useLayoutEffect(() => {
    const element = view.current;
    if (!element) return;
    const measure = (): void => setWidth(element.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [hasFiles]);

  const showFile = (index: number, line: number | null): void => {
    const wrapper = container.current?.querySelectorAll<HTMLElement>(".d2h-file-wrapper")[index];
    if (!wrapper) return;
    const row = line === null ? null : findLineRow(wrapper, line);
    container.current?.querySelectorAll(".cited-line").forEach((old) => old.classList.remove("cited-line"));
    wrapper.classList.add("cited-file");
    window.setTimeout(() => wrapper.classList.remove("cited-file"), 2500);
    row?.classList.add("cited-line");
    (row ?? wrapper).scrollIntoView({ block: row ? "center" : "start", behavior: "smooth" });
    const name = files[index]?.name;
    const outside = line !== null && !row;
    setNote(outside ? `Line ${line} of ${name} is not part of the diff: shown below as the file was.` : null);
    setOpened(outside && name ? { path: name, line } : null);
  };

  // Runs after the HTML is in the DOM, also when the layout changed under an active focus.
  useEffect(() => {
    if (focus?.kind !== "file") return;
    const index = findFile(files, focus.path);
    if (index < 0) {
      setNote(null);
      setOpened({ path: focus.path, line: focus.line });
      return;
    }
    showFile(index, focus.line);
    // showFile reads the DOM that `rendered` produced: re-run on a new focus or new HTML only.
  }, [focus, rendered]);

  const citedFile = opened && (
    <CitedFile taskId={taskId} path={opened.path} line={opened.line} onClose={() => setOpened(null)} />
  );
  if (files.length === 0) {
    return (
      <>
        <p className="empty">No changes.</p>
        {citedFile}
      </>
    );
  }
  return (
    <div className="diff-view" ref={view}>
      <div className="diff-toolbar">
        <FileTree files={files} onOpen={(index) => showFile(index, null)} />
        <div className="segmented" role="group" aria-label="Diff layout">
          <button aria-pressed={layout === "side-by-side"} onClick={() => chooseLayout("side-by-side")}>
            Side by side
          </button>
          <button aria-pressed={layout === "line-by-line"} onClick={() => chooseLayout("line-by-line")}>
            Unified
          </button>
        </div>
      </div>
      {note && <p className="muted">{note}</p>}
      {citedFile}
      {/* diff2html escapes the diff's text itself. */}
      <div ref={container} className="diff2html" dangerouslySetInnerHTML={{ __html: rendered }} />
    </div>
  );
}

/** The row showing new-file line `line`: the right-hand table side by side, `.line-num2` unified. */
function findLineRow(wrapper: HTMLElement, line: number): HTMLElement | null {
  const wanted = String(line);
  const sides = wrapper.querySelectorAll(".d2h-file-side-diff");
  const newSide = sides[sides.length - 1];
  if (sides.length === 2 && newSide) {
    for (const cell of newSide.querySelectorAll<HTMLElement>("td.d2h-code-side-linenumber")) {
      if (cell.textContent?.trim() === wanted) return cell.closest("tr");
    }
    return null;
  }
  for (const cell of wrapper.querySelectorAll<HTMLElement>(".line-num2")) {
    if (cell.textContent?.trim() === wanted) return cell.closest("tr");
  }
  return null;
}
