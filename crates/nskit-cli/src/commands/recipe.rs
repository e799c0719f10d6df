use std::process::ExitCode;

use crate::args::RecipeCommand;

pub(crate) fn run(c: RecipeCommand) -> anyhow::Result<ExitCode> {
    match c {
        RecipeCommand::Build {
            folder,
            tag,
            docker_host,
        } => {
            nskit::recipe_image::build(
                docker_host.as_deref(),
                &folder,
                &tag,
                &crate::progress::terminal(),
            )?;
            outln!("built {tag} from {}", folder.display());
            Ok(ExitCode::SUCCESS)
        }
        RecipeCommand::Publish {
            reference,
            docker_host,
        } => {
            nskit::recipe_image::publish(
                docker_host.as_deref(),
                &reference,
                &crate::progress::terminal(),
            )?;
            outln!("published {reference}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The host part of a registry given with or without a scheme.
fn registry_host(registry: &str) -> &str {
    let r = registry.trim();
    r.strip_prefix("https://")
        .or_else(|| r.strip_prefix("http://"))
        .unwrap_or(r)
        .trim_end_matches('/')
}

pub(crate) fn login(
    registry: &str,
    username: &str,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let password = crate::prompt::read_secret(
        &format!("Password or token for {username} at {registry}"),
        password_stdin,
    )?;
    let host = registry_host(registry);
    nskit::keychain::store_registry(host, &nskit::RegistryCredentials::new(username, password))
        .map_err(nskit::Error::Config)?;
    outln!("stored the credentials for {host} in the OS keychain");
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn logout(registry: &str) -> anyhow::Result<ExitCode> {
    let host = registry_host(registry);
    if nskit::keychain::forget_registry(host).map_err(nskit::Error::Config)? {
        outln!("removed the credentials for {host} from the OS keychain");
    } else {
        outln!("no credentials for {host} in the OS keychain");
    }
    Ok(ExitCode::SUCCESS)
}
