use std::process::ExitCode;

use nskit::RecipeClient;

pub(crate) fn run(
    client: &RecipeClient,
    search: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let found = client.discover(search)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&found)?);
    } else if found.is_empty() {
        eprintln!("no recipe matches `{}`", search.unwrap_or_default());
    } else {
        println!("{}", super::recipe_table(&found, true));
    }
    Ok(ExitCode::SUCCESS)
}
