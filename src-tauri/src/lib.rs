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
        .setup(|app| {
            watch_config(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::recipes::list_backends,
            commands::recipes::catalogue,
            commands::recipes::check_project_name,
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
            commands::projects::open_url,
            commands::preferences::get_preferences,
            commands::preferences::save_backend,
            commands::preferences::remove_backend,
            commands::preferences::set_default_backend,
            commands::preferences::test_backend,
            commands::preferences::save_git_host,
            commands::preferences::test_git_host,
            commands::preferences::set_preference,
            commands::preferences::engine_status,
            commands::preferences::list_credentials,
            commands::preferences::store_git_token,
            commands::preferences::remove_git_token,
            commands::preferences::store_registry_login,
            commands::preferences::remove_registry_login,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("nskit: the app failed to start: {e}");
        std::process::exit(1);
    }
}

/// The event the window hears when the configuration file changed (the CLI, an editor).
pub const CONFIG_CHANGED: &str = "config-changed";

/// Watches the configuration file: when it changes (written by the CLI or an editor, or by
/// the app), the configuration is read again and the window told, once a second at most.
fn watch_config(app: tauri::AppHandle) {
    use tauri::{Emitter, Manager};
    std::thread::spawn(move || {
        let state = app.state::<state::AppState>();
        let mut last = commands::preferences::stamp(&state);
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
            let now = commands::preferences::stamp(&state);
            if now != last {
                last = now;
                state.reload();
                let _ = app.emit(CONFIG_CHANGED, ());
            }
        }
    });
}
