/**
 * The heavy renderers load on first use, in chunks of their own: Markdown with syntax
 * highlighting (react-markdown, highlight.js's common languages), diff2html, the environments
 * page (its script editor highlights with highlight.js), and the usage and settings pages. The
 * side panel and the timeline show without waiting for them.
 */
import { lazy, Suspense, useEffect, useState, type ComponentProps } from "react";
import type { MarkdownMessage } from "./task/MarkdownMessage";

const LazyDiffView = lazy(async () => ({ default: (await import("./review/DiffView")).DiffView }));
const LazyEnvironmentsPage = lazy(async () => ({
  default: (await import("./environments/EnvironmentsPage")).EnvironmentsPage,
}));

const LazyUsagePage = lazy(async () => ({ default: (await import("./usage/UsagePage")).UsagePage }));
const LazySettingsPage = lazy(async () => ({ default: (await import("./settings/SettingsPage")).SettingsPage }));

type MarkdownModule = typeof import("./task/MarkdownMessage");
let markdownModule: MarkdownModule | null = null;
let markdownLoading: Promise<MarkdownModule> | null = null;

function loadMarkdown(): Promise<MarkdownModule> {
  markdownLoading ??= import("./task/MarkdownMessage").then((loaded) => (markdownModule = loaded));
  return markdownLoading;
}

/**
 * Starts loading the Markdown renderer early (the task view does, on opening), so a message
 * renders as Markdown at once instead of as plain text first, which would change its height.
 */
export function preloadMarkdown(): void {
  void loadMarkdown();
}

/** Not React.lazy: that shows its fallback for a frame even when the module is already loaded. */
export function Markdown(props: ComponentProps<typeof MarkdownMessage>) {
  const [loaded, setLoaded] = useState(markdownModule);
  useEffect(() => {
    if (loaded) return;
    let current = true;
    void loadMarkdown().then((module) => current && setLoaded(module));
    return () => {
      current = false;
    };
  }, [loaded]);
  if (!loaded) return <div className="markdown pending">{props.text}</div>;
  return <loaded.MarkdownMessage {...props} />;
}

export function Diff(props: ComponentProps<typeof LazyDiffView>) {
  return (
    <Suspense fallback={<p className="muted">Loading the diff…</p>}>
      <LazyDiffView {...props} />
    </Suspense>
  );
}

export function EnvironmentsPage(props: ComponentProps<typeof LazyEnvironmentsPage>) {
  return (
    <Suspense fallback={<p className="muted page-loading">Loading…</p>}>
      <LazyEnvironmentsPage {...props} />
    </Suspense>
  );
}

export function UsagePage() {
  return (
    <Suspense fallback={<p className="muted page-loading">Loading…</p>}>
      <LazyUsagePage />
    </Suspense>
  );
}

export function SettingsPage(props: ComponentProps<typeof LazySettingsPage>) {
  return (
    <Suspense fallback={<p className="muted page-loading">Loading…</p>}>
      <LazySettingsPage {...props} />
    </Suspense>
  );
}
