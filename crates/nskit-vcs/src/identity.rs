//! The user's git identity read straight from git's configuration files, without starting
//! libgit2; files that include others are left to libgit2.
use std::ffi::OsString;
use std::path::PathBuf;

use crate::GitIdentity;

/// The files git reads for the global identity, lowest precedence first: the system file
/// (unless `GIT_CONFIG_NOSYSTEM`), the XDG file, the global file (`GIT_CONFIG_GLOBAL` or
/// `~/.gitconfig`).
pub(crate) fn config_files(env: &dyn Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    let mut out = vec![];
    let set = |k: &str| env(k).filter(|v| !v.is_empty());
    if set("GIT_CONFIG_NOSYSTEM").is_none_or(|v| v == "0" || v == "false") {
        out.push(
            set("GIT_CONFIG_SYSTEM")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("/etc/gitconfig")),
        );
    }
    let home = set("HOME").map(PathBuf::from);
    let xdg = set("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|h| h.join(".config")));
    match set("GIT_CONFIG_GLOBAL") {
        Some(g) => out.push(PathBuf::from(g)),
        None => {
            out.extend(xdg.map(|x| x.join("git/config")));
            out.extend(home.map(|h| h.join(".gitconfig")));
        }
    }
    out
}

/// `user.name` and `user.email` from `files` (later files win), or `None` when a file
/// includes another (`[include]`, `[includeIf ...]`) or cannot be read as text, so that
/// libgit2 reads them instead.
pub(crate) fn read_plain(files: &[PathBuf]) -> Option<GitIdentity> {
    let mut id = GitIdentity::default();
    for f in files {
        let text = match std::fs::read(f) {
            Ok(b) => String::from_utf8(b).ok()?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(_) => return None,
        };
        let mut section = String::new();
        for raw in text.lines() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let (head, after) = rest.split_once(']')?;
                if !after.trim().is_empty() && !after.trim().starts_with(['#', ';']) {
                    return None;
                }
                let name = head.split_whitespace().next().unwrap_or("").to_lowercase();
                if name == "include" || name == "includeif" {
                    return None;
                }
                // A subsection (`[user "x"]`) is not `[user]`.
                section = if head.trim().contains(char::is_whitespace) {
                    String::new()
                } else {
                    name
                };
                continue;
            }
            if section != "user" {
                continue;
            }
            let (key, value) = match line.split_once('=') {
                Some((k, v)) => (k.trim().to_lowercase(), value_of(v)?),
                None => continue,
            };
            let value = Some(value).filter(|v| !v.is_empty());
            match key.as_str() {
                "name" => id.name = value,
                "email" => id.email = value,
                _ => {}
            }
        }
    }
    Some(id)
}

/// A config value: quotes and escapes resolved, a trailing comment dropped; `None` for a
/// continued line (left to libgit2).
fn value_of(raw: &str) -> Option<String> {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = raw.trim().chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('b') => {
                    out.pop();
                }
                Some(c @ ('"' | '\\')) => out.push(c),
                _ => return None,
            },
            '#' | ';' if !quoted => break,
            c => out.push(c),
        }
    }
    if quoted {
        return None;
    }
    Some(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn libgit2(files: &[PathBuf]) -> GitIdentity {
        let mut cfg = git2::Config::new().expect("config");
        for (i, f) in files.iter().enumerate() {
            if f.exists() {
                let level = [
                    git2::ConfigLevel::System,
                    git2::ConfigLevel::XDG,
                    git2::ConfigLevel::Global,
                ][i.min(2)];
                cfg.add_file(f, level, false).expect("add");
            }
        }
        let get = |k: &str| {
            cfg.get_string(k)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        GitIdentity {
            name: get("user.name"),
            email: get("user.email"),
        }
    }

    #[test]
    fn plain_files_read_as_libgit2_reads_them() {
        let dir = tempfile::tempdir().expect("tmp");
        let sys = dir.path().join("system");
        let xdg = dir.path().join("xdg");
        let global = dir.path().join("global");
        std::fs::write(
            &sys,
            "[user]\n\tname = System Person\n\temail = sys@example.com\n",
        )
        .expect("w");
        std::fs::write(&xdg, "[core]\n\teditor = vi\n[user \"x\"]\n\tname = Not Me\n[User]\n\tName = \"Ada \\\"the\\\" Lovelace\" # a comment\n").expect("w");
        std::fs::write(
            &global,
            "# mine\n[user]\nemail = ada@example.com ; trailing\n[alias]\n\tst = status\n",
        )
        .expect("w");
        let files = vec![sys, xdg, global];
        let ours = read_plain(&files).expect("plain");
        assert_eq!(ours, libgit2(&files));
        assert_eq!(ours.name.as_deref(), Some("Ada \"the\" Lovelace"));
        assert_eq!(ours.email.as_deref(), Some("ada@example.com"));
    }

    #[test]
    fn includes_are_left_to_libgit2() {
        let dir = tempfile::tempdir().expect("tmp");
        let global = dir.path().join("global");
        std::fs::write(
            &global,
            "[includeIf \"gitdir:~/work/\"]\n\tpath = work.inc\n",
        )
        .expect("w");
        assert_eq!(read_plain(std::slice::from_ref(&global)), None);
        std::fs::write(&global, "[include]\n\tpath = other\n").expect("w");
        assert_eq!(read_plain(&[global]), None);
    }

    #[test]
    fn the_files_git_reads() {
        let env = |k: &str| match k {
            "HOME" => Some("/home/ada".into()),
            "GIT_CONFIG_NOSYSTEM" => Some("1".into()),
            _ => None,
        };
        assert_eq!(
            config_files(&env),
            [
                PathBuf::from("/home/ada/.config/git/config"),
                PathBuf::from("/home/ada/.gitconfig")
            ]
        );
        let env = |k: &str| match k {
            "HOME" => Some("/home/ada".into()),
            "GIT_CONFIG_GLOBAL" => Some("/tmp/g".into()),
            "XDG_CONFIG_HOME" => Some("/x".into()),
            _ => None,
        };
        assert_eq!(
            config_files(&env),
            [PathBuf::from("/etc/gitconfig"), PathBuf::from("/tmp/g")]
        );
    }
}
