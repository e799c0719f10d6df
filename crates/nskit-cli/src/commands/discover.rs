use std::process::ExitCode;

use nskit::RecipeClient;

pub(crate) fn run(
    client: &RecipeClient,
    search: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let found = client.discover(search)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&found)?);
    } else if found.is_empty() {
        errln!("no recipe matches `{}`", search.unwrap_or_default());
    } else {
        outln!("{}", super::recipe_table(&found, true));
    }
    Ok(ExitCode::SUCCESS)
}
