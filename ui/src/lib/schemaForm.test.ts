import { describe, expect, it } from "vitest";
import { fromInput, missingRequired, schemaFields, settingsOf, toInput } from "./schemaForm";

const registry = {
  type: "object",
  properties: {
    registry_url: { type: "string", title: "Registry", default: "ghcr.io" },
    image_prefix: { type: "string", title: "Image prefix" },
    repositories: { type: "array", items: { type: "string" }, title: "Repositories" },
    cache_ttl_secs: { type: ["integer", "null"], title: "Cache time (seconds)", minimum: 0 },
    prereleases: { type: "boolean", title: "Include prereleases" },
    recipes_dir: { type: "string", format: "path", title: "Recipes folder" },
    token: { type: ["string", "null"], title: "Token", "x-secret": true },
  },
  required: ["image_prefix"],
};

describe("forms from a backend type's schema", () => {
  const fields = schemaFields(registry);

  it("types each input from the schema", () => {
    expect(fields.map((f) => [f.key, f.kind])).toEqual([
      ["registry_url", "text"],
      ["image_prefix", "text"],
      ["repositories", "list"],
      ["cache_ttl_secs", "integer"],
      ["prereleases", "boolean"],
      ["recipes_dir", "path"],
      ["token", "text"],
    ]);
    expect(fields[1].required).toBe(true);
    expect(fields[3].min).toBe(0);
    expect(fields[6].secret).toBe(true);
  });

  it("turns inputs into settings and back, leaving empty ones and secrets out", () => {
    const inputs = { registry_url: "127.0.0.1:5000", image_prefix: "acme", repositories: "a, b ,", cache_ttl_secs: "60", prereleases: false, token: "ghp_x" };
    expect(settingsOf("docker", fields, inputs)).toEqual({
      type: "docker",
      registry_url: "127.0.0.1:5000",
      image_prefix: "acme",
      repositories: ["a", "b"],
      cache_ttl_secs: 60,
    });
    // A secret written as a reference stays as it was.
    expect(settingsOf("docker", fields, inputs, { token: "${TOKEN}" }).token).toBe("${TOKEN}");
    expect(toInput(fields[2], ["a", "b"])).toBe("a, b");
    expect(toInput(fields[4], true)).toBe(true);
    expect(fromInput(fields[3], "ten")).toBe("ten");
  });

  it("names the required inputs left empty", () => {
    expect(missingRequired(fields, { image_prefix: "  " })).toEqual(["Image prefix"]);
    expect(missingRequired(fields, { image_prefix: "acme" })).toEqual([]);
  });
});
