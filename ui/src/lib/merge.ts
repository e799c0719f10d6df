// The conflict view's model, on CodeMirror's state (no DOM): the result document is built
// from the merge's regions; each conflict hunk keeps its pick, and its place in the
// document follows every edit. A pick is one transaction (text and state together), so
// undo takes back exactly one action; typing inside a hunk makes it a manual resolution.
// The bytes that are written are made in Rust from the picks (see `resolution`).
import { ChangeSet, EditorState, StateEffect, StateField, type Extension, type Transaction } from "@codemirror/state";
import { invertedEffects } from "@codemirror/commands";
import type { HunkPick } from "../bindings/HunkPick";
import type { MergeRegion } from "../bindings/MergeRegion";
import type { Resolution } from "../bindings/Resolution";

/** The three versions' texts, whole. */
export interface Texts {
  yours: string;
  recipe: string;
  base: string;
}

/** Splits text into lines, each with its line ending; the last may have none. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\n") {
      out.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) out.push(text.slice(start));
  return out;
}

/** The lines of each version, split once. */
export interface Lines {
  yours: string[];
  recipe: string[];
  base: string[];
}

export function linesOf(t: Texts): Lines {
  return { yours: splitLines(t.yours), recipe: splitLines(t.recipe), base: splitLines(t.base) };
}

function slice(lines: string[], r: { start: number; end: number }): string {
  return lines.slice(r.start, r.end).join("");
}

/** Joins two texts as lines: a newline between when the first lacks one. */
function joinLines(a: string, b: string): string {
  if (a && b && !a.endsWith("\n")) return a + "\n" + b;
  return a + b;
}

/** The text a region has in the result when it is not a conflict. */
export function mergedText(r: MergeRegion, lines: Lines): string {
  return r.kind === "recipe" ? slice(lines.recipe, r.recipe) : slice(lines.yours, r.yours);
}

/** The text a conflict hunk shows for a pick; an open hunk shows the base lines. */
export function pickText(r: MergeRegion, pick: HunkPick | null, lines: Lines): string {
  const yours = slice(lines.yours, r.yours);
  const recipe = slice(lines.recipe, r.recipe);
  if (pick === null) return slice(lines.base, r.base);
  switch (pick.take) {
    case "yours":
      return yours;
    case "recipe":
      return recipe;
    case "yoursThenRecipe":
      return joinLines(yours, recipe);
    case "recipeThenYours":
      return joinLines(recipe, yours);
    case "base":
      return slice(lines.base, r.base);
    case "text":
      return pick.text;
  }
}

/** A region's place in the result document. */
export interface Span {
  /** Index into the regions. */
  region: number;
  kind: MergeRegion["kind"];
  from: number;
  to: number;
  /** For conflicts: the pick (null while open). */
  pick: HunkPick | null;
  /** For conflicts: edited by hand since its last pick. */
  manual: boolean;
}

/** The result document and the place of every region in it, for the given picks. */
export function buildResult(regions: MergeRegion[], lines: Lines, picks: (HunkPick | null)[]): { doc: string; spans: Span[] } {
  let doc = "";
  const spans: Span[] = [];
  let conflict = 0;
  regions.forEach((r, i) => {
    const from = doc.length;
    let pick: HunkPick | null = null;
    if (r.kind === "conflict") {
      pick = picks[conflict] ?? null;
      conflict += 1;
      doc += pickText(r, pick, lines);
    } else {
      doc += mergedText(r, lines);
    }
    spans.push({ region: i, kind: r.kind, from, to: doc.length, pick, manual: false });
  });
  return { doc, spans };
}

/** The state a conflict view keeps beside its document. */
export interface MergeModel {
  regions: MergeRegion[];
  lines: Lines;
  spans: Span[];
  /** The user edited text outside every conflict hunk: only the whole text says it. */
  editedOutside: boolean;
}

/** The model of a state made with `mergeExtensions`. */
export function modelOf(state: EditorState): MergeModel {
  const m = state.field(mergeField, false);
  if (!m) throw new Error("this editor has no merge model");
  return m;
}

/** A pick for a conflict (by its number among the conflicts). */
export const setPick = StateEffect.define<{ conflict: number; pick: HunkPick | null; manual: boolean }>();

/** Conflict numbers → span indices. */
export function conflictSpans(spans: Span[]): number[] {
  return spans.flatMap((s, i) => (s.kind === "conflict" ? [i] : []));
}

function mapSpans(spans: Span[], changes: ChangeSet): Span[] {
  return spans.map((s) => {
    // An insertion at a hunk's edge goes into the hunk.
    const from = changes.mapPos(s.from, -1);
    const to = Math.max(from, changes.mapPos(s.to, 1));
    return { ...s, from, to };
  });
}

export const mergeField = StateField.define<MergeModel | null>({
  create: () => null,
  update(model, tr) {
    if (!model) return model;
    let spans = tr.docChanged ? mapSpans(model.spans, tr.changes) : model.spans;
    let editedOutside = model.editedOutside;
    const picks = tr.effects.filter((e) => e.is(setPick));
    if (tr.docChanged && picks.length === 0) {
      // Typing: a touched conflict hunk becomes manual; touching anything else is an
      // edit outside the conflicts.
      const conflicts = conflictSpans(spans);
      tr.changes.iterChangedRanges((_fa, _ta, fromB, toB) => {
        const inside = conflicts.find((i) => spans[i].from <= fromB && toB <= spans[i].to);
        if (inside === undefined) editedOutside = true;
        else spans = spans.map((s, i) => (i === inside ? { ...s, manual: true } : s));
      });
    }
    for (const e of picks) {
      const i = conflictSpans(spans)[e.value.conflict];
      if (i === undefined) continue;
      spans = spans.map((s, j) => (j === i ? { ...s, pick: e.value.pick, manual: e.value.manual } : s));
    }
    return { ...model, spans, editedOutside };
  },
});

/** Undo of a pick restores the hunk's previous pick with its text. */
const invertPicks = invertedEffects.of((tr: Transaction) => {
  const before = tr.startState.field(mergeField, false);
  if (!before) return [];
  const spans = conflictSpans(before.spans);
  return tr.effects
    .filter((e) => e.is(setPick))
    .map((e) => {
      const s = before.spans[spans[e.value.conflict]];
      return setPick.of({ conflict: e.value.conflict, pick: s.pick, manual: s.manual });
    });
});

/** The extensions a result editor needs for the model (add `history()` for undo). */
export function mergeExtensions(regions: MergeRegion[], texts: Texts, picks: (HunkPick | null)[]): { doc: string; extension: Extension } {
  const lines = linesOf(texts);
  const { doc, spans } = buildResult(regions, lines, picks);
  return {
    doc,
    extension: [mergeField.init(() => ({ regions, lines, spans, editedOutside: false })), invertPicks],
  };
}

/** A transaction spec that picks for conflict `conflict`: its text replaced, its pick set. */
export function pickSpec(state: EditorState, conflict: number, pick: HunkPick | null) {
  const model = modelOf(state);
  const span = model.spans[conflictSpans(model.spans)[conflict]];
  const text = pickText(model.regions[span.region], pick, model.lines);
  return {
    changes: { from: span.from, to: span.to, insert: text },
    effects: setPick.of({ conflict, pick, manual: false }),
    userEvent: "select.pick",
  };
}

/** Picks for every conflict at once (one undo step). */
export function pickAllSpec(state: EditorState, pick: HunkPick) {
  const model = modelOf(state);
  const conflicts = conflictSpans(model.spans);
  const changes = conflicts.map((i) => {
    const s = model.spans[i];
    return { from: s.from, to: s.to, insert: pickText(model.regions[s.region], pick, model.lines) };
  });
  return {
    changes,
    effects: conflicts.map((_, c) => setPick.of({ conflict: c, pick, manual: false })),
    userEvent: "select.pick",
  };
}

/** Whether conflict `c` (a span) is resolved: picked, or edited by hand. */
export function isResolved(s: Span): boolean {
  return s.manual || s.pick !== null;
}

/** How many conflicts are still open. */
export function openConflicts(model: MergeModel): number {
  return model.spans.filter((s) => s.kind === "conflict" && !isResolved(s)).length;
}

/**
 * The next (dir 1) or previous (dir -1) conflict from `current` (a conflict number, or -1
 * for none), wrapping around; only open ones when `openOnly`. -1 when there is none.
 */
export function nextConflict(model: MergeModel, current: number, dir: 1 | -1, openOnly: boolean): number {
  const spans = conflictSpans(model.spans).map((i) => model.spans[i]);
  const n = spans.length;
  if (n === 0) return -1;
  const start = current === -1 ? (dir === 1 ? -1 : n) : current;
  for (let step = 1; step <= n; step++) {
    const c = (((start + dir * step) % n) + n) % n;
    if (!openOnly || !isResolved(spans[c])) return c;
  }
  return -1;
}

/** The spans of the changes (every region some side changed), in order. */
export function changeSpans(model: MergeModel): Span[] {
  return model.spans.filter((s) => s.kind !== "unchanged");
}

/** The next or previous change after or before document position `pos`, or null. */
export function nextChange(model: MergeModel, pos: number, dir: 1 | -1): Span | null {
  const changes = changeSpans(model);
  if (dir === 1) return changes.find((s) => s.from > pos) ?? null;
  return [...changes].reverse().find((s) => s.from < pos) ?? null;
}

/** The conflict number the position is in, or -1. */
export function conflictAt(model: MergeModel, pos: number): number {
  const conflicts = conflictSpans(model.spans);
  return conflicts.findIndex((i) => model.spans[i].from <= pos && pos <= model.spans[i].to);
}

/**
 * What to send to Rust: a pick per hunk (hand edits as their text), or, after an edit
 * outside the conflicts, the whole text.
 */
export function resolution(state: EditorState): Resolution {
  const model = modelOf(state);
  if (model.editedOutside) return { take: "text", text: state.doc.toString() };
  const hunks = conflictSpans(model.spans).map((i) => {
    const s = model.spans[i];
    if (s.manual) return { take: "text", text: state.doc.sliceString(s.from, s.to) } as HunkPick;
    return s.pick;
  });
  return { take: "hunks", hunks };
}

/** A short name for a pick, for people (and "edited by hand"). */
export function pickLabel(s: Span, names: { yours: string; recipe: string }): string {
  if (s.manual) return "edited by hand";
  if (s.pick === null) return "open";
  switch (s.pick.take) {
    case "yours":
      return `${names.yours}`;
    case "recipe":
      return `${names.recipe}`;
    case "yoursThenRecipe":
      return `both, ${names.yours} first`;
    case "recipeThenYours":
      return `both, ${names.recipe} first`;
    case "base":
      return "base (neither change)";
    case "text":
      return "edited by hand";
  }
}
