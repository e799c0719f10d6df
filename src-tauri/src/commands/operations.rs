//! Long operations: each call brings its own `Channel<Event>` and an id the UI picks, so the
//! UI can cancel it; the reporter built here sends the client's events down that channel.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use nskit::{CancellationToken, Event, Reporter};
use tauri::State;
use tauri::ipc::Channel;

use crate::state::AppState;

/// The operations under way, by the id the UI gave them.
#[derive(Default)]
pub struct Operations(Mutex<HashMap<String, CancellationToken>>);

/// An operation under way; it is forgotten when this is dropped.
pub struct Operation {
    operations: Arc<Operations>,
    id: String,
    /// The reporter to pass to the client.
    pub reporter: Reporter,
}

impl Drop for Operation {
    fn drop(&mut self) {
        if let Ok(mut m) = self.operations.0.lock() {
            m.remove(&self.id);
        }
    }
}

impl Operations {
    /// Starts operation `id`, reporting to `channel`.
    pub fn start(self: &Arc<Self>, id: String, channel: Channel<Event>) -> Operation {
        let token = CancellationToken::new();
        if let Ok(mut m) = self.0.lock() {
            m.insert(id.clone(), token.clone());
        }
        let reporter = Reporter::new(move |e| {
            // A closed window is not the operation's failure.
            let _ = channel.send(e.clone());
        })
        .with_cancel(token);
        Operation {
            operations: self.clone(),
            id,
            reporter,
        }
    }

    /// Cancels operation `id`; whether it was under way.
    pub fn cancel(&self, id: &str) -> bool {
        match self.0.lock().ok().and_then(|m| m.get(id).cloned()) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }
}

/// Cancels an operation under way (its call then fails with the `cancelled` code, having
/// left nothing behind); false when it had already ended.
#[tauri::command]
pub fn cancel_operation(state: State<'_, AppState>, id: String) -> bool {
    state.operations.cancel(&id)
}
