use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{RecipeError, Result};
use crate::field::{Field, FieldType, anchored};

/// The contents of a recipe's `recipe.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
#[ts(export)]
pub struct Manifest {
    /// The recipe's name (`python_package`).
    pub name: String,
    /// The version, when the backend does not give one (a folder name or a tag does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub version: Option<String>,
    /// One or two sentences on what the recipe makes.
    #[serde(default)]
    pub description: String,
    /// Words to search and filter by.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The folder, beside `recipe.yaml`, that holds the template tree.
    #[serde(default = "default_template_dir")]
    pub template: String,
    /// When set (e.g. `.jinja`), only files ending with it are rendered, and the suffix is
    /// dropped; every other file is copied as it is. When unset every text file is rendered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub templates_suffix: Option<String>,
    /// The project folder's name, a Jinja template over the answers. By default the answer
    /// of `project_name`, `name` or `recipe_name`, else the recipe's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub directory: Option<String>,
    /// The questions, in the order they are asked.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Glob patterns (Jinja allowed) of template or output paths to leave out.
    #[serde(default)]
    pub exclude: Vec<String>,
    /// Glob patterns of template paths copied byte for byte, without rendering contents.
    #[serde(default)]
    pub copy_only: Vec<String>,
    /// The base image `nskit recipe build` puts the recipe on (default: an empty image;
    /// name one with a shell when the recipe has tasks to run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub base_image: Option<String>,
    /// Commands run in the rendered project, in order, in a container of the recipe's image.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<crate::runner::Task>,
    /// Whether the recipe's containers (tasks, programs) may use the network; off by default.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub network: bool,
}

fn default_template_dir() -> String {
    "template".to_string()
}

static NAME_RE: &str = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$";
static RECIPE_NAME_RE: &str = r"^[A-Za-z0-9][A-Za-z0-9._-]*$";

impl Manifest {
    /// Reads and checks `recipe.yaml` from a file.
    pub fn from_file(path: &Path) -> Result<Manifest> {
        let text = std::fs::read_to_string(path).map_err(|source| RecipeError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Manifest::parse(&text, path)
    }

    /// Parses and checks manifest text; `file` is used in error messages only.
    pub fn parse(text: &str, file: &Path) -> Result<Manifest> {
        let manifest: Manifest =
            crate::yaml::from_str(text).map_err(|e| RecipeError::Manifest {
                file: file.to_path_buf(),
                line: e.line,
                key: e.key,
                message: e.message,
            })?;
        manifest.check(text, file)?;
        Ok(manifest)
    }

    fn check(&self, text: &str, file: &Path) -> Result<()> {
        let err = |key: String, line: Option<usize>, message: String| RecipeError::Manifest {
            file: file.to_path_buf(),
            line,
            key,
            message,
        };
        let recipe_name = regex::Regex::new(RECIPE_NAME_RE).expect("constant regex");
        if !recipe_name.is_match(&self.name) {
            return Err(err(
                "name".into(),
                line_of(text, "name", &self.name),
                format!(
                    "`{}` is not a valid recipe name: use letters, digits, `.`, `_` and `-`, starting with a letter or digit",
                    self.name
                ),
            ));
        }
        let name_re = regex::Regex::new(NAME_RE).expect("constant regex");
        let mut seen: HashSet<&str> = HashSet::new();
        for (i, field) in self.fields.iter().enumerate() {
            let key = |k: &str| format!("fields[{i}]{k}");
            let line = line_of(text, "name", &field.name);
            if !name_re.is_match(&field.name) {
                return Err(err(
                    key(".name"),
                    line,
                    format!(
                        "`{}` is not a valid field name: use letters, digits and `_`, with `.` between levels (repo.owner)",
                        field.name
                    ),
                ));
            }
            if !seen.insert(&field.name) {
                return Err(err(
                    key(".name"),
                    line,
                    format!("the field `{}` is defined twice", field.name),
                ));
            }
            if let Some(other) = self.fields[..i].iter().find(|o| {
                o.name.starts_with(&format!("{}.", field.name))
                    || field.name.starts_with(&format!("{}.", o.name))
            }) {
                return Err(err(
                    key(".name"),
                    line,
                    format!(
                        "`{}` and `{}` clash: a field cannot be both a value and a group of values",
                        field.name, other.name
                    ),
                ));
            }
            let is_choice = matches!(field.kind, FieldType::Choice | FieldType::Multichoice);
            if is_choice && field.choices.is_empty() {
                return Err(err(
                    key(".choices"),
                    line,
                    format!("a {} field needs `choices`", field.kind.as_str()),
                ));
            }
            if !is_choice && !field.choices.is_empty() {
                return Err(err(
                    key(".choices"),
                    line,
                    format!(
                        "`choices` only applies to choice and multichoice fields, not {}",
                        field.kind.as_str()
                    ),
                ));
            }
            if let Some(pattern) = field.validation.as_ref().and_then(|v| v.pattern.as_ref())
                && let Err(e) = anchored(pattern)
            {
                return Err(err(
                    key(".validation.pattern"),
                    line,
                    format!("invalid regular expression: {e}"),
                ));
            }
            if let Some(default) = &field.default {
                let templated = default.as_str().is_some_and(crate::answers::is_template);
                if !templated && let Err(message) = field.coerce(default) {
                    return Err(err(
                        key(".default"),
                        line,
                        format!("the default does not fit the field: {message}"),
                    ));
                }
            }
            if field.kind == FieldType::Secret && field.default.is_some() {
                return Err(err(
                    key(".default"),
                    line,
                    "a secret field cannot have a default: secrets are asked or taken from RECIPE_ environment variables".into(),
                ));
            }
        }
        for (list, patterns) in [("exclude", &self.exclude), ("copy_only", &self.copy_only)] {
            for (i, p) in patterns.iter().enumerate() {
                if crate::answers::is_template(p) {
                    continue; // checked once rendered
                }
                if let Err(e) = globset::Glob::new(p) {
                    return Err(err(
                        format!("{list}[{i}]"),
                        line_of(text, "-", p),
                        format!("invalid glob pattern: {e}"),
                    ));
                }
            }
        }
        if self.template.contains("..") || Path::new(&self.template).is_absolute() {
            return Err(err(
                "template".into(),
                line_of(text, "template", &self.template),
                "the template folder must be inside the recipe folder".into(),
            ));
        }
        Ok(())
    }

    /// The file name of a manifest inside a recipe folder.
    pub const FILE_NAME: &'static str = "recipe.yaml";

    /// The path of the manifest inside a recipe folder.
    pub fn path_in(dir: &Path) -> PathBuf {
        dir.join(Self::FILE_NAME)
    }
}

/// Finds the 1-based line on which `key: value` (or `- value`) is written, for messages.
fn line_of(text: &str, key: &str, value: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            let rest = if key == "-" {
                Some(l)
            } else {
                l.strip_prefix(key)
                    .and_then(|r| r.trim_start().strip_prefix(':'))
            };
            rest.is_some_and(|r| r.trim().trim_matches(['"', '\'']) == value)
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Manifest> {
        Manifest::parse(text, Path::new("r/recipe.yaml"))
    }

    #[test]
    fn malformed_yaml_names_file_line_and_key() {
        let e = parse("name: x\nfields:\n  - name: a\n    type: string\n   bad: [\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("r/recipe.yaml:"), "{e}");
        assert!(e.contains(":5") || e.contains(":4"), "{e}");
    }

    #[test]
    fn unknown_field_type_names_key() {
        let e =
            parse("name: x\nfields:\n  - name: a\n  - name: b\n    type: colour\n").unwrap_err();
        let RecipeError::Manifest {
            line, key, message, ..
        } = &e
        else {
            panic!("{e}")
        };
        assert_eq!(key, "fields[1].type");
        assert_eq!(*line, Some(5));
        assert!(message.contains("unknown variant `colour`"), "{message}");
        assert!(
            message.contains("multichoice"),
            "lists the valid types: {message}"
        );
    }

    #[test]
    fn misspelt_key_is_an_error() {
        let e = parse("name: x\nfields:\n  - name: a\n    defualt: 1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("fields[0]") && e.contains("defualt"), "{e}");
    }

    #[test]
    fn semantic_checks() {
        for (text, want) in [
            (
                "name: x\nfields:\n  - name: a\n  - name: a\n",
                "defined twice",
            ),
            (
                "name: x\nfields:\n  - name: repo\n  - name: repo.owner\n",
                "clash",
            ),
            (
                "name: x\nfields:\n  - name: a\n    type: choice\n",
                "needs `choices`",
            ),
            (
                "name: x\nfields:\n  - name: a\n    validation: {pattern: '('}\n",
                "invalid regular expression",
            ),
            (
                "name: x\nfields:\n  - name: a\n    type: integer\n    default: abc\n",
                "does not fit",
            ),
            ("name: x\nfields:\n  - name: 1a\n", "not a valid field name"),
            ("name: '../x'\n", "not a valid recipe name"),
            ("name: x\nexclude: ['a[']\n", "invalid glob"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text}: {e}");
        }
    }

    #[test]
    fn semantic_error_has_line() {
        let e =
            parse("name: x\nfields:\n  - name: a\n  - name: b\n    type: choice\n").unwrap_err();
        let RecipeError::Manifest { line, key, .. } = e else {
            panic!()
        };
        assert_eq!((line, key.as_str()), (Some(4), "fields[1].choices"));
    }
}
