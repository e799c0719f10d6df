//! Recipes whose output comes (partly) from running programs: program images, which make
//! the whole project, and recipe tasks, which run in the rendered project. Both run in a
//! container; this crate only knows the [`RecipeRunner`] contract, the Docker side lives in
//! `nskit-engine`.
use std::path::{Component, Path};

use nskit_progress::Reporter;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::answers::{Answers, Context, template_context};
use crate::error::{RecipeError, Result};
use crate::field::Condition;
use crate::render::{RenderedFile, RenderedTree, jinja_env};
use crate::template::Recipe;

/// A command a recipe runs in the finished project (`cargo fmt`, `uv lock`), in a container
/// of the recipe's image, with the project as its working folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Task {
    /// A short name for messages (default: the command).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    /// The command: a string is run with `sh -c`, a list is run as it is. Jinja over the
    /// answers is allowed in both.
    pub run: TaskCommand,
    /// Run only when this condition over the answers holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub when: Option<Condition>,
}

/// How a task's command is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum TaskCommand {
    /// A shell line, run with `sh -c`.
    Shell(String),
    /// A program and its arguments.
    Argv(Vec<String>),
}

/// A task ready to run: its name and its rendered command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRun {
    /// For messages.
    pub name: String,
    /// The program and its arguments.
    pub argv: Vec<String>,
}

/// Whether a recipe is a template tree rendered by nskit or a program that writes the
/// project itself (an image built for the original Python nskit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecipeKind {
    /// Templates rendered on the host.
    #[default]
    Template,
    /// A program image: the project is whatever its container writes.
    Program,
}

/// Runs the program parts of a recipe in a sandbox (a container of the recipe's image).
pub trait RecipeRunner: Send + Sync + std::fmt::Debug {
    /// What runs the recipe, for messages (`the image acme/python:1.2.0`).
    fn describe(&self) -> String;

    /// Makes the whole project from the answers (program recipes), reporting the
    /// program's output to `reporter` and stopping when it is cancelled.
    fn generate(
        &self,
        recipe: &Recipe,
        answers: &Answers,
        reporter: &Reporter,
    ) -> Result<RenderedTree>;

    /// Runs tasks, in order, in a copy of `tree`, and returns the tree they leave; each
    /// task and its output go to `reporter`.
    fn run_tasks(
        &self,
        tasks: &[TaskRun],
        tree: &RenderedTree,
        network: bool,
        reporter: &Reporter,
    ) -> Result<RenderedTree>;
}

/// The tasks that apply to these answers, with their commands rendered.
pub fn tasks_to_run(recipe: &Recipe, answers: &Answers, ctx: &Context) -> Result<Vec<TaskRun>> {
    let scope = template_context(answers, ctx);
    let env = jinja_env();
    let mut out = vec![];
    for (i, task) in recipe.manifest.tasks.iter().enumerate() {
        let key = format!("recipe.yaml tasks[{i}]");
        if let Some(cond) = &task.when
            && !crate::answers::condition_true(&format!("{key}.when"), cond, &scope)?
        {
            continue;
        }
        let render = |s: &str| -> Result<String> {
            env.render_named_str(
                &key,
                s,
                minijinja::Value::from(minijinja::value::Serde(&scope)),
            )
            .map_err(|e| RecipeError::from_jinja(&key, s, &e))
        };
        let argv = match &task.run {
            TaskCommand::Shell(s) => vec!["sh".into(), "-c".into(), render(s)?],
            TaskCommand::Argv(v) => v.iter().map(|a| render(a)).collect::<Result<_>>()?,
        };
        if argv.is_empty() || argv[0].trim().is_empty() {
            return Err(RecipeError::Template {
                file: key,
                line: None,
                message: "the task's command is empty".into(),
            });
        }
        let name = task.name.clone().unwrap_or_else(|| argv.join(" "));
        out.push(TaskRun { name, argv });
    }
    Ok(out)
}

impl RenderedTree {
    /// Writes the tree into `dir` (which must exist and be empty), modes kept.
    pub fn write_into(&self, dir: &Path) -> Result<()> {
        for f in &self.files {
            let path = dir.join(&f.path);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| RecipeError::write(parent, e))?;
            }
            f.contents
                .write_to(&path)
                .map_err(|e| RecipeError::write(&path, e))?;
            #[cfg(unix)]
            if f.executable {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                    .map_err(|e| RecipeError::write(&path, e))?;
            }
        }
        Ok(())
    }

    /// Reads the files under `dir` into a tree. Folders named in `skip` (at the top, like
    /// `.git`) are left out; a link is refused, since a project written by a program must
    /// not point outside itself.
    pub fn read_dir(dir: &Path, skip: &[&str]) -> Result<RenderedTree> {
        let mut tree = RenderedTree::default();
        let walk = walkdir::WalkDir::new(dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                e.depth() != 1 || !skip.iter().any(|s| e.file_name().to_str() == Some(*s))
            });
        for entry in walk {
            let entry = entry.map_err(|e| RecipeError::Read {
                path: dir.to_path_buf(),
                source: e.into(),
            })?;
            let t = entry.file_type();
            if t.is_dir() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(dir)
                .map_err(|_| RecipeError::PathEscapes {
                    template_path: entry.path().display().to_string(),
                    rendered: entry.path().display().to_string(),
                })?;
            let path = rel
                .components()
                .map(|c| match c {
                    Component::Normal(s) => Ok(s.to_string_lossy().into_owned()),
                    _ => Err(RecipeError::PathEscapes {
                        template_path: rel.display().to_string(),
                        rendered: rel.display().to_string(),
                    }),
                })
                .collect::<Result<Vec<_>>>()?
                .join("/");
            if t.is_symlink() {
                return Err(RecipeError::Run(format!(
                    "the recipe wrote `{path}` as a link; projects made in a container may not contain links"
                )));
            }
            let contents = std::fs::read(entry.path()).map_err(|source| RecipeError::Read {
                path: entry.path().to_path_buf(),
                source,
            })?;
            #[cfg(unix)]
            let executable = {
                use std::os::unix::fs::PermissionsExt;
                entry
                    .metadata()
                    .map(|m| m.permissions().mode() & 0o111 != 0)
                    .unwrap_or(false)
            };
            #[cfg(not(unix))]
            let executable = false;
            tree.insert(RenderedFile {
                path,
                contents: contents.into(),
                executable,
            });
        }
        Ok(tree)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_survives_a_round_trip_through_a_folder() {
        let mut tree = RenderedTree::default();
        for (p, c, x) in [
            ("a.txt", "a\n", false),
            ("bin/run", "#!/bin/sh\n", true),
            (".git/HEAD", "ref\n", false),
        ] {
            tree.insert(RenderedFile {
                path: p.into(),
                contents: c.into(),
                executable: x,
            });
        }
        let dir = tempfile::tempdir().expect("tempdir");
        tree.write_into(dir.path()).expect("write");
        let back = RenderedTree::read_dir(dir.path(), &[]).expect("read");
        assert_eq!(back, tree);
        let skipped = RenderedTree::read_dir(dir.path(), &[".git"]).expect("read");
        assert_eq!(
            skipped
                .files
                .iter()
                .map(|f| &f.path[..])
                .collect::<Vec<_>>(),
            ["a.txt", "bin/run"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_a_program_output_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::os::unix::fs::symlink("/etc/passwd", dir.path().join("passwd")).expect("link");
        let err = RenderedTree::read_dir(dir.path(), &[]).unwrap_err();
        assert!(err.to_string().contains("`passwd` as a link"), "{err}");
    }
}
