// Tests for Go strconv parsing and quoting as the docker CLI's flags use them. Error texts as the
// real docker 28.2.2 prints them inside flag errors (`docker ps -n abc`, `docker run -d=maybe alpine`);
// accepted forms follow Go's strconv documentation (ParseInt base 0, ParseBool).
import { describe, expect, it } from "vitest";
import { parseGoBool, parseGoFloat, parseGoInt } from "../../src/cli/go-parse.js";
import { goQuote, goQuoteCharacter } from "../../src/cli/go-quote.js";

describe("parseGoInt (strconv.ParseInt(text, 0, 64))", () => {
  it.each([
    ["0", 0],
    ["-1", -1],
    ["+7", 7],
    ["0x1f", 31],
    ["0X1F", 31],
    ["0o17", 15],
    ["017", 15],
    ["0b101", 5],
    ["1_000", 1000],
    ["0x_1f", 31],
    ["9223372036854775807", 9223372036854775807],
  ])("%j is %d", (text, value) => {
    expect(parseGoInt(text)).toEqual({ ok: true, value });
  });

  it.each(["", "abc", "08", "1_", "_1", "1__0", "0x", "1.5", " 1", "+", "--1"])("%j is invalid syntax", (text) => {
    expect(parseGoInt(text)).toEqual({ ok: false, error: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax` });
  });

  it("reports values beyond int64 as out of range", () => {
    expect(parseGoInt("9223372036854775808")).toEqual({ ok: false, error: 'strconv.ParseInt: parsing "9223372036854775808": value out of range' });
    expect(parseGoInt("-9223372036854775808").ok).toBe(true);
  });
});

describe("parseGoBool and parseGoFloat", () => {
  it("accepts Go's boolean spellings only", () => {
    for (const text of ["1", "t", "T", "TRUE", "true", "True"]) expect(parseGoBool(text)).toEqual({ ok: true, value: true });
    for (const text of ["0", "f", "F", "FALSE", "false", "False"]) expect(parseGoBool(text)).toEqual({ ok: true, value: false });
    expect(parseGoBool("yes")).toEqual({ ok: false, error: 'strconv.ParseBool: parsing "yes": invalid syntax' });
  });

  it("parses decimal floats", () => {
    expect(parseGoFloat("1.5e3")).toEqual({ ok: true, value: 1500 });
    expect(parseGoFloat("1_0.5")).toEqual({ ok: true, value: 10.5 });
    expect(parseGoFloat("1e400")).toEqual({ ok: false, error: 'strconv.ParseFloat: parsing "1e400": value out of range' });
    expect(parseGoFloat("1._5")).toEqual({ ok: false, error: 'strconv.ParseFloat: parsing "1._5": invalid syntax' });
  });
});

describe("Go quoting", () => {
  it("quotes like %q", () => {
    expect(goQuote("abc")).toBe('"abc"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote("a\tb\x00\x7f")).toBe('"a\\tb\\x00\\x7f"');
    expect(goQuote("it's 日本")).toBe('"it\'s 日本"');
    expect(goQuoteCharacter("z")).toBe("'z'");
    expect(goQuoteCharacter("'")).toBe("'\\''");
    expect(goQuoteCharacter('"')).toBe("'\"'");
  });
});
