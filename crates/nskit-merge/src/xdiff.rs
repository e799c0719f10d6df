//! The line diff that `git merge-file` runs: git's xdiff with its default ("myers")
//! algorithm, written anew so that nskit aligns lines exactly as git does.
//!
//! Git does not run a plain Myers diff. Before it, the common head and tail are set apart
//! and lines that cannot match (they occur only in one file, or occur very often among
//! such lines) are changes from the start; the diff then runs on what is left, with a cost
//! limit and a "good snake" shortcut that give up minimality on large inputs; after it,
//! each group of changed lines is slid as far down as it goes and back up to sit against a
//! change of the other file where it can. Equally short diffs differ in where they put
//! repeated lines, and only the same steps give the same choice, so all of them are here,
//! in git's order. Lines are compared by number (see `intern`): equal numbers, equal lines.
use std::collections::HashMap;
use std::ops::Range;

/// Lines `base` of the old file became lines `side` of the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Change {
    pub base: Range<usize>,
    pub side: Range<usize>,
}

/// A line with more than this many matches may be set aside (git's `XDL_MAX_EQLIMIT`).
const MAX_EQ_LIMIT: usize = 1024;
/// How far the multiple-match scan looks each way.
const SIMSCAN_WINDOW: usize = 100;
/// The run ratio above which a multiple-match line is set aside.
const KPDIS_RUN: usize = 4;
/// The least cost limit of the diff.
const MAX_COST_MIN: isize = 256;
/// The cost above which a good snake ends the search.
const HEUR_MIN_COST: isize = 256;
/// The length of a good snake.
const SNAKE_CNT: isize = 20;
/// How much better than the cost a snake must reach to be taken.
const K_HEUR: isize = 4;
/// The backward search's "not reached" value.
const LINE_MAX: isize = isize::MAX;

/// The changes from `old` to `new`, in order.
pub(crate) fn diff(old: &[u32], new: &[u32]) -> Vec<Change> {
    let mut a = File::new(old);
    let mut b = File::new(new);
    // The common head and tail.
    let lim = old.len().min(new.len());
    let head = (0..lim).take_while(|&i| old[i] == new[i]).count();
    let tail = (0..lim - head)
        .take_while(|&i| old[old.len() - 1 - i] == new[new.len() - 1 - i])
        .count();
    let dis_a = classify(old, new, head, old.len() - tail);
    let dis_b = classify(new, old, head, new.len() - tail);
    a.keep(&dis_a, head, old.len() - tail);
    b.keep(&dis_b, head, new.len() - tail);
    compare(&mut a, &mut b);
    compact(&mut a, &mut b);
    compact(&mut b, &mut a);
    script(&a, &b)
}

/// One side of a diff.
struct File<'a> {
    lines: &'a [u32],
    /// Whether each line is changed, with a `false` before the first and after the last.
    changed: Vec<bool>,
    /// The lines that take part in the diff (the rest are changes already)...
    index: Vec<usize>,
    /// ...and their numbers.
    kept: Vec<u32>,
}

impl<'a> File<'a> {
    fn new(lines: &'a [u32]) -> Self {
        File {
            lines,
            changed: vec![false; lines.len() + 2],
            index: Vec::new(),
            kept: Vec::new(),
        }
    }

    fn len(&self) -> isize {
        self.lines.len() as isize
    }

    fn is_changed(&self, i: isize) -> bool {
        usize::try_from(i + 1)
            .ok()
            .and_then(|i| self.changed.get(i))
            .copied()
            .unwrap_or(false)
    }

    fn set(&mut self, i: isize, v: bool) {
        if let Some(c) = usize::try_from(i + 1)
            .ok()
            .and_then(|i| self.changed.get_mut(i))
        {
            *c = v;
        }
    }

    fn same(&self, i: isize, j: isize) -> bool {
        self.lines[i as usize] == self.lines[j as usize]
    }

    /// Keeps the lines of `start..end` the classification lets take part; the others are
    /// changes.
    fn keep(&mut self, dis: &[u8], start: usize, end: usize) {
        for i in start..end {
            let d = dis[i - start];
            if d == 1 || (d == 2 && !clean_mmatch(dis, i - start, end - start)) {
                self.index.push(i);
                self.kept.push(self.lines[i]);
            } else {
                self.changed[i + 1] = true;
            }
        }
    }
}

/// git's integer square root estimate.
fn bogosqrt(mut n: usize) -> usize {
    let mut i = 1;
    while n > 0 {
        i <<= 1;
        n >>= 2;
    }
    i
}

/// For each line of `lines[start..end]`: 0 when `other` has no such line, 2 when it has
/// very many, 1 otherwise.
fn classify(lines: &[u32], other: &[u32], start: usize, end: usize) -> Vec<u8> {
    let mut counts: HashMap<u32, usize> = HashMap::new();
    for id in other {
        *counts.entry(*id).or_insert(0) += 1;
    }
    let limit = bogosqrt(lines.len()).min(MAX_EQ_LIMIT);
    lines[start..end]
        .iter()
        .map(|id| match counts.get(id).copied().unwrap_or(0) {
            0 => 0,
            n if n >= limit => 2,
            _ => 1,
        })
        .collect()
}

/// Whether the multiple-match line `i` sits in a run of lines that cannot match, mostly,
/// and so is set aside too. `len` is the length of `dis`.
fn clean_mmatch(dis: &[u8], i: usize, len: usize) -> bool {
    let s = i.saturating_sub(SIMSCAN_WINDOW);
    let e = (len - 1).min(i + SIMSCAN_WINDOW);
    let (mut none_before, mut many_before) = (0, 1);
    let mut r = 1;
    while i >= s + r {
        match dis[i - r] {
            0 => none_before += 1,
            2 => many_before += 1,
            _ => break,
        }
        r += 1;
    }
    if none_before == 0 {
        return false;
    }
    let (mut none, mut many) = (0, 1);
    r = 1;
    while i + r <= e {
        match dis[i + r] {
            0 => none += 1,
            2 => many += 1,
            _ => break,
        }
        r += 1;
    }
    if none == 0 {
        return false;
    }
    none += none_before;
    many += many_before;
    many * KPDIS_RUN < many + none
}

/// The forward and backward furthest-reaching paths, by diagonal.
struct Diagonals {
    values: Vec<isize>,
    offset: isize,
}

impl Diagonals {
    fn get(&self, d: isize) -> isize {
        self.values[(d + self.offset) as usize]
    }
    fn put(&mut self, d: isize, v: isize) {
        self.values[(d + self.offset) as usize] = v;
    }
}

struct Split {
    i1: isize,
    i2: isize,
    min_lo: bool,
    min_hi: bool,
}

/// Runs the diff on the kept lines and marks what changed.
fn compare(a: &mut File<'_>, b: &mut File<'_>) {
    let (n1, n2) = (a.kept.len() as isize, b.kept.len() as isize);
    let diagonals = (n1 + n2 + 3) as usize;
    let mut forward = Diagonals {
        values: vec![0; diagonals],
        offset: n2 + 1,
    };
    let mut backward = Diagonals {
        values: vec![0; diagonals],
        offset: n2 + 1,
    };
    let max_cost = (bogosqrt(diagonals) as isize).max(MAX_COST_MIN);
    // Boxes still to compare, the lower one on top, as the recursion of git's
    // `xdl_recs_cmp` visits them (the diagonals are shared, so the order matters).
    let mut boxes = vec![(0, n1, 0, n2, false)];
    while let Some((mut off1, mut lim1, mut off2, mut lim2, need_min)) = boxes.pop() {
        let (h1, h2) = (&a.kept, &b.kept);
        while off1 < lim1 && off2 < lim2 && h1[off1 as usize] == h2[off2 as usize] {
            off1 += 1;
            off2 += 1;
        }
        while off1 < lim1 && off2 < lim2 && h1[lim1 as usize - 1] == h2[lim2 as usize - 1] {
            lim1 -= 1;
            lim2 -= 1;
        }
        if off1 == lim1 {
            for i in off2..lim2 {
                let at = b.index[i as usize] as isize;
                b.set(at, true);
            }
        } else if off2 == lim2 {
            for i in off1..lim1 {
                let at = a.index[i as usize] as isize;
                a.set(at, true);
            }
        } else {
            let spl = split(
                h1,
                (off1, lim1),
                h2,
                (off2, lim2),
                (&mut forward, &mut backward),
                need_min,
                max_cost,
            );
            boxes.push((spl.i1, lim1, spl.i2, lim2, spl.min_hi));
            boxes.push((off1, spl.i1, off2, spl.i2, spl.min_lo));
        }
    }
}

/// Finds where to split the box `(off1..lim1, off2..lim2)`: the middle snake of the
/// shortest path, or, past the cost limit, a point far along a good path.
fn split(
    h1: &[u32],
    (off1, lim1): (isize, isize),
    h2: &[u32],
    (off2, lim2): (isize, isize),
    (kf, kb): (&mut Diagonals, &mut Diagonals),
    need_min: bool,
    max_cost: isize,
) -> Split {
    let eq = |i: isize, j: isize| {
        i >= 0
            && j >= 0
            && (i as usize) < h1.len()
            && (j as usize) < h2.len()
            && h1[i as usize] == h2[j as usize]
    };
    let (dmin, dmax) = (off1 - lim2, lim1 - off2);
    let (fmid, bmid) = (off1 - off2, lim1 - lim2);
    let odd = (fmid - bmid) & 1 != 0;
    let (mut fmin, mut fmax, mut bmin, mut bmax) = (fmid, fmid, bmid, bmid);
    kf.put(fmid, off1);
    kb.put(bmid, lim1);
    let mut ec: isize = 0;
    loop {
        ec += 1;
        let mut got_snake = false;
        if fmin > dmin {
            fmin -= 1;
            kf.put(fmin - 1, -1);
        } else {
            fmin += 1;
        }
        if fmax < dmax {
            fmax += 1;
            kf.put(fmax + 1, -1);
        } else {
            fmax -= 1;
        }
        let mut d = fmax;
        while d >= fmin {
            let mut i1 = if kf.get(d - 1) >= kf.get(d + 1) {
                kf.get(d - 1) + 1
            } else {
                kf.get(d + 1)
            };
            let prev1 = i1;
            let mut i2 = i1 - d;
            while i1 < lim1 && i2 < lim2 && eq(i1, i2) {
                i1 += 1;
                i2 += 1;
            }
            if i1 - prev1 > SNAKE_CNT {
                got_snake = true;
            }
            kf.put(d, i1);
            if odd && bmin <= d && d <= bmax && kb.get(d) <= i1 {
                return Split {
                    i1,
                    i2,
                    min_lo: true,
                    min_hi: true,
                };
            }
            d -= 2;
        }
        if bmin > dmin {
            bmin -= 1;
            kb.put(bmin - 1, LINE_MAX);
        } else {
            bmin += 1;
        }
        if bmax < dmax {
            bmax += 1;
            kb.put(bmax + 1, LINE_MAX);
        } else {
            bmax -= 1;
        }
        d = bmax;
        while d >= bmin {
            let mut i1 = if kb.get(d - 1) < kb.get(d + 1) {
                kb.get(d - 1)
            } else {
                kb.get(d + 1).wrapping_sub(1)
            };
            let prev1 = i1;
            let mut i2 = i1.wrapping_sub(d);
            while i1 > off1 && i2 > off2 && eq(i1 - 1, i2 - 1) {
                i1 -= 1;
                i2 -= 1;
            }
            if prev1.wrapping_sub(i1) > SNAKE_CNT {
                got_snake = true;
            }
            kb.put(d, i1);
            if !odd && fmin <= d && d <= fmax && i1 <= kf.get(d) {
                return Split {
                    i1,
                    i2,
                    min_lo: true,
                    min_hi: true,
                };
            }
            d -= 2;
        }
        if need_min {
            continue;
        }
        if got_snake && ec > HEUR_MIN_COST {
            let mut best = 0;
            let mut at = (0, 0);
            d = fmax;
            while d >= fmin {
                let dd = (d - fmid).abs();
                let i1 = kf.get(d);
                let i2 = i1 - d;
                let v = (i1 - off1) + (i2 - off2) - dd;
                if v > K_HEUR * ec
                    && v > best
                    && off1 + SNAKE_CNT <= i1
                    && i1 < lim1
                    && off2 + SNAKE_CNT <= i2
                    && i2 < lim2
                {
                    let mut k = 1;
                    while eq(i1 - k, i2 - k) {
                        if k == SNAKE_CNT {
                            best = v;
                            at = (i1, i2);
                            break;
                        }
                        k += 1;
                    }
                }
                d -= 2;
            }
            if best > 0 {
                return Split {
                    i1: at.0,
                    i2: at.1,
                    min_lo: true,
                    min_hi: false,
                };
            }
            best = 0;
            d = bmax;
            while d >= bmin {
                let dd = (d - bmid).abs();
                let i1 = kb.get(d);
                let i2 = i1.wrapping_sub(d);
                let v = (lim1 - i1)
                    .wrapping_add(lim2.wrapping_sub(i2))
                    .wrapping_sub(dd);
                if v > K_HEUR * ec
                    && v > best
                    && off1 < i1
                    && i1 <= lim1 - SNAKE_CNT
                    && off2 < i2
                    && i2 <= lim2 - SNAKE_CNT
                {
                    let mut k = 0;
                    while eq(i1 + k, i2 + k) {
                        if k == SNAKE_CNT - 1 {
                            best = v;
                            at = (i1, i2);
                            break;
                        }
                        k += 1;
                    }
                }
                d -= 2;
            }
            if best > 0 {
                return Split {
                    i1: at.0,
                    i2: at.1,
                    min_lo: false,
                    min_hi: true,
                };
            }
        }
        if ec >= max_cost {
            // Too costly: take the path that reached furthest.
            let (mut fbest, mut fbest1) = (-1, -1);
            d = fmax;
            while d >= fmin {
                let mut i1 = kf.get(d).min(lim1);
                let mut i2 = i1 - d;
                if lim2 < i2 {
                    i1 = lim2 + d;
                    i2 = lim2;
                }
                if fbest < i1 + i2 {
                    fbest = i1 + i2;
                    fbest1 = i1;
                }
                d -= 2;
            }
            let (mut bbest, mut bbest1) = (LINE_MAX, LINE_MAX);
            d = bmax;
            while d >= bmin {
                let mut i1 = kb.get(d).max(off1);
                let mut i2 = i1.wrapping_sub(d);
                if i2 < off2 {
                    i1 = off2 + d;
                    i2 = off2;
                }
                if i1.wrapping_add(i2) < bbest {
                    bbest = i1 + i2;
                    bbest1 = i1;
                }
                d -= 2;
            }
            return if (lim1 + lim2).wrapping_sub(bbest) < fbest - (off1 + off2) {
                Split {
                    i1: fbest1,
                    i2: fbest - fbest1,
                    min_lo: true,
                    min_hi: false,
                }
            } else {
                Split {
                    i1: bbest1,
                    i2: bbest.wrapping_sub(bbest1),
                    min_lo: false,
                    min_hi: true,
                }
            };
        }
    }
}

/// A run of changed lines (`start..end`), or the place between two unchanged lines where
/// one could be (`start == end`).
#[derive(Clone, Copy)]
struct Group {
    start: isize,
    end: isize,
}

impl Group {
    fn first(f: &File<'_>) -> Group {
        let mut g = Group { start: 0, end: 0 };
        while f.is_changed(g.end) {
            g.end += 1;
        }
        g
    }

    fn next(&mut self, f: &File<'_>) -> bool {
        if self.end == f.len() {
            return false;
        }
        self.start = self.end + 1;
        self.end = self.start;
        while f.is_changed(self.end) {
            self.end += 1;
        }
        true
    }

    fn previous(&mut self, f: &File<'_>) -> bool {
        if self.start == 0 {
            return false;
        }
        self.end = self.start - 1;
        self.start = self.end;
        while f.is_changed(self.start - 1) {
            self.start -= 1;
        }
        true
    }

    /// Moves the group one line down when the line after it equals its first line,
    /// joining a group it then touches.
    fn slide_down(&mut self, f: &mut File<'_>) -> bool {
        if self.end < f.len() && f.same(self.start, self.end) {
            f.set(self.start, false);
            f.set(self.end, true);
            self.start += 1;
            self.end += 1;
            while f.is_changed(self.end) {
                self.end += 1;
            }
            true
        } else {
            false
        }
    }

    /// Moves the group one line up when the line before it equals its last line.
    fn slide_up(&mut self, f: &mut File<'_>) -> bool {
        if self.start > 0 && f.same(self.start - 1, self.end - 1) {
            self.start -= 1;
            self.end -= 1;
            f.set(self.start, true);
            f.set(self.end, false);
            while f.is_changed(self.start - 1) {
                self.start -= 1;
            }
            true
        } else {
            false
        }
    }
}

/// Slides each group of changed lines of `f` as far down as it goes, joining the groups it
/// meets, then back up to the lowest place where it faces a change of `other`, if any.
fn compact(f: &mut File<'_>, other: &mut File<'_>) {
    let mut g = Group::first(f);
    let mut go = Group::first(other);
    loop {
        if g.end != g.start {
            let mut earliest_end;
            let mut end_matching_other;
            loop {
                let size = g.end - g.start;
                end_matching_other = None;
                while g.slide_up(f) {
                    let moved = go.previous(other);
                    debug_assert!(moved, "groups out of step sliding up");
                }
                earliest_end = g.end;
                if go.end > go.start {
                    end_matching_other = Some(g.end);
                }
                while g.slide_down(f) {
                    let moved = go.next(other);
                    debug_assert!(moved, "groups out of step sliding down");
                    if go.end > go.start {
                        end_matching_other = Some(g.end);
                    }
                }
                if size == g.end - g.start {
                    break;
                }
            }
            if g.end != earliest_end && end_matching_other.is_some() {
                while go.end == go.start {
                    if !g.slide_up(f) || !go.previous(other) {
                        debug_assert!(false, "groups out of step sliding to a match");
                        break;
                    }
                }
            }
        }
        if !g.next(f) {
            break;
        }
        let moved = go.next(other);
        debug_assert!(moved, "groups out of step");
    }
}

/// The changes, in order, from the marks.
fn script(a: &File<'_>, b: &File<'_>) -> Vec<Change> {
    let mut out = Vec::new();
    let (mut i1, mut i2) = (a.len(), b.len());
    while i1 >= 0 || i2 >= 0 {
        if a.is_changed(i1 - 1) || b.is_changed(i2 - 1) {
            let (l1, l2) = (i1, i2);
            while a.is_changed(i1 - 1) {
                i1 -= 1;
            }
            while b.is_changed(i2 - 1) {
                i2 -= 1;
            }
            out.push(Change {
                base: i1 as usize..l1 as usize,
                side: i2 as usize..l2 as usize,
            });
        }
        i1 -= 1;
        i2 -= 1;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(s: &str) -> Vec<u32> {
        s.bytes().map(u32::from).collect()
    }

    #[test]
    fn no_change() {
        assert!(diff(&ids("abc"), &ids("abc")).is_empty());
        assert!(diff(&[], &[]).is_empty());
    }

    #[test]
    fn insertions_deletions_replacements() {
        let c = diff(&ids("abc"), &ids("aXbc"));
        assert_eq!(
            c,
            vec![Change {
                base: 1..1,
                side: 1..2
            }]
        );
        let c = diff(&ids("abc"), &ids("ac"));
        assert_eq!(
            c,
            vec![Change {
                base: 1..2,
                side: 1..1
            }]
        );
        let c = diff(&ids("abcd"), &ids("aXYd"));
        assert_eq!(
            c,
            vec![Change {
                base: 1..3,
                side: 1..3
            }]
        );
    }

    #[test]
    fn a_repeated_line_insertion_slides_down() {
        // "a" inserted into a run of "a"s: git puts it at the end of the run.
        let c = diff(&ids("xaay"), &ids("xaaay"));
        assert_eq!(
            c,
            vec![Change {
                base: 3..3,
                side: 3..4
            }]
        );
    }

    #[test]
    fn everything_from_nothing() {
        assert_eq!(
            diff(&[], &ids("ab")),
            vec![Change {
                base: 0..0,
                side: 0..2
            }]
        );
        assert_eq!(
            diff(&ids("ab"), &[]),
            vec![Change {
                base: 0..2,
                side: 0..0
            }]
        );
    }

    #[test]
    fn large_inputs_finish() {
        // Past the cost limit the heuristics cut the search; the result is still a diff.
        let old: Vec<u32> = (0..5000).map(|i| (i * 7919 % 1000) as u32).collect();
        let new: Vec<u32> = (0..5000).map(|i| (i * 104729 % 1000) as u32).collect();
        let c = diff(&old, &new);
        // Applying the changes to old gives new.
        let mut out = Vec::new();
        let mut at = 0;
        for ch in &c {
            out.extend_from_slice(&old[at..ch.base.start]);
            out.extend_from_slice(&new[ch.side.clone()]);
            at = ch.base.end;
        }
        out.extend_from_slice(&old[at..]);
        assert_eq!(out, new);
    }
}
