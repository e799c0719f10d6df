//! Secrets that never print. [`Secret`] wraps a token, a password or a secret answer: its
//! `Debug` and `Display` hide it, and making one registers its value, so that [`redact`]
//! masks it (and the forms it travels in: URL-encoded, and inside a Basic `Authorization`
//! header) in any text that leaves nskit: the CLI's output, the app's replies, errors built
//! from a server's answer.
#![deny(missing_docs)]

use std::borrow::Cow;
use std::sync::{OnceLock, RwLock};

use base64::Engine as _;

/// What a secret is replaced with.
pub const MASK: &str = "********";

/// Values shorter than this are not masked: masking every `a` or `1` in a message would
/// hide the message, not the secret. (Such values are not secrets worth the name.)
pub const MIN_LEN: usize = 4;

fn known() -> &'static RwLock<Vec<String>> {
    static KNOWN: OnceLock<RwLock<Vec<String>>> = OnceLock::new();
    KNOWN.get_or_init(|| RwLock::new(Vec::new()))
}

fn url_encoded(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn add(list: &mut Vec<String>, value: String) {
    if value.chars().count() >= MIN_LEN && !list.contains(&value) {
        list.push(value);
        // Longest first, so that a secret containing another is masked whole.
        list.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }
}

/// Registers a secret value for [`redact`] (with its URL-encoded form).
pub fn register(value: &str) {
    let value = value.trim();
    if value.chars().count() < MIN_LEN {
        return;
    }
    let Ok(mut list) = known().write() else {
        return;
    };
    add(&mut list, value.to_string());
    add(&mut list, url_encoded(value));
}

/// Registers a login's password, and the Basic `Authorization` value made of the pair.
pub fn register_login(username: &str, password: &str) {
    register(password);
    if password.chars().count() >= MIN_LEN
        && let Ok(mut list) = known().write()
    {
        let basic =
            base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
        add(&mut list, basic);
    }
}

/// The text with every registered secret value replaced by [`MASK`].
pub fn redact(text: &str) -> Cow<'_, str> {
    let Ok(list) = known().read() else {
        return Cow::Borrowed(text);
    };
    let mut out = Cow::Borrowed(text);
    for secret in list.iter() {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), MASK));
        }
    }
    out
}

/// A secret value: registered for [`redact`] when made; `Debug` and `Display` hide it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps (and registers) a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        register(&value);
        Secret(value)
    }

    /// The value itself, for the one place that sends or uses it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<hidden>)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_values_are_masked_in_every_form() {
        let s = Secret::new("ghp_Zx9-unit-test/token+1");
        assert_eq!(format!("{s:?} {s}"), format!("Secret(<hidden>) {MASK}"));
        let echoed = "401: Bad credentials for token ghp_Zx9-unit-test/token+1 (url: https://x/?t=ghp_Zx9-unit-test%2Ftoken%2B1)";
        let out = redact(echoed);
        assert!(!out.contains("ghp_Zx9"), "{out}");
        assert_eq!(out.matches(MASK).count(), 2, "{out}");

        register_login("ada", "unit-test-pw-42");
        let header = base64::engine::general_purpose::STANDARD.encode("ada:unit-test-pw-42");
        let line = format!("sent Authorization: Basic {header}; password unit-test-pw-42");
        let out = redact(&line);
        assert!(
            !out.contains(&header) && !out.contains("unit-test-pw-42"),
            "{out}"
        );
    }

    #[test]
    fn short_values_and_other_text_are_left_alone() {
        register("ab");
        assert_eq!(redact("a cab is abstract"), "a cab is abstract");
        assert!(matches!(redact("nothing secret here"), Cow::Borrowed(_)));
    }
}
