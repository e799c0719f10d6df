import { describe, expect, it } from "vitest";
import type { Event } from "../bindings/Event";
import { currentStep, humanBytes, initialProgress, MAX_LOG_LINES, reduce, stepLabel, transferShare } from "./progress";

const fold = (events: Event[]) => events.reduce(reduce, initialProgress());

describe("progress", () => {
  it("follows steps, the transfer under way and the container's lines", () => {
    const p = fold([
      { event: "step", step: "resolve", state: "started", detail: "py 1.0" },
      { event: "step", step: "resolve", state: "finished" },
      { event: "step", step: "pull", state: "started", detail: "reg/py:1" },
      { event: "transfer", direction: "pull", image: "reg/py:1", layersDone: 1, layersTotal: 3, bytesDone: 512, bytesTotal: 2048, done: false },
    ]);
    expect(p.steps.map((s) => [s.step, s.state])).toEqual([
      ["resolve", "finished"],
      ["pull", "started"],
    ]);
    expect(currentStep(p)?.detail).toBe("reg/py:1");
    expect(p.transfer && transferShare(p.transfer)).toBe(0.25);
    const q = fold([
      { event: "step", step: "pull", state: "started" },
      { event: "transfer", direction: "pull", image: "x", layersDone: 1, layersTotal: 1, bytesDone: 9, bytesTotal: 9, done: true },
      { event: "step", step: "pull", state: "finished" },
      { event: "step", step: "tasks", state: "started" },
      { event: "task", name: "lock", index: 1, total: 2 },
      { event: "log", line: "resolving deps" },
      { event: "step", step: "tasks", state: "cancelled" },
    ]);
    expect(q.transfer).toBeNull();
    expect(q.task).toEqual({ name: "lock", index: 1, total: 2 });
    expect(q.logs).toEqual(["resolving deps"]);
    expect(q.steps.at(-1)?.state).toBe("cancelled");
    expect(currentStep(q)).toBeNull();
  });

  it("keeps a step that runs twice as two lines", () => {
    const p = fold([
      { event: "step", step: "render", state: "started" },
      { event: "step", step: "render", state: "finished" },
      { event: "step", step: "render", state: "started" },
    ]);
    expect(p.steps.map((s) => s.state)).toEqual(["finished", "started"]);
  });

  it("keeps the last lines only, and says sizes for people", () => {
    let p = initialProgress();
    for (let i = 0; i < MAX_LOG_LINES + 10; i++) p = reduce(p, { event: "log", line: `l${i}` });
    expect(p.logs.length).toBe(MAX_LOG_LINES);
    expect(p.logs[0]).toBe("l10");
    expect(humanBytes(900)).toBe("900 B");
    expect(humanBytes(1536)).toBe("1.5 KiB");
    expect(humanBytes(5 * 1024 * 1024)).toBe("5.0 MiB");
    expect(stepLabel("createRepository")).toBe("Creating the repository");
    expect(stepLabel("pull", "finished")).toBe("Image pulled");
    expect(stepLabel("write", "cancelled")).toBe("Writing the files: cancelled");
  });
});
