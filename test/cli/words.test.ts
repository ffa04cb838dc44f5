// Tests for splitCommandLine: POSIX quoting without expansions, and rejection of shell operators.
// Expected words follow POSIX sh rules (checked by hand against bash with `printf '[%s]\n' ...`).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CommandLineError, joinCommandLine, splitCommandLine } from "../../src/cli/words.js";

describe("splitCommandLine", () => {
  it("splits on whitespace", () => {
    expect(splitCommandLine("docker  ps\t-a ")).toEqual(["docker", "ps", "-a"]);
    expect(splitCommandLine("")).toEqual([]);
    expect(splitCommandLine("   ")).toEqual([]);
  });

  it("keeps quoted text together and removes the quotes", () => {
    expect(splitCommandLine(`docker run -e 'A=b c' alpine sh -c "echo hi; exit 3"`)).toEqual([
      "docker", "run", "-e", "A=b c", "alpine", "sh", "-c", "echo hi; exit 3",
    ]);
    expect(splitCommandLine(`a'b'"c"d`)).toEqual(["abcd"]);
    expect(splitCommandLine(`'' ""`)).toEqual(["", ""]);
  });

  it("handles backslash escapes as POSIX sh does", () => {
    expect(splitCommandLine(String.raw`a\ b c\"d`)).toEqual(["a b", 'c"d']);
    expect(splitCommandLine(String.raw`"a\"b" "c\\d" "e\xf"`)).toEqual(['a"b', "c\\d", "e\\xf"]);
    expect(splitCommandLine(String.raw`'a\b'`)).toEqual(["a\\b"]);
    expect(splitCommandLine("docker ps \\\n  -a")).toEqual(["docker", "ps", "-a"]);
  });

  it("does not expand variables, command substitutions, globs or tildes", () => {
    expect(splitCommandLine(`echo $HOME "$HOME" '$HOME' \${X} "\${X}" $ $$ "$(pwd)" * ~`)).toEqual([
      "echo", "$HOME", "$HOME", "$HOME", "${X}", "${X}", "$", "$$", "$(pwd)", "*", "~",
    ]);
    expect(splitCommandLine(String.raw`"\$X" \$X`)).toEqual(["$X", "$X"]);
    expect(splitCommandLine(`echo $'a\\tb'`)).toEqual(["echo", "$a\\tb"]);
  });

  it("treats # as a comment only at the start of a word", () => {
    expect(splitCommandLine("docker ps # list them")).toEqual(["docker", "ps"]);
    expect(splitCommandLine("echo a#b '#c'")).toEqual(["echo", "a#b", "#c"]);
    expect(splitCommandLine("docker ps\n")).toEqual(["docker", "ps"]);
  });

  it.each([
    ["docker ps | grep web", "|"],
    ["docker ps > out.txt", ">"],
    ["docker ps && docker images", "&&"],
    ["docker ps; docker images", ";"],
    ["docker run -d alpine &", "&"],
    ["docker ps 2>&1", ">&"],
    ["docker ps < in", "<"],
  ])("rejects the shell operator in %j", (line, operator) => {
    expect(() => splitCommandLine(line)).toThrow(CommandLineError);
    expect(() => splitCommandLine(line)).toThrow(`shell operator "${operator}" is not supported`);
  });

  it("accepts operator characters inside quotes", () => {
    expect(splitCommandLine(`sh -c 'a | b > c && d; e &'`)).toEqual(["sh", "-c", "a | b > c && d; e &"]);
  });

  it("rejects a second command on another line, unterminated quotes and a trailing backslash", () => {
    expect(() => splitCommandLine("docker ps\ndocker images")).toThrow("exactly one command");
    expect(() => splitCommandLine(`echo "abc`)).toThrow("unterminated double quote");
    expect(() => splitCommandLine(`echo 'abc`)).toThrow("unterminated single quote");
    expect(() => splitCommandLine(`echo abc\\`)).toThrow(CommandLineError);
  });

  it("round-trips any words through joinCommandLine (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: "binary" }), { maxLength: 8 }), (words) => {
        expect(splitCommandLine(joinCommandLine(words))).toEqual(words);
      }),
    );
  });

  it("round-trips words quoted with double quotes (property)", () => {
    const doubleQuote = (word: string): string => `"${word.replace(/["\\$`]/g, (character) => `\\${character}`)}"`;
    fc.assert(
      fc.property(fc.array(fc.string(), { maxLength: 8 }), (words) => {
        expect(splitCommandLine(words.map(doubleQuote).join(" "))).toEqual(words);
      }),
    );
  });
});
