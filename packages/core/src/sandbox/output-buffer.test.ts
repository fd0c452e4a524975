import { describe, expect, it } from "vitest";
import { OutputBuffer, omittedMarker } from "./output-buffer.js";

describe("OutputBuffer", () => {
  it("keeps short output whole", () => {
    const buffer = new OutputBuffer(10);
    buffer.push("hello");
    buffer.push("12345");
    expect(buffer.render()).toBe("hello12345");
  });

  it("keeps the first and last half with the exact number of bytes omitted", () => {
    const buffer = new OutputBuffer(10);
    for (let i = 0; i < 10; i++) buffer.push(String(i).repeat(10)); // 100 bytes
    expect(buffer.render()).toBe(`00000${omittedMarker(90)}99999`);
    expect(buffer.totalBytes).toBe(100);
  });

  it("writes the marker as specified", () => {
    expect(omittedMarker(42)).toBe("\n… 42 bytes omitted …\n");
  });

  it("gives the same result whatever the chunking", () => {
    const text = Array.from({ length: 300 }, (_, i) => `line ${i}\n`).join("");
    const whole = new OutputBuffer(64);
    whole.push(text);
    const bytewise = new OutputBuffer(64);
    for (const char of text) bytewise.push(char);
    expect(bytewise.render()).toBe(whole.render());
    expect(whole.render()).toBe(`${text.slice(0, 32)}${omittedMarker(text.length - 64)}${text.slice(-32)}`);
  });

  it("renders a smaller budget from the same stream with an exact count", () => {
    const buffer = new OutputBuffer(100);
    buffer.push("a".repeat(50));
    buffer.push("b".repeat(50));
    buffer.push("c".repeat(50)); // 150 bytes: more than the buffer keeps
    expect(buffer.render(10)).toBe(`aaaaa${omittedMarker(140)}ccccc`);
    const small = new OutputBuffer(100);
    small.push("x".repeat(30));
    expect(small.render(10)).toBe(`xxxxx${omittedMarker(20)}xxxxx`);
    expect(small.render(1000)).toBe("x".repeat(30));
  });

  it("never splits a multi-byte character, and counts its bytes as omitted", () => {
    const buffer = new OutputBuffer(5); // head 2 bytes, tail 3 bytes
    buffer.push("é".repeat(10)); // 20 bytes, 2 per character
    expect(buffer.render()).toBe(`é${omittedMarker(16)}é`);
  });

  it("handles four-byte characters at both cuts", () => {
    const buffer = new OutputBuffer(10); // head 5, tail 5
    buffer.push("😀".repeat(5)); // 20 bytes
    // 5 head bytes hold one whole emoji (4) and a partial one; 5 tail bytes likewise.
    expect(buffer.render()).toBe(`😀${omittedMarker(12)}😀`);
    const rendered = buffer.render();
    expect(rendered).not.toContain("\uFFFD");
  });

  it("keeps a character that ends exactly at the cut", () => {
    const buffer = new OutputBuffer(8); // head 4, tail 4
    buffer.push(`ab€${"x".repeat(20)}€`); // 28 bytes; € is 3 bytes, so "ab€" (5) does not fit the 4-byte head
    expect(buffer.render()).toBe(`ab${omittedMarker(22)}x€`);
    const exact = new OutputBuffer(10); // head 5 = "ab€" exactly
    exact.push(`ab€${"x".repeat(20)}`);
    expect(exact.render()).toBe(`ab€${omittedMarker(15)}xxxxx`);
  });
});
