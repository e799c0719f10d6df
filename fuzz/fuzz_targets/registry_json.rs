//! A registry's replies from any bytes (catalogue, tags, token, errors, index, config
//! labels, challenge header): never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nskit_backends::registry_http::fuzz_reply(data);
});
