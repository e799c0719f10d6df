import { describe, expect, it } from "vitest";
import type { FileChange } from "../bindings/FileChange";
import type { Decision } from "../bindings/Decision";
import { groupCounts, groupPlan, hasHunks, isOpenConflict, kindTag, matches } from "./plan";

function change(path: string, decision: Decision, extra: Partial<FileChange> = {}): FileChange {
  return { path, decision, conflicts: 0, structured: false, message: "", resolved: false, ...extra };
}

const plan: FileChange[] = [
  change("README.md", "merged"),
  change("src/app.py", "conflict", { conflicts: 2 }),
  change("logo.png", "binary-conflict", { conflicts: 0 }),
  change("LICENSE", "unchanged"),
  change("src/new/mod.py", "renamed", { renamedFrom: "src/old/mod.py" }),
  change("old.txt", "deleted-by-template-edited"),
  change("CONTRIBUTING.md", "added"),
  change("run.sh", "mode-changed", { executable: true }),
  change("gone.txt", "deleted-by-template"),
  change("notes.txt", "user-only"),
  change("a.txt", "conflict", { conflicts: 1, resolved: true }),
];

describe("plan grouping", () => {
  it("puts conflicts first, open before resolved, and leaves unchanged files out", () => {
    const groups = groupPlan(plan);
    expect(groups.map((g) => g.key)).toEqual(["conflicts", "merged", "added", "removed", "renamed", "mode", "kept"]);
    expect(groups[0].files.map((f) => f.path)).toEqual(["logo.png", "old.txt", "src/app.py", "a.txt"]);
  });

  it("shows unchanged files on request, last", () => {
    const groups = groupPlan(plan, "", true);
    expect(groups.at(-1)?.key).toBe("unchanged");
    expect(groups.at(-1)?.files.map((f) => f.path)).toEqual(["LICENSE"]);
  });

  it("filters by path, old path and kind", () => {
    expect(groupPlan(plan, "src/").flatMap((g) => g.files.map((f) => f.path))).toEqual(["src/app.py", "src/new/mod.py"]);
    expect(groupPlan(plan, "OLD/MOD").flatMap((g) => g.files.map((f) => f.path))).toEqual(["src/new/mod.py"]);
    expect(groupPlan(plan, "binary").flatMap((g) => g.files.map((f) => f.path))).toEqual(["logo.png"]);
    expect(groupPlan(plan, "nothing matches this")).toEqual([]);
    expect(matches(plan[0], "  ")).toBe(true);
  });

  it("counts every file, whatever the filter", () => {
    const counts = groupCounts(plan);
    expect(counts.conflicts).toBe(4);
    expect(counts.unchanged).toBe(1);
    expect(counts.renamed).toBe(1);
  });

  it("names each kind of change for what it is", () => {
    expect(kindTag(plan[2])).toBe("binary");
    expect(kindTag(plan[4])).toBe("from src/old/mod.py");
    expect(kindTag(plan[5])).toBe("removed by the recipe, edited by you");
    expect(kindTag(plan[7])).toBe("now executable");
    expect(kindTag(change("x.json", "merged", { structured: true }))).toBe("merged key by key");
    expect(kindTag(change("y", "added-by-both-conflict"))).toBe("added by both");
  });

  it("knows which files open in the conflict view", () => {
    expect(hasHunks(plan[1])).toBe(true);
    expect(hasHunks(plan[2])).toBe(false);
    expect(isOpenConflict(plan[1])).toBe(true);
    expect(isOpenConflict(plan[10])).toBe(false);
  });
});
