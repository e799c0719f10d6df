//! YAML, read as untrusted input (recipes, state files, configurations, answers files):
//! through serde-saphyr, a pure-Rust, panic-free parser with budgets against alias bombs
//! and deep nesting. Errors say the line and the key path where the document went wrong.
use serde::Serialize;
use serde::de::DeserializeOwned;

/// What is wrong with a YAML document, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The 1-based line, when known.
    pub line: Option<usize>,
    /// The key path (`fields[2].type`), or `(top level)`.
    pub key: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for YamlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(l) = self.line {
            write!(f, "line {l}: ")?;
        }
        if self.key != "(top level)" {
            write!(f, "{}: ", self.key)?;
        }
        f.write_str(&self.message)
    }
}

/// Reads a YAML document into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    let mut path = None;
    let options = serde_saphyr::options! { with_snippet: false };
    serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize(de).map_err(|e| {
            path = Some(e.path().to_string());
            e.into_inner()
        })
    })
    .map_err(|e| {
        let e = e.without_snippet();
        let line = e.location().map(|l| l.line() as usize).filter(|l| *l > 0);
        let key = match path.as_deref() {
            None | Some(".") => "(top level)".to_string(),
            Some(k) => k.to_string(),
        };
        let mut message = e.to_string();
        // The parser may already name the place; say it once.
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        if let Some(rest) = message.strip_prefix(&format!("{key}: ")) {
            message = rest.to_string();
        }
        YamlError { line, key, message }
    })
}

/// Writes `value` as a YAML document.
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    // Long values stay on their line (no folded `>-` blocks): state files are read by
    // people and by simple tools.
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    let mut text =
        serde_saphyr::to_string_with_options(value, options).map_err(|e| e.to_string())?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn errors_name_the_line_and_key() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Doc {
            fields: Vec<Field>,
        }
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct Field {
            name: String,
            count: u32,
        }
        let e =
            from_str::<Doc>("fields:\n  - name: a\n    count: 1\n  - name: b\n    count: many\n")
                .unwrap_err();
        assert_eq!(e.line, Some(5), "{e:?}");
        assert_eq!(e.key, "fields[1].count", "{e:?}");
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = if i == 1 {
                "a".to_string()
            } else {
                format!("a{}", i - 1)
            };
            bomb.push_str(&format!(
                "a{i}: &a{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(from_str::<Value>(&bomb).is_err());
        let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(from_str::<Value>(&deep).is_err());
    }

    #[test]
    fn values_round_trip() {
        let v: Value = from_str("a: 1\nb: [x, 'y z']\nc: {d: null, e: true}\n").expect("parse");
        let back: Value = from_str(&to_string(&v).expect("write")).expect("again");
        assert_eq!(v, back);
    }
}
