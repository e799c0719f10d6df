// The one typed module through which the UI calls the app's commands.
// Command names live here only; their data types are generated from Rust (src/bindings).
import { Channel, invoke } from "@tauri-apps/api/core";
import type { Catalogue } from "../bindings/Catalogue";
import type { CatalogueQuery } from "../bindings/CatalogueQuery";
import type { Preferences } from "../bindings/Preferences";
import type { BackendTest } from "../bindings/BackendTest";
import type { EngineStatus } from "../bindings/EngineStatus";
import type { BackendChoice } from "../bindings/BackendChoice";
import type { CredentialList } from "../bindings/CredentialList";
import type { GitHostLogin } from "../bindings/GitHostLogin";
import type { NameCheck } from "../bindings/NameCheck";
import type { RegistryLogin } from "../bindings/RegistryLogin";
import type { ErrorInfo } from "../bindings/ErrorInfo";
import type { FormState } from "../bindings/FormState";
import type { Preview } from "../bindings/Preview";
import type { ProjectRequest } from "../bindings/ProjectRequest";
import type { RecipeDetails } from "../bindings/RecipeDetails";
import type { RecipeResult } from "../bindings/RecipeResult";
import type { RepositoryTarget } from "../bindings/RepositoryTarget";
import type { ApplyRequest } from "../bindings/ApplyRequest";
import type { Event } from "../bindings/Event";
import type { CommitInfo } from "../bindings/CommitInfo";
import type { Content } from "../bindings/Content";
import type { FileView } from "../bindings/FileView";
import type { ProjectStatus } from "../bindings/ProjectStatus";
import type { ProjectVersions } from "../bindings/ProjectVersions";
import type { Resolution } from "../bindings/Resolution";
import type { Review } from "../bindings/Review";
import type { ReviewOutcome } from "../bindings/ReviewOutcome";
import type { UndoOutcome } from "../bindings/UndoOutcome";
import type { UpdateFields } from "../bindings/UpdateFields";
import type { UpdateRequest } from "../bindings/UpdateRequest";

export type { Catalogue };

export type { BackendChoice, CredentialList, NameCheck };

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

let operations = 0;

/** A long call under way: its id (to cancel it) and the channel its events arrive on. */
export class Operation {
  readonly id: string;
  readonly channel: Channel<Event>;
  constructor(onEvent: (e: Event) => void = () => {}) {
    operations += 1;
    this.id = `op-${Date.now().toString(36)}-${operations}-${Math.random().toString(36).slice(2, 8)}`;
    this.channel = new Channel<Event>();
    this.channel.onmessage = onEvent;
  }
  /** The arguments every long command takes. */
  args(): { operation: string; progress: Channel<Event> } {
    return { operation: this.id, progress: this.channel };
  }
}

export const api = {
  listBackends: () => call<BackendChoice[]>("list_backends"),
  catalogue: (backend: string | null, query: CatalogueQuery = { tags: [], refresh: false }) =>
    call<Catalogue>("catalogue", { backend, query }),
  recipeDetails: (backend: string | null, name: string, version: string | null, op: Operation = new Operation()) =>
    call<RecipeDetails>("recipe_details", { backend, name, version, ...op.args() }),
  evaluateForm: (backend: string | null, name: string, version: string | null, answers: Record<string, unknown>) =>
    call<FormState>("evaluate_form", { backend, name, version, answers }),
  checkProjectName: (name: string) => call<NameCheck>("check_project_name", { name }),
  openUrl: (url: string) => call<void>("open_url", { url }),

  preferences: () => call<Preferences>("get_preferences"),
  saveBackend: (name: string, previous: string | null, settings: Record<string, unknown>) =>
    call<Preferences>("save_backend", { name, previous, settings }),
  removeBackend: (name: string) => call<Preferences>("remove_backend", { name }),
  setDefaultBackend: (name: string) => call<Preferences>("set_default_backend", { name }),
  testBackend: (settings: Record<string, unknown>) => call<BackendTest>("test_backend", { settings }),
  saveGitHost: (settings: Record<string, unknown> | null) => call<Preferences>("save_git_host", { settings }),
  testGitHost: () => call<GitHostLogin>("test_git_host"),
  setPreference: (key: string, value: unknown) => call<Preferences>("set_preference", { key, value }),
  engineStatus: () => call<EngineStatus>("engine_status"),
  credentials: () => call<CredentialList>("list_credentials"),
  storeGitToken: (provider: string, host: string | null, apiUrl: string | null, token: string) =>
    call<GitHostLogin>("store_git_token", { provider, host, apiUrl, token }),
  removeGitToken: (provider: string, host: string) => call<boolean>("remove_git_token", { provider, host }),
  storeRegistryLogin: (registry: string, username: string, password: string) =>
    call<RegistryLogin>("store_registry_login", { registry, username, password }),
  removeRegistryLogin: (registry: string) => call<boolean>("remove_registry_login", { registry }),
  preview: (request: ProjectRequest, op: Operation = new Operation()) =>
    call<Preview>("preview_project", { request, ...op.args() }),
  create: (request: ProjectRequest, op: Operation = new Operation()) =>
    call<RecipeResult>("create_project", { request, ...op.args() }),
  cancel: (op: Operation) => call<boolean>("cancel_operation", { id: op.id }),
  defaultOutputDir: () => call<string>("default_output_dir"),
  repositoryTarget: () => call<RepositoryTarget | null>("repository_target"),

  listProjects: () => call<ProjectStatus[]>("list_projects"),
  addProject: (path: string) => call<ProjectStatus>("add_project", { path }),
  removeProject: (path: string) => call<boolean>("remove_project", { path }),
  checkProject: (path: string) => call<ProjectStatus>("check_project", { path }),
  projectVersions: (path: string) => call<ProjectVersions>("project_versions", { path }),
  updateFields: (path: string, version: string | null) => call<UpdateFields>("update_fields", { path, version }),
  startUpdate: (request: UpdateRequest, op: Operation = new Operation()) =>
    call<Review>("start_update", { request, ...op.args() }),
  startConflicts: (path: string) => call<Review>("start_conflicts", { path }),
  reviewFile: (id: string, path: string) => call<FileView>("review_file", { id, path }),
  previewResolution: (id: string, path: string, resolution: Resolution) =>
    call<Content | null>("preview_resolution", { id, path, resolution }),
  applyReview: (id: string, request: ApplyRequest, op: Operation = new Operation()) =>
    call<ReviewOutcome>("apply_review", { id, request, ...op.args() }),
  closeReview: (id: string) => call<void>("close_review", { id }),
  commitUpdate: (path: string, paths: string[], message: string) => call<CommitInfo>("commit_update", { path, paths, message }),
  commitAll: (path: string, message: string) => call<CommitInfo>("commit_all", { path, message }),
  undoUpdate: (path: string) => call<UndoOutcome>("undo_update", { path }),
  openFolder: (path: string) => call<void>("open_folder", { path }),
};
