// mimalloc: creating a project makes and frees many small buffers on several threads, where
// glibc's allocator spends a fifth of the time (measured in bench/generate.sh).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    nskit_cli::Cli::new("nskit").run()
}
