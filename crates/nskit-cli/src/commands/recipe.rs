use std::process::ExitCode;

use crate::args::RecipeCommand;

pub(crate) fn run(c: RecipeCommand) -> anyhow::Result<ExitCode> {
    match c {
        RecipeCommand::Build {
            folder,
            tag,
            docker_host,
        } => {
            let engine = nskit_engine::DockerEngine::connect(docker_host.as_deref())
                .map_err(|e| nskit::Error::Engine(e.to_string()))?;
            nskit::publish::build_recipe_image(&engine, &folder, &tag)?;
            println!("built {tag} from {}", folder.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
