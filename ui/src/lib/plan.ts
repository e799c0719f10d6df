// The update plan as the review screen shows it: files grouped by what happens to them,
// conflicts first, with counts and a filter.
import type { Decision } from "../bindings/Decision";
import type { FileChange } from "../bindings/FileChange";

export type GroupKey =
  | "conflicts"
  | "merged"
  | "updated"
  | "added"
  | "removed"
  | "renamed"
  | "mode"
  | "kept"
  | "unchanged";

export interface Group {
  key: GroupKey;
  title: string;
  files: FileChange[];
}

/** Groups in the order they are shown: what needs the user first. */
export const GROUP_ORDER: { key: GroupKey; title: string }[] = [
  { key: "conflicts", title: "Conflicts" },
  { key: "merged", title: "Merged" },
  { key: "updated", title: "Updated by the recipe" },
  { key: "added", title: "Added" },
  { key: "removed", title: "Removed" },
  { key: "renamed", title: "Renamed" },
  { key: "mode", title: "Mode changed" },
  { key: "kept", title: "Yours, kept" },
  { key: "unchanged", title: "Unchanged" },
];

export function groupOf(decision: Decision): GroupKey {
  switch (decision) {
    case "conflict":
    case "added-by-both-conflict":
    case "deleted-by-template-edited":
    case "binary-conflict":
      return "conflicts";
    case "merged":
      return "merged";
    case "template-only":
      return "updated";
    case "added":
    case "added-by-both":
      return "added";
    case "deleted-by-template":
      return "removed";
    case "renamed":
      return "renamed";
    case "mode-changed":
      return "mode";
    case "user-only":
    case "deleted-by-user":
    case "deleted-by-user-changed":
      return "kept";
    case "unchanged":
      return "unchanged";
  }
}

/** Whether a file is a conflict the user must still look at. */
export function isOpenConflict(c: FileChange): boolean {
  return groupOf(c.decision) === "conflicts" && !c.resolved;
}

/** A short tag saying what kind of change this is, beyond its group. */
export function kindTag(c: FileChange): string | null {
  switch (c.decision) {
    case "binary-conflict":
      return "binary";
    case "added-by-both-conflict":
      return "added by both";
    case "added-by-both":
      return "added by both, same";
    case "deleted-by-template-edited":
      return "removed by the recipe, edited by you";
    case "deleted-by-user":
      return "removed by you";
    case "deleted-by-user-changed":
      return "removed by you, changed by the recipe";
    case "renamed":
      return c.renamedFrom ? `from ${c.renamedFrom}` : "renamed";
    case "mode-changed":
      return c.executable ? "now executable" : "no longer executable";
    default:
      if (c.structured) return "merged key by key";
      return null;
  }
}

/** Whether a file matches the filter: its path, old path or tag, case-insensitively. */
export function matches(c: FileChange, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (!f) return true;
  return [c.path, c.renamedFrom ?? "", kindTag(c) ?? "", c.decision].some((s) => s.toLowerCase().includes(f));
}

/** The plan's files in groups (empty groups left out), filtered; unchanged files only on request. */
export function groupPlan(files: FileChange[], filter = "", showUnchanged = false): Group[] {
  const by = new Map<GroupKey, FileChange[]>();
  for (const c of files) {
    const key = groupOf(c.decision);
    if (key === "unchanged" && !showUnchanged) continue;
    if (!matches(c, filter)) continue;
    const list = by.get(key) ?? [];
    list.push(c);
    by.set(key, list);
  }
  return GROUP_ORDER.filter((g) => by.has(g.key)).map((g) => ({
    ...g,
    files: (by.get(g.key) ?? []).sort((a, b) => {
      // Open conflicts before resolved ones, then by path.
      const open = Number(isOpenConflict(b)) - Number(isOpenConflict(a));
      return open !== 0 ? open : a.path.localeCompare(b.path);
    }),
  }));
}

/** How many files each group has, over the whole plan (not the filter). */
export function groupCounts(files: FileChange[]): Record<GroupKey, number> {
  const counts = Object.fromEntries(GROUP_ORDER.map((g) => [g.key, 0])) as Record<GroupKey, number>;
  for (const c of files) counts[groupOf(c.decision)] += 1;
  return counts;
}

/** Whether the file opens in the conflict view (a text conflict with hunks). */
export function hasHunks(c: FileChange): boolean {
  return (c.decision === "conflict" || c.decision === "added-by-both-conflict") && c.conflicts > 0;
}
