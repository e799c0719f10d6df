// The progress of a long call, folded from the events its channel brings (see
// bindings/Event.ts): the steps with their state, the transfer under way, the container's
// lines (the last 500), the tasks, and the warnings. Pure functions, unit-tested.
import type { Event } from "../bindings/Event";
import type { Step } from "../bindings/Step";
import type { StepState } from "../bindings/StepState";

export interface StepView {
  step: Step;
  state: StepState;
  detail: string | null;
}

export interface Transfer {
  image: string;
  direction: "pull" | "push";
  layersDone: number;
  layersTotal: number;
  bytesDone: number;
  bytesTotal: number;
  done: boolean;
}

export interface Progress {
  steps: StepView[];
  transfer: Transfer | null;
  logs: string[];
  task: { name: string; index: number; total: number } | null;
  files: { done: number; total: number } | null;
  warnings: string[];
}

export const MAX_LOG_LINES = 500;

export function initialProgress(): Progress {
  return { steps: [], transfer: null, logs: [], task: null, files: null, warnings: [] };
}

const LABELS: Record<Step, [string, string]> = {
  resolve: ["Resolving the recipe", "Recipe resolved"],
  pull: ["Pulling the image", "Image pulled"],
  generate: ["Running the recipe", "Recipe ran"],
  render: ["Rendering the files", "Files rendered"],
  tasks: ["Running the tasks", "Tasks done"],
  write: ["Writing the files", "Files written"],
  commit: ["Committing", "Committed"],
  createRepository: ["Creating the repository", "Repository created"],
  push: ["Pushing", "Pushed"],
  plan: ["Planning the update", "Update planned"],
  apply: ["Applying", "Applied"],
  build: ["Building the image", "Image built"],
  publish: ["Publishing the image", "Image published"],
};

/** A step's name for people: under way, or done. */
export function stepLabel(step: Step, state: StepState = "started"): string {
  const [doing, done] = LABELS[step];
  if (state === "finished") return done;
  if (state === "failed") return `${doing}: failed`;
  if (state === "cancelled") return `${doing}: cancelled`;
  return doing;
}

function lastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i -= 1) if (test(items[i])) return i;
  return -1;
}

/** Folds one event into the progress (a new object; the old one is left as it was). */
export function reduce(p: Progress, e: Event): Progress {
  switch (e.event) {
    case "step": {
      const steps = [...p.steps];
      // A step reported again (a render of each side of an update) gets its own line
      // once the first has ended.
      const open = lastIndex(steps, (s) => s.step === e.step && s.state === "started");
      if (e.state === "started" || open < 0) {
        steps.push({ step: e.step, state: e.state, detail: e.detail ?? null });
      } else {
        steps[open] = { ...steps[open], state: e.state };
      }
      const transfer = e.step === "pull" && e.state !== "started" ? null : p.transfer;
      return { ...p, steps, transfer };
    }
    case "transfer":
      return {
        ...p,
        transfer: {
          image: e.image,
          direction: e.direction,
          layersDone: e.layersDone,
          layersTotal: e.layersTotal,
          bytesDone: e.bytesDone,
          bytesTotal: e.bytesTotal,
          done: e.done,
        },
      };
    case "log": {
      const logs = [...p.logs, e.line];
      return { ...p, logs: logs.length > MAX_LOG_LINES ? logs.slice(-MAX_LOG_LINES) : logs };
    }
    case "task":
      return { ...p, task: { name: e.name, index: e.index, total: e.total } };
    case "files":
      return { ...p, files: { done: e.done, total: e.total } };
    case "warning":
      return { ...p, warnings: [...p.warnings, e.message] };
  }
}

/** The step under way, if any. */
export function currentStep(p: Progress): StepView | null {
  const i = lastIndex(p.steps, (s) => s.state === "started");
  return i < 0 ? null : p.steps[i];
}

/** The transfer's share done, 0 to 1 (0 while the size is unknown). */
export function transferShare(t: Transfer): number {
  if (t.done) return 1;
  return t.bytesTotal > 0 ? Math.min(1, t.bytesDone / t.bytesTotal) : 0;
}

/** Bytes for people: 0 B, 12.3 KiB, 4.5 MiB. */
export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`;
}
