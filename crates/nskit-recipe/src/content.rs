//! A file's bytes, in memory or left on disk: a recipe's large files (an image, an archive,
//! a data set) are never read whole into memory to be copied into a project; they are
//! checked in chunks and copied file to file.
use std::borrow::Cow;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are left on disk when a recipe is read.
pub const LARGE_FILE: u64 = 1 << 20;

/// A file's bytes.
#[derive(Debug, Clone)]
pub enum Content {
    /// In memory (compiled into the binary, read, or rendered).
    Memory(Cow<'static, [u8]>),
    /// In a file, read only when needed; `keep` holds the temporary folder the file is in
    /// alive as long as the content is.
    Disk {
        /// The file.
        path: PathBuf,
        /// Its size.
        len: u64,
        /// The temporary folder holding it, if any.
        keep: Option<Arc<tempfile::TempDir>>,
    },
}

impl PartialEq for Content {
    fn eq(&self, other: &Content) -> bool {
        match (self, other) {
            (Content::Memory(a), Content::Memory(b)) => a == b,
            _ => self.len() == other.len() && self.read().ok() == other.read().ok(),
        }
    }
}

impl PartialEq<[u8]> for Content {
    fn eq(&self, other: &[u8]) -> bool {
        self.len() == other.len() as u64 && self.read().is_ok_and(|b| b.as_ref() == other)
    }
}

impl PartialEq<Vec<u8>> for Content {
    fn eq(&self, other: &Vec<u8>) -> bool {
        *self == other[..]
    }
}

impl<const N: usize> PartialEq<[u8; N]> for Content {
    fn eq(&self, other: &[u8; N]) -> bool {
        *self == other[..]
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for Content {
    fn eq(&self, other: &&[u8; N]) -> bool {
        *self == other[..]
    }
}

impl From<Vec<u8>> for Content {
    fn from(v: Vec<u8>) -> Content {
        Content::Memory(Cow::Owned(v))
    }
}

impl From<&'static [u8]> for Content {
    fn from(v: &'static [u8]) -> Content {
        Content::Memory(Cow::Borrowed(v))
    }
}

impl From<&'static str> for Content {
    fn from(v: &'static str) -> Content {
        Content::Memory(Cow::Borrowed(v.as_bytes()))
    }
}

/// What a file is, for rendering: binary, or text with or without template markers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A NUL in the first 8 KiB, or not UTF-8.
    Binary,
    /// UTF-8 text; whether it has `{{`, `{%` or `{#` in it.
    Text {
        /// Whether Jinja markers appear.
        markers: bool,
    },
}

/// Classifies bytes (as [`Content::kind`] does in chunks).
pub(crate) fn kind_of(bytes: &[u8]) -> Kind {
    if bytes[..bytes.len().min(8192)].contains(&0) {
        return Kind::Binary;
    }
    match std::str::from_utf8(bytes) {
        Err(_) => Kind::Binary,
        Ok(t) => Kind::Text {
            markers: t.contains("{{") || t.contains("{%") || t.contains("{#"),
        },
    }
}

impl Content {
    /// Reads `path`: into memory when small, else left on disk (kept alive by `keep`).
    pub fn from_file(
        path: &Path,
        keep: Option<&Arc<tempfile::TempDir>>,
    ) -> std::io::Result<Content> {
        let len = std::fs::metadata(path)?.len();
        if len > LARGE_FILE {
            return Ok(Content::Disk {
                path: path.to_path_buf(),
                len,
                keep: keep.cloned(),
            });
        }
        Ok(Content::Memory(Cow::Owned(std::fs::read(path)?)))
    }

    /// A file of `len` bytes, left on disk until it is used: a recipe's files are read
    /// when it is rendered (in parallel), and those copied as they are never pass through
    /// memory.
    pub fn on_disk(path: &Path, len: u64, keep: Option<&Arc<tempfile::TempDir>>) -> Content {
        Content::Disk {
            path: path.to_path_buf(),
            len,
            keep: keep.cloned(),
        }
    }

    /// The size in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Content::Memory(b) => b.len() as u64,
            Content::Disk { len, .. } => *len,
        }
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes (read from disk when they are there).
    pub fn read(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match self {
            Content::Memory(b) => Ok(Cow::Borrowed(b.as_ref())),
            Content::Disk { path, len, .. } => {
                // Read to its end whatever its size now (a recipe's file may have changed
                // since it was listed); through `Take`, which does not ask the size again.
                let mut bytes = Vec::with_capacity(*len as usize + 1);
                std::fs::File::open(path)?
                    .take(u64::MAX)
                    .read_to_end(&mut bytes)?;
                Ok(Cow::Owned(bytes))
            }
        }
    }

    /// The bytes, owned.
    pub fn into_bytes(self) -> std::io::Result<Vec<u8>> {
        match self {
            Content::Memory(b) => Ok(b.into_owned()),
            Content::Disk { path, .. } => std::fs::read(path),
        }
    }

    /// Writes the bytes to `dest` (a file copy for content on disk: never whole in memory).
    pub fn write_to(&self, dest: &Path) -> std::io::Result<()> {
        match self {
            Content::Memory(b) => std::fs::write(dest, b),
            Content::Disk { path, .. } => std::fs::copy(path, dest).map(|_| ()),
        }
    }

    /// Binary or text, read in chunks for content on disk.
    pub fn kind(&self) -> std::io::Result<Kind> {
        let path = match self {
            Content::Memory(b) => return Ok(kind_of(b)),
            Content::Disk { path, .. } => path,
        };
        let mut f = std::fs::File::open(path)?;
        let mut buf = vec![0u8; 64 * 1024];
        // Bytes of an unfinished UTF-8 sequence or marker carried to the next chunk.
        let mut carry: Vec<u8> = Vec::new();
        let mut first = true;
        let mut markers = false;
        loop {
            let n = f.read(&mut buf)?;
            if n == 0 {
                return Ok(if carry.is_empty() || std::str::from_utf8(&carry).is_ok() {
                    Kind::Text { markers }
                } else {
                    Kind::Binary
                });
            }
            if first && buf[..n.min(8192)].contains(&0) {
                return Ok(Kind::Binary);
            }
            first = false;
            let mut chunk = std::mem::take(&mut carry);
            chunk.extend_from_slice(&buf[..n]);
            let valid = match std::str::from_utf8(&chunk) {
                Ok(_) => chunk.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(_) => return Ok(Kind::Binary),
            };
            let text = &chunk[..valid];
            markers = markers
                || text
                    .windows(2)
                    .any(|w| w[0] == b'{' && matches!(w[1], b'{' | b'%' | b'#'));
            // Keep the incomplete sequence, and a trailing `{` that may open a marker.
            let keep_from = if valid == chunk.len() && chunk.last() == Some(&b'{') {
                valid - 1
            } else {
                valid
            };
            carry = chunk[keep_from..].to_vec();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_stay_on_disk_and_are_classified_in_chunks() {
        let dir = tempfile::tempdir().expect("tempdir");
        let keep = Arc::new(tempfile::tempdir().expect("tempdir"));
        let big = keep.path().join("big.txt");
        // A multi-byte character and a `{{` across the 64 KiB chunk boundary.
        let mut text = "a".repeat(64 * 1024 - 1);
        text.push('é');
        text.push_str(&"b".repeat(2 * LARGE_FILE as usize));
        std::fs::write(&big, &text).expect("write");
        let c = Content::from_file(&big, Some(&keep)).expect("read");
        assert!(matches!(c, Content::Disk { .. }));
        assert_eq!(c.kind().expect("kind"), Kind::Text { markers: false });
        let mut marked = "x".repeat(64 * 1024 - 1);
        marked.push_str("{{ y }}");
        marked.push_str(&"z".repeat(2 * LARGE_FILE as usize));
        std::fs::write(&big, &marked).expect("write");
        let c = Content::from_file(&big, None).expect("read");
        assert_eq!(c.kind().expect("kind"), Kind::Text { markers: true });
        let mut bin = vec![b'x'; 3 * LARGE_FILE as usize];
        let at = 5_000_000 % bin.len();
        bin[at] = 0xff;
        std::fs::write(&big, &bin).expect("write");
        assert_eq!(
            Content::from_file(&big, None)
                .expect("read")
                .kind()
                .expect("kind"),
            Kind::Binary
        );
        let dest = dir.path().join("copy");
        Content::from_file(&big, None)
            .expect("read")
            .write_to(&dest)
            .expect("copy");
        assert_eq!(std::fs::read(&dest).expect("read"), bin);
        let copied = Content::from_file(&dir.path().join("copy"), None).expect("read");
        assert!(matches!(copied, Content::Disk { .. }));
        assert_eq!(
            Content::from(b"{% x %}".as_slice()).kind().expect("k"),
            Kind::Text { markers: true }
        );
    }
}
