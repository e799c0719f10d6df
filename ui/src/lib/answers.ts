// Helpers for the form's answers, by dotted field name.
import type { Field } from "../bindings/Field";

/** The text shown in an input for a value. */
export function display(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  return String(v);
}

/** Whether a field's value is shown in a text-like input. */
export function isTextual(f: Field): boolean {
  return ["string", "integer", "number", "secret", "path"].includes(f.type);
}

/** Groups fields by their `group`, in first-seen order. */
export function groupFields(fields: Field[]): { name: string; fields: Field[] }[] {
  const groups: { name: string; fields: Field[] }[] = [];
  for (const f of fields) {
    const name = f.group ?? "";
    let g = groups.find((x) => x.name === name);
    if (!g) {
      g = { name, fields: [] };
      groups.push(g);
    }
    g.fields.push(f);
  }
  return groups;
}
