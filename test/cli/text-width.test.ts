// Tests for display widths and docker's Ellipsis. Expected values: docker/cli v28.2.2
// cli/command/formatter/displayutils_test.go (TestEllipsis cases).
import { describe, expect, it } from "vitest";
import { displayWidth, ellipsis } from "../../src/cli/text-width.js";

describe("displayWidth", () => {
  it("counts wide characters twice and combining marks not at all", () => {
    expect(displayWidth("abc")).toBe(3);
    expect(displayWidth("日本語")).toBe(6);
    expect(displayWidth("e\u0301")).toBe(1);
  });
});

describe("ellipsis", () => {
  it.each([
    ["t🐳ststring", 0, ""],
    ["t🐳ststring", 1, "t"],
    ["t🐳ststring", 2, "t…"],
    ["t🐳ststring", 6, "t🐳st…"],
    ["t🐳ststring", 20, "t🐳ststring"],
    ["你好世界teststring", 0, ""],
    ["你好世界teststring", 1, "你"],
    ["你好世界teststring", 3, "你…"],
    ["你好世界teststring", 6, "你好…"],
    ["你好世界teststring", 20, "你好世界teststring"],
    // ASCII path of Ellipsis: keep maxDisplayWidth-1 characters and add "…" (docker ps COMMAND, width 20).
    ["dockerdockerdockerdocker", 20, "dockerdockerdockerd…"],
  ])("%j in %d columns is %j", (text, width, expected) => {
    expect(ellipsis(text, width)).toBe(expected);
  });
});
