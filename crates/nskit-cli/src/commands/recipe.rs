use std::process::ExitCode;

use crate::args::RecipeCommand;

fn engine(docker_host: Option<&str>) -> anyhow::Result<nskit_engine::DockerEngine> {
    Ok(nskit_engine::DockerEngine::connect(docker_host)
        .map_err(|e| nskit::Error::Engine(e.to_string()))?)
}

pub(crate) fn run(c: RecipeCommand) -> anyhow::Result<ExitCode> {
    match c {
        RecipeCommand::Build {
            folder,
            tag,
            docker_host,
        } => {
            let engine = engine(docker_host.as_deref())?;
            nskit::publish::build_recipe_image(&engine, &folder, &tag)?;
            outln!("built {tag} from {}", folder.display());
            Ok(ExitCode::SUCCESS)
        }
        RecipeCommand::Publish {
            reference,
            docker_host,
        } => {
            let engine = engine(docker_host.as_deref())?;
            let host = reference.split('/').next().unwrap_or_default();
            let creds =
                nskit::config::registry_credentials(host, None, None, &|k| std::env::var(k).ok());
            let progress = crate::progress::terminal();
            engine
                .push(&reference, creds.as_ref(), Some(progress.as_ref()))
                .map_err(|e| nskit::Error::Engine(e.to_string()))?;
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
    nskit::keychain::store_registry(
        host,
        &nskit_engine::RegistryCredentials::new(username, password),
    )
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
