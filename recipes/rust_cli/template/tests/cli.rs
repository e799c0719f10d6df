use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_{{ project_name }}"))
        .args(args)
        .output()
        .expect("the binary runs");
    assert!(out.status.success(), "exit status {:?}", out.status);
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

#[test]
fn greets_the_world_by_default() {
    assert_eq!(run(&[]), "Hello, world!\n");
}

#[test]
fn greets_by_name_loudly() {
    assert_eq!(run(&["--name", "Ada", "--shout"]), "HELLO, ADA!\n");
}
