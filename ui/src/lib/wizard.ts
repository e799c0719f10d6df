// The creation wizard's logic: steps from the recipe's field groups, the control each field
// gets, which answers are sent (active fields only; untouched ones keep following their
// computed default), each step's errors, and answers shown for review (secrets masked).
import type { Field } from "../bindings/Field";
import type { FieldState } from "../bindings/FieldState";
import type { FormState } from "../bindings/FormState";

export type StepKind = "fields" | "where" | "review" | "run";

export interface WizardStep {
  id: string;
  title: string;
  kind: StepKind;
  fields: Field[];
}

/** A choice with at most this many options is shown as radio buttons, else a select. */
export const RADIO_MAX = 4;

/** The wizard's steps: one per field group (in first-seen order; ungrouped fields form
 * "Details"), then where to write, review, and run. Hidden fields get no step. */
export function wizardSteps(fields: Field[]): WizardStep[] {
  const steps: WizardStep[] = [];
  for (const f of fields) {
    if (f.hidden) continue;
    const title = f.group ?? "Details";
    let s = steps.find((x) => x.title === title);
    if (!s) {
      s = { id: `group-${steps.length}`, title, kind: "fields", fields: [] };
      steps.push(s);
    }
    s.fields.push(f);
  }
  steps.push({ id: "where", title: "Where", kind: "where", fields: [] });
  steps.push({ id: "review", title: "Review", kind: "review", fields: [] });
  steps.push({ id: "run", title: "Create", kind: "run", fields: [] });
  return steps;
}

export type Control = "text" | "secret" | "path" | "number" | "checkbox" | "radio" | "select" | "checkboxes";

/** The control a field is edited with. */
export function controlFor(f: Field): Control {
  switch (f.type) {
    case "boolean":
      return "checkbox";
    case "choice":
      return f.choices.length <= RADIO_MAX ? "radio" : "select";
    case "multichoice":
      return "checkboxes";
    case "integer":
    case "number":
      return "number";
    case "secret":
      return "secret";
    case "path":
      return "path";
    default:
      return "text";
  }
}

/** A number field's limits and step, for its input. */
export function numberLimits(f: Field): { min?: number; max?: number; step: string } {
  return {
    min: f.validation?.min ?? undefined,
    max: f.validation?.max ?? undefined,
    step: f.type === "integer" ? "1" : "any",
  };
}

/** A number input's text as a value: integers and numbers parsed, an empty box is no
 * answer, anything else stays text (the check says what is wrong with it). */
export function parseNumber(f: Field, text: string): unknown {
  const t = text.trim();
  if (t === "") return undefined;
  const n = Number(t);
  if (Number.isNaN(n)) return t;
  if (f.type === "integer" && !Number.isInteger(n)) return t;
  return n;
}

function stateOf(form: FormState | null, name: string): FieldState | undefined {
  return form?.fields.find((s) => s.name === name);
}

/** Whether a field is shown: its condition holds (before the first evaluation, fields
 * without a condition are). */
export function isActive(f: Field, form: FormState | null): boolean {
  const s = stateOf(form, f.name);
  return s ? s.active : f.when === undefined;
}

/** The answers to send: what the user gave for fields that are active now. A field whose
 * condition stopped holding is not sent (its stale value would be recorded), and a field
 * the user never touched is not sent either, so its default keeps following the answers
 * it is computed from. */
export function submittedAnswers(
  fields: Field[],
  form: FormState | null,
  given: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!(f.name in given) || given[f.name] === undefined) continue;
    if (!isActive(f, form)) continue;
    out[f.name] = given[f.name];
  }
  return out;
}

/** The value a field shows: the user's, else the computed one. */
export function shownValue(name: string, form: FormState | null, given: Record<string, unknown>): unknown {
  if (name in given && given[name] !== undefined) return given[name];
  return stateOf(form, name)?.value ?? undefined;
}

/** The errors of a step's active fields. */
export function stepErrors(step: WizardStep, form: FormState | null): { name: string; error: string }[] {
  if (!form) return [];
  const out: { name: string; error: string }[] = [];
  for (const f of step.fields) {
    const s = stateOf(form, f.name);
    if (s && s.active && s.error) out.push({ name: f.name, error: s.error });
  }
  return out;
}

/** An answer as the review shows it. */
export function reviewValue(f: Field, value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  if (f.type === "secret") return "••••••••";
  if (f.type === "boolean") return value === true ? "yes" : "no";
  if (f.type === "choice" || f.type === "multichoice") {
    const label = (v: unknown) => f.choices.find((c) => JSON.stringify(c.value) === JSON.stringify(v))?.label ?? String(v);
    return Array.isArray(value) ? (value.length ? value.map(label).join(", ") : "—") : label(value);
  }
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The field that names the project, whose value the naming conventions check. */
export function projectNameField(fields: Field[]): Field | undefined {
  return fields.find((f) => f.name === "project_name") ?? fields.find((f) => f.name === "name");
}
