//! Key-level three-way merge of JSON, TOML and YAML.
//!
//! The three sides are parsed to plain values and merged key by key: a key changed on one
//! side only takes that side's value, a key added on one side is added, tables merge
//! recursively, and arrays of distinct items merge as ordered sets (an item one side added
//! is added, an item one side removed is removed). What both sides changed differently is a
//! conflict, and the caller falls back to the line merge, which shows it with markers.
//!
//! The merged value is then written by editing the user's own file, so its formatting and
//! comments stay: `toml_edit` and `yaml-edit` edit documents in place; JSON has no comments
//! and is written with the user's indentation and key order. Every output is parsed back
//! and compared with the merged value before it is used.
use serde_json::{Map, Value};

/// A file format with a structured merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.json`
    Json,
    /// `.toml`
    Toml,
    /// `.yaml`, `.yml`
    Yaml,
}

impl Format {
    /// The format of a path, by its extension.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "toml" => Some(Format::Toml),
            "yaml" | "yml" => Some(Format::Yaml),
            _ => None,
        }
    }

    /// Parses text to a plain value; `None` when it is not valid in this format (or, for
    /// YAML, uses keys that are not strings, anchors across documents and the like).
    pub fn parse(self, text: &str) -> Option<Value> {
        match self {
            Format::Json => serde_json::from_str(text).ok(),
            Format::Toml => toml::from_str::<Value>(text).ok(),
            Format::Yaml => {
                if text.trim().is_empty() {
                    return Some(Value::Null);
                }
                serde_saphyr::from_str::<Value>(text).ok()
            }
        }
    }
}

/// A change the merge makes to the user's value.
#[derive(Debug, Clone, PartialEq)]
enum Edit {
    /// Give the key at this path the template's value.
    Take(Vec<String>),
    /// Give the key at this path a value merged from both sides (an array).
    Put(Vec<String>, Value),
    /// Remove the key at this path.
    Remove(Vec<String>),
}

/// Both sides changed the same thing differently.
#[derive(Debug)]
struct Conflict;

fn merge_value(
    path: &mut Vec<String>,
    base: Option<&Value>,
    ours: Option<&Value>,
    theirs: Option<&Value>,
    edits: &mut Vec<Edit>,
) -> Result<(), Conflict> {
    if theirs == base || ours == theirs {
        return Ok(());
    }
    // Tables are merged key by key even when only one side changed them, so edits touch
    // single keys and the user's layout and comments around them stay.
    let both_tables = matches!(
        (ours, theirs),
        (Some(Value::Object(_)), Some(Value::Object(_)))
    );
    if ours == base && !both_tables {
        edits.push(match theirs {
            Some(_) => Edit::Take(path.clone()),
            None => Edit::Remove(path.clone()),
        });
        return Ok(());
    }
    let empty = Map::new();
    match (base, ours, theirs) {
        (None | Some(Value::Object(_)), Some(Value::Object(o)), Some(Value::Object(t))) => {
            let b = match base {
                Some(Value::Object(b)) => b,
                _ => &empty,
            };
            let keys = o
                .keys()
                .chain(t.keys().filter(|k| !o.contains_key(*k)))
                .chain(
                    b.keys()
                        .filter(|k| !o.contains_key(*k) && !t.contains_key(*k)),
                );
            for k in keys {
                path.push(k.clone());
                merge_value(path, b.get(k), o.get(k), t.get(k), edits)?;
                path.pop();
            }
            Ok(())
        }
        (Some(Value::Array(b)), Some(Value::Array(o)), Some(Value::Array(t))) => {
            let merged = merge_sets(b, o, t).ok_or(Conflict)?;
            edits.push(Edit::Put(path.clone(), Value::Array(merged)));
            Ok(())
        }
        _ => Err(Conflict),
    }
}

/// Merges arrays as ordered sets: the user's order, less what the template removed, plus
/// what it added (after the item it follows in the template). Arrays with repeated items,
/// or where both sides removed the same item and both added others (most likely the same
/// item edited two ways), are a conflict.
fn merge_sets(base: &[Value], ours: &[Value], theirs: &[Value]) -> Option<Vec<Value>> {
    let distinct = |a: &[Value]| a.iter().enumerate().all(|(i, x)| !a[..i].contains(x));
    if !(distinct(base) && distinct(ours) && distinct(theirs)) {
        return None;
    }
    let removed_by = |side: &[Value]| -> Vec<&Value> {
        base.iter()
            .filter(|x| !side.contains(x))
            .collect::<Vec<_>>()
    };
    let (ours_removed, theirs_removed) = (removed_by(ours), removed_by(theirs));
    let ours_added = ours.iter().any(|x| !base.contains(x));
    let theirs_added: Vec<&Value> = theirs.iter().filter(|x| !base.contains(x)).collect();
    if ours_added
        && !theirs_added.is_empty()
        && ours_removed.iter().any(|x| theirs_removed.contains(x))
    {
        return None;
    }
    let mut out: Vec<Value> = ours
        .iter()
        .filter(|x| !theirs_removed.contains(x))
        .cloned()
        .collect();
    for (i, item) in theirs.iter().enumerate() {
        if base.contains(item) || out.contains(item) {
            continue;
        }
        let at = theirs[..i]
            .iter()
            .rev()
            .find_map(|prev| out.iter().position(|x| x == prev).map(|p| p + 1))
            .unwrap_or(0);
        out.insert(at, item.clone());
    }
    Some(out)
}

/// A structured merge: the merged text, or `None` when a side does not parse, a key truly
/// conflicts, or the format library cannot write the result faithfully.
pub fn merge_structured(format: Format, base: &str, ours: &str, theirs: &str) -> Option<String> {
    write(
        format,
        ours,
        theirs,
        &key_merge(format, base, ours, theirs)?,
    )
}

/// The merged value a structured merge must produce (to check the written text against).
/// Where the structured merge conflicts, `None`.
pub fn merged_value(format: Format, base: &str, ours: &str, theirs: &str) -> Option<Value> {
    Some(key_merge(format, base, ours, theirs)?.expected)
}

/// A clean key-level merge: the merged value, and the edits that turn the user's value
/// into it.
pub(crate) struct KeyMerge {
    pub(crate) expected: Value,
    edits: Vec<Edit>,
}

/// Parses the three sides and merges them key by key; `None` when a side does not parse
/// or a key truly conflicts.
pub(crate) fn key_merge(format: Format, base: &str, ours: &str, theirs: &str) -> Option<KeyMerge> {
    let (b, o, t) = (
        format.parse(base)?,
        format.parse(ours)?,
        format.parse(theirs)?,
    );
    let mut edits = Vec::new();
    merge_value(&mut Vec::new(), Some(&b), Some(&o), Some(&t), &mut edits).ok()?;
    let expected = apply_to_value(o, &t, &edits)?;
    Some(KeyMerge { expected, edits })
}

/// Writes a key merge by editing the user's text; `None` when the format library cannot
/// write it faithfully (the text must parse back to the merged value).
pub(crate) fn write(format: Format, ours: &str, theirs: &str, km: &KeyMerge) -> Option<String> {
    if km.edits.is_empty() {
        return Some(ours.to_string());
    }
    let (edits, expected) = (&km.edits, &km.expected);
    let text = match format {
        Format::Json => write_json(ours, expected),
        Format::Toml => edit_toml(ours, theirs, edits),
        // yaml-edit is young: should it panic on an odd document, the merge falls back.
        Format::Yaml => std::panic::catch_unwind(|| edit_yaml(ours, theirs, edits))
            .ok()
            .flatten()
            .or_else(|| write_yaml(ours, expected)),
    }?;
    (format.parse(&text).as_ref() == Some(expected)).then_some(text)
}

fn get_path<'a>(v: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.as_object()?.get(k))
}

fn apply_to_value(mut ours: Value, theirs: &Value, edits: &[Edit]) -> Option<Value> {
    for e in edits {
        let (path, new) = match e {
            Edit::Take(p) => (p, Some(get_path(theirs, p)?.clone())),
            Edit::Put(p, v) => (p, Some(v.clone())),
            Edit::Remove(p) => (p, None),
        };
        let Some((last, parents)) = path.split_last() else {
            ours = new.unwrap_or(Value::Null);
            continue;
        };
        let mut cur = &mut ours;
        for k in parents {
            cur = cur.as_object_mut()?.get_mut(k)?;
        }
        let map = cur.as_object_mut()?;
        match new {
            Some(v) if !map.contains_key(last) => {
                // A new key goes after the key it follows in the template.
                let parent_theirs = get_path(theirs, parents).and_then(Value::as_object);
                let after = parent_theirs.and_then(|t| {
                    let keys: Vec<&String> = t.keys().collect();
                    let i = keys.iter().position(|k| *k == last)?;
                    keys[..i]
                        .iter()
                        .rev()
                        .find_map(|k| map.keys().position(|x| x == *k))
                });
                match after {
                    Some(i) => {
                        map.shift_insert(i + 1, last.clone(), v);
                    }
                    None => {
                        map.insert(last.clone(), v);
                    }
                }
            }
            Some(v) => {
                map.insert(last.clone(), v);
            }
            None => {
                map.shift_remove(last);
            }
        }
    }
    Some(ours)
}

fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// JSON with the user's indentation (spaces or a tab, as the first indented line has it),
/// key order and final newline.
fn write_json(ours: &str, value: &Value) -> Option<String> {
    let indent: String = ours
        .lines()
        .find_map(|l| {
            let ws: String = l.chars().take_while(|c| *c == ' ' || *c == '\t').collect();
            (!ws.is_empty()).then_some(ws)
        })
        .unwrap_or_else(|| "  ".to_string());
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(value, &mut ser).ok()?;
    let mut text = String::from_utf8(buf).ok()?;
    let nl = line_ending(ours);
    if nl != "\n" {
        text = text.replace('\n', nl);
    }
    if ours.ends_with('\n') {
        text.push_str(nl);
    }
    Some(text)
}

/// A value as YAML, each scalar on its line (no folded `>-` blocks for long strings).
fn yaml_text(value: &Value) -> Option<String> {
    let options = serde_saphyr::ser_options! { prefer_block_scalars: false };
    serde_saphyr::to_string_with_options(value, options).ok()
}

fn write_yaml(ours: &str, value: &Value) -> Option<String> {
    let text = yaml_text(value)?;
    let nl = line_ending(ours);
    Some(if nl == "\n" {
        text
    } else {
        text.replace('\n', nl)
    })
}

/// Applies the edits to the user's TOML document, taking values from the template's
/// document so they keep the template's formatting.
fn edit_toml(ours: &str, theirs: &str, edits: &[Edit]) -> Option<String> {
    use toml_edit::{DocumentMut, Item};
    let mut doc: DocumentMut = ours.parse().ok()?;
    let their_doc: DocumentMut = theirs.parse().ok()?;
    fn item_at<'a>(root: &'a Item, path: &[String]) -> Option<&'a Item> {
        path.iter().try_fold(root, |it, k| it.get(k.as_str()))
    }
    for e in edits {
        let path = match e {
            Edit::Take(p) | Edit::Put(p, _) | Edit::Remove(p) => p,
        };
        let (last, parents) = path.split_last()?;
        let mut cur: &mut Item = doc.as_item_mut();
        for k in parents {
            cur = cur.get_mut(k.as_str())?;
        }
        let table = cur.as_table_like_mut()?;
        match e {
            Edit::Remove(_) => {
                table.remove(last);
            }
            Edit::Take(p) => {
                let new = item_at(their_doc.as_item(), p)?.clone();
                match table.get_mut(last) {
                    Some(Item::Value(old)) if new.is_value() => {
                        let decor = old.decor().clone();
                        let mut v = new.into_value().ok()?;
                        *v.decor_mut() = decor;
                        *old = v;
                    }
                    _ => {
                        table.insert(last, new);
                    }
                }
            }
            Edit::Put(_, value) => {
                let old = table.get_mut(last)?;
                let new = toml_array(old.as_array(), value)?;
                let Item::Value(v) = old else { return None };
                let decor = v.decor().clone();
                *v = toml_edit::Value::Array(new);
                *v.decor_mut() = decor;
            }
        }
    }
    Some(doc.to_string())
}

/// A TOML array of `value`'s items, laid out as `old` was (one item per line when it was).
fn toml_array(old: Option<&toml_edit::Array>, value: &Value) -> Option<toml_edit::Array> {
    let items = value.as_array()?;
    let mut arr = toml_edit::Array::new();
    for item in items {
        arr.push_formatted(json_to_toml(item)?);
    }
    let old = old?;
    let prefix = old
        .iter()
        .next()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .map(str::to_string);
    match prefix {
        Some(p) if p.contains('\n') => {
            for v in arr.iter_mut() {
                v.decor_mut().set_prefix(p.clone());
                v.decor_mut().set_suffix("");
            }
            arr.set_trailing_comma(true);
            let indent_end = old.trailing().as_str().unwrap_or("\n").to_string();
            arr.set_trailing(if indent_end.contains('\n') {
                indent_end
            } else {
                "\n".into()
            });
        }
        _ => arr.fmt(),
    }
    Some(arr)
}

/// A TOML value for a plain value (`None` for null, which TOML has not; a datetime comes
/// back from `toml` as a one-key table and is written as the datetime).
fn json_to_toml(v: &Value) -> Option<toml_edit::Value> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => (*b).into(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.into(),
            None => n.as_f64()?.into(),
        },
        Value::String(s) => s.as_str().into(),
        Value::Array(a) => {
            let mut arr = toml_edit::Array::new();
            for x in a {
                arr.push(json_to_toml(x)?);
            }
            toml_edit::Value::Array(arr)
        }
        Value::Object(o) => {
            if let (1, Some(Value::String(dt))) = (o.len(), o.get("$__toml_private_datetime")) {
                return dt.parse::<toml_edit::Datetime>().ok().map(Into::into);
            }
            let mut t = toml_edit::InlineTable::new();
            for (k, x) in o {
                t.insert(k, json_to_toml(x)?);
            }
            toml_edit::Value::InlineTable(t)
        }
    })
}

/// Applies the edits to the user's YAML document with `yaml-edit`, which keeps comments
/// and layout; values come from the template's document.
fn edit_yaml(ours: &str, theirs: &str, edits: &[Edit]) -> Option<String> {
    use std::str::FromStr;
    use yaml_edit::{Document, Mapping};
    let doc = Document::from_str(ours).ok()?;
    let their_doc = Document::from_str(theirs).ok()?;
    let mapping_at = |root: Mapping, path: &[String]| -> Option<Mapping> {
        path.iter().try_fold(root, |m, k| m.get_mapping(k.as_str()))
    };
    for e in edits {
        let path = match e {
            Edit::Take(p) | Edit::Put(p, _) | Edit::Remove(p) => p,
        };
        let (last, parents) = path.split_last()?;
        let target = mapping_at(doc.as_mapping()?, parents)?;
        match e {
            Edit::Remove(_) => {
                target.remove(last.as_str())?;
            }
            Edit::Take(_) => {
                let source = mapping_at(their_doc.as_mapping()?, parents)?;
                let node = source.get(last.as_str())?;
                target.set(last.as_str(), node);
            }
            Edit::Put(_, value) => {
                let text = yaml_text(value)?;
                let parsed = Document::from_str(&text).ok()?;
                let seq = parsed.as_sequence()?;
                target.set(last.as_str(), seq);
            }
        }
    }
    Some(doc.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_user_dependency_and_template_bump_both_survive() {
        let base =
            "[package]\nname = \"demo\"\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\n";
        let ours = "# my notes\n[package]\nname = \"demo\"   # keep\nversion = \"0.1.0\"\n\n[dependencies]\nserde = \"1\"\nrand = \"0.9\" # added by me\n";
        let theirs = "[package]\nname = \"demo\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nserde = \"1.0.200\"\n";
        let out = merge_structured(Format::Toml, base, ours, theirs).expect("clean");
        assert!(out.contains("# my notes"), "{out}");
        assert!(out.contains("name = \"demo\"   # keep"), "{out}");
        assert!(out.contains("rand = \"0.9\" # added by me"), "{out}");
        assert!(out.contains("serde = \"1.0.200\""), "{out}");
        assert!(out.contains("edition = \"2024\""), "{out}");
    }

    #[test]
    fn json_keys_merge_with_the_users_indentation() {
        let base = "{\n    \"name\": \"x\",\n    \"version\": \"1.0.0\"\n}\n";
        let ours =
            "{\n    \"name\": \"x\",\n    \"version\": \"1.0.0\",\n    \"private\": true\n}\n";
        let theirs = "{\n    \"name\": \"x\",\n    \"version\": \"1.1.0\"\n}\n";
        let out = merge_structured(Format::Json, base, ours, theirs).expect("clean");
        assert_eq!(
            out,
            "{\n    \"name\": \"x\",\n    \"version\": \"1.1.0\",\n    \"private\": true\n}\n"
        );
    }

    #[test]
    fn yaml_keeps_comments() {
        let base = "name: demo\nci:\n  python: '3.11'\n";
        let ours = "# project settings\nname: demo  # the name\nci:\n  python: '3.11'\n  extra: yes-please\n";
        let theirs = "name: demo\nci:\n  python: '3.12'\n";
        let out = merge_structured(Format::Yaml, base, ours, theirs).expect("clean");
        assert!(out.contains("# project settings"), "{out}");
        assert!(out.contains("# the name"), "{out}");
        assert!(out.contains("'3.12'"), "{out}");
        assert!(out.contains("extra: yes-please"), "{out}");
    }

    #[test]
    fn same_key_changed_two_ways_conflicts() {
        let base = "a = 1\n";
        assert_eq!(
            merge_structured(Format::Toml, base, "a = 2\n", "a = 3\n"),
            None
        );
        assert_eq!(
            merge_structured(Format::Json, "{\"a\":1}", "{\"a\":2}", "not json"),
            None
        );
    }

    #[test]
    fn arrays_merge_as_sets() {
        let base = "[project]\ndependencies = [\n    \"click\",\n    \"rich\",\n]\n";
        let ours =
            "[project]\ndependencies = [\n    \"click\",\n    \"rich\",\n    \"httpx\",\n]\n";
        let theirs = "[project]\ndependencies = [\n    \"click>=8\",\n    \"rich\",\n]\n";
        let out = merge_structured(Format::Toml, base, ours, theirs).expect("clean");
        assert_eq!(
            out,
            "[project]\ndependencies = [\n    \"click>=8\",\n    \"rich\",\n    \"httpx\",\n]\n"
        );
        // Both edited the same item: a conflict, not two versions of it.
        let ours2 = "[project]\ndependencies = [\n    \"click<9\",\n    \"rich\",\n]\n";
        assert_eq!(merge_structured(Format::Toml, base, ours2, theirs), None);
    }

    #[test]
    fn template_removal_of_an_untouched_key_applies() {
        let base = "a: 1\nb: 2\n";
        let out =
            merge_structured(Format::Yaml, base, "a: 1\nb: 2\nc: 3\n", "a: 1\n").expect("clean");
        assert_eq!(Format::Yaml.parse(&out), Format::Yaml.parse("a: 1\nc: 3\n"));
    }
}
