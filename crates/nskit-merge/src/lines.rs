//! The line merge. Each side is diffed against the base with git's own diff (`xdiff`), and
//! the two lists of changes are walked together:
//!
//! - a change that ends before the other side's next change starts is taken as it is;
//! - changes that overlap or touch are a conflict, unless both sides made the very same
//!   change;
//! - a conflict whose two sides share lines is split so that only the lines that differ
//!   conflict, and conflicts separated by at most three lines, or by lines without a letter
//!   or digit, are joined (not in diff3 style, where the base section must stay whole).
//!
//! These are the rules of `git merge-file`, so merges come out the same, byte for byte. The
//! outcome is kept as regions that cover the three files ([`LineMerge`]): markers are one
//! way to write them, the user's picks another.
use std::collections::HashMap;
use std::ops::Range;

use crate::xdiff::{Change, diff};

/// How conflicts are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConflictStyle {
    /// `<<<<<<<` ours `=======` theirs `>>>>>>>`.
    #[default]
    Merge,
    /// As `Merge`, with the base between `|||||||` and `=======`.
    Diff3,
}

/// The names written after the conflict markers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// After `<<<<<<<`.
    pub ours: Option<String>,
    /// After `|||||||` (diff3 style).
    pub base: Option<String>,
    /// After `>>>>>>>`.
    pub theirs: Option<String>,
}

/// git's marker length, used for a requested size of zero or less, as git does.
pub const DEFAULT_MARKER_SIZE: usize = 7;
/// The longest marker accepted: git fails with "out of memory" on sizes near `i32::MAX`;
/// a marker line of a mebibyte is already far past any use.
pub const MAX_MARKER_SIZE: usize = 1 << 20;

/// The marker size for a `--marker-size` value as git reads it: zero or less means the
/// default (7); more than [`MAX_MARKER_SIZE`] is an error saying so.
pub fn marker_size(requested: i64) -> Result<usize, String> {
    match requested {
        n if n <= 0 => Ok(DEFAULT_MARKER_SIZE),
        n if n as u64 > MAX_MARKER_SIZE as u64 => Err(format!(
            "marker size {n} is too large: at most {MAX_MARKER_SIZE}"
        )),
        n => Ok(n as usize),
    }
}

/// Options of a merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeOptions {
    /// Marker labels.
    pub labels: Labels,
    /// Conflict style.
    pub style: ConflictStyle,
    /// The length of the markers (7, as git; at most [`MAX_MARKER_SIZE`], longer is cut).
    pub marker_size: usize,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions {
            labels: Labels::default(),
            style: ConflictStyle::Merge,
            marker_size: DEFAULT_MARKER_SIZE,
        }
    }
}

/// A merge's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    /// The merged bytes, with conflict markers where the sides disagree.
    pub bytes: Vec<u8>,
    /// How many conflicts the bytes hold.
    pub conflicts: usize,
}

/// Splits into lines, each with its line ending; the last may have none.
fn split_lines(b: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in b.iter().enumerate() {
        if *c == b'\n' {
            out.push(&b[start..=i]);
            start = i + 1;
        }
    }
    if start < b.len() {
        out.push(&b[start..]);
    }
    out
}

/// One of the three files of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The common ancestor.
    Base,
    /// The first descendant: in an update, the user's project.
    Ours,
    /// The second descendant: in an update, the recipe's new version.
    Theirs,
}

/// What a region of a merge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RegionKind {
    /// No side changed these lines.
    Unchanged,
    /// Only ours changed them; the merge takes ours.
    Ours,
    /// Only theirs changed them; the merge takes theirs.
    Theirs,
    /// Both sides made the same change.
    Both,
    /// The sides changed them differently.
    Conflict,
}

/// A stretch of the merge: lines `base` of the base, `ours` of ours and `theirs` of theirs
/// (indices of lines, each line with its ending). The regions of a merge follow each other
/// and together cover every line of each of the three files, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// What the region is.
    pub kind: RegionKind,
    /// Its lines in the base.
    pub base: Range<usize>,
    /// Its lines in ours.
    pub ours: Range<usize>,
    /// Its lines in theirs.
    pub theirs: Range<usize>,
}

impl Region {
    /// The region's lines in one side.
    pub fn range(&self, side: Side) -> Range<usize> {
        match side {
            Side::Base => self.base.clone(),
            Side::Ours => self.ours.clone(),
            Side::Theirs => self.theirs.clone(),
        }
    }
}

/// How one conflict is resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// Ours.
    Ours,
    /// Theirs.
    Theirs,
    /// Ours, then theirs.
    OursThenTheirs,
    /// Theirs, then ours.
    TheirsThenOurs,
    /// The base: neither change.
    Base,
    /// Text given by hand.
    Text(Vec<u8>),
}

/// A three-way line merge as regions: what the merge decided for every stretch of the
/// three files. [`LineMerge::render`] writes it as `git merge-file` does, conflict markers
/// and all; [`LineMerge::resolve`] writes it with conflicts resolved as the user picked.
#[derive(Debug, Clone)]
pub struct LineMerge<'a> {
    base: Vec<&'a [u8]>,
    ours: Vec<&'a [u8]>,
    theirs: Vec<&'a [u8]>,
    regions: Vec<Region>,
    opts: MergeOptions,
}

/// What a region of git's merge list is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Conflict,
    Ours,
    Theirs,
}

/// A region as git's merge builds it, in the coordinates of base (`i0`), ours (`i1`) and
/// theirs (`i2`). Coordinates are signed, as git computes them.
#[derive(Debug, Clone, Copy)]
struct Raw {
    mode: Mode,
    i0: isize,
    chg0: isize,
    i1: isize,
    chg1: isize,
    i2: isize,
    chg2: isize,
}

/// Appends a region, joining it with the previous one when they overlap or touch on either
/// side (a join of different modes is a conflict).
fn push(regions: &mut Vec<Raw>, r: Raw) {
    if let Some(last) = regions.last_mut()
        && (r.i1 <= last.i1 + last.chg1 || r.i2 <= last.i2 + last.chg2)
    {
        if r.mode != last.mode {
            last.mode = Mode::Conflict;
        }
        last.chg0 = r.i0 + r.chg0 - last.i0;
        last.chg1 = r.i1 + r.chg1 - last.i1;
        last.chg2 = r.i2 + r.chg2 - last.i2;
        return;
    }
    regions.push(r);
}

/// A region while the merge is built: a public region, and whether it is an entry of git's
/// list (which matters to the joining of conflicts).
#[derive(Debug, Clone)]
struct Piece {
    region: Region,
    entry: bool,
}

/// Gives every distinct line a number, so that diffs compare numbers.
fn intern<'a>(ids: &mut HashMap<&'a [u8], u32>, lines: &[&'a [u8]]) -> Vec<u32> {
    lines
        .iter()
        .map(|l| {
            let n = ids.len() as u32;
            *ids.entry(*l).or_insert(n)
        })
        .collect()
}

/// Merges `ours` and `theirs`, two descendants of `base`: the bytes `git merge-file`
/// writes.
pub fn merge_lines(base: &[u8], ours: &[u8], theirs: &[u8], opts: &MergeOptions) -> Merged {
    LineMerge::new(base, ours, theirs, opts).render()
}

impl<'a> LineMerge<'a> {
    /// Merges `ours` and `theirs`, two descendants of `base`, into regions. The options'
    /// style matters here too: in diff3 style conflicts are not narrowed (their base stays
    /// whole), as in git.
    pub fn new(base: &'a [u8], ours: &'a [u8], theirs: &'a [u8], opts: &MergeOptions) -> Self {
        let (base_lines, ours_lines, theirs_lines) =
            (split_lines(base), split_lines(ours), split_lines(theirs));
        let mut ids: HashMap<&[u8], u32> = HashMap::new();
        let base_ids = intern(&mut ids, &base_lines);
        let ours_ids = intern(&mut ids, &ours_lines);
        let theirs_ids = intern(&mut ids, &theirs_lines);
        let ours_changes = diff(&base_ids, &ours_ids);
        let theirs_changes = diff(&base_ids, &theirs_ids);
        let s = Ids {
            ours: &ours_ids,
            theirs: &theirs_ids,
            ours_changes: &ours_changes,
        };
        let (raw, same) = walk(
            &s,
            &ours_changes,
            &theirs_changes,
            base_lines.len() as isize,
        );
        let mut pieces = partition(
            &raw,
            &same,
            (base_lines.len(), ours_lines.len(), theirs_lines.len()),
        );
        if opts.style == ConflictStyle::Merge {
            pieces = refine(&s, pieces);
            join_close_conflicts(&ours_lines, &mut pieces);
        }
        LineMerge {
            base: base_lines,
            ours: ours_lines,
            theirs: theirs_lines,
            regions: pieces.into_iter().map(|p| p.region).collect(),
            opts: opts.clone(),
        }
    }

    /// The regions, in order; together they cover each file.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    /// The conflict regions, in order.
    pub fn conflicts(&self) -> impl Iterator<Item = &Region> {
        self.regions
            .iter()
            .filter(|r| r.kind == RegionKind::Conflict)
    }

    /// The lines of one side, each with its ending.
    pub fn lines(&self, side: Side) -> &[&'a [u8]] {
        match side {
            Side::Base => &self.base,
            Side::Ours => &self.ours,
            Side::Theirs => &self.theirs,
        }
    }

    /// The bytes of lines `range` of one side.
    pub fn text(&self, side: Side, range: Range<usize>) -> Vec<u8> {
        let lines = self.lines(side);
        let range = range.start.min(lines.len())..range.end.min(lines.len());
        lines[range].concat()
    }

    /// The merge with conflict markers, exactly as `git merge-file` writes it.
    pub fn render(&self) -> Merged {
        self.resolve(&[])
    }

    /// The merge with each conflict resolved by its pick (by the conflict's number, from
    /// 0); a conflict without one (`None`, or past the end of `picks`) is written with
    /// markers. Where a picked text does not end with a line ending and more text follows,
    /// one is added, so that no two lines are glued together.
    pub fn resolve(&self, picks: &[Option<Pick>]) -> Merged {
        let mut out: Vec<u8> = Vec::new();
        let mut conflicts = 0;
        let mut number = 0;
        let eol = self.line_ending();
        // Whether the text written so far lacks a final newline that the next text needs.
        let mut open = false;
        let put = |out: &mut Vec<u8>, bytes: &[u8], open: &mut bool| {
            if bytes.is_empty() {
                return;
            }
            if *open {
                out.extend_from_slice(eol);
            }
            out.extend_from_slice(bytes);
            *open = !bytes.ends_with(b"\n");
        };
        for r in &self.regions {
            match r.kind {
                RegionKind::Unchanged | RegionKind::Ours | RegionKind::Both => {
                    put(&mut out, &self.text(Side::Ours, r.ours.clone()), &mut open)
                }
                RegionKind::Theirs => put(
                    &mut out,
                    &self.text(Side::Theirs, r.theirs.clone()),
                    &mut open,
                ),
                RegionKind::Conflict => {
                    let pick = picks.get(number).and_then(Option::as_ref);
                    number += 1;
                    let (o, t) = (
                        self.text(Side::Ours, r.ours.clone()),
                        self.text(Side::Theirs, r.theirs.clone()),
                    );
                    match pick {
                        Some(Pick::Ours) => put(&mut out, &o, &mut open),
                        Some(Pick::Theirs) => put(&mut out, &t, &mut open),
                        Some(Pick::OursThenTheirs) => {
                            put(&mut out, &o, &mut open);
                            put(&mut out, &t, &mut open);
                        }
                        Some(Pick::TheirsThenOurs) => {
                            put(&mut out, &t, &mut open);
                            put(&mut out, &o, &mut open);
                        }
                        Some(Pick::Base) => {
                            put(&mut out, &self.text(Side::Base, r.base.clone()), &mut open)
                        }
                        Some(Pick::Text(text)) => put(&mut out, text, &mut open),
                        None => {
                            conflicts += 1;
                            if open {
                                out.extend_from_slice(eol);
                            }
                            self.markers(&mut out, r);
                            open = false;
                        }
                    }
                }
            }
        }
        Merged {
            bytes: out,
            conflicts,
        }
    }

    /// Reads back the picks that give `text` from this merge: for each conflict, `None`
    /// when `text` still has its markers as [`LineMerge::render`] writes them, else what
    /// stands in their place (a side, both, the base, or the text itself). `None` when
    /// `text` changed outside the conflicts, so that no picks give it.
    pub fn picks_from(&self, text: &[u8]) -> Option<Vec<Option<Pick>>> {
        let mut picks = Vec::new();
        let mut budget = 10_000;
        self.read_picks(text, 0, 0, &mut picks, &mut budget)
            .then_some(picks)
    }

    /// Reads regions `i..` from `text[pos..]` into `picks`; tries each place a conflict
    /// may end (a line start where what follows it is found), within a budget of tries.
    fn read_picks(
        &self,
        text: &[u8],
        mut i: usize,
        mut pos: usize,
        picks: &mut Vec<Option<Pick>>,
        budget: &mut usize,
    ) -> bool {
        while i < self.regions.len() && self.regions[i].kind != RegionKind::Conflict {
            let want = self.merged_text(&self.regions[i]);
            if !text[pos..].starts_with(&want) {
                return false;
            }
            pos += want.len();
            i += 1;
        }
        if i == self.regions.len() {
            // The picks must give the text back, line endings added included.
            return pos == text.len() && self.resolve(picks).bytes == text;
        }
        let r = &self.regions[i];
        let mut block = Vec::new();
        self.markers(&mut block, r);
        let depth = picks.len();
        if text[pos..].starts_with(&block) {
            picks.push(None);
            if self.read_picks(text, i + 1, pos + block.len(), picks, budget) {
                return true;
            }
            picks.truncate(depth);
        }
        // What follows, up to the next conflict, anchors the end of this one.
        let anchor: Vec<u8> = self.regions[i + 1..]
            .iter()
            .take_while(|n| n.kind != RegionKind::Conflict)
            .flat_map(|n| self.merged_text(n))
            .collect();
        let ends: Vec<usize> = if i + 1 == self.regions.len() {
            vec![text.len()]
        } else if anchor.is_empty() {
            // Two conflicts in a row: nothing tells where one ends.
            return false;
        } else {
            (pos..=text.len().saturating_sub(anchor.len()))
                .filter(|&at| at == 0 || text[at - 1] == b'\n')
                .filter(|&at| text[at..].starts_with(&anchor))
                .collect()
        };
        for end in ends {
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            picks.push(Some(self.pick_for(r, &text[pos..end])));
            if self.read_picks(text, i + 1, end, picks, budget) {
                return true;
            }
            picks.truncate(depth);
        }
        false
    }

    /// The pick that puts `got` in place of conflict `r`.
    fn pick_for(&self, r: &Region, got: &[u8]) -> Pick {
        let (o, t, b) = (
            self.text(Side::Ours, r.ours.clone()),
            self.text(Side::Theirs, r.theirs.clone()),
            self.text(Side::Base, r.base.clone()),
        );
        if got == o.as_slice() {
            Pick::Ours
        } else if got == t.as_slice() {
            Pick::Theirs
        } else if got == [o.as_slice(), t.as_slice()].concat().as_slice() {
            Pick::OursThenTheirs
        } else if got == [t.as_slice(), o.as_slice()].concat().as_slice() {
            Pick::TheirsThenOurs
        } else if got == b.as_slice() {
            Pick::Base
        } else {
            Pick::Text(got.to_vec())
        }
    }

    /// A region's text in the merge, when it is not a conflict.
    fn merged_text(&self, r: &Region) -> Vec<u8> {
        match r.kind {
            RegionKind::Theirs => self.text(Side::Theirs, r.theirs.clone()),
            _ => self.text(Side::Ours, r.ours.clone()),
        }
    }

    /// The line ending picks use when they must add one: the ending of ours' first line
    /// (theirs', the base's), LF when none has one.
    fn line_ending(&self) -> &'static [u8] {
        for lines in [&self.ours, &self.theirs, &self.base] {
            if let Some(first) = lines.first()
                && first.ends_with(b"\n")
            {
                return if first.ends_with(b"\r\n") {
                    b"\r\n"
                } else {
                    b"\n"
                };
            }
        }
        b"\n"
    }

    /// Writes one conflict with markers, as git does.
    fn markers(&self, out: &mut Vec<u8>, r: &Region) {
        let opts = &self.opts;
        let copy = |out: &mut Vec<u8>, lines: &[&[u8]], eol: &[u8]| {
            for l in lines {
                out.extend_from_slice(l);
            }
            if lines.last().is_some_and(|l| !l.ends_with(b"\n")) {
                out.extend_from_slice(eol);
            }
        };
        let marker = |out: &mut Vec<u8>, c: u8, label: &Option<String>, eol: &[u8]| {
            out.extend(std::iter::repeat_n(
                c,
                opts.marker_size.min(MAX_MARKER_SIZE),
            ));
            if let Some(l) = label {
                out.push(b' ');
                out.extend_from_slice(l.as_bytes());
            }
            out.extend_from_slice(eol);
        };
        // Markers end like the lines around them.
        let eol: &[u8] = if self.markers_need_cr(r) {
            b"\r\n"
        } else {
            b"\n"
        };
        marker(out, b'<', &opts.labels.ours, eol);
        copy(out, &self.ours[r.ours.clone()], eol);
        if opts.style == ConflictStyle::Diff3 {
            marker(out, b'|', &opts.labels.base, eol);
            copy(out, &self.base[r.base.clone()], eol);
        }
        marker(out, b'=', &None, eol);
        copy(out, &self.theirs[r.theirs.clone()], eol);
        marker(out, b'>', &opts.labels.theirs, eol);
    }

    /// Whether conflict markers end with CRLF: both sides' lines before the conflict do not
    /// say LF, and the base's first line says CRLF (undecided means LF).
    fn markers_need_cr(&self, r: &Region) -> bool {
        let before = |v: usize| v.saturating_sub(1);
        crlf(&self.ours, before(r.ours.start)) != Some(false)
            && crlf(&self.theirs, before(r.theirs.start)) != Some(false)
            && crlf(&self.base, 0) == Some(true)
    }
}

/// The numbered lines of the merge's sides and ours' changes.
struct Ids<'s> {
    ours: &'s [u32],
    theirs: &'s [u32],
    ours_changes: &'s [Change],
}

/// Walks the two lists of changes together, as git's merge does: the regions where one
/// side changed, or both did (a conflict), and the changes both sides made alike.
fn walk(
    s: &Ids<'_>,
    ours: &[Change],
    theirs: &[Change],
    base_len: isize,
) -> (Vec<Raw>, Vec<(Change, Change)>) {
    let (mut a, mut b) = (0, 0);
    let mut regions: Vec<Raw> = Vec::new();
    let mut same = Vec::new();
    while a < ours.len() && b < theirs.len() {
        let (x, y) = (&ours[a], &theirs[b]);
        let (x0, x0n, x1, x1n) = (
            x.base.start as isize,
            x.base.len() as isize,
            x.side.start as isize,
            x.side.len() as isize,
        );
        let (y0, y0n, y2, y2n) = (
            y.base.start as isize,
            y.base.len() as isize,
            y.side.start as isize,
            y.side.len() as isize,
        );
        if x0 + x0n < y0 {
            push(
                &mut regions,
                Raw {
                    mode: Mode::Ours,
                    i0: x0,
                    chg0: x0n,
                    i1: x1,
                    chg1: x1n,
                    i2: y2 - y0 + x0,
                    chg2: x0n,
                },
            );
            a += 1;
            continue;
        }
        if y0 + y0n < x0 {
            push(
                &mut regions,
                Raw {
                    mode: Mode::Theirs,
                    i0: y0,
                    chg0: y0n,
                    i1: x1 - x0 + y0,
                    chg1: y0n,
                    i2: y2,
                    chg2: y2n,
                },
            );
            b += 1;
            continue;
        }
        if x.base == y.base && s.ours[x.side.clone()] == s.theirs[y.side.clone()] {
            same.push((x.clone(), y.clone()));
        } else {
            // The conflict spans both changes, in every side's coordinates.
            let off = x0 - y0;
            let ffo = off + x0n - y0n;
            let (mut i0, mut i1, mut i2) = (x0, x1, y2);
            if off > 0 {
                i0 -= off;
                i1 -= off;
            } else {
                i2 += off;
            }
            let (mut chg0, mut chg1, mut chg2) = (x0 + x0n - i0, x1 + x1n - i1, y2 + y2n - i2);
            if ffo < 0 {
                chg0 -= ffo;
                chg1 -= ffo;
            } else {
                chg2 += ffo;
            }
            push(
                &mut regions,
                Raw {
                    mode: Mode::Conflict,
                    i0,
                    chg0,
                    i1,
                    chg1,
                    i2,
                    chg2,
                },
            );
        }
        let (e1, e2) = (x0 + x0n, y0 + y0n);
        if e1 >= e2 {
            b += 1;
        }
        if e2 >= e1 {
            a += 1;
        }
    }
    let ours_growth = s.ours.len() as isize - base_len;
    let theirs_growth = s.theirs.len() as isize - base_len;
    for x in &ours[a..] {
        let (x0, x0n) = (x.base.start as isize, x.base.len() as isize);
        push(
            &mut regions,
            Raw {
                mode: Mode::Ours,
                i0: x0,
                chg0: x0n,
                i1: x.side.start as isize,
                chg1: x.side.len() as isize,
                i2: x0 + theirs_growth,
                chg2: x0n,
            },
        );
    }
    for y in &theirs[b..] {
        let (y0, y0n) = (y.base.start as isize, y.base.len() as isize);
        push(
            &mut regions,
            Raw {
                mode: Mode::Theirs,
                i0: y0,
                chg0: y0n,
                i1: y0 + ours_growth,
                chg1: y0n,
                i2: y.side.start as isize,
                chg2: y.side.len() as isize,
            },
        );
    }
    (regions, same)
}

/// `start..start + len` as a range within `0..total`.
fn span(start: isize, len: isize, total: usize) -> Range<usize> {
    let a = start.clamp(0, total as isize) as usize;
    let b = (start + len.max(0)).clamp(0, total as isize) as usize;
    a..b.max(a)
}

/// Where a partition has got to in each file.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    b: usize,
    o: usize,
    t: usize,
}

impl Cursor {
    /// Appends `n` unchanged lines.
    fn unchanged(&mut self, out: &mut Vec<Piece>, n: usize) {
        if n == 0 {
            return;
        }
        out.push(Piece {
            region: Region {
                kind: RegionKind::Unchanged,
                base: self.b..self.b + n,
                ours: self.o..self.o + n,
                theirs: self.t..self.t + n,
            },
            entry: false,
        });
        self.b += n;
        self.o += n;
        self.t += n;
    }

    /// Appends what lies before `upto`: the changes made alike, between unchanged lines.
    fn fill(
        &mut self,
        out: &mut Vec<Piece>,
        upto: Cursor,
        same: &mut std::iter::Peekable<std::slice::Iter<'_, (Change, Change)>>,
    ) {
        while let Some((x, y)) = same.peek() {
            if x.base.start < self.b || x.side.start < self.o || y.side.start < self.t {
                // Inside a region already written.
                same.next();
                continue;
            }
            if x.base.end > upto.b || x.side.end > upto.o || y.side.end > upto.t {
                break;
            }
            self.unchanged(out, x.side.start - self.o);
            out.push(Piece {
                region: Region {
                    kind: RegionKind::Both,
                    base: x.base.clone(),
                    ours: x.side.clone(),
                    theirs: y.side.clone(),
                },
                entry: false,
            });
            *self = Cursor {
                b: x.base.end,
                o: x.side.end,
                t: y.side.end,
            };
            same.next();
        }
        self.unchanged(out, upto.o.saturating_sub(self.o));
    }
}

/// Turns git's regions into pieces that cover the three files: the regions themselves,
/// the changes both sides made alike, and unchanged stretches between.
fn partition(raw: &[Raw], same: &[(Change, Change)], lens: (usize, usize, usize)) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut at = Cursor::default();
    let mut same = same.iter().peekable();
    for r in raw {
        let base = span(r.i0, r.chg0, lens.0);
        let ours = span(r.i1, r.chg1, lens.1);
        let theirs = span(r.i2, r.chg2, lens.2);
        let start = Cursor {
            b: base.start,
            o: ours.start,
            t: theirs.start,
        };
        at.fill(&mut out, start, &mut same);
        at = Cursor {
            b: base.end.max(at.b),
            o: ours.end.max(at.o),
            t: theirs.end.max(at.t),
        };
        out.push(Piece {
            region: Region {
                kind: match r.mode {
                    Mode::Conflict => RegionKind::Conflict,
                    Mode::Ours => RegionKind::Ours,
                    Mode::Theirs => RegionKind::Theirs,
                },
                base,
                ours,
                theirs,
            },
            entry: true,
        });
    }
    let end = Cursor {
        b: lens.0,
        o: lens.1,
        t: lens.2,
    };
    at.fill(&mut out, end, &mut same);
    out
}

/// The base line that ours' line `p` comes from, by ours' changes; a place inside a change
/// maps to the change's start in the base.
fn ours_to_base(changes: &[Change], p: usize) -> usize {
    let mut offset: isize = 0;
    for c in changes {
        if p <= c.side.start {
            break;
        }
        if p < c.side.end {
            return c.base.start;
        }
        offset = c.base.end as isize - c.side.end as isize;
    }
    (p as isize + offset).max(0) as usize
}

/// Narrows each conflict to the lines where ours and theirs really differ: the lines they
/// share become regions of their own.
fn refine(s: &Ids<'_>, pieces: Vec<Piece>) -> Vec<Piece> {
    let mut out = Vec::with_capacity(pieces.len());
    for p in pieces {
        let r = &p.region;
        if r.kind != RegionKind::Conflict || r.ours.is_empty() || r.theirs.is_empty() {
            out.push(p);
            continue;
        }
        let sub = diff(&s.ours[r.ours.clone()], &s.theirs[r.theirs.clone()]);
        if sub.is_empty() {
            // One change made twice: git keeps it as an entry of its own.
            out.push(Piece {
                region: Region {
                    kind: RegionKind::Both,
                    ..r.clone()
                },
                entry: true,
            });
            continue;
        }
        // Base lines go with the ours lines they come from, within the conflict's.
        let to_base = |at: usize| {
            if at == r.ours.start {
                return r.base.start;
            }
            if at == r.ours.end {
                return r.base.end;
            }
            ours_to_base(s.ours_changes, at).clamp(r.base.start, r.base.end)
        };
        let (mut o, mut t, mut b) = (r.ours.start, r.theirs.start, r.base.start);
        let mut cut = |kind: RegionKind, o_end: usize, t_end: usize, out: &mut Vec<Piece>| {
            let b_end = to_base(o_end).max(b);
            if o_end > o || t_end > t || b_end > b {
                out.push(Piece {
                    region: Region {
                        kind,
                        base: b..b_end,
                        ours: o..o_end,
                        theirs: t..t_end,
                    },
                    entry: false,
                });
            }
            (o, t, b) = (o_end, t_end, b_end);
        };
        for c in &sub {
            let (o_start, t_start) = (r.ours.start + c.base.start, r.theirs.start + c.side.start);
            cut(RegionKind::Both, o_start, t_start, &mut out);
            cut(
                RegionKind::Conflict,
                r.ours.start + c.base.end,
                r.theirs.start + c.side.end,
                &mut out,
            );
        }
        cut(RegionKind::Both, r.ours.end, r.theirs.end, &mut out);
    }
    for p in &mut out {
        if p.region.kind == RegionKind::Conflict {
            p.entry = true;
        }
    }
    out
}

/// Joins two conflicts separated by at most three lines, or by lines with no letter or
/// digit: one larger conflict reads more easily than two with a sliver between.
fn join_close_conflicts(ours: &[&[u8]], pieces: &mut Vec<Piece>) {
    let mut i = 0;
    while i < pieces.len() {
        if pieces[i].region.kind != RegionKind::Conflict {
            i += 1;
            continue;
        }
        // The next entry of git's list; only lines outside entries may lie between.
        let Some(j) = (i + 1..pieces.len()).find(|&j| pieces[j].entry) else {
            break;
        };
        if pieces[j].region.kind != RegionKind::Conflict {
            i = j;
            continue;
        }
        let (begin, end) = (pieces[i].region.ours.end, pieces[j].region.ours.start);
        let gap_has_alnum = ours[begin..end]
            .iter()
            .any(|l| l.iter().any(u8::is_ascii_alphanumeric));
        if end - begin > 3 && gap_has_alnum {
            i = j;
            continue;
        }
        let last = pieces[j].region.clone();
        let first = &mut pieces[i].region;
        first.base = first.base.start..last.base.end;
        first.ours = first.ours.start..last.ours.end;
        first.theirs = first.theirs.start..last.theirs.end;
        pieces.drain(i + 1..=j);
    }
}

/// Whether line `i` of a file ends with CRLF; `None` when it cannot tell (an empty file, or
/// a single line without an ending). A last line without an ending takes the ending of
/// the line before it.
fn crlf(lines: &[&[u8]], i: usize) -> Option<bool> {
    let ends_crlf = |l: &[u8]| l.ends_with(b"\r\n");
    if i + 1 < lines.len() {
        return Some(ends_crlf(lines[i]));
    }
    let last = lines.get(i)?;
    if last.ends_with(b"\n") {
        return Some(ends_crlf(last));
    }
    if i == 0 {
        return None;
    }
    Some(ends_crlf(lines[i - 1]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(base: &str, ours: &str, theirs: &str) -> (String, usize) {
        let r = merge_lines(
            base.as_bytes(),
            ours.as_bytes(),
            theirs.as_bytes(),
            &MergeOptions::default(),
        );
        (String::from_utf8(r.bytes).expect("utf8"), r.conflicts)
    }

    #[test]
    fn disjoint_changes_merge() {
        assert_eq!(
            m("a\nb\nc\nd\ne\n", "A\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n"),
            ("A\nb\nc\nd\nE\n".into(), 0)
        );
    }

    #[test]
    fn unchanged_side_returns_the_other_exactly() {
        assert_eq!(m("a\nb", "a\nb", "x\ny"), ("x\ny".into(), 0));
        assert_eq!(
            m("a\r\nb\r\n", "a\r\nB\r\n", "a\r\nb\r\n"),
            ("a\r\nB\r\n".into(), 0)
        );
    }

    #[test]
    fn same_change_on_both_sides_is_clean() {
        assert_eq!(
            m("a\nb\nc\n", "a\nX\nc\n", "a\nX\nc\n"),
            ("a\nX\nc\n".into(), 0)
        );
    }

    #[test]
    fn adjacent_changes_conflict_as_in_git() {
        let (text, n) = m("a\nb\n", "A\nb\n", "a\nB\n");
        assert_eq!(n, 1);
        assert_eq!(text, "<<<<<<<\nA\nb\n=======\na\nB\n>>>>>>>\n");
    }

    #[test]
    fn diff3_shows_the_base_with_labels() {
        let opts = MergeOptions {
            style: ConflictStyle::Diff3,
            labels: Labels {
                ours: Some("ours".into()),
                base: Some("base".into()),
                theirs: Some("theirs".into()),
            },
            ..MergeOptions::default()
        };
        let r = merge_lines(b"a\nb\nc\n", b"a\nX\nc\n", b"a\nY\nc\n", &opts);
        assert_eq!(
            String::from_utf8(r.bytes).expect("utf8"),
            "a\n<<<<<<< ours\nX\n||||||| base\nb\n=======\nY\n>>>>>>> theirs\nc\n"
        );
    }

    #[test]
    fn missing_final_newline_gets_one_before_a_marker() {
        let (text, n) = m("a", "b", "c");
        assert_eq!((text.as_str(), n), ("<<<<<<<\nb\n=======\nc\n>>>>>>>\n", 1));
    }

    #[test]
    fn crlf_markers_follow_the_file() {
        let (text, _) = m("x\r\na\r\n", "x\r\nb\r\n", "x\r\nc\r\n");
        assert_eq!(text, "x\r\n<<<<<<<\r\nb\r\n=======\r\nc\r\n>>>>>>>\r\n");
    }

    #[test]
    fn undecided_line_endings_give_lf_markers_as_git() {
        // Found by the fuzzer: the base's only line has no ending, so markers use LF.
        let opts = MergeOptions {
            style: ConflictStyle::Diff3,
            ..MergeOptions::default()
        };
        let r = merge_lines(
            b"\x0b\xdf",
            b"\r\n\n\n",
            b"\r\n\n\xff\xff\x06\n\xff\r",
            &opts,
        );
        assert_eq!(
            r.bytes,
            b"<<<<<<<\n\r\n\n\n|||||||\n\x0b\xdf\n=======\n\r\n\n\xff\xff\x06\n\xff\r\n>>>>>>>\n"
        );
    }

    #[test]
    fn non_utf8_passes_through() {
        let r = merge_lines(
            b"\xff\n1\n2\n3\n4\n",
            b"\xfe\n1\n2\n3\n4\n",
            b"\xff\n1\n2\n3\n\x80\n",
            &MergeOptions::default(),
        );
        assert_eq!(
            (r.bytes.as_slice(), r.conflicts),
            (&b"\xfe\n1\n2\n3\n\x80\n"[..], 0)
        );
    }

    #[test]
    fn empty_files() {
        assert_eq!(m("", "", ""), ("".into(), 0));
        assert_eq!(m("", "a\n", ""), ("a\n".into(), 0));
        assert_eq!(m("", "a\n", "a\n"), ("a\n".into(), 0));
        assert_eq!(m("", "a\n", "b\n").1, 1);
    }

    fn pick(base: &str, ours: &str, theirs: &str, picks: &[Option<Pick>]) -> (String, usize) {
        let m = LineMerge::new(
            base.as_bytes(),
            ours.as_bytes(),
            theirs.as_bytes(),
            &MergeOptions::default(),
        );
        let r = m.resolve(picks);
        (String::from_utf8(r.bytes).expect("utf8"), r.conflicts)
    }

    #[test]
    fn each_pick_gives_its_text() {
        let (b, o, t) = ("a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n");
        let one = |p: Pick| pick(b, o, t, &[Some(p)]);
        assert_eq!(one(Pick::Ours), ("a\nX\nc\n".into(), 0));
        assert_eq!(one(Pick::Theirs), ("a\nY\nc\n".into(), 0));
        assert_eq!(one(Pick::OursThenTheirs), ("a\nX\nY\nc\n".into(), 0));
        assert_eq!(one(Pick::TheirsThenOurs), ("a\nY\nX\nc\n".into(), 0));
        assert_eq!(one(Pick::Base), ("a\nb\nc\n".into(), 0));
        assert_eq!(
            one(Pick::Text(b"Z\nZ\n".to_vec())),
            ("a\nZ\nZ\nc\n".into(), 0)
        );
        // An empty text removes the lines.
        assert_eq!(one(Pick::Text(Vec::new())), ("a\nc\n".into(), 0));
        // No pick: the markers, as rendered.
        assert_eq!(pick(b, o, t, &[None]), m(b, o, t));
    }

    #[test]
    fn picks_never_glue_two_lines() {
        // A text without a final newline, followed by more lines, gets one.
        let (b, o, t) = ("a\nb\nc\n", "a\nX\nc\n", "a\nY\nc\n");
        assert_eq!(
            pick(b, o, t, &[Some(Pick::Text(b"Z".to_vec()))]),
            ("a\nZ\nc\n".into(), 0)
        );
        // Both sides end without one: both in a row are two lines, the last still open.
        assert_eq!(
            pick("a", "b", "c", &[Some(Pick::OursThenTheirs)]),
            ("b\nc".into(), 0)
        );
        // The added ending is the file's: CRLF here.
        assert_eq!(
            pick("x\r\na", "x\r\nb", "x\r\nc", &[Some(Pick::TheirsThenOurs)]),
            ("x\r\nc\r\nb".into(), 0)
        );
    }

    #[test]
    fn picks_go_to_conflicts_in_order() {
        let b = "1\nkeep\nkeep\nkeep\nkeep\n2\n";
        let o = "A\nkeep\nkeep\nkeep\nkeep\nB\n";
        let t = "a\nkeep\nkeep\nkeep\nkeep\nb\n";
        let (text, left) = pick(b, o, t, &[Some(Pick::Theirs), None]);
        assert_eq!(left, 1);
        assert_eq!(
            text,
            "a\nkeep\nkeep\nkeep\nkeep\n<<<<<<<\nB\n=======\nb\n>>>>>>>\n"
        );
        let (text, left) = pick(b, o, t, &[None, Some(Pick::Ours)]);
        assert_eq!(left, 1);
        assert!(text.ends_with("keep\nB\n") && text.starts_with("<<<<<<<\nA\n"));
    }

    #[test]
    fn picks_are_read_back_from_a_partly_resolved_file() {
        let b = "1\nkeep\nkeep\nkeep\nkeep\n2\nkeep\nkeep\nkeep\nkeep\n3\n";
        let o = "A\nkeep\nkeep\nkeep\nkeep\nB\nkeep\nkeep\nkeep\nkeep\nC\n";
        let t = "a\nkeep\nkeep\nkeep\nkeep\nb\nkeep\nkeep\nkeep\nkeep\nc\n";
        let m = LineMerge::new(
            b.as_bytes(),
            o.as_bytes(),
            t.as_bytes(),
            &MergeOptions::default(),
        );
        let picks = vec![
            Some(Pick::Theirs),
            None,
            Some(Pick::Text(b"by hand\n".to_vec())),
        ];
        let text = m.resolve(&picks).bytes;
        assert_eq!(m.picks_from(&text), Some(picks));
        assert_eq!(
            m.picks_from(&m.render().bytes),
            Some(vec![None, None, None])
        );
        let both = m
            .resolve(&[Some(Pick::OursThenTheirs), Some(Pick::Base)])
            .bytes;
        assert_eq!(
            m.picks_from(&both),
            Some(vec![Some(Pick::OursThenTheirs), Some(Pick::Base), None])
        );
        // An edit outside the conflicts: no picks give the text.
        let edited = String::from_utf8(text)
            .expect("utf8")
            .replacen("keep", "KEPT", 1);
        assert_eq!(m.picks_from(edited.as_bytes()), None);
    }
}
