//! Running recipes in Docker. [`DockerEngine`] talks to a Docker engine (dockerd, or
//! podman's Docker-compatible API) through bollard, negotiating the API version, and runs
//! sandboxed containers: no network unless asked, limits on time, memory, CPU and
//! processes, every capability dropped, and only the mounted output folder writable by the
//! recipe's user. [`recipe`] runs recipes in images (program images, template images and
//! tasks), whichever backend found the image. The API is synchronous: the engine owns a
//! small runtime, so its callers need none. Every long call takes a
//! [`Reporter`](nskit_progress::Reporter): transfers, container output, cancellation.
#![deny(missing_docs)]

mod engine;
pub mod recipe;
mod transfer;

pub use engine::{
    CONTAINER_LABEL, DEFAULT_SOCKET, DockerEngine, EngineError, ImageDetails, LocalImage, Mount,
    RunOutcome, RunSpec, template_image_context,
};
pub use recipe::{ImageRunner, Limits, SharedEngine};
pub use transfer::{RegistryCredentials, split_reference};
