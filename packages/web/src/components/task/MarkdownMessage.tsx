/**
 * The agent's messages as Markdown, code highlighted, with citations made clickable:
 * `path:line` opens the file at that line in the diff, a cited command scrolls to its block.
 * GitHub-flavoured Markdown (tables, task lists, strikethrough), as models write it.
 */
import { useMemo, type ReactNode } from "react";
import Markdown, { type Components, type Options } from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { findCommand, rehypeCitations } from "../../lib/citations";
import { useFocus } from "./focus";

interface Props {
  text: string;
  commands: readonly { key: string; command: string }[];
}

export function MarkdownMessage({ text, commands }: Props) {
  const { focusFile, focusCommand } = useFocus();
  const rehypePlugins: Options["rehypePlugins"] = useMemo(
    () => [rehypeHighlight, [rehypeCitations, { commandKey: (code: string) => findCommand(commands, code) }]],
    [commands],
  );

  const remarkPlugins: Options["remarkPlugins"] = useMemo(() => [remarkGfm], []);

  const components: Components = useMemo(() => {
    const cite = (properties: Record<string, unknown> | undefined, children: ReactNode, code: boolean) => {
      const file = properties?.dataCiteFile;
      const command = properties?.dataCiteCommand;
      const inner = code ? <code>{children}</code> : children;
      if (typeof file === "string") {
        const line = Number(properties?.dataCiteLine);
        return (
          <button
            className="citation"
            data-cite-file={file}
            onClick={() => focusFile(file, Number.isFinite(line) ? line : null)}
          >
            {inner}
          </button>
        );
      }
      if (typeof command === "string") {
        return (
          <button className="citation" data-cite-command={command} onClick={() => focusCommand(command)}>
            {inner}
          </button>
        );
      }
      return undefined;
    };
    return {
      a: ({ node, href, children }) =>
        cite(node?.properties, children, false) ?? (
          <a href={href} target="_blank" rel="noreferrer">
            {children}
          </a>
        ),
      code: ({ node, className, children }) =>
        cite(node?.properties, children, true) ?? <code className={className}>{children}</code>,
    };
  }, [focusFile, focusCommand]);

  return (
    <div className="markdown">
      <Markdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </Markdown>
    </div>
  );
}
