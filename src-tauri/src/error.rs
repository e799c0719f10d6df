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
            message: e.to_string(),
            details: serde_json::Value::Null,
        })
    }
}

/// The result of a command.
pub type CommandResult<T> = Result<T, CommandError>;
