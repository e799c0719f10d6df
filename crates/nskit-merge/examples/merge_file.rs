//! `cargo run -p nskit-merge --example merge_file -- OURS BASE THEIRS [--diff3]`: prints the merge.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let read = |p: &str| std::fs::read(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let diff3 = args.iter().any(|a| a == "--diff3");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let opts = nskit_merge::MergeOptions {
        style: if diff3 {
            nskit_merge::ConflictStyle::Diff3
        } else {
            nskit_merge::ConflictStyle::Merge
        },
        labels: nskit_merge::Labels {
            ours: Some("ours".into()),
            base: Some("base".into()),
            theirs: Some("theirs".into()),
        },
        ..Default::default()
    };
    let r = nskit_merge::merge_lines(&read(files[1]), &read(files[0]), &read(files[2]), &opts);
    print!("{}", String::from_utf8_lossy(&r.bytes));
    eprintln!("conflicts: {}", r.conflicts);
}
