//! Fuzzes the file merge of JSON, TOML and YAML: any three texts (split at 0xFF bytes) must
//! merge without a panic, and a merge made by key must parse and hold what the key merge
//! says.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nskit_merge::{Format, MergeOptions, Method, merge_file, merged_value};

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0xFF);
    let base = parts.next().unwrap_or_default();
    let ours = parts.next().unwrap_or_default();
    let theirs = parts.next().unwrap_or_default();
    for (path, format) in [("a.json", Format::Json), ("a.toml", Format::Toml), ("a.yaml", Format::Yaml)] {
        let (r, method) = merge_file(path, base, ours, theirs, &MergeOptions::default());
        if method == Method::Structured {
            let text = std::str::from_utf8(&r.bytes).expect("utf-8");
            let (b, o, t) = (
                std::str::from_utf8(base).expect("utf-8"),
                std::str::from_utf8(ours).expect("utf-8"),
                std::str::from_utf8(theirs).expect("utf-8"),
            );
            assert_eq!(format.parse(text), merged_value(format, b, o, t));
        }
    }
});
