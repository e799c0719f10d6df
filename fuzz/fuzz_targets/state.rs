//! `.recipe/config.yml` from any bytes: a state that parses writes back to a state that
//! parses to the same value.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = std::path::Path::new("config.yml");
    if let Ok(state) = nskit_update::ProjectState::parse(text, path) {
        let again = nskit_update::ProjectState::parse(&state.to_yaml(), path)
            .expect("a state nskit writes parses again");
        assert_eq!(state.metadata.recipe_name, again.metadata.recipe_name);
        assert_eq!(state.metadata.version(), again.metadata.version());
    }
});
