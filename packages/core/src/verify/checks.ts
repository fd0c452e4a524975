/**
 * Which commands verify a task: the environment's declared checks, else the test command that
 * the repository's AGENTS.md clearly names. Reading prose is guesswork, so the reading is
 * conservative: a command that is not plainly introduced as the way to run the tests is left
 * out, since a wrong check (an install, one test file, a watch mode) would fail or hang a
 * verification that should pass. An environment that wants certainty declares `checks`.
 */
import type { ResolvedEnvironment } from "../environments/types.js";

export function checksFor(environment: Pick<ResolvedEnvironment, "checks">, agentsMdText: string): string[] {
  const declared = environment.checks.map((check) => check.trim()).filter((check) => check !== "");
  if (declared.length > 0) return declared;
  return testCommandsInAgentsMd(agentsMdText);
}

/** Words that make a phrase about the test suite ("type-check" alone does not). */
const TESTS = /\b(?:tests?|testing|test suite|checks)\b/i;
const RUN_VERB = /\b(?:run|runs|running|execute|executes|executing)\b/i;
/** "Test with `x`", "Tests: `x`", "Run tests: `x`", "**Testing**: `x`". */
const TEST_LABEL =
  /^\W*(?:(?:run(?:ning)?|all|unit)\s+)?(?:the\s+)?(?:tests?|testing|test suite|checks?)\W*(?::|\s+(?:\w+\s+)?(?:with|using|via)\s*:?)\s*$/i;
/** A sentence that says what not to run. */
const NEGATION = /\b(?:not|never|don't|dont|avoid|instead of|no need|shouldn't|cannot|can't|without)\b/i;
/** Part of the suite, or a mode that waits for input, is not the check. */
const NOT_THE_SUITE =
  /\b(?:single|one|specific|particular|individual|a test|a file|watch|debug(?:ger|ging)?|interactive(?:ly)?)\b/i;
/** Preparation, not verification ("Before running tests, run `make deps`"). */
const SETUP_WORDS =
  /\b(?:install(?:ed|ing)?|set ?up|dependencies|deps|prepare|bootstrap)\b|\bbefore\s+(?:you\s+)?(?:run(?:ning)?\s+)?(?:the\s+)?tests?\b/i;
/** The bare imperative in front of a command ("Run `x`", "Then run: `x`"). */
const BARE_RUN = /^\W*(?:(?:please|then|always|just)\s+)?(?:run|execute)\s*:?\s*$/i;
/** What may follow a bare "Run `x`" under a tests heading and still mean "this is the check". */
const CLAUSE_END = /^\s*(?:$|[.;:!(]|(?:from|in|at)\s|to\s+(?:run|execute|check)\b)/i;
/** "Run `x` to run the tests", "`x` runs the whole test suite". */
const RUNS_TESTS_AFTER =
  /^\s*(?:to\s+(?:run|execute)|runs|executes|will\s+run)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:whole\s+|full\s+|entire\s+|unit\s+)?(?:tests?|test suite|checks)\b/i;
/** Commands that prepare a checkout rather than check it (and need the network checks lack). */
const SETUP_COMMAND =
  /^(?:sudo\s+)?(?:(?:npm|pnpm)\s+(?:i|install|ci|add)\b|yarn(?:\s+(?:install|add)\b|\s*$)|pip3?\s+install\b|python3?\s+-m\s+pip\s+install\b|poetry\s+(?:install|add)\b|uv\s+(?:sync|pip)\b|bundle\s+install\b|apt(?:-get)?\s|brew\s|go\s+(?:get|install|mod)\b|cargo\s+install\b|git\s|cd\s+\S+\s*$)/i;
const SHELL_FENCE_LANGUAGES = new Set(["", "sh", "bash", "shell", "console", "zsh", "terminal", "shell-session"]);

interface Span {
  start: number;
  end: number;
  command: string;
}

/** The test commands AGENTS.md names, in order of appearance, each once. */
export function testCommandsInAgentsMd(text: string): string[] {
  const found: string[] = [];
  const add = (command: string): void => {
    if (looksLikeCommand(command) && !SETUP_COMMAND.test(command) && !found.includes(command)) found.push(command);
  };
  const headings: { level: number; aboutTests: boolean }[] = [];
  const underTestsHeading = (): boolean => headings.some((heading) => heading.aboutTests);
  // What came last before a fence: a fence is a test command only if this introduced it.
  let previous: { kind: "heading"; aboutTests: boolean } | { kind: "text"; text: string } | null = null;
  let paragraph: string[] = [];
  const endParagraph = (): void => {
    if (paragraph.length === 0) return;
    const line = paragraph.join(" ");
    paragraph = [];
    for (const command of inlineTestCommands(line, underTestsHeading())) add(command);
    previous = { kind: "text", text: line };
  };

  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const fence = /^\s*(`{3,}|~{3,})\s*([\w+-]*)/.exec(line);
    if (fence) {
      endParagraph();
      const closing = new RegExp(`^\\s*${fence[1]![0]}{${fence[1]!.length},}\\s*$`);
      const body: string[] = [];
      for (index++; index < lines.length && !closing.test(lines[index]!); index++) body.push(lines[index]!);
      const language = fence[2]!.toLowerCase();
      if (SHELL_FENCE_LANGUAGES.has(language) && fenceIsIntroduced(previous, underTestsHeading())) {
        for (const command of fencedCommands(body)) add(command);
      }
      previous = { kind: "text", text: "" };
      continue;
    }
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)[\s#]*$/.exec(line);
    if (heading) {
      endParagraph();
      const level = heading[1]!.length;
      while (headings.length > 0 && headings.at(-1)!.level >= level) headings.pop();
      const aboutTests = /\b(?:tests?|testing|checks?)\b/i.test(heading[2]!) && !NEGATION.test(heading[2]!);
      headings.push({ level, aboutTests });
      previous = { kind: "heading", aboutTests };
      continue;
    }
    const content = line.replace(/^\s*(?:>\s*)+/, "");
    // Blank lines, tables and the <INSTRUCTIONS> framing of loaded AGENTS.md text end a paragraph.
    if (content.trim() === "" || /^\s*\|/.test(content) || /^\s*<\/?INSTRUCTIONS>\s*$/.test(content)) {
      endParagraph();
      continue;
    }
    // A list item starts a sentence of its own; other lines continue the wrapped paragraph.
    if (/^\s*(?:[-*+]|\d+[.)])\s+/.test(content)) endParagraph();
    paragraph.push(content.trim());
  }
  endParagraph();
  return found;
}

/** Commands in inline code spans that the sentence around them introduces as the way to run the tests. */
function inlineTestCommands(line: string, underTestsHeading: boolean): string[] {
  const spans: Span[] = [];
  for (const match of line.matchAll(/(`+)(.+?)\1(?!`)/g)) {
    spans.push({ start: match.index, end: match.index + match[0].length, command: match[2]!.trim() });
  }
  // Punctuation inside code must not end a sentence: look at the prose with the code blanked out.
  let prose = line.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, (marker) => " ".repeat(marker.length));
  for (const span of spans)
    prose = prose.slice(0, span.start) + "x".repeat(span.end - span.start) + prose.slice(span.end);
  const commands: string[] = [];
  spans.forEach((span, i) => {
    const sentenceStart = lastSentenceBoundary(prose, span.start);
    const sentence = prose.slice(sentenceStart, span.start);
    // Only the words since the previous command introduce this one ("`a` or `b`" names b as an alternative).
    const intro = prose.slice(Math.max(sentenceStart, spans[i - 1]?.end ?? 0), span.start);
    const after = prose.slice(span.end, nextSentenceBoundary(prose, span.end));
    if (NEGATION.test(sentence) || NOT_THE_SUITE.test(intro) || SETUP_WORDS.test(sentence)) return;
    const introducesTests =
      TEST_LABEL.test(sentence) ||
      (TESTS.test(intro) && RUN_VERB.test(intro)) ||
      (/^\W*(?:(?:please|then|always|just)\s+)?(?:run|use|execute)?\s*:?\s*$/i.test(sentence) &&
        RUNS_TESTS_AFTER.test(after)) ||
      (underTestsHeading && BARE_RUN.test(sentence) && CLAUSE_END.test(after));
    if (introducesTests) commands.push(span.command);
  });
  return commands;
}

function lastSentenceBoundary(prose: string, before: number): number {
  let start = 0;
  for (const match of prose.slice(0, before).matchAll(/[.!?;]\s+/g)) start = match.index + match[0].length;
  return start;
}

function nextSentenceBoundary(prose: string, from: number): number {
  const match = /[.!?;](?:\s|$)/.exec(prose.slice(from));
  return match ? from + match.index : prose.length;
}

/** A fence holds the test commands when it sits right under a tests heading, or after "To run the tests:". */
function fenceIsIntroduced(
  previous: { kind: "heading"; aboutTests: boolean } | { kind: "text"; text: string } | null,
  underTestsHeading: boolean,
): boolean {
  if (previous === null) return false;
  if (previous.kind === "heading") return previous.aboutTests;
  const text = previous.text.trim();
  if (!text.endsWith(":") || NEGATION.test(text) || NOT_THE_SUITE.test(text) || SETUP_WORDS.test(text)) return false;
  const sentence = text.slice(lastSentenceBoundary(text, text.length - 1));
  return TEST_LABEL.test(sentence) || (TESTS.test(sentence) && RUN_VERB.test(sentence)) || underTestsHeading;
}

/** One command, or from several the ones that are about tests or checks (the rest set up). */
function fencedCommands(body: string[]): string[] {
  let lines = body.map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
  // A console transcript: commands carry a prompt, the other lines are their output.
  if (lines.some((line) => /^\$\s/.test(line))) {
    lines = lines.filter((line) => /^\$\s/.test(line)).map((line) => line.replace(/^\$\s+/, ""));
  }
  if (lines.some((line) => line.endsWith("\\"))) return [];
  if (lines.length <= 1) return lines;
  return lines.filter((line) => /test|check/i.test(line));
}

/** A runnable command, not a file, a folder, a flag or a placeholder. */
function looksLikeCommand(command: string): boolean {
  if (command === "" || command.includes("\n") || /^[-$>]/.test(command)) return false;
  if (/<[^>]+>|\bpath\/to\b|…/.test(command)) return false;
  if (/(?:^|\s)--watch\b|:watch\b/.test(command)) return false;
  if (/\s/.test(command)) return true;
  return !command.endsWith("/") && (command.startsWith("./") || !/\.[A-Za-z]{1,5}$/.test(command));
}
