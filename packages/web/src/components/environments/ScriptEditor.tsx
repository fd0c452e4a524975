/**
 * A small code editor for shell scripts: a textarea over a highlighted copy of its text
 * (highlight.js, bash), with line numbers. Tab indents; Esc then Tab leaves the editor, so the
 * keyboard is never trapped. The textarea stays the real control: native undo, selection,
 * spell check off, and its label.
 */
import hljs from "highlight.js/lib/core";
import bash from "highlight.js/lib/languages/bash";
import { useId, useMemo, useRef, type KeyboardEvent, type UIEvent } from "react";
import { FieldError, invalidProps } from "./FieldError";

hljs.registerLanguage("bash", bash);

const INDENT = "  ";

interface Props {
  label: string;
  hint: string;
  value: string;
  errors: readonly string[];
  onChange(value: string): void;
}

export function ScriptEditor({ label, hint, value, errors, onChange }: Props) {
  const id = useId();
  const layer = useRef<HTMLPreElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const escaped = useRef(false);
  const lineCount = value.split("\n").length;
  // The trailing newline keeps the layer as tall as the textarea when the text ends in one.
  const highlighted = useMemo(() => `${hljs.highlight(value, { language: "bash" }).value}\n`, [value]);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === "Escape") {
      escaped.current = true;
      return;
    }
    if (event.key !== "Tab" || escaped.current || event.ctrlKey || event.metaKey || event.altKey) {
      escaped.current = false;
      return;
    }
    event.preventDefault();
    const area = event.currentTarget;
    if (event.shiftKey) outdent(area, onChange);
    else insert(area, INDENT, onChange);
  };

  const onScroll = (event: UIEvent<HTMLTextAreaElement>): void => {
    const area = event.currentTarget;
    if (layer.current) {
      layer.current.scrollTop = area.scrollTop;
      layer.current.scrollLeft = area.scrollLeft;
    }
    if (gutter.current) gutter.current.scrollTop = area.scrollTop;
  };

  return (
    <div className="field script-field">
      <label htmlFor={`${id}-input`}>{label}</label>
      <div className="script-editor">
        <div className="script-gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: lineCount }, (_, index) => (
            <div key={index}>{index + 1}</div>
          ))}
        </div>
        <div className="script-text">
          <pre
            className="script-layer"
            ref={layer}
            aria-hidden="true"
            dangerouslySetInnerHTML={{ __html: highlighted }}
          />
          <textarea
            id={`${id}-input`}
            className="script-input"
            value={value}
            rows={Math.min(18, Math.max(5, lineCount + 1))}
            wrap="off"
            spellCheck={false}
            autoCapitalize="off"
            autoComplete="off"
            aria-describedby={`${id}-hint`}
            {...invalidProps(`${id}-error`, errors)}
            onChange={(event) => onChange(event.target.value)}
            onKeyDown={onKeyDown}
            onScroll={onScroll}
          />
        </div>
      </div>
      <p className="hint" id={`${id}-hint`}>
        {hint} Tab indents; Esc then Tab moves on.
      </p>
      <FieldError id={`${id}-error`} messages={errors} />
    </div>
  );
}

/** Through the browser's editing command, so Ctrl+Z undoes it; by hand where that is missing. */
function insert(area: HTMLTextAreaElement, text: string, onChange: (value: string) => void): void {
  if (document.execCommand("insertText", false, text)) return;
  area.setRangeText(text, area.selectionStart, area.selectionEnd, "end");
  onChange(area.value);
}

/** Shift+Tab: removes up to one indent from the start of the caret's line. */
function outdent(area: HTMLTextAreaElement, onChange: (value: string) => void): void {
  const lineStart = area.value.lastIndexOf("\n", area.selectionStart - 1) + 1;
  const leading = /^ {1,2}/.exec(area.value.slice(lineStart))?.[0].length ?? 0;
  if (leading === 0) return;
  const caret = Math.max(lineStart, area.selectionStart - leading);
  area.setSelectionRange(lineStart, lineStart + leading);
  if (!document.execCommand("delete")) {
    area.setRangeText("", lineStart, lineStart + leading, "end");
    onChange(area.value);
  }
  area.setSelectionRange(caret, caret);
}
