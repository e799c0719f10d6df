//! Errors cross IPC as `{ code, message, details }` (nskit's `ErrorInfo`), never as text.
use nskit::{ErrorCode, ErrorInfo};

/// A command's error.
#[derive(Debug)]
pub struct CommandError(pub ErrorInfo);

impl serde::Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl From<nskit::Error> for CommandError {
    fn from(e: nskit::Error) -> Self {
        CommandError(e.info())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(e: tauri::Error) -> Self {
        CommandError(ErrorInfo {
            code: ErrorCode::Other,
            message: nskit::secret::redact(&e.to_string()).into_owned(),
            details: serde_json::Value::Null,
        })
    }
}

/// The result of a command's work.
pub type CommandResult<T> = Result<T, CommandError>;

/// A command's reply, serialized as `T` with every known secret (tokens, registry
/// passwords, secret answers) masked: nothing leaves for the window unredacted.
#[derive(Debug)]
pub struct Redacted<T>(pub T);

impl<T: serde::Serialize> serde::Serialize for Redacted<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        nskit::redact_value(&mut v);
        v.serialize(s)
    }
}

/// What a command answers: its reply, redacted, or its error.
pub type Reply<T> = CommandResult<Redacted<T>>;
