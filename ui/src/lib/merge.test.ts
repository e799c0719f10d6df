import { describe, expect, it } from "vitest";
import { EditorState } from "@codemirror/state";
import { history, redo, undo } from "@codemirror/commands";
import type { MergeRegion } from "../bindings/MergeRegion";
import {
  buildResult,
  conflictAt,
  linesOf,
  mergeExtensions,
  modelOf,
  nextChange,
  nextConflict,
  openConflicts,
  pickAllSpec,
  pickSpec,
  resolution,
  splitLines,
} from "./merge";

// base:   one two three four five
// yours:  one TWO(mine) three four FIVE(mine)
// recipe: one TWO(recipe) three four FIVE(recipe) six
const texts = {
  base: "one\ntwo\nthree\nfour\nfive\n",
  yours: "one\ntwo (mine)\nthree\nfour\nfive (mine)\n",
  recipe: "one\ntwo (recipe)\nthree\nfour\nfive (recipe)\nsix\n",
};
const r = (kind: MergeRegion["kind"], b: [number, number], y: [number, number], t: [number, number]): MergeRegion => ({
  kind,
  base: { start: b[0], end: b[1] },
  yours: { start: y[0], end: y[1] },
  recipe: { start: t[0], end: t[1] },
});
const regions: MergeRegion[] = [
  r("unchanged", [0, 1], [0, 1], [0, 1]),
  r("conflict", [1, 2], [1, 2], [1, 2]),
  r("unchanged", [2, 4], [2, 4], [2, 4]),
  r("conflict", [4, 5], [4, 5], [4, 6]),
];

function editor(picks: (null | { take: "yours" })[] = [null, null]) {
  const { doc, extension } = mergeExtensions(regions, texts, picks);
  return EditorState.create({ doc, extensions: [history(), extension] });
}

function run(state: EditorState, command: typeof undo): EditorState {
  let next = state;
  command({ state, dispatch: (tr) => (next = tr.state) });
  return next;
}

describe("the result document", () => {
  it("splits lines keeping their endings", () => {
    expect(splitLines("a\nb")).toEqual(["a\n", "b"]);
    expect(splitLines("")).toEqual([]);
  });

  it("shows open conflicts as the base and picked ones as picked", () => {
    const lines = linesOf(texts);
    expect(buildResult(regions, lines, [null, null]).doc).toBe("one\ntwo\nthree\nfour\nfive\n");
    expect(buildResult(regions, lines, [{ take: "yours" }, { take: "recipeThenYours" }]).doc).toBe(
      "one\ntwo (mine)\nthree\nfour\nfive (recipe)\nsix\nfive (mine)\n",
    );
    expect(buildResult(regions, lines, [{ take: "text", text: "2\n" }, { take: "base" }]).doc).toBe("one\n2\nthree\nfour\nfive\n");
  });
});

describe("hunk choices", () => {
  it("a pick replaces the hunk and records the choice", () => {
    let s = editor();
    expect(openConflicts(modelOf(s))).toBe(2);
    s = s.update(pickSpec(s, 0, { take: "yours" })).state;
    s = s.update(pickSpec(s, 1, { take: "yoursThenRecipe" })).state;
    expect(s.doc.toString()).toBe("one\ntwo (mine)\nthree\nfour\nfive (mine)\nfive (recipe)\nsix\n");
    expect(openConflicts(modelOf(s))).toBe(0);
    expect(resolution(s)).toEqual({ take: "hunks", hunks: [{ take: "yours" }, { take: "yoursThenRecipe" }] });
  });

  it("reset puts a hunk back to open", () => {
    let s = editor();
    s = s.update(pickSpec(s, 1, { take: "recipe" })).state;
    s = s.update(pickSpec(s, 1, null)).state;
    expect(s.doc.toString()).toBe("one\ntwo\nthree\nfour\nfive\n");
    expect(resolution(s)).toEqual({ take: "hunks", hunks: [null, null] });
  });

  it("typing inside a hunk is a manual resolution of that hunk", () => {
    let s = editor();
    s = s.update(pickSpec(s, 0, { take: "recipe" })).state;
    const model = modelOf(s);
    const hunk = model.spans[1];
    s = s.update({ changes: { from: hunk.from, to: hunk.from + 3, insert: "TWO" } }).state;
    expect(resolution(s)).toEqual({ take: "hunks", hunks: [{ take: "text", text: "TWO (recipe)\n" }, null] });
    expect(openConflicts(modelOf(s))).toBe(1);
  });

  it("an edit outside every hunk sends the whole text", () => {
    let s = editor();
    s = s.update({ changes: { from: 0, to: 3, insert: "ONE" } }).state;
    expect(resolution(s)).toEqual({ take: "text", text: "ONE\ntwo\nthree\nfour\nfive\n" });
  });

  it("take a whole side for the file in one step", () => {
    let s = editor();
    s = s.update(pickAllSpec(s, { take: "recipe" })).state;
    expect(s.doc.toString()).toBe(texts.recipe);
    s = run(s, undo);
    expect(s.doc.toString()).toBe(texts.base);
  });
});

describe("undo", () => {
  it("each pick is one undo step, text and choice together, and redo replays it", () => {
    let s = editor();
    s = s.update(pickSpec(s, 0, { take: "yours" })).state;
    s = s.update(pickSpec(s, 1, { take: "recipe" })).state;
    s = s.update(pickSpec(s, 0, { take: "base" })).state;
    s = run(s, undo);
    expect(resolution(s)).toEqual({ take: "hunks", hunks: [{ take: "yours" }, { take: "recipe" }] });
    expect(s.doc.toString()).toBe("one\ntwo (mine)\nthree\nfour\nfive (recipe)\nsix\n");
    s = run(s, undo);
    expect(resolution(s)).toEqual({ take: "hunks", hunks: [{ take: "yours" }, null] });
    s = run(s, undo);
    expect(resolution(s)).toEqual({ take: "hunks", hunks: [null, null] });
    expect(s.doc.toString()).toBe(texts.base);
    s = run(s, redo);
    expect(resolution(s)).toEqual({ take: "hunks", hunks: [{ take: "yours" }, null] });
  });
});

describe("navigation", () => {
  it("goes to the next and previous conflict, open ones only on request, wrapping", () => {
    let s = editor();
    const m0 = modelOf(s);
    expect(nextConflict(m0, -1, 1, false)).toBe(0);
    expect(nextConflict(m0, -1, -1, false)).toBe(1);
    expect(nextConflict(m0, 1, 1, false)).toBe(0);
    s = s.update(pickSpec(s, 0, { take: "yours" })).state;
    const m1 = modelOf(s);
    expect(nextConflict(m1, 1, 1, true)).toBe(1);
    expect(nextConflict(m1, -1, 1, true)).toBe(1);
    s = s.update(pickSpec(s, 1, { take: "yours" })).state;
    expect(nextConflict(modelOf(s), 0, 1, true)).toBe(-1);
  });

  it("goes to the next and previous change, and knows the conflict under the cursor", () => {
    const s = editor();
    const m = modelOf(s);
    const first = nextChange(m, 0, 1);
    expect(first?.kind).toBe("conflict");
    expect(first?.from).toBe(4);
    expect(nextChange(m, first!.from, 1)?.from).toBe(m.spans[3].from);
    expect(nextChange(m, m.spans[3].from, 1)).toBeNull();
    expect(nextChange(m, m.spans[3].from, -1)?.from).toBe(4);
    expect(conflictAt(m, 5)).toBe(0);
    expect(conflictAt(m, 0)).toBe(-1);
  });
});
