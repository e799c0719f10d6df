//! The configuration file from any bytes, with `${VAR}` expansion: never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let env = |k: &str| (k == "HOME").then(|| "/home/fuzz".to_string());
        let _ = nskit::ConfigFile::parse(text, "config.yaml", &env);
    }
});
