/**
 * Finds citations in the agent's Markdown, after it became HTML (a rehype plugin):
 * - `path:line` (in text or inline code), e.g. src/add.js:2 → data-cite-file / data-cite-line;
 * - inline code naming a command that was run, e.g. `node test.js` → data-cite-command.
 * Code blocks are left alone: a path inside a listing is not a citation.
 */

/** The few hast shapes this plugin touches (hast's own types are not a dependency of ours). */
interface HastText {
  type: "text";
  value: string;
}
interface HastElement {
  type: "element";
  tagName: string;
  properties: Record<string, unknown>;
  children: HastNode[];
}
type HastNode = HastText | HastElement | { type: "root" | "comment" | "doctype" | "raw"; children?: HastNode[] };

export interface FileCitation {
  path: string;
  line: number;
}

/** A relative path with a directory or an extension, then `:line` (optionally `-end` or `:column`). */
const CITATION =
  /(?<![\w@/.:-])((?:\.\/)?(?:[\w@.-]+\/)*[\w@-][\w@.-]*\.[A-Za-z0-9]+|(?:[\w@.-]+\/)+[\w@.-]+):(\d+)(?:[-–:]\d+)?(?![\w/])/g;

export function parseFileCitation(text: string): FileCitation | undefined {
  CITATION.lastIndex = 0;
  const match = CITATION.exec(text.trim());
  if (!match || match.index !== 0 || match[0].length !== text.trim().length) return undefined;
  return { path: normalisePath(match[1]!), line: Number(match[2]) };
}

function normalisePath(path: string): string {
  return path.replace(/^\.\//, "");
}

export interface CitationOptions {
  /** The key of the command block this inline code names, if it names one. */
  commandKey(text: string): string | undefined;
}

export function rehypeCitations(options: CitationOptions) {
  return (tree: HastNode): void => visit(tree, options);
}

function visit(node: HastNode, options: CitationOptions): void {
  if (!("children" in node) || !node.children) return;
  const children: HastNode[] = [];
  for (const child of node.children) {
    if (child.type === "text") {
      children.push(...splitText(child.value));
      continue;
    }
    if (child.type === "element") {
      if (child.tagName === "pre" || child.tagName === "a") {
        children.push(child);
        continue;
      }
      if (child.tagName === "code") {
        markInlineCode(child, options);
        children.push(child);
        continue;
      }
    }
    visit(child, options);
    children.push(child);
  }
  node.children = children;
}

function markInlineCode(code: HastElement, options: CitationOptions): void {
  const text = textOf(code);
  const file = parseFileCitation(text);
  if (file) {
    code.properties = { ...code.properties, dataCiteFile: file.path, dataCiteLine: file.line };
    return;
  }
  const key = options.commandKey(text);
  if (key) code.properties = { ...code.properties, dataCiteCommand: key };
}

function splitText(value: string): HastNode[] {
  const parts: HastNode[] = [];
  let last = 0;
  CITATION.lastIndex = 0;
  for (let match = CITATION.exec(value); match; match = CITATION.exec(value)) {
    if (match.index > last) parts.push({ type: "text", value: value.slice(last, match.index) });
    parts.push({
      type: "element",
      tagName: "a",
      properties: { href: "#", dataCiteFile: normalisePath(match[1]!), dataCiteLine: Number(match[2]) },
      children: [{ type: "text", value: match[0] }],
    });
    last = match.index + match[0].length;
  }
  if (last === 0) return [{ type: "text", value }];
  if (last < value.length) parts.push({ type: "text", value: value.slice(last) });
  return parts;
}

function textOf(node: HastNode): string {
  if (node.type === "text") return node.value;
  if (!("children" in node) || !node.children) return "";
  return node.children.map(textOf).join("");
}

/**
 * The command block an inline code span names: the latest command whose text is exactly it,
 * or contains it when it is more than one word (`node test.js` in `bash -lc 'node test.js'`).
 */
export function findCommand(commands: readonly { key: string; command: string }[], text: string): string | undefined {
  const wanted = text.trim();
  if (wanted.length < 2) return undefined;
  for (let index = commands.length - 1; index >= 0; index -= 1) {
    const candidate = commands[index]!;
    if (candidate.command === wanted) return candidate.key;
    if (/\s/.test(wanted) && candidate.command.includes(wanted)) return candidate.key;
  }
  return undefined;
}
