//! Drives the real app window over WebDriver: tauri-driver fronts WebKitWebDriver, which
//! starts the app binary under the X display (`xvfb-run` in scripts/test). Each screen is
//! reached as a person reaches it, photographed into `docs/screenshots/`, and checked
//! with axe for accessibility.
//!
//! Needs: the app built (`cargo build -p nskit-app`), `tauri-driver` and `WebKitWebDriver`
//! on PATH, a display, and the services `scripts/test` starts (Docker engine, keychain).
//! Without them the tests are skipped with the reason, except under `CI=true`, where a
//! missing piece is a failure.

mod create;
mod preferences;
mod support;
mod update;
