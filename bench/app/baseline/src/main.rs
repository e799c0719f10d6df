//! A Tauri window that draws three cards from static HTML: what launching any Tauri app
//! costs, for comparison with nskit's app (bench/app/measure.py).
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = tauri::Builder::default().run(tauri::generate_context!()) {
        eprintln!("the baseline window failed: {e}");
        std::process::exit(1);
    }
}
