use std::process::ExitCode;

use nskit::RecipeClient;

pub(crate) fn run(client: &RecipeClient, json: bool) -> anyhow::Result<ExitCode> {
    let catalogue = client.catalogue()?;
    for n in &catalogue.notices {
        errln!("note: {n}");
    }
    let recipes = catalogue.recipes;
    if json {
        outln!("{}", serde_json::to_string_pretty(&recipes)?);
    } else if recipes.is_empty() {
        errln!("no recipes in {}", client.backend().describe());
    } else {
        outln!("{}", super::recipe_table(&recipes, false));
    }
    Ok(ExitCode::SUCCESS)
}
