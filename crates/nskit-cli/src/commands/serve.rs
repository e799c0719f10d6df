//! `serve`: the web API over the client (nskit-server), or `--store-token` to keep its
//! bearer token in the OS keychain.
use std::path::PathBuf;
use std::process::ExitCode;

use nskit::Config;

pub(crate) fn run(
    config: Config,
    bind: Option<String>,
    workspace: Option<PathBuf>,
    store_token: bool,
) -> anyhow::Result<ExitCode> {
    if store_token {
        let token = crate::prompt::read_secret("Token for the API's calls", false)?;
        if token.trim().len() < 16 {
            return Err(nskit::Error::Config(
                "the token is too short to guard an API: use at least 16 characters (`openssl rand -hex 32` makes one)".into(),
            )
            .into());
        }
        nskit::keychain::store_serve_token(token.trim()).map_err(nskit::Error::Config)?;
        outln!("stored the API's token in the OS keychain");
        return Ok(ExitCode::SUCCESS);
    }
    let flags = nskit_server::ServeFlags { bind, workspace };
    nskit_server::run(config, &flags, |options| {
        errln!(
            "nskit serve: listening on http://{} (workspace {}); OpenAPI at /openapi.json; Ctrl-C stops",
            options.bind,
            options.workspace.display()
        );
        if !options.bind.ip().is_loopback() {
            errln!(
                "warning: listening on {}, not only this machine: anyone who reaches it reads the catalogue; calls that change something need the token",
                options.bind.ip()
            );
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
