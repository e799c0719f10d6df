// The one typed module through which the UI calls the app's commands.
// Command names live here only; their data types are generated from Rust (src/bindings).
import { invoke } from "@tauri-apps/api/core";
import type { Catalogue } from "../bindings/Catalogue";
import type { ErrorInfo } from "../bindings/ErrorInfo";
import type { FormState } from "../bindings/FormState";
import type { Preview } from "../bindings/Preview";
import type { ProjectRequest } from "../bindings/ProjectRequest";
import type { RecipeDetails } from "../bindings/RecipeDetails";
import type { RecipeResult } from "../bindings/RecipeResult";
import type { RepositoryTarget } from "../bindings/RepositoryTarget";

export type { Catalogue };

/** An error from the app: a code to branch on, a message to show, details. */
export class AppError extends Error {
  constructor(public readonly info: ErrorInfo) {
    super(info.message);
  }
}

function isErrorInfo(e: unknown): e is ErrorInfo {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    if (isErrorInfo(e)) throw new AppError(e);
    throw new AppError({ code: "other", message: String(e), details: null });
  }
}

export const api = {
  catalogue: () => call<Catalogue>("catalogue"),
  recipeDetails: (name: string, version: string | null) => call<RecipeDetails>("recipe_details", { name, version }),
  evaluateForm: (name: string, version: string | null, answers: Record<string, unknown>) =>
    call<FormState>("evaluate_form", { name, version, answers }),
  preview: (request: ProjectRequest) => call<Preview>("preview_project", { request }),
  create: (request: ProjectRequest) => call<RecipeResult>("create_project", { request }),
  defaultOutputDir: () => call<string>("default_output_dir"),
  repositoryTarget: () => call<RepositoryTarget | null>("repository_target"),
};
