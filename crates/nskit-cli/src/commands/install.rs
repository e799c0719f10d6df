use std::path::Path;
use std::process::ExitCode;

use nskit::Config;

pub(crate) fn run(
    config: &Config,
    folder: &Path,
    version: Option<&str>,
    force: bool,
) -> anyhow::Result<ExitCode> {
    let (name, version, dest) = config.install(folder, version, force)?;
    outln!(
        "installed {name} {version} for {} in {}",
        config.installed_backend().group(),
        dest.display()
    );
    Ok(ExitCode::SUCCESS)
}
