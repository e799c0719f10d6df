use std::process::ExitCode;

use nskit::RecipeClient;

pub(crate) fn run(client: &RecipeClient, recipe: &str, json: bool) -> anyhow::Result<ExitCode> {
    let versions = client.versions(recipe)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&versions)?);
    } else {
        for v in versions {
            outln!("{v}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
