// Tests for the tabwriter port and docker's table layout. Expected tables are golden strings of
// docker/cli v28.2.2 formatter tests (file and line named at each case); the tabwriter cases
// follow Go's text/tabwriter documentation and example_test.go.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dockerTableOptions, renderTable, tabwrite } from "../../src/cli/table.js";

describe("renderTable (docker/cli formatter golden strings)", () => {
  it("lays out docker ps (cli/command/formatter/container_test.go:250)", () => {
    expect(
      renderTable(
        ["CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"],
        [
          ["containerID1", "ubuntu", '""', "24 hours ago", "", "", "foobar_baz"],
          ["containerID2", "ubuntu", '""', "24 hours ago", "", "", "foobar_bar"],
        ],
      ),
    ).toBe(`CONTAINER ID   IMAGE     COMMAND   CREATED        STATUS    PORTS     NAMES
containerID1   ubuntu    ""        24 hours ago                       foobar_baz
containerID2   ubuntu    ""        24 hours ago                       foobar_bar
`);
  });

  it("lays out docker images (cli/command/formatter/image_test.go:139)", () => {
    expect(
      renderTable(
        ["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"],
        [
          ["image", "tag1", "imageID1", "24 hours ago", "0B"],
          ["image", "tag2", "imageID2", "N/A", "0B"],
          ["<none>", "<none>", "imageID3", "24 hours ago", "0B"],
        ],
      ),
    ).toBe(`REPOSITORY   TAG       IMAGE ID   CREATED        SIZE
image        tag1      imageID1   24 hours ago   0B
image        tag2      imageID2   N/A            0B
<none>       <none>    imageID3   24 hours ago   0B
`);
  });

  it("lays out docker network ls (cli/command/network/formatter_test.go:96)", () => {
    expect(
      renderTable(
        ["NETWORK ID", "NAME", "DRIVER", "SCOPE"],
        [
          ["networkID1", "foobar_baz", "foo", "local"],
          ["networkID2", "foobar_bar", "bar", "local"],
        ],
      ),
    ).toBe(`NETWORK ID   NAME         DRIVER    SCOPE
networkID1   foobar_baz   foo       local
networkID2   foobar_bar   bar       local
`);
  });

  it("lays out docker volume ls (cli/command/formatter/volume_test.go:77)", () => {
    expect(renderTable(["DRIVER", "VOLUME NAME"], [["foo", "foobar_baz"], ["bar", "foobar_bar"]])).toBe(
      "DRIVER    VOLUME NAME\nfoo       foobar_baz\nbar       foobar_bar\n",
    );
  });

  it("keeps trailing padding when the last cell is empty (cli/command/node/formatter_test.go:79)", () => {
    // The node table's ID cell is "{{.ID}} {{if .Self}}*{{else}} {{ end }}": two extra characters.
    expect(
      renderTable(
        ["ID", "HOSTNAME", "STATUS", "AVAILABILITY", "MANAGER STATUS", "ENGINE VERSION"],
        [
          ["nodeID1  ", "foobar_baz", "Foo", "Drain", "Leader", "18.03.0-ce"],
          ["nodeID2  ", "foobar_bar", "Bar", "Active", "Reachable", "1.2.3"],
          ["nodeID3  ", "foobar_boo", "Boo", "Active", "", ""],
        ],
      ),
    ).toBe(
      `ID          HOSTNAME     STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION
nodeID1     foobar_baz   Foo       Drain          Leader           18.03.0-ce
nodeID2     foobar_bar   Bar       Active         Reachable        1.2.3
nodeID3     foobar_boo   Boo       Active                          ` + "\n",
    );
  });

  it("prints only the header when there are no rows (cli/command/formatter/container_test.go:405)", () => {
    expect(renderTable(["IMAGE", "SIZE"], [])).toBe("IMAGE     SIZE\n");
    expect(renderTable(["IMAGE"], [])).toBe("IMAGE\n");
  });

  it("counts wide characters as two columns", () => {
    expect(renderTable(["NAME", "X"], [["日本語", "y"]])).toBe("NAME      X\n日本語    y\n");
  });

  it("pads every column to the widest cell plus 3, at least 10, never the last (property)", () => {
    const cell = fc.string({ unit: fc.constantFrom("a", "b", " ", "-"), maxLength: 14 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(fc.array(cell, { minLength: 5, maxLength: 5 }), { maxLength: 6 }), (columns, rawRows) => {
        const rows = rawRows.map((row) => row.slice(0, columns));
        const headers = Array.from({ length: columns }, (_, index) => `H${index}`);
        const lines = renderTable(headers, rows).split("\n");
        expect(lines.pop()).toBe("");
        const table = [headers, ...rows];
        let offset = 0;
        for (let column = 0; column < columns; column++) {
          const width = column === columns - 1 ? 0 : Math.max(10, ...table.map((row) => row[column]!.length + 3));
          table.forEach((row, index) => {
            const text = lines[index]!.slice(offset, column === columns - 1 ? undefined : offset + width);
            expect(text).toBe(column === columns - 1 ? row[column] : row[column]!.padEnd(width));
          });
          offset += width;
        }
      }),
    );
  });
});

describe("tabwrite (Go text/tabwriter semantics)", () => {
  it("aligns only contiguous column blocks (text/tabwriter package documentation)", () => {
    const options = { minimumWidth: 0, tabWidth: 8, padding: 1, paddingCharacter: "." };
    expect(tabwrite("aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n", options)).toBe(
      "aaaa.bbb.d\naa...b...dd\na....\naa...cccc.eee\n",
    );
  });

  it("pads with tabs and right-aligns like Go (text/tabwriter example_test.go ExampleWriter_Init)", () => {
    const input = "a\tb\tc\td\t.\n123\t12345\t1234567\t123456789\t.\n\n";
    expect(tabwrite(input, { minimumWidth: 0, tabWidth: 8, padding: 0, paddingCharacter: "\t" })).toBe(
      "a\tb\tc\td\t\t.\n123\t12345\t1234567\t123456789\t.\n\n",
    );
    expect(tabwrite(input, { minimumWidth: 5, tabWidth: 0, padding: 1, paddingCharacter: " ", alignRight: true })).toBe(
      "    a     b       c         d.\n  123 12345 1234567 123456789.\n\n",
    );
  });

  it("aligns only contiguous cells (example_test.go Example_elastic, without the Debug bars)", () => {
    expect(tabwrite("a\tb\tc\naa\tbb\tcc\naaa\t\naaaa\tdddd\teeee\n", { minimumWidth: 0, tabWidth: 0, padding: 1, paddingCharacter: ".", alignRight: true })).toBe(
      "....a..bc\n...aa.bbcc\n..aaa\n.aaaa.ddddeeee\n",
    );
  });

  it("writes text without a final newline as is", () => {
    expect(tabwrite("a\tb\nccc\td", dockerTableOptions)).toBe("a         b\nccc       d");
  });
});
