import { describe, expect, it } from "vitest";
import { ansiStylesToClasses } from "./ansi-classes";

describe("ansiStylesToClasses", () => {
  it("turns every style attribute into a class, one class per distinct style", () => {
    const html = '<span style="color:#A00">red</span> <span style="font-weight:bold;color:#0A0">ok</span>';
    const converted = ansiStylesToClasses(html);
    expect(converted).not.toContain("style=");
    const classes = [...converted.matchAll(/class="(ansi-\d+)"/g)].map((match) => match[1]);
    expect(classes).toHaveLength(2);
    expect(new Set(classes).size).toBe(2);
    expect(ansiStylesToClasses('<span style="color:#A00">again</span>')).toBe(
      `<span class="${classes[0]}">again</span>`,
    );
  });

  it("leaves text alone, escaped as ansi-to-html escaped it", () => {
    expect(ansiStylesToClasses("a &lt;span style=&quot;x&quot;&gt; b")).toBe("a &lt;span style=&quot;x&quot;&gt; b");
  });
});
