use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use minijinja::{Environment, UndefinedBehavior};
use nskit_progress::{Event, Reporter, Step};

use crate::answers::{Answers, Context, is_template, template_context};
use crate::content::{Content, Kind};
use crate::error::{RecipeError, Result};
use crate::template::Recipe;

/// One file of a rendered project.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedFile {
    /// The path inside the project, `/`-separated, checked to stay inside it.
    pub path: String,
    /// The bytes to write (a large verbatim file stays on disk until it is copied).
    pub contents: Content,
    /// Whether the file is executable.
    pub executable: bool,
}

/// A rendered project, in memory, sorted by path.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RenderedTree {
    /// The files.
    pub files: Vec<RenderedFile>,
}

impl RenderedTree {
    /// Adds a file, replacing one at the same path.
    pub fn insert(&mut self, file: RenderedFile) {
        match self
            .files
            .binary_search_by(|f| f.path.as_str().cmp(&file.path))
        {
            Ok(i) => self.files[i] = file,
            Err(i) => self.files.insert(i, file),
        }
    }

    /// Looks a file up by path.
    pub fn get(&self, path: &str) -> Option<&RenderedFile> {
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(path))
            .ok()
            .map(|i| &self.files[i])
    }

    /// The total size in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.contents.len()).sum()
    }

    /// The tree drawn as text (`├──`), one line per folder and file, for dry runs.
    pub fn tree_text(&self, root: &str) -> String {
        #[derive(Default)]
        struct Node<'a> {
            children: BTreeMap<&'a str, Node<'a>>,
        }
        fn draw(node: &Node<'_>, prefix: &str, out: &mut String) {
            let count = node.children.len();
            for (i, (name, child)) in node.children.iter().enumerate() {
                let last = i + 1 == count;
                let slash = if child.children.is_empty() { "" } else { "/" };
                out.push_str(&format!(
                    "{prefix}{}{name}{slash}\n",
                    if last { "└── " } else { "├── " }
                ));
                draw(
                    child,
                    &format!("{prefix}{}", if last { "    " } else { "│   " }),
                    out,
                );
            }
        }
        let mut top = Node::default();
        for f in &self.files {
            let mut node = &mut top;
            for part in f.path.split('/') {
                node = node.children.entry(part).or_default();
            }
        }
        let mut out = format!("{root}\n");
        draw(&top, "", &mut out);
        out
    }
}

/// The most one rendered template file may hold: a template whose output grows past it
/// (nested loops) is stopped with an error naming the file.
pub const MAX_RENDERED_FILE: usize = 64 << 20;

/// The work one render may do (minijinja's fuel: about one per instruction, and one per 64
/// bytes of data made), so a template that loops without bound stops in seconds.
pub const RENDER_FUEL: u64 = 100_000_000;

/// Collects a render's output, refusing to grow past a limit.
struct Capped {
    out: Vec<u8>,
    limit: usize,
    exceeded: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.out.len() + buf.len() > self.limit {
            self.exceeded = true;
            return Err(std::io::Error::other("the output limit was reached"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Renders one template file's text, within [`MAX_RENDERED_FILE`] and [`RENDER_FUEL`].
fn render_file(name: &str, text: &str, scope: minijinja::Value) -> Result<Vec<u8>> {
    let env = jinja_env();
    let template = env
        .template_from_named_str(name, text)
        .map_err(|e| RecipeError::from_jinja(name, text, &e))?;
    let mut out = Capped {
        out: Vec::with_capacity(text.len()),
        limit: MAX_RENDERED_FILE,
        exceeded: false,
    };
    match template.render_captured_to(scope, &mut out) {
        Ok(_) => Ok(out.out),
        Err(_) if out.exceeded => Err(RecipeError::RenderLimit {
            file: name.to_string(),
            limit: format!("its output passed {} MiB", MAX_RENDERED_FILE >> 20),
        }),
        Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => Err(RecipeError::RenderLimit {
            file: name.to_string(),
            limit: format!("it did more than {RENDER_FUEL} steps of work"),
        }),
        Err(e) => Err(RecipeError::from_jinja(name, text, &e)),
    }
}

/// The Jinja environment used for contents, paths, defaults and conditions: strict about
/// undefined variables, keeping trailing newlines, with case-conversion filters.
pub(crate) fn jinja_env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_debug(true);
        env.set_fuel(Some(RENDER_FUEL));
        // Project files are not HTML or JSON pages: never escape what is substituted
        // (minijinja would otherwise escape by file extension, e.g. `.yaml` as JSON).
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.add_filter("slugify", |s: String| words(&s).join("-"));
        env.add_filter("kebab_case", |s: String| words(&s).join("-"));
        env.add_filter("snake_case", |s: String| words(&s).join("_"));
        env.add_filter("pascal_case", |s: String| {
            words(&s).iter().map(|w| capitalise(w)).collect::<String>()
        });
        env.add_filter("camel_case", |s: String| {
            let w = words(&s);
            let mut out = w.first().cloned().unwrap_or_default();
            out.extend(w.iter().skip(1).map(|w| capitalise(w)));
            out
        });
        env
    })
}

/// Splits text into lower-case words at separators and case changes.
fn words(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Path patterns, matched gitignore-like: a pattern without `/` matches a name at any
/// depth; a pattern matching a folder matches everything inside it.
struct PathPatterns {
    set: GlobSet,
}

impl PathPatterns {
    fn new(list: &str, patterns: &[String], scope: &minijinja::Value) -> Result<PathPatterns> {
        let mut b = GlobSetBuilder::new();
        for (i, raw) in patterns.iter().enumerate() {
            let key = format!("recipe.yaml {list}[{i}]");
            let p = if is_template(raw) {
                jinja_env()
                    .render_named_str(&key, raw, scope.clone())
                    .map_err(|e| RecipeError::from_jinja(&key, raw, &e))?
            } else {
                raw.clone()
            };
            let p = p.trim().trim_start_matches("./").trim_end_matches('/');
            if p.is_empty() {
                continue;
            }
            let glob = GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .map_err(|e| RecipeError::Template {
                    file: key.clone(),
                    line: None,
                    message: format!("invalid glob pattern `{p}`: {e}"),
                })?;
            b.add(glob);
            if !p.contains('/') {
                let deep = GlobBuilder::new(&format!("**/{p}"))
                    .literal_separator(true)
                    .build()
                    .map_err(|e| RecipeError::Template {
                        file: key,
                        line: None,
                        message: format!("invalid glob pattern `{p}`: {e}"),
                    })?;
                b.add(deep);
            }
        }
        let set = b.build().map_err(|e| RecipeError::Template {
            file: format!("recipe.yaml {list}"),
            line: None,
            message: e.to_string(),
        })?;
        Ok(PathPatterns { set })
    }

    fn matches(&self, path: &str) -> bool {
        if self.set.is_empty() {
            return false;
        }
        let mut prefix = path;
        loop {
            if self.set.is_match(prefix) {
                return true;
            }
            match prefix.rfind('/') {
                Some(i) => prefix = &prefix[..i],
                None => return false,
            }
        }
    }
}

/// Renders a template path. `Ok(None)` when a segment renders empty (the file is dropped).
/// Path segments rendered once each (`{{ project_name }}` heads thousands of paths).
type Segments<'a> = HashMap<&'a str, String>;

/// Renders every distinct templated segment of `paths`, in order; an error names the first
/// path with the segment.
fn render_segments<'a>(
    paths: impl Iterator<Item = &'a str>,
    scope: &minijinja::Value,
) -> Result<Segments<'a>> {
    let mut out = Segments::new();
    for path in paths {
        for segment in path.split('/') {
            if is_template(segment) && !out.contains_key(segment) {
                let key = format!("{path} (file name)");
                let text = jinja_env()
                    .render_named_str(&key, segment, scope.clone())
                    .map_err(|e| RecipeError::from_jinja(&key, segment, &e))?;
                out.insert(segment, text);
            }
        }
    }
    Ok(out)
}

fn render_path(template_path: &str, segments: &Segments<'_>) -> Result<Option<String>> {
    let mut parts: Vec<String> = Vec::new();
    for segment in template_path.split('/') {
        let rendered = segments
            .get(segment)
            .cloned()
            .unwrap_or_else(|| segment.to_string());
        if rendered.trim().is_empty() {
            return Ok(None);
        }
        let escapes = || RecipeError::PathEscapes {
            template_path: template_path.to_string(),
            rendered: rendered.clone(),
        };
        if rendered.starts_with('/')
            || rendered.starts_with('\\')
            || rendered.contains('\0')
            || rendered.contains(':') && rendered.len() > 1 && rendered.as_bytes()[1] == b':'
        {
            return Err(escapes());
        }
        for part in rendered.split(['/', '\\']) {
            match part {
                "" | "." => {}
                ".." => return Err(escapes()),
                p => parts.push(p.to_string()),
            }
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(parts.join("/")))
}

/// The project folder's name for these answers (see [`crate::Manifest::directory`]).
pub fn directory_name(recipe: &Recipe, answers: &Answers, ctx: &Context) -> Result<String> {
    let m = &recipe.manifest;
    let name = match &m.directory {
        Some(t) => {
            let scope =
                minijinja::Value::from(minijinja::value::Serde(template_context(answers, ctx)));
            jinja_env()
                .render_named_str("recipe.yaml directory", t, scope)
                .map_err(|e| RecipeError::from_jinja("recipe.yaml directory", t, &e))?
        }
        None => ["project_name", "name", "recipe_name"]
            .iter()
            .find_map(|k| {
                answers
                    .get(*k)
                    .and_then(|v| v.as_str())
                    .filter(|s| !s.trim().is_empty())
                    .map(String::from)
            })
            .unwrap_or_else(|| m.name.clone()),
    };
    let name = name.trim().to_string();
    let reason = if name.is_empty() {
        Some("it is empty")
    } else if name == "." || name == ".." {
        Some("`.` and `..` are not folder names")
    } else if name.contains(['/', '\\']) {
        Some("it names the project's folder, so it may not contain `/` or `\\`")
    } else if name.contains('\0') || name.chars().any(char::is_control) {
        Some("it may not contain control characters")
    } else if crate::paths::is_git_name(&name) {
        Some("it is git's folder name")
    } else {
        None
    };
    if let Some(reason) = reason {
        return Err(RecipeError::InvalidProjectName {
            name,
            reason: reason.to_string(),
        });
    }
    Ok(name)
}

/// Renders a recipe with typed answers into an in-memory tree: its templates (or, for a
/// program recipe, what its program writes), then its tasks. Nothing is written in the
/// project; programs and tasks run in a sandbox on a copy.
pub fn render(recipe: &Recipe, answers: &Answers, ctx: &Context) -> Result<RenderedTree> {
    render_with(recipe, answers, ctx, &Reporter::silent())
}

/// As [`render`], reporting each stage (render or the program, then the tasks) and the
/// files done to `reporter`, and stopping with [`RecipeError::Cancelled`] when it is
/// cancelled.
pub fn render_with(
    recipe: &Recipe,
    answers: &Answers,
    ctx: &Context,
    reporter: &Reporter,
) -> Result<RenderedTree> {
    reporter.check().map_err(|_| RecipeError::Cancelled)?;
    let runner = |need: &str| {
        recipe.runner.as_ref().ok_or_else(|| RecipeError::NoRunner {
            recipe: recipe.manifest.name.clone(),
            need: need.to_string(),
            hint: "set `base_image` in recipe.yaml to an image with the commands the tasks use, and make sure a Docker engine answers (DOCKER_HOST)".into(),
        })
    };
    let tree = match recipe.kind {
        crate::RecipeKind::Template => {
            let step = reporter.step(Step::Render, None);
            let tree = render_templates(recipe, answers, ctx, reporter)?;
            step.finish();
            tree
        }
        crate::RecipeKind::Program => {
            let run = runner("is a program")?;
            let step = reporter.step(Step::Generate, Some(run.describe()));
            let tree = run.generate(recipe, answers, reporter)?;
            step.finish();
            tree
        }
    };
    let tasks = crate::runner::tasks_to_run(recipe, answers, ctx)?;
    let tree = if tasks.is_empty() {
        tree
    } else {
        let run = runner("has tasks")?;
        let step = reporter.step(Step::Tasks, Some(run.describe()));
        let tree = run.run_tasks(&tasks, &tree, recipe.manifest.network, reporter)?;
        step.finish();
        tree
    };
    // Whatever made them (templates, a program, tasks), the files stay out of git's
    // folder and nskit's state folder.
    for f in &tree.files {
        crate::paths::check_recipe_path(&f.path)?;
    }
    Ok(tree)
}

fn render_templates(
    recipe: &Recipe,
    answers: &Answers,
    ctx: &Context,
    reporter: &Reporter,
) -> Result<RenderedTree> {
    let scope = minijinja::Value::from(minijinja::value::Serde(template_context(answers, ctx)));
    let m = &recipe.manifest;
    let exclude = PathPatterns::new("exclude", &m.exclude, &scope)?;
    let copy_only = PathPatterns::new("copy_only", &m.copy_only, &scope)?;
    let segments = render_segments(
        recipe
            .files
            .iter()
            .filter(|tf| !exclude.matches(&tf.path))
            .map(|tf| match &m.templates_suffix {
                Some(suffix) => tf.path.strip_suffix(suffix.as_str()).unwrap_or(&tf.path),
                None => tf.path.as_str(),
            }),
        &scope,
    )?;
    // Each file on its own (in parallel: paths, checks and Jinja are independent), then
    // the outputs checked together, in the template's order.
    let total = u32::try_from(recipe.files.len()).unwrap_or(u32::MAX);
    let done = std::sync::atomic::AtomicU32::new(0);
    let rendered = crate::par::map(&recipe.files, |tf| -> Result<Option<RenderedFile>> {
        reporter.check().map_err(|_| RecipeError::Cancelled)?;
        let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(256) || n == total {
            reporter.emit(Event::Files { done: n, total });
        }
        if exclude.matches(&tf.path) {
            return Ok(None);
        }
        let (source_path, templated) = match &m.templates_suffix {
            Some(suffix) => match tf.path.strip_suffix(suffix.as_str()) {
                Some(stripped) => (stripped, true),
                None => (tf.path.as_str(), false),
            },
            None => (tf.path.as_str(), true),
        };
        let Some(path) = render_path(source_path, &segments)? else {
            return Ok(None);
        };
        if exclude.matches(&path) {
            return Ok(None);
        }
        let verbatim = !templated || copy_only.matches(&tf.path) || copy_only.matches(&path);
        let read_err = |source| RecipeError::Read {
            path: tf.path.clone().into(),
            source,
        };
        // A file to render is read whole (large ones are first checked in chunks); one
        // copied as it is stays where it is and is copied file to file.
        let bytes = match &tf.contents {
            Content::Disk { len, .. } if !verbatim && *len <= crate::content::LARGE_FILE => {
                Some(tf.contents.read().map_err(read_err)?)
            }
            _ => None,
        };
        let kind = match (&bytes, verbatim) {
            (_, true) => Kind::Binary,
            (Some(b), false) => crate::content::kind_of(b),
            (None, false) => tf.contents.kind().map_err(read_err)?,
        };
        let contents = match kind {
            Kind::Binary | Kind::Text { markers: false } => tf.contents.clone(),
            Kind::Text { markers: true } => {
                let bytes = match bytes {
                    Some(b) => b,
                    None => tf.contents.read().map_err(read_err)?,
                };
                let text = std::str::from_utf8(&bytes).unwrap_or_default();
                Content::from(render_file(&tf.path, text, scope.clone())?)
            }
        };
        Ok(Some(RenderedFile {
            path,
            contents,
            executable: tf.executable,
        }))
    });
    let mut files = Vec::with_capacity(recipe.files.len());
    let mut origin: HashMap<String, &str> = HashMap::new();
    for (tf, r) in recipe.files.iter().zip(rendered) {
        let Some(file) = r? else { continue };
        if let Some(first) = origin.insert(file.path.clone(), &tf.path) {
            return Err(RecipeError::DuplicatePath {
                first: first.to_string(),
                second: tf.path.clone(),
                rendered: file.path,
            });
        }
        files.push(file);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(RenderedTree { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_filters() {
        assert_eq!(
            words("My Cool-project_name"),
            ["my", "cool", "project", "name"]
        );
        assert_eq!(words("HTTPServer2Go"), ["httpserver2", "go"]);
        let env = jinja_env();
        let out = env.render_str("{{ 'My cool app' | snake_case }} {{ 'my-app' | pascal_case }} {{ 'my app' | camel_case }} {{ 'A b' | slugify }}", ()).expect("renders");
        assert_eq!(out, "my_cool_app MyApp myApp a-b");
    }

    #[test]
    fn tree_text_draws_folders() {
        let tree = RenderedTree {
            files: ["a/b.txt", "a/c/d.txt", "e.txt"]
                .iter()
                .map(|p| RenderedFile {
                    path: p.to_string(),
                    contents: Vec::new().into(),
                    executable: false,
                })
                .collect(),
        };
        assert_eq!(
            tree.tree_text("proj"),
            "proj\n├── a/\n│   ├── b.txt\n│   └── c/\n│       └── d.txt\n└── e.txt\n"
        );
    }

    #[test]
    fn binary_detection() {
        use crate::content::kind_of;
        assert_eq!(kind_of(b"ab\0c"), Kind::Binary);
        assert_eq!(kind_of(&[0xff, 0xfe, 0x41]), Kind::Binary);
        assert_eq!(kind_of("héllo".as_bytes()), Kind::Text { markers: false });
    }
}
