/**
 * A cited file that the diff does not show (an Ask task's answer, or an unchanged file): the file
 * as it is at the task's commit, from `GET /api/tasks/:id/file`, with line numbers, highlighted,
 * scrolled to the cited line.
 */
import hljs from "highlight.js/lib/common";
import { useEffect, useMemo, useRef, useState } from "react";
import { api, type TaskFile } from "../../api/client";
import { plural } from "../../lib/format";

interface Props {
  taskId: string;
  path: string;
  line: number | null;
  onClose(): void;
}

/** Past this many lines the file is shown plain: highlighting it would stall the page. */
const HIGHLIGHT_MAX_LINES = 5_000;

export function CitedFile({ taskId, path, line, onClose }: Props) {
  const [file, setFile] = useState<TaskFile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cited = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let current = true;
    setFile(null);
    setError(null);
    api.taskFile(taskId, path).then(
      (loaded) => current && setFile(loaded),
      (failure: unknown) => current && setError(failure instanceof Error ? failure.message : String(failure)),
    );
    return () => {
      current = false;
    };
  }, [taskId, path]);

  const lines = useMemo(() => (file ? highlightLines(file.content, path) : []), [file, path]);

  useEffect(() => {
    cited.current?.scrollIntoView({ block: "center" });
  }, [lines, line]);

  return (
    <section className="cited-file-view" aria-label={`File ${path}`}>
      <header className="cited-file-header">
        <code>{path}</code>
        {file && <span className="muted"> at {file.commit.slice(0, 12)}</span>}
        {line !== null && <span className="muted">, line {line}</span>}
        <button type="button" className="link" onClick={onClose} aria-label={`Close ${path}`}>
          Close
        </button>
      </header>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {!file && !error && <p className="muted">Loading {path}…</p>}
      {file?.binary && <p className="muted">A binary file ({file.size} bytes): nothing to show.</p>}
      {file?.tooLarge && <p className="muted">Too large to show here ({Math.round(file.size / 1024)} KiB).</p>}
      {file && !file.binary && !file.tooLarge && line !== null && line > lines.length && (
        <p className="muted">
          Line {line} is past the end of the file ({plural(lines.length, "line")}).
        </p>
      )}
      {file && !file.binary && !file.tooLarge && (
        <div className="file-lines" role="table" aria-label={`Lines of ${path}`}>
          {lines.map((html, index) => {
            const number = index + 1;
            const isCited = number === line;
            return (
              <div
                key={number}
                role="row"
                ref={isCited ? cited : undefined}
                className={isCited ? "file-line cited-line" : "file-line"}
                data-line={number}
              >
                <span className="file-line-number" role="rowheader">
                  {number}
                </span>
                {/* highlight.js escapes the text it is given. */}
                <code className="file-line-code hljs" role="cell" dangerouslySetInnerHTML={{ __html: html }} />
              </div>
            );
          })}
        </div>
      )}
    </section>
  );
}

/** One HTML string per line, highlighted by the file's extension when highlight.js knows it. */
function highlightLines(content: string, path: string): string[] {
  const lines = content.replace(/\n$/, "").split("\n");
  const extension = path.split(".").pop()?.toLowerCase() ?? "";
  const language = hljs.getLanguage(extension) ? extension : undefined;
  if (!language || lines.length > HIGHLIGHT_MAX_LINES) return lines.map(escapeHtml);
  // Line by line, so no markup spans two rows; a multi-line string or comment loses its colour.
  return lines.map((text) => hljs.highlight(text, { language, ignoreIllegals: true }).value);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
