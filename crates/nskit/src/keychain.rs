//! Secrets in the OS keychain (macOS Keychain, Windows Credential Manager, the Secret
//! Service on Linux: GNOME Keyring, KWallet), through the `keyring` crate. nskit never
//! writes a secret to a file or a log: configuration files name environment variables, and
//! everything else lives here, under the service `nskit` and an account naming what the
//! secret is for (`registry:ghcr.io`).
use nskit_backends::RegistryCredentials;
use serde::{Deserialize, Serialize};

/// The keychain service nskit's entries are filed under.
pub const SERVICE: &str = "nskit";

/// The account of a registry's credentials (`registry:HOST[:PORT]`).
pub fn registry_account(host: &str) -> String {
    format!("registry:{}", host.trim_end_matches('/'))
}

/// What a registry entry holds: a user name and its password or token.
#[derive(Serialize, Deserialize)]
struct Stored {
    username: String,
    password: String,
}

fn entry(account: &str) -> Result<keyring::Entry, String> {
    keyring::Entry::new(SERVICE, account).map_err(|e| explain(&e))
}

fn explain(e: &keyring::Error) -> String {
    match e {
        keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => format!(
            "the OS keychain cannot be used ({e}); on Linux a Secret Service (GNOME Keyring, KWallet) must be running and unlocked, or give the credentials in the environment"
        ),
        other => format!("the OS keychain: {other}"),
    }
}

/// Runs a keychain call. The Secret Service client blocks on a runtime of its own, which
/// panics on a thread that drives one already (an async server, a test): there it runs on a
/// thread of its own.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| {
            s.spawn(f)
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    } else {
        f()
    }
}

/// The secret stored under `account`; `Ok(None)` when there is none.
fn read(account: &str) -> Result<Option<String>, String> {
    off_runtime(|| read_here(account))
}

fn read_here(account: &str) -> Result<Option<String>, String> {
    match entry(account)?.get_password() {
        Ok(v) => Ok(Some(v)),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(explain(&e)),
    }
}

fn write(account: &str, secret: &str) -> Result<(), String> {
    off_runtime(|| {
        entry(account)?
            .set_password(secret)
            .map_err(|e| explain(&e))
    })
}

/// Removes the secret of `account`; whether there was one.
fn delete(account: &str) -> Result<bool, String> {
    off_runtime(|| match entry(account)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(explain(&e)),
    })
}

/// Stores a registry's credentials in the keychain.
pub fn store_registry(host: &str, creds: &RegistryCredentials) -> Result<(), String> {
    let value = serde_json::to_string(&Stored {
        username: creds.username.clone(),
        password: creds.password.clone(),
    })
    .map_err(|e| e.to_string())?;
    write(&registry_account(host), &value)
}

/// A registry's credentials from the keychain; `Ok(None)` when there are none.
pub fn registry(host: &str) -> Result<Option<RegistryCredentials>, String> {
    let Some(v) = read(&registry_account(host))? else {
        return Ok(None);
    };
    let s: Stored = serde_json::from_str(&v).map_err(|_| {
        format!(
            "the keychain entry {SERVICE}/{} is not nskit's; remove it with `nskit logout {host}`",
            registry_account(host)
        )
    })?;
    Ok(Some(RegistryCredentials::new(s.username, s.password)))
}

/// Removes a registry's credentials; whether there were any.
pub fn forget_registry(host: &str) -> Result<bool, String> {
    delete(&registry_account(host))
}

/// The account of a git host's token (`github:HOST`).
pub fn github_account(host: &str) -> String {
    git_account("github", host)
}

/// The account of a provider's token for a host (`gitlab:HOST`).
pub fn git_account(provider: &str, host: &str) -> String {
    format!("{provider}:{host}")
}

/// Stores a provider's token for `host` in the keychain.
pub fn store_git_token(provider: &str, host: &str, token: &nskit_vcs::Token) -> Result<(), String> {
    write(&git_account(provider, host), token.expose())
}

/// The token stored for a provider's `host`, if any.
pub fn git_token(provider: &str, host: &str) -> Result<Option<nskit_vcs::Token>, String> {
    Ok(read(&git_account(provider, host))?.map(nskit_vcs::Token::new))
}

/// Removes a provider's token of `host`; whether there was one.
pub fn forget_git_token(provider: &str, host: &str) -> Result<bool, String> {
    delete(&git_account(provider, host))
}

/// Stores a GitHub token for `host` in the keychain.
pub fn store_github_token(host: &str, token: &nskit_vcs::Token) -> Result<(), String> {
    write(&github_account(host), token.expose())
}

/// The GitHub token stored for `host`, if any.
pub fn github_token(host: &str) -> Result<Option<nskit_vcs::Token>, String> {
    Ok(read(&github_account(host))?.map(nskit_vcs::Token::new))
}

/// Removes the GitHub token of `host`; whether there was one.
pub fn forget_github_token(host: &str) -> Result<bool, String> {
    delete(&github_account(host))
}

/// The account of `nskit serve`'s bearer token.
pub const SERVE_ACCOUNT: &str = "nskit-serve:token";

/// Stores `nskit serve`'s bearer token in the keychain.
pub fn store_serve_token(token: &str) -> Result<(), String> {
    write(SERVE_ACCOUNT, token)
}

/// `nskit serve`'s bearer token, if one is stored.
pub fn serve_token() -> Result<Option<String>, String> {
    read(SERVE_ACCOUNT)
}
