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
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::recipes::catalogue,
            commands::recipes::recipe_details,
            commands::recipes::evaluate_form,
            commands::projects::preview_project,
            commands::projects::create_project,
            commands::projects::default_output_dir,
            commands::projects::repository_target,
            commands::update::list_projects,
            commands::update::add_project,
            commands::update::remove_project,
            commands::update::check_project,
            commands::update::project_versions,
            commands::update::update_fields,
            commands::update::start_update,
            commands::update::start_conflicts,
            commands::update::review_file,
            commands::update::preview_resolution,
            commands::update::apply_review,
            commands::update::close_review,
            commands::update::commit_update,
            commands::update::commit_all,
            commands::update::undo_update,
            commands::update::open_folder,
            commands::operations::cancel_operation,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("nskit: the app failed to start: {e}");
        std::process::exit(1);
    }
}
