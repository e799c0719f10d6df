//! The nskit desktop app: Tauri commands that adapt the client layer (`nskit`) to the web UI
//! in `ui/`. Commands are thin; the work happens in the client, off the main thread.

mod commands;
mod error;
mod state;

/// Starts the app.
pub fn run() {
    let state = state::AppState::load();
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::recipes::catalogue,
            commands::recipes::recipe_details,
            commands::recipes::evaluate_form,
            commands::projects::preview_project,
            commands::projects::create_project,
            commands::projects::default_output_dir,
            commands::projects::repository_target,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("nskit: the app failed to start: {e}");
        std::process::exit(1);
    }
}
