import { describe, expect, it } from "vitest";
import type { Field } from "../bindings/Field";
import type { FormState } from "../bindings/FormState";
import {
  controlFor,
  isActive,
  numberLimits,
  parseNumber,
  projectNameField,
  reviewValue,
  shownValue,
  stepErrors,
  submittedAnswers,
  wizardSteps,
} from "./wizard";

function field(name: string, extra: Partial<Field> = {}): Field {
  return { name, type: "string", required: true, choices: [], hidden: false, ...extra };
}

const choices = (n: number) => Array.from({ length: n }, (_, i) => ({ value: `v${i}`, label: `Choice ${i}` }));

describe("wizard steps", () => {
  it("makes one step per group in first-seen order, then where, review and create", () => {
    const steps = wizardSteps([
      field("project_name"),
      field("owner", { group: "Repository" }),
      field("secret_seed", { hidden: true }),
      field("licence"),
      field("url", { group: "Repository" }),
    ]);
    expect(steps.map((s) => s.title)).toEqual(["Details", "Repository", "Where", "Review", "Create"]);
    expect(steps[0].fields.map((f) => f.name)).toEqual(["project_name", "licence"]);
    expect(steps[1].fields.map((f) => f.name)).toEqual(["owner", "url"]);
    expect(steps.slice(2).map((s) => s.kind)).toEqual(["where", "review", "run"]);
  });
});

describe("controls", () => {
  it("gives each field type its control; few choices are radios, many a select", () => {
    expect(controlFor(field("a", { type: "boolean" }))).toBe("checkbox");
    expect(controlFor(field("a", { type: "choice", choices: choices(4) }))).toBe("radio");
    expect(controlFor(field("a", { type: "choice", choices: choices(5) }))).toBe("select");
    expect(controlFor(field("a", { type: "multichoice", choices: choices(9) }))).toBe("checkboxes");
    expect(controlFor(field("a", { type: "secret" }))).toBe("secret");
    expect(controlFor(field("a", { type: "path" }))).toBe("path");
    expect(controlFor(field("a", { type: "integer" }))).toBe("number");
    expect(controlFor(field("a"))).toBe("text");
  });

  it("reads numbers within the field's limits, and keeps what is not a number for the check", () => {
    const port = field("port", { type: "integer", validation: { min: 1024, max: 65535 } });
    expect(numberLimits(port)).toEqual({ min: 1024, max: 65535, step: "1" });
    expect(parseNumber(port, " 8080 ")).toBe(8080);
    expect(parseNumber(port, "80.5")).toBe("80.5");
    expect(parseNumber(port, "")).toBeUndefined();
    expect(parseNumber(field("ratio", { type: "number" }), "0.5")).toBe(0.5);
  });
});

function form(states: { name: string; active?: boolean; value?: unknown; error?: string }[]): FormState {
  return {
    valid: states.every((s) => !s.error),
    fields: states.map((s) => ({
      name: s.name,
      active: s.active ?? true,
      default: null,
      value: (s.value ?? null) as never,
      error: s.error ?? null,
    })),
  } as FormState;
}

describe("answers", () => {
  const fields = [field("project_name"), field("use_db", { type: "boolean" }), field("db_url", { when: "use_db" as never }), field("slug")];

  it("does not send the stale value of a field whose condition stopped holding", () => {
    const given = { project_name: "demo", use_db: false, db_url: "postgres://old" };
    const f = form([{ name: "project_name" }, { name: "use_db" }, { name: "db_url", active: false }, { name: "slug", value: "demo" }]);
    expect(submittedAnswers(fields, f, given)).toEqual({ project_name: "demo", use_db: false });
    expect(isActive(fields[2], f)).toBe(false);
    // Before the first evaluation, a field with a condition is hidden.
    expect(isActive(fields[2], null)).toBe(false);
    expect(isActive(fields[0], null)).toBe(true);
  });

  it("lets an untouched computed default follow the answers it comes from", () => {
    const f = form([{ name: "project_name" }, { name: "use_db" }, { name: "db_url", active: false }, { name: "slug", value: "my-app" }]);
    const given = { project_name: "My App" };
    expect(submittedAnswers(fields, f, given)).toEqual({ project_name: "My App" });
    expect(shownValue("slug", f, given)).toBe("my-app");
    // Once edited, the user's value stays.
    expect(shownValue("slug", f, { ...given, slug: "mine" })).toBe("mine");
  });

  it("lists a step's errors for active fields only", () => {
    const steps = wizardSteps(fields);
    const f = form([
      { name: "project_name", error: "required" },
      { name: "use_db" },
      { name: "db_url", active: false, error: "required" },
      { name: "slug" },
    ]);
    expect(stepErrors(steps[0], f)).toEqual([{ name: "project_name", error: "required" }]);
    expect(stepErrors(steps[0], null)).toEqual([]);
  });

  it("masks secrets and names choices in the review", () => {
    expect(reviewValue(field("token", { type: "secret" }), "hunter2")).toBe("••••••••");
    expect(reviewValue(field("ok", { type: "boolean" }), true)).toBe("yes");
    const license = field("license", { type: "choice", choices: [{ value: "mit", label: "MIT" }] });
    expect(reviewValue(license, "mit")).toBe("MIT");
    const langs = field("langs", { type: "multichoice", choices: [{ value: "py", label: "Python" }, { value: "rs", label: "Rust" }] });
    expect(reviewValue(langs, ["rs", "py"])).toBe("Rust, Python");
    expect(reviewValue(field("x"), "")).toBe("—");
    expect(reviewValue(field("n", { type: "integer" }), 3)).toBe("3");
  });

  it("finds the field that names the project", () => {
    expect(projectNameField([field("owner"), field("project_name")])?.name).toBe("project_name");
    expect(projectNameField([field("name")])?.name).toBe("name");
    expect(projectNameField([field("owner")])).toBeUndefined();
  });
});
