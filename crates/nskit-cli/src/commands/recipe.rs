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

pub(crate) fn login(
    config: &nskit::Config,
    registry: &str,
    username: &str,
    password_stdin: bool,
) -> anyhow::Result<ExitCode> {
    let password = crate::prompt::read_secret(
        &format!("Password or token for {username} at {registry}"),
        password_stdin,
    )?;
    let login = nskit::credentials::login_registry(config, registry, username, &password)?;
    outln!(
        "stored the credentials for {} in the OS keychain",
        login.host
    );
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn logout(config: &nskit::Config, registry: &str) -> anyhow::Result<ExitCode> {
    let host = nskit::credentials::registry_host(registry);
    if nskit::credentials::logout_registry(config, registry)? {
        outln!("removed the credentials for {host} from the OS keychain");
    } else {
        outln!("no credentials for {host} in the OS keychain");
    }
    Ok(ExitCode::SUCCESS)
}
