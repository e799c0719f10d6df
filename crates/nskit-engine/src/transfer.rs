//! Pulling and pushing images, with progress: the engine's per-layer stream is folded into
//! totals (layers done of layers seen, bytes done of bytes known) for a progress bar.
use std::collections::HashMap;

use bollard::auth::DockerCredentials;
use bollard::query_parameters::{CreateImageOptionsBuilder, PushImageOptionsBuilder};
use futures_util::StreamExt;

use nskit_progress::{Direction, Event, Reporter};

use crate::engine::{DockerEngine, EngineError, api};

/// A user name and password (or token) for a registry, handed to the engine for one pull
/// or push. Never printed: `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct RegistryCredentials {
    /// The user name (`token` or anything for registries that only check the token).
    pub username: String,
    /// The password or access token.
    pub password: String,
}

impl RegistryCredentials {
    /// A login; the password (and the Basic header made of the pair) is registered so that
    /// no message nskit prints shows it.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        let (username, password) = (username.into(), password.into());
        nskit_secret::register_login(&username, &password);
        RegistryCredentials { username, password }
    }
}

impl std::fmt::Debug for RegistryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegistryCredentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// Where a pull or push is, as totals over the layers seen so far.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Totals {
    layers_done: usize,
    layers_total: usize,
    bytes_done: u64,
    bytes_total: u64,
}

#[derive(Default)]
struct Layer {
    current: u64,
    total: u64,
    done: bool,
}

/// Folds the engine's per-layer messages into totals.
struct Tally {
    progress: Totals,
    layers: HashMap<String, Layer>,
}

impl Tally {
    fn new() -> Tally {
        Tally {
            progress: Totals {
                layers_done: 0,
                layers_total: 0,
                bytes_done: 0,
                bytes_total: 0,
            },
            layers: HashMap::new(),
        }
    }

    fn event(&self, direction: Direction, image: &str, done: bool) -> Event {
        let p = &self.progress;
        Event::Transfer {
            direction,
            image: image.to_string(),
            layers_done: u32::try_from(p.layers_done).unwrap_or(u32::MAX),
            layers_total: u32::try_from(p.layers_total).unwrap_or(u32::MAX),
            bytes_done: p.bytes_done,
            bytes_total: p.bytes_total,
            done,
        }
    }

    fn update(&mut self, id: Option<&str>, status: &str, current: Option<i64>, total: Option<i64>) {
        if let Some(id) = id.filter(|id| is_layer_id(id)) {
            let layer = self.layers.entry(id.to_string()).or_default();
            if let Some(t) = total.filter(|t| *t > 0) {
                layer.total = t as u64;
            }
            if let Some(c) = current.filter(|c| *c >= 0) {
                // Extraction restarts the count: keep the larger (download) figure.
                layer.current = layer.current.max(c as u64);
            }
            let s = status.to_ascii_lowercase();
            if s.contains("complete")
                || s.starts_with("already exists")
                || s.starts_with("pushed")
                || s.starts_with("layer already exists")
                || s.starts_with("mounted from")
            {
                layer.done = true;
                layer.current = layer.total.max(layer.current);
            }
        }
        let p = &mut self.progress;
        p.layers_total = self.layers.len();
        p.layers_done = self.layers.values().filter(|l| l.done).count();
        p.bytes_total = self.layers.values().map(|l| l.total).sum();
        p.bytes_done = self
            .layers
            .values()
            .map(|l| l.current.min(l.total.max(l.current)))
            .sum();
    }
}

/// Layer ids are 12 hex digits; other ids are the tag or the image.
fn is_layer_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Splits `repo:tag` or `repo@sha256:...` into the repository and the tag or digest
/// (`latest` when there is neither).
pub fn split_reference(reference: &str) -> (&str, &str) {
    if let Some((repo, digest)) = reference.split_once('@') {
        return (repo, digest);
    }
    match reference.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (reference, "latest"),
    }
}

fn docker_credentials(
    reference: &str,
    creds: Option<&RegistryCredentials>,
) -> Option<DockerCredentials> {
    creds.map(|c| DockerCredentials {
        username: Some(c.username.clone()),
        password: Some(c.password.clone()),
        serveraddress: reference.split('/').next().map(str::to_string),
        ..Default::default()
    })
}

/// Says what a registry's refusal means and how to fix it.
fn explain(reference: &str, message: &str) -> EngineError {
    let lower = message.to_ascii_lowercase();
    let hint = if lower.contains("unauthorized")
        || lower.contains("authentication required")
        || lower.contains("credentials")
        || lower.contains("denied")
    {
        "; the registry wants credentials: give them with `nskit login REGISTRY`, the backend's `credentials` setting, or NSKIT_REGISTRY_USERNAME and NSKIT_REGISTRY_PASSWORD"
    } else if lower.contains("not found") || lower.contains("manifest unknown") {
        "; check the name and tag (`nskit versions RECIPE` lists the tags)"
    } else if lower.contains("connection refused") || lower.contains("no such host") {
        "; is the registry running and its address right?"
    } else {
        ""
    };
    let message = message
        .strip_prefix("Docker stream error: ")
        .unwrap_or(message);
    EngineError::Api(format!("{reference}: {message}{hint}"))
}

/// One message of a pull or push stream, whichever API model it came in.
struct Message {
    id: Option<String>,
    status: String,
    current: Option<i64>,
    total: Option<i64>,
    error: Option<String>,
}

impl From<bollard::models::CreateImageInfo> for Message {
    fn from(i: bollard::models::CreateImageInfo) -> Message {
        let (current, total) = i
            .progress_detail
            .map(|d| (d.current, d.total))
            .unwrap_or((None, None));
        Message {
            id: i.id,
            status: i.status.unwrap_or_default(),
            current,
            total,
            error: i.error_detail.and_then(|d| d.message),
        }
    }
}

impl From<bollard::models::PushImageInfo> for Message {
    fn from(i: bollard::models::PushImageInfo) -> Message {
        let (current, total) = i
            .progress_detail
            .map(|d| (d.current, d.total))
            .unwrap_or((None, None));
        Message {
            // The push stream's layer ids are not in bollard's model.
            id: None,
            status: i.status.unwrap_or_default(),
            current,
            total,
            error: i.error_detail.and_then(|d| d.message),
        }
    }
}

/// Follows a pull or push stream to its end, reporting totals (at most ten times a second,
/// and whenever a layer finishes), and a last event marked done. Cancelling the reporter
/// drops the stream, which ends the engine's transfer.
async fn follow<S, T>(
    mut stream: S,
    direction: Direction,
    reference: &str,
    reporter: &Reporter,
) -> Result<(), EngineError>
where
    S: futures_util::Stream<Item = Result<T, bollard::errors::Error>> + Unpin,
    T: Into<Message>,
{
    let mut tally = Tally::new();
    let mut last = std::time::Instant::now();
    let mut last_layers = 0;
    loop {
        let item = tokio::select! {
            item = stream.next() => item,
            () = reporter.cancel_token().cancelled() => return Err(EngineError::Cancelled),
        };
        let Some(item) = item else { break };
        let step: Message = item.map_err(|e| explain(reference, &e.to_string()))?.into();
        if let Some(m) = step.error {
            return Err(explain(reference, &m));
        }
        if step.id.is_some() {
            tally.update(step.id.as_deref(), &step.status, step.current, step.total);
        } else {
            // Without layer ids the bytes are those of the layer in progress.
            tally.update(None, &step.status, None, None);
            if let (Some(c), Some(t)) = (step.current, step.total) {
                tally.progress.bytes_done = c.max(0) as u64;
                tally.progress.bytes_total = t.max(0) as u64;
            }
        }
        if last.elapsed() >= std::time::Duration::from_millis(100)
            || tally.progress.layers_done != last_layers
        {
            last = std::time::Instant::now();
            last_layers = tally.progress.layers_done;
            reporter.emit(tally.event(direction, reference, false));
        }
    }
    reporter.emit(tally.event(direction, reference, true));
    Ok(())
}

impl DockerEngine {
    /// Pulls `reference` unless the engine already has it; returns whether it pulled.
    /// Progress goes to `reporter` as the layers arrive; cancelling it aborts the pull
    /// (the engine drops a pull its client left).
    pub fn pull(
        &self,
        reference: &str,
        creds: Option<&RegistryCredentials>,
        reporter: &Reporter,
    ) -> Result<bool, EngineError> {
        reporter.check().map_err(|_| EngineError::Cancelled)?;
        if self.image_present(reference)? {
            return Ok(false);
        }
        let (repo, tag) = split_reference(reference);
        let opts = CreateImageOptionsBuilder::default()
            .from_image(repo)
            .tag(tag)
            .build();
        let step = reporter.step(nskit_progress::Step::Pull, Some(reference.to_string()));
        let stream =
            self.docker
                .create_image(Some(opts), None, docker_credentials(reference, creds));
        let followed = self.block_on(async {
            let r = follow(Box::pin(stream), Direction::Pull, reference, reporter).await;
            if matches!(r, Err(EngineError::Cancelled)) {
                // The stream is dropped: give the connection's task a moment to close the
                // socket, which is what tells the engine to drop the pull.
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            r
        });
        if let Err(EngineError::Cancelled) = followed {
            // Whatever the engine finished before it noticed goes too: the image was not
            // there before this pull.
            let _ = self.remove_image(reference);
            return Err(EngineError::Cancelled);
        }
        followed?;
        if !self.image_present(reference)? {
            return Err(explain(
                reference,
                "the engine finished the pull without the image",
            ));
        }
        step.finish();
        Ok(true)
    }

    /// Pushes `reference` (a local image named for its registry) with progress to
    /// `reporter`; cancelling it stops the push.
    pub fn push(
        &self,
        reference: &str,
        creds: Option<&RegistryCredentials>,
        reporter: &Reporter,
    ) -> Result<(), EngineError> {
        reporter.check().map_err(|_| EngineError::Cancelled)?;
        if !self.image_present(reference)? {
            return Err(EngineError::ImageMissing(reference.to_string()));
        }
        let (repo, tag) = split_reference(reference);
        let opts = PushImageOptionsBuilder::default().tag(tag).build();
        let stream = self
            .docker
            .push_image(repo, Some(opts), docker_credentials(reference, creds));
        self.block_on(follow(
            Box::pin(stream),
            Direction::Push,
            reference,
            reporter,
        ))
    }

    /// Removes one name of an image (the image goes with its last name); a name that is
    /// not there is not an error.
    pub fn remove_image(&self, reference: &str) -> Result<(), EngineError> {
        let opts = bollard::query_parameters::RemoveImageOptionsBuilder::default().build();
        match self.block_on(self.docker.remove_image(reference, Some(opts), None)) {
            Ok(_) => Ok(()),
            Err(e) if crate::engine::is_not_found(&e) => Ok(()),
            Err(e) => Err(api(e)),
        }
    }

    /// Gives an image another name (`registry/repo:tag`).
    pub fn tag(&self, image: &str, new_reference: &str) -> Result<(), EngineError> {
        let (repo, tag) = split_reference(new_reference);
        let opts = bollard::query_parameters::TagImageOptionsBuilder::default()
            .repo(repo)
            .tag(tag)
            .build();
        self.block_on(self.docker.tag_image(image, Some(opts)))
            .map_err(api)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_repository_and_tag_or_digest() {
        assert_eq!(split_reference("a/b:1.0"), ("a/b", "1.0"));
        assert_eq!(
            split_reference("127.0.0.1:5000/a/b"),
            ("127.0.0.1:5000/a/b", "latest")
        );
        assert_eq!(
            split_reference("127.0.0.1:5000/a/b:v2"),
            ("127.0.0.1:5000/a/b", "v2")
        );
        assert_eq!(split_reference("a@sha256:00"), ("a", "sha256:00"));
    }

    #[test]
    fn the_tally_sums_layers_and_bytes() {
        let mut t = Tally::new();
        t.update(Some("1"), "Pulling from x", None, None);
        t.update(Some("aaaaaaaaaaaa"), "Pulling fs layer", None, None);
        t.update(Some("bbbbbbbbbbbb"), "Downloading", Some(50), Some(200));
        t.update(Some("aaaaaaaaaaaa"), "Downloading", Some(10), Some(100));
        assert_eq!(t.progress.layers_total, 2);
        assert_eq!((t.progress.bytes_done, t.progress.bytes_total), (60, 300));
        t.update(Some("aaaaaaaaaaaa"), "Pull complete", None, None);
        assert_eq!(t.progress.layers_done, 1);
        assert_eq!(t.progress.bytes_done, 150);
        // Extraction counts again from zero; the download figure stays.
        t.update(Some("bbbbbbbbbbbb"), "Extracting", Some(5), Some(200));
        assert_eq!(t.progress.bytes_done, 150);
    }

    #[test]
    fn credentials_never_print_the_password() {
        let c = RegistryCredentials::new("u", "s3cret");
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
