//! Running recipes in Docker. [`DockerEngine`] talks to a Docker engine (dockerd, or
//! podman's Docker-compatible API) through bollard, negotiating the API version, and runs
//! sandboxed containers: no network unless asked, limits on time, memory, CPU and
//! processes, every capability dropped, and only the mounted output folder writable by the
//! recipe's user. The API is synchronous: the engine owns a small runtime, so the CLI and
//! the sync backend trait need none.
#![deny(missing_docs)]

mod engine;
mod transfer;

pub use engine::{
    DEFAULT_SOCKET, DockerEngine, EngineError, ImageDetails, LocalImage, Mount, RunOutcome,
    RunSpec, template_image_context,
};
pub use transfer::{DONE, Direction, Progress, ProgressFn, RegistryCredentials, split_reference};
