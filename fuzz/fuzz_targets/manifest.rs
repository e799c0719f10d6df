//! `recipe.yaml` from any bytes: parsed and checked, never a panic; an error names a key.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match nskit_recipe::Manifest::parse(text, std::path::Path::new("recipe.yaml")) {
            Ok(m) => {
                // A manifest that parses also exports its JSON Schema.
                let _ = nskit_recipe::fields_json_schema(&m);
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
