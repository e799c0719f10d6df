//! The library behind `{{ project_name }}`: keep the logic here, where it is easy to test,
//! and the argument handling in `main.rs`.

/// Builds the greeting for `name`.
pub fn greeting(name: &str, shout: bool) -> String {
    let text = format!("Hello, {name}!");
    if shout { text.to_uppercase() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greets_by_name() {
        assert_eq!(greeting("Ada", false), "Hello, Ada!");
    }

    #[test]
    fn shouts() {
        assert_eq!(greeting("Ada", true), "HELLO, ADA!");
    }
}
