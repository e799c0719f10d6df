fn main() -> std::process::ExitCode {
    nskit_cli::Cli::new("nskit").run()
}
