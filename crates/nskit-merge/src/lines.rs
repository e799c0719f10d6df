//! The line merge. Each side is diffed against the base (Myers, on interned lines), and the
//! two lists of changes are walked together:
//!
//! - a change that ends before the other side's next change starts is taken as it is;
//! - changes that overlap or touch are a conflict, unless both sides made the very same
//!   change;
//! - a conflict whose two sides share lines is split so that only the lines that differ
//!   conflict, and conflicts separated by at most three lines, or by lines without a letter
//!   or digit, are joined (not in diff3 style, where the base section must stay whole).
//!
//! These are the rules of `git merge-file`, so clean merges come out the same.
use std::collections::HashMap;
use std::ops::Range;

use similar::{Algorithm, DiffTag, capture_diff_slices};

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

/// A change: lines `base` of the base became lines `side` of one side.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Change {
    base: Range<usize>,
    side: Range<usize>,
}

/// xdiff's integer square root estimate.
fn bogosqrt(mut n: usize) -> usize {
    let mut i = 1;
    while n > 0 {
        i <<= 1;
        n >>= 2;
    }
    i
}

/// xdiff's rule for a line with many matches (`dis[i] == 2`): discard it when it sits in a
/// run of lines without a match, mostly.
fn clean_mmatch(dis: &[u8], i: usize, s: usize, e: usize) -> bool {
    const SIMSCAN_WINDOW: usize = 100;
    const KPDIS_RUN: usize = 4;
    let s = s.max(i.saturating_sub(SIMSCAN_WINDOW));
    let e = e.min(i + SIMSCAN_WINDOW);
    let (mut rdis0, mut rpdis0) = (0, 1);
    let mut r = 1;
    while i >= s + r {
        match dis[i - r] {
            0 => rdis0 += 1,
            2 => rpdis0 += 1,
            _ => break,
        }
        r += 1;
    }
    if rdis0 == 0 {
        return false;
    }
    let (mut rdis1, mut rpdis1) = (0, 1);
    r = 1;
    while i + r <= e {
        match dis[i + r] {
            0 => rdis1 += 1,
            2 => rpdis1 += 1,
            _ => break,
        }
        r += 1;
    }
    if rdis1 == 0 {
        return false;
    }
    rdis1 += rdis0;
    rpdis1 += rpdis0;
    rpdis1 * KPDIS_RUN < rpdis1 + rdis1
}

/// Which lines of `a[s..e]` take part in the diff, as xdiff decides: a line without a match
/// in the other file is a change from the start; a line with very many matches is one too
/// when it sits among such lines.
fn matchable(a: &[u32], other_counts: &HashMap<u32, usize>, s: usize, e: usize) -> Vec<usize> {
    let mlim = bogosqrt(a.len()).min(1024);
    let dis: Vec<u8> = (0..a.len())
        .map(|i| {
            if i < s || i >= e {
                return 1;
            }
            match other_counts.get(&a[i]).copied().unwrap_or(0) {
                0 => 0,
                n if n >= mlim => 2,
                _ => 1,
            }
        })
        .collect();
    (s..e)
        .filter(|&i| dis[i] == 1 || (dis[i] == 2 && !clean_mmatch(&dis, i, s, e.saturating_sub(1))))
        .collect()
}

/// The changes from `old` to `new` (interned lines), placed as git places them.
///
/// As git's xdiff does, the common head and tail are set apart, and lines that occur only
/// in one of the two files (and runs of lines with very many matches among them) are
/// changes before any diff runs: Myers then only aligns lines that can match, which picks
/// the same alignment as git among equally short ones far more often.
fn changes(old: &[u32], new: &[u32]) -> Vec<Change> {
    let mut in_old: HashMap<u32, usize> = HashMap::new();
    let mut in_new: HashMap<u32, usize> = HashMap::new();
    for id in old {
        *in_old.entry(*id).or_insert(0) += 1;
    }
    for id in new {
        *in_new.entry(*id).or_insert(0) += 1;
    }
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let old_map = matchable(old, &in_new, head, old.len() - tail);
    let new_map = matchable(new, &in_old, head, new.len() - tail);
    let old_kept: Vec<u32> = old_map.iter().map(|i| old[*i]).collect();
    let new_kept: Vec<u32> = new_map.iter().map(|i| new[*i]).collect();

    let mut out: Vec<Change> = Vec::new();
    let (mut o_at, mut n_at) = (head, head);
    let mut gap = |o_end: usize, n_end: usize, o_at: usize, n_at: usize| {
        if o_end > o_at || n_end > n_at {
            out.push(Change {
                base: o_at..o_end,
                side: n_at..n_end,
            });
        }
    };
    for op in capture_diff_slices(Algorithm::Myers, &old_kept, &new_kept) {
        let (tag, o, n) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            continue;
        }
        for k in 0..o.len() {
            let (oi, ni) = (old_map[o.start + k], new_map[n.start + k]);
            gap(oi, ni, o_at, n_at);
            (o_at, n_at) = (oi + 1, ni + 1);
        }
    }
    gap(old.len() - tail, new.len() - tail, o_at, n_at);
    place_slidable(&mut out, old, new);
    out
}

/// Places each pure insertion or deletion among the positions it can slide to (the lines
/// it would move past are equal): next to a neighbouring change it then forms one
/// replacement with (the lowest such place), else as low as it goes. This is where git
/// puts them, and where a reader expects them.
fn place_slidable(out: &mut Vec<Change>, old: &[u32], new: &[u32]) {
    let mut i = 0;
    while i < out.len() {
        let c = out[i].clone();
        let insertion = c.base.is_empty() && !c.side.is_empty();
        let deletion = c.side.is_empty() && !c.base.is_empty();
        if !insertion && !deletion {
            i += 1;
            continue;
        }
        // The moving lines and the sequence they live in.
        let (seq, run) = if insertion {
            (new, c.side.clone())
        } else {
            (old, c.base.clone())
        };
        let (prev_base, prev_side) = if i > 0 {
            (out[i - 1].base.end, out[i - 1].side.end)
        } else {
            (0, 0)
        };
        let (next_base, next_side) = out
            .get(i + 1)
            .map(|n| (n.base.start, n.side.start))
            .unwrap_or((old.len(), new.len()));
        let mut up = 0;
        while c.base.start - up > prev_base
            && c.side.start - up > prev_side
            && seq[run.start - up - 1] == seq[run.end - up - 1]
        {
            up += 1;
        }
        let mut down = 0;
        while c.base.end + down < next_base
            && c.side.end + down < next_side
            && run.end + down < seq.len()
            && seq[run.start + down] == seq[run.end + down]
        {
            down += 1;
        }
        let touches_prev =
            i > 0 && c.base.start - up == prev_base && c.side.start - up == prev_side;
        let touches_next =
            i + 1 < out.len() && c.base.end + down == next_base && c.side.end + down == next_side;
        // A neighbour "aligns" when merging with it makes a replacement.
        let aligns = |n: &Change| {
            if insertion {
                !n.base.is_empty()
            } else {
                !n.side.is_empty()
            }
        };
        let shift: isize = if touches_next && aligns(&out[i + 1]) {
            down as isize
        } else if touches_prev && aligns(&out[i - 1]) {
            -(up as isize)
        } else {
            down as isize
        };
        let moved = Change {
            base: (c.base.start as isize + shift) as usize..(c.base.end as isize + shift) as usize,
            side: (c.side.start as isize + shift) as usize..(c.side.end as isize + shift) as usize,
        };
        out[i] = moved.clone();
        // Join with a neighbour it now touches.
        if i + 1 < out.len()
            && moved.base.end == out[i + 1].base.start
            && moved.side.end == out[i + 1].side.start
        {
            let n = out.remove(i + 1);
            out[i] = Change {
                base: moved.base.start..n.base.end,
                side: moved.side.start..n.side.end,
            };
        }
        if i > 0
            && out[i].base.start == out[i - 1].base.end
            && out[i].side.start == out[i - 1].side.end
        {
            let cur = out.remove(i);
            out[i - 1] = Change {
                base: out[i - 1].base.start..cur.base.end,
                side: out[i - 1].side.start..cur.side.end,
            };
            i -= 1;
        }
        i += 1;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Conflict,
    Ours,
    Theirs,
    /// A conflict that turned out to be the same change on both sides.
    Same,
}

/// One region of the result, in the coordinates of base (`i0`), ours (`i1`) and theirs (`i2`).
/// Coordinates are signed: while regions are built, a start may be before a side's first line.
#[derive(Debug, Clone, Copy)]
struct Region {
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
fn push(regions: &mut Vec<Region>, r: Region) {
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

struct Sides<'a> {
    base: Vec<&'a [u8]>,
    ours: Vec<&'a [u8]>,
    theirs: Vec<&'a [u8]>,
    ours_ids: Vec<u32>,
    theirs_ids: Vec<u32>,
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

/// Merges `ours` and `theirs`, two descendants of `base`.
pub fn merge_lines(base: &[u8], ours: &[u8], theirs: &[u8], opts: &MergeOptions) -> Merged {
    let (base_lines, ours_lines, theirs_lines) =
        (split_lines(base), split_lines(ours), split_lines(theirs));
    let mut ids: HashMap<&[u8], u32> = HashMap::new();
    let base_ids = intern(&mut ids, &base_lines);
    let ours_ids = intern(&mut ids, &ours_lines);
    let theirs_ids = intern(&mut ids, &theirs_lines);
    let ours_changes = changes(&base_ids, &ours_ids);
    let theirs_changes = changes(&base_ids, &theirs_ids);
    if ours_changes.is_empty() {
        return Merged {
            bytes: theirs.to_vec(),
            conflicts: 0,
        };
    }
    if theirs_changes.is_empty() {
        return Merged {
            bytes: ours.to_vec(),
            conflicts: 0,
        };
    }
    let s = Sides {
        base: base_lines,
        ours: ours_lines,
        theirs: theirs_lines,
        ours_ids,
        theirs_ids,
    };
    let mut regions = walk(&s, &ours_changes, &theirs_changes);
    if opts.style == ConflictStyle::Merge {
        regions = refine(&s, regions);
        join_close_conflicts(&s, &mut regions);
    }
    write(&s, &regions, opts)
}

fn walk(s: &Sides<'_>, ours: &[Change], theirs: &[Change]) -> Vec<Region> {
    let (mut a, mut b) = (0, 0);
    let mut regions: Vec<Region> = Vec::new();
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
            let i2 = y2 - y0 + x0;
            push(
                &mut regions,
                Region {
                    mode: Mode::Ours,
                    i0: x0,
                    chg0: x0n,
                    i1: x1,
                    chg1: x1n,
                    i2,
                    chg2: x0n,
                },
            );
            a += 1;
            continue;
        }
        if y0 + y0n < x0 {
            let i1 = x1 - x0 + y0;
            push(
                &mut regions,
                Region {
                    mode: Mode::Theirs,
                    i0: y0,
                    chg0: y0n,
                    i1,
                    chg1: y0n,
                    i2: y2,
                    chg2: y2n,
                },
            );
            b += 1;
            continue;
        }
        let same = x.base == y.base && s.ours_ids[x.side.clone()] == s.theirs_ids[y.side.clone()];
        if !same {
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
                Region {
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
    let ours_growth = s.ours.len() as isize - s.base.len() as isize;
    let theirs_growth = s.theirs.len() as isize - s.base.len() as isize;
    for x in &ours[a..] {
        let (x0, x0n) = (x.base.start as isize, x.base.len() as isize);
        push(
            &mut regions,
            Region {
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
            Region {
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
    regions
}

/// Splits each conflict into the parts where ours and theirs really differ.
fn refine(s: &Sides<'_>, regions: Vec<Region>) -> Vec<Region> {
    let mut out = Vec::with_capacity(regions.len());
    for r in regions {
        if r.mode != Mode::Conflict || r.chg1 == 0 || r.chg2 == 0 {
            out.push(r);
            continue;
        }
        let sub = changes(
            &s.ours_ids[span(r.i1, r.chg1, s.ours.len())],
            &s.theirs_ids[span(r.i2, r.chg2, s.theirs.len())],
        );
        if sub.is_empty() {
            out.push(Region {
                mode: Mode::Same,
                ..r
            });
            continue;
        }
        for c in sub {
            out.push(Region {
                mode: Mode::Conflict,
                i1: r.i1 + c.base.start as isize,
                chg1: c.base.len() as isize,
                i2: r.i2 + c.side.start as isize,
                chg2: c.side.len() as isize,
                ..r
            });
        }
    }
    out
}

/// Joins two conflicts separated by at most three lines, or by lines with no letter or
/// digit: one larger conflict reads more easily than two with a sliver between.
fn join_close_conflicts(s: &Sides<'_>, regions: &mut Vec<Region>) {
    let mut i = 0;
    while i + 1 < regions.len() {
        let (m, n) = (regions[i], regions[i + 1]);
        let begin = m.i1 + m.chg1;
        let end = n.i1;
        let gap_has_alnum = s.ours[span(begin, end - begin, s.ours.len())]
            .iter()
            .any(|l| l.iter().any(u8::is_ascii_alphanumeric));
        if m.mode != Mode::Conflict
            || n.mode != Mode::Conflict
            || (end - begin > 3 && gap_has_alnum)
        {
            i += 1;
            continue;
        }
        regions[i].chg1 = n.i1 + n.chg1 - m.i1;
        regions[i].chg2 = n.i2 + n.chg2 - m.i2;
        regions.remove(i + 1);
    }
}

/// The lines `start..start + len`, kept within `0..total` (regions never reach outside
/// once built; this only guards the slicing).
fn span(start: isize, len: isize, total: usize) -> Range<usize> {
    let a = start.clamp(0, total as isize) as usize;
    let b = (start + len.max(0)).clamp(0, total as isize) as usize;
    a..b.max(a)
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

/// Whether conflict markers end with CRLF: both sides' lines before the conflict do not
/// say LF, and the base's first line says CRLF (undecided means LF).
fn markers_need_cr(s: &Sides<'_>, r: &Region) -> bool {
    let before = |v: isize| (v - 1).max(0) as usize;
    crlf(&s.ours, before(r.i1)) != Some(false)
        && crlf(&s.theirs, before(r.i2)) != Some(false)
        && crlf(&s.base, 0) == Some(true)
}

fn write(s: &Sides<'_>, regions: &[Region], opts: &MergeOptions) -> Merged {
    let mut out: Vec<u8> = Vec::new();
    let mut conflicts = 0;
    let mut i: isize = 0;
    let copy = |out: &mut Vec<u8>, lines: &[&[u8]], eol: &[u8], add_nl: bool| {
        for l in lines {
            out.extend_from_slice(l);
        }
        if add_nl && lines.last().is_some_and(|l| !l.ends_with(b"\n")) {
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
    for r in regions {
        match r.mode {
            Mode::Same => continue,
            Mode::Ours => copy(
                &mut out,
                &s.ours[span(i, r.i1 + r.chg1 - i, s.ours.len())],
                b"\n",
                false,
            ),
            Mode::Theirs => {
                let from = r.i2 - (r.i1 - i);
                copy(
                    &mut out,
                    &s.theirs[span(from, r.i2 + r.chg2 - from, s.theirs.len())],
                    b"\n",
                    false,
                );
            }
            Mode::Conflict => {
                conflicts += 1;
                copy(
                    &mut out,
                    &s.ours[span(i, r.i1 - i, s.ours.len())],
                    b"\n",
                    false,
                );
                // Markers end like the lines around them.
                let eol: &[u8] = if markers_need_cr(s, r) {
                    b"\r\n"
                } else {
                    b"\n"
                };
                marker(&mut out, b'<', &opts.labels.ours, eol);
                copy(
                    &mut out,
                    &s.ours[span(r.i1, r.chg1, s.ours.len())],
                    eol,
                    true,
                );
                if opts.style == ConflictStyle::Diff3 {
                    marker(&mut out, b'|', &opts.labels.base, eol);
                    copy(
                        &mut out,
                        &s.base[span(r.i0, r.chg0, s.base.len())],
                        eol,
                        true,
                    );
                }
                marker(&mut out, b'=', &None, eol);
                copy(
                    &mut out,
                    &s.theirs[span(r.i2, r.chg2, s.theirs.len())],
                    eol,
                    true,
                );
                marker(&mut out, b'>', &opts.labels.theirs, eol);
            }
        }
        i = r.i1 + r.chg1;
    }
    copy(
        &mut out,
        &s.ours[span(i, s.ours.len() as isize - i, s.ours.len())],
        b"\n",
        false,
    );
    Merged {
        bytes: out,
        conflicts,
    }
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
}
