import { describe, expect, it } from "vitest";
import { csvField, toCsv, usageCsv } from "./csv.js";
import type { UsageReport } from "./usage-report.js";

describe("CSV", () => {
  it("quotes fields with commas, quotes and line breaks, and doubles quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField(null)).toBe("");
    expect(csvField(0.5)).toBe("0.5");
    expect(csvField(Number.NaN)).toBe("");
    expect(toCsv(["a", "b"], [["1,2", 3]])).toBe('a,b\r\n"1,2",3\r\n');
  });

  it("keeps text a spreadsheet would run as a formula from being one", () => {
    expect(csvField("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvField("+1")).toBe("'+1");
    expect(csvField("@sum")).toBe("'@sum");
    expect(csvField("-x,y")).toBe(`"'-x,y"`);
    expect(csvField(-1)).toBe("-1");
  });

  it("writes one row per group with the period and rounded sums", () => {
    const report: UsageReport = {
      workspaceId: "w",
      from: "2026-01-01T00:00:00.000Z",
      to: "2026-02-01T00:00:00.000Z",
      groupBy: "model",
      totals: {} as UsageReport["totals"],
      rows: [
        {
          key: 'gpt-5, "fast"',
          attempts: 2,
          tasks: 1,
          modelCalls: 7,
          images: 2,
          inputTokens: 100,
          cachedInputTokens: 40,
          outputTokens: 9,
          reasoningOutputTokens: 3,
          wallSeconds: 0.1 + 0.2,
          cpuSeconds: null,
          costUsd: 0.1 + 0.2,
          unpricedAttempts: 0,
        },
      ],
    };
    const [header, row, end] = usageCsv(report).split("\r\n");
    expect(header).toBe(
      "group_by,key,from,to,attempts,tasks,model_calls,input_tokens,cached_input_tokens,output_tokens," +
        "reasoning_output_tokens,sandbox_wall_seconds,sandbox_cpu_seconds,cost_usd,unpriced_attempts,images",
    );
    expect(row).toBe(
      'model,"gpt-5, ""fast""",2026-01-01T00:00:00.000Z,2026-02-01T00:00:00.000Z,2,1,7,100,40,9,3,0.3,,0.3,0,2',
    );
    expect(end).toBe("");
  });
});
