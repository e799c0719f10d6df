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
            println!("built {tag} from {}", folder.display());
            Ok(ExitCode::SUCCESS)
        }
        RecipeCommand::Publish {
            reference,
            docker_host,
        } => {
            let engine = engine(docker_host.as_deref())?;
            let creds = nskit::config::registry_credentials(None, None, &|k| std::env::var(k).ok());
            let progress = crate::progress::terminal();
            engine
                .push(&reference, creds.as_ref(), Some(progress.as_ref()))
                .map_err(|e| nskit::Error::Engine(e.to_string()))?;
            println!("published {reference}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
