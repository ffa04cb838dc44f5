// Placement constraints: parsing with swarmkit's error texts, matching rules (key and value
// case, missing labels, node.ip), spread descriptors, and the Go string helpers behind them.
import { describe, expect, it } from "vitest";
import {
  ConstraintError,
  constraintMatches,
  equalFold,
  goTrimSpace,
  nodeMatchesConstraints,
  parseCidr,
  parseConstraints,
  parseIp,
  spreadValue,
  validateConstraints,
} from "../../../src/swarm/scheduler/index.js";
import { makeNode } from "./fixtures.js";

function matches(expressions: string[], node = makeNode("node1")): boolean {
  return nodeMatchesConstraints(parseConstraints(expressions), node);
}

describe("parseConstraints", () => {
  it("parses == and != with trimmed key and value", () => {
    expect(parseConstraints([" node.labels.zone == a ", "node.role!=manager"])).toEqual([
      { key: "node.labels.zone", operator: "==", expression: "a" },
      { key: "node.role", operator: "!=", expression: "manager" },
    ]);
  });

  it("keeps key case, special characters and inner spaces in values (swarmkit's TestParse)", () => {
    expect(parseConstraints(["NoDe==node1"])[0]!.key).toBe("NoDe");
    expect(parseConstraints(["no.de==node1"])[0]!.key).toBe("no.de");
    expect(parseConstraints(["_node==_node1"])[0]!.key).toBe("_node");
    expect(parseConstraints(["node==[a-b]+c*(n|b)/"])[0]!.expression).toBe("[a-b]+c*(n|b)/");
    expect(parseConstraints(["node==node 1"])[0]!.expression).toBe("node 1");
  });

  it("refuses expressions without an operator with swarmkit's wording", () => {
    for (const expression of ["", " ", "nodeabc", "node ~ abc", "node=abc", "node>abc"]) {
      expect(() => parseConstraints([expression])).toThrow(new ConstraintError("constraint expected one operator from ==, !="));
    }
  });

  it("refuses invalid keys and values with swarmkit's wording", () => {
    expect(validateConstraints(["1node==a2"])).toBe("key '1node' is invalid");
    expect(validateConstraints(["no de== node1"])).toBe("key 'no de' is invalid");
    expect(validateConstraints(["no*de==node1"])).toBe("key 'no*de' is invalid");
    expect(validateConstraints(["==node1"])).toBe("key '' is invalid");
    expect(validateConstraints(["n==x"])).toBe("key 'n' is invalid"); // at least two characters
    expect(validateConstraints(["node=="])).toBe("value '' is invalid");
    expect(validateConstraints(["node== "])).toBe("value '' is invalid");
    expect(validateConstraints(["node==a!=b"])).toBe("value 'a!=b' is invalid"); // == is tried first
    expect(validateConstraints(["node.labels.a==b>c"])).toBe("value 'b>c' is invalid");
    expect(validateConstraints(["node.labels.a==é"])).toBe("value 'é' is invalid");
  });

  it("reports the first invalid expression and accepts a valid list", () => {
    expect(validateConstraints(["node.role==worker", "bogus", "1x==y"])).toBe("constraint expected one operator from ==, !=");
    expect(validateConstraints(["node.role==worker", "node.labels.zone!=a"])).toBeNull();
    expect(validateConstraints([])).toBeNull();
  });

  it("trims as Go's TrimSpace (NEL and NBSP are space, BOM is not)", () => {
    expect(parseConstraints(["\u0085node.role==worker\u00a0"])[0]).toEqual({ key: "node.role", operator: "==", expression: "worker" });
    expect(validateConstraints(["\ufeffnode.role==worker"])).toBe("key '\ufeffnode.role' is invalid");
  });
});

describe("constraint matching", () => {
  it("matches values case-insensitively and exactly otherwise (swarmkit's TestMatch)", () => {
    const [equal] = parseConstraints(["node.name==f*o"]);
    expect(constraintMatches(equal!, "f*o")).toBe(true);
    expect(constraintMatches(equal!, "F*O")).toBe(true);
    expect(constraintMatches(equal!, "foo")).toBe(false);
    expect(constraintMatches(equal!, "foo", "f*o", "bar")).toBe(true);
    const [notEqual] = parseConstraints(["node.name!=foo"]);
    expect(constraintMatches(notEqual!, "foo")).toBe(false);
    expect(constraintMatches(notEqual!, "fooExtra")).toBe(true);
  });

  it("matches node.id, hostname, role and platform, keys case-insensitive", () => {
    const node = makeNode("abc123", { hostname: "Worker-1", role: "manager", os: "linux", architecture: "aarch64" });
    expect(matches(["node.id==abc123"], node)).toBe(true);
    expect(matches(["NODE.ID==ABC123"], node)).toBe(true);
    expect(matches(["node.hostname==worker-1"], node)).toBe(true);
    expect(matches(["node.hostname!=worker-1"], node)).toBe(false);
    expect(matches(["node.role==MANAGER"], node)).toBe(true);
    expect(matches(["node.role==worker"], node)).toBe(false);
    expect(matches(["node.platform.os==Linux"], node)).toBe(true);
    expect(matches(["node.platform.arch==aarch64"], node)).toBe(true);
    expect(matches(["node.platform.arch==arm64"], node)).toBe(false); // no normalisation in constraints
  });

  it("reads node and engine labels with case-sensitive label names; a missing label is empty", () => {
    const node = makeNode("n", { labels: { zone: "East" }, engineLabels: { disk: "ssd" } });
    expect(matches(["node.labels.zone==east"], node)).toBe(true);
    expect(matches(["Node.Labels.zone==east"], node)).toBe(true);
    expect(matches(["node.labels.Zone==east"], node)).toBe(false);
    expect(matches(["node.labels.Zone!=east"], node)).toBe(true);
    expect(matches(["engine.labels.disk==SSD"], node)).toBe(true);
    expect(matches(["engine.labels.gpu!=yes"], node)).toBe(true);
    expect(matches(["engine.labels.gpu==yes"], node)).toBe(false);
    expect(matches(["node.labels.constructor==x"], node)).toBe(false);
  });

  it("needs every constraint; unknown keys never match", () => {
    const node = makeNode("n", { labels: { zone: "a" } });
    expect(matches(["node.labels.zone==a", "node.role==worker"], node)).toBe(true);
    expect(matches(["node.labels.zone==a", "node.role==manager"], node)).toBe(false);
    expect(matches(["node.name==n"], node)).toBe(false);
    expect(matches(["node.labels.==x"], node)).toBe(false);
    expect(matches(["node.name!=n"], node)).toBe(false);
  });

  it("compares node.ip as an address or a CIDR network", () => {
    const node = makeNode("n", { address: "10.0.1.7" });
    expect(matches(["node.ip==10.0.1.7"], node)).toBe(true);
    expect(matches(["node.ip!=10.0.1.7"], node)).toBe(false);
    expect(matches(["node.ip==10.0.1.0/24"], node)).toBe(true);
    expect(matches(["node.ip!=10.0.0.0/24"], node)).toBe(true);
    expect(matches(["node.ip==::ffff:10.0.1.7"], node)).toBe(true);
    expect(matches(["node.ip==10.0.1.07"], node)).toBe(false); // leading zero: not an address
    expect(matches(["node.ip!=not-an-ip"], node)).toBe(false); // malformed: rejected either way
    const v6 = makeNode("v6", { address: "2001:db8::2" });
    expect(matches(["node.ip==2001:DB8:0::2"], v6)).toBe(true);
    expect(matches(["node.ip==2001:db8::/32"], v6)).toBe(true);
    expect(matches(["node.ip==10.0.0.0/8"], v6)).toBe(false);
  });
});

describe("IP parsing as Go's net package", () => {
  it("parses IPv4 and IPv6 forms and refuses malformed ones", () => {
    expect(parseIp("1.2.3.4")).not.toBeNull();
    expect(parseIp("::")).not.toBeNull();
    expect(parseIp("::1")).not.toBeNull();
    expect(parseIp("fe80::1:2:3:4")).not.toBeNull();
    expect(parseIp("1:2:3:4:5:6:1.2.3.4")).not.toBeNull();
    for (const text of ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1..2.3", "1:2", "1:::2", "::1::2", "12345::", "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8"]) {
      expect(parseIp(text), text).toBeNull();
    }
  });

  it("parses CIDR networks", () => {
    expect(parseCidr("10.0.0.0/8")?.mask).toEqual(new Uint8Array([255, 0, 0, 0]));
    expect(parseCidr("10.1.2.3/20")?.address).toEqual(new Uint8Array([10, 1, 0, 0]));
    expect(parseCidr("10.0.0.0/33")).toBeNull();
    expect(parseCidr("10.0.0.0")).toBeNull();
    expect(parseCidr("10.0.0.0/")).toBeNull();
    expect(parseCidr("2001:db8::/129")).toBeNull();
    expect(parseCidr("2001:db8::/32")?.mask.length).toBe(16);
  });
});

describe("spread descriptors", () => {
  it("reads node and engine labels, missing as empty, other descriptors unsupported", () => {
    const node = makeNode("n", { labels: { zone: "a" }, engineLabels: { rack: "r1" } });
    expect(spreadValue("node.labels.zone", node)).toBe("a");
    expect(spreadValue("NODE.LABELS.zone", node)).toBe("a");
    expect(spreadValue("node.labels.region", node)).toBe("");
    expect(spreadValue("engine.labels.rack", node)).toBe("r1");
    expect(spreadValue("node.hostname", node)).toBeNull();
    expect(spreadValue("node.labels.", node)).toBeNull();
  });
});

describe("Go string helpers", () => {
  it("folds case rune by rune as strings.EqualFold", () => {
    expect(equalFold("Hello", "hELLO")).toBe(true);
    expect(equalFold("hello", "hell")).toBe(false);
    expect(equalFold("\u212a", "k")).toBe(true); // Kelvin sign
    expect(equalFold("ς", "Σ")).toBe(true);
    expect(equalFold("ß", "SS")).toBe(false);
    expect(equalFold("é", "É")).toBe(true);
  });

  it("trims as strings.TrimSpace", () => {
    expect(goTrimSpace(" \t\n a b \r\u3000")).toBe("a b");
    expect(goTrimSpace("\ufeffx")).toBe("\ufeffx");
    expect(goTrimSpace("   ")).toBe("");
  });
});
