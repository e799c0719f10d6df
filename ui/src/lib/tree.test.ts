import { describe, expect, it } from "vitest";
import { buildTree, openFolders, visibleRows } from "./tree";

describe("file tree", () => {
  const tree = buildTree(["src/main.rs", "README.md", "src/cli/args.rs", ".github/workflows/ci.yml", "Cargo.toml"]);

  it("puts folders before files, each sorted", () => {
    expect(tree.map((n) => n.name)).toEqual([".github", "src", "Cargo.toml", "README.md"]);
    const src = tree[1];
    expect(src.children?.map((n) => n.name)).toEqual(["cli", "main.rs"]);
    expect(src.children?.[0].children?.[0].path).toBe("src/cli/args.rs");
  });

  it("shows the insides of open folders only", () => {
    const open = openFolders(tree, 1);
    expect([...open].sort()).toEqual([".github", "src"]);
    const rows = visibleRows(tree, open).map((r) => `${"  ".repeat(r.depth)}${r.node.name}`);
    expect(rows).toEqual([".github", "  workflows", "src", "  cli", "  main.rs", "Cargo.toml", "README.md"]);
    expect(visibleRows(tree, new Set()).length).toBe(4);
  });
});
