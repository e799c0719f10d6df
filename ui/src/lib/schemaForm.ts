// Forms drawn from a JSON Schema (a backend type's settings, published by the client
// layer): one input per property, typed from the schema, and the settings they make.
export type InputKind = "text" | "path" | "boolean" | "integer" | "list";

export interface SchemaField {
  key: string;
  title: string;
  description: string;
  kind: InputKind;
  required: boolean;
  secret: boolean;
  min?: number;
}

type Schema = Record<string, unknown>;

function typeOf(p: Schema): string {
  const t = p.type;
  if (Array.isArray(t)) return (t.find((x) => x !== "null") as string) ?? "string";
  if (typeof t === "string") return t;
  return "string";
}

/** The fields of an object schema, in the schema's order. Secret properties
 * (`x-secret`) are listed so a form can say where they go instead. */
export function schemaFields(schema: Schema): SchemaField[] {
  const props = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(props).map(([key, p]) => {
    const t = typeOf(p);
    const kind: InputKind =
      t === "boolean" ? "boolean" : t === "integer" ? "integer" : t === "array" ? "list" : p.format === "path" ? "path" : "text";
    return {
      key,
      title: (p.title as string) ?? key,
      description: (p.description as string) ?? "",
      kind,
      required: required.has(key),
      secret: p["x-secret"] === true,
      min: typeof p.minimum === "number" ? p.minimum : undefined,
    };
  });
}

/** What an input shows for a setting. */
export function toInput(f: SchemaField, value: unknown): string | boolean {
  if (f.kind === "boolean") return value === true;
  if (value === undefined || value === null) return "";
  if (f.kind === "list") return Array.isArray(value) ? value.join(", ") : String(value);
  return String(value);
}

/** The setting an input makes (`undefined` leaves it out). A list is written
 * comma-separated; a number that is not one stays text, for the check to refuse. */
export function fromInput(f: SchemaField, input: string | boolean): unknown {
  if (f.kind === "boolean") return input === true ? true : undefined;
  const text = String(input).trim();
  if (text === "") return undefined;
  if (f.kind === "list")
    return text
      .split(",")
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
  if (f.kind === "integer") {
    const n = Number(text);
    return Number.isInteger(n) ? n : text;
  }
  return text;
}

/** The settings of a form: `type` and every filled input; secrets are never part of
 * them (kept values that are `${VAR}` references stay as they were). */
export function settingsOf(
  type: string,
  fields: SchemaField[],
  inputs: Record<string, string | boolean>,
  kept: Record<string, unknown> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = { type };
  for (const f of fields) {
    if (f.secret) {
      const k = kept[f.key];
      if (typeof k === "string" && k.startsWith("${")) out[f.key] = k;
      continue;
    }
    const v = fromInput(f, inputs[f.key] ?? "");
    if (v !== undefined) out[f.key] = v;
  }
  return out;
}

/** The missing required inputs. */
export function missingRequired(fields: SchemaField[], inputs: Record<string, string | boolean>): string[] {
  return fields.filter((f) => f.required && !f.secret && fromInput(f, inputs[f.key] ?? "") === undefined).map((f) => f.title);
}
