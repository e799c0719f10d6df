use std::process::ExitCode;

use nskit::RecipeClient;

pub(crate) fn run(client: &RecipeClient, json: bool) -> anyhow::Result<ExitCode> {
    let catalogue = client.catalogue()?;
    for n in &catalogue.notices {
        eprintln!("note: {n}");
    }
    let recipes = catalogue.recipes;
    if json {
        println!("{}", serde_json::to_string_pretty(&recipes)?);
    } else if recipes.is_empty() {
        eprintln!("no recipes in {}", client.backend().describe());
    } else {
        println!("{}", super::recipe_table(&recipes, false));
    }
    Ok(ExitCode::SUCCESS)
}
