use clap::Parser;

/// {{ description }}
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Who to greet.
    #[arg(short, long, default_value = "world")]
    name: String,

    /// Greet loudly.
    #[arg(long)]
    shout: bool,
}

fn main() {
    let args = Args::parse();
    println!("{}", {{ project_name | replace("-", "_") }}::greeting(&args.name, args.shout));
}
