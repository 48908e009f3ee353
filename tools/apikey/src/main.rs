//! API keys for the deployment the environment points at: AWS credentials and `API_KEYS_TABLE`
//! (the stack's `ApiKeysTableName` output), or `.local/lambda.env` for DynamoDB Local, as
//! `make key` does:
//!
//! ```text
//! apikey create <tenant> [import,read,submit,keys] [--account <GUID>]
//!                                        prints the new key, once, alone on the last line;
//!                                        --account binds it to one personal account
//! apikey list                            every key: id, tenant, scopes, account, created, revoked
//! apikey revoke <id>
//! ```

use domain::{ApiKey, Guid, Scope, Tenant};

type Error = Box<dyn std::error::Error>;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("apikey: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

enum Command {
    Create(Tenant, Vec<Scope>, Option<Guid>),
    List,
    Revoke(String),
}

const USAGE: &str = "usage: apikey create <tenant> [import,read,submit,keys] [--account <GUID>] | apikey list | apikey revoke <id>";

fn command(args: &[&str]) -> Result<Command, Error> {
    // `--account <GUID>` may stand anywhere after `create`; an empty one (make key's default)
    // is none.
    let mut args = args.to_vec();
    let mut account = None;
    if let Some(at) = args.iter().position(|a| *a == "--account") {
        let value = args.get(at + 1).copied().ok_or(USAGE)?;
        args.drain(at..=at + 1);
        if !value.trim().is_empty() {
            let guid: Guid = value
                .trim()
                .parse()
                .map_err(|_| format!("not a GUID: {value}"))?;
            account = Some(guid);
        }
    }
    let command = match args.as_slice() {
        ["create", tenant] if account.is_some() => {
            Command::Create(Tenant::parse(tenant)?, Scope::FOR_ACCOUNT.to_vec(), account)
        }
        ["create", tenant] => {
            Command::Create(Tenant::parse(tenant)?, Scope::DEFAULT.to_vec(), account)
        }
        ["create", tenant, scopes] => {
            Command::Create(Tenant::parse(tenant)?, parse_scopes(scopes)?, account)
        }
        ["list"] if account.is_none() => Command::List,
        ["revoke", id] if account.is_none() => Command::Revoke((*id).to_owned()),
        _ => return Err(USAGE.into()),
    };
    if let Command::Create(_, scopes, Some(_)) = &command {
        if scopes.iter().any(|s| !Scope::FOR_ACCOUNT.contains(s)) {
            return Err("a key bound to an account may have read and submit only".into());
        }
    }
    Ok(command)
}

async fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let command = command(&args)?;
    let store = store::Dynamo::for_tool(&[store::Table::ApiKeys]).await?;
    match command {
        Command::Create(tenant, scopes, account) => {
            // A key bound to an account is a resident's: it expires as the API's do.
            let now = chrono::Utc::now();
            let (key, account) = match account {
                Some(account) => {
                    let days = chrono::Duration::days(i64::from(domain::RESIDENT_KEY_DAYS));
                    let until = now + days;
                    (ApiKey::generate_resident(), Some((account, until)))
                }
                None => (ApiKey::generate(), None),
            };
            let record = store
                .create_key_for(&key.hash(), &tenant, &scopes, account, now)
                .await?;
            let bound = record
                .account()
                .map(|a| format!(", bound to account {a}"))
                .unwrap_or_default();
            let bound = match &record.expires_at {
                Some(at) => format!("{bound}, until {at}"),
                None => bound,
            };
            eprintln!(
                "created key {} for tenant {} with scopes {}{bound}; it is shown only now:",
                record.id,
                record.tenant_name(),
                record.scopes.join(",")
            );
            println!("{}", key.reveal());
        }
        Command::List => {
            println!(
                "{:<12}  {:<20}  {:<12}  {:<36}  {:<20}  revoked",
                "id", "tenant", "scopes", "account", "created"
            );
            for k in store.list_keys().await? {
                println!(
                    "{:<12}  {:<20}  {:<12}  {:<36}  {:<20}  {}",
                    k.id,
                    k.tenant_name(),
                    k.scopes.join(","),
                    k.account().unwrap_or("-"),
                    k.created_at,
                    k.revoked_at.as_deref().unwrap_or("-")
                );
            }
        }
        Command::Revoke(id) => {
            if !store.revoke_key(&id).await? {
                return Err(format!("no active key with id {id}").into());
            }
            eprintln!("revoked {id}; warm functions stop accepting it within a minute");
        }
    }
    Ok(())
}

fn parse_scopes(text: &str) -> Result<Vec<Scope>, Error> {
    let scopes: Vec<Scope> = text
        .split(',')
        .map(|s| {
            Scope::parse(s)
                .ok_or_else(|| format!("unknown scope {s}: import, read, submit or keys"))
        })
        .collect::<Result<_, _>>()?;
    if scopes.is_empty() {
        return Err("at least one scope".into());
    }
    Ok(scopes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_binds_a_new_key_wherever_it_stands() {
        let guid = "358d67ad-d66e-11e3-bd79-94de80e97e9a";
        for args in [
            vec!["create", "okunevo", "read", "--account", guid],
            vec!["create", "--account", guid, "okunevo", "read"],
        ] {
            let Ok(Command::Create(_, scopes, Some(account))) = command(&args) else {
                panic!("{args:?}")
            };
            assert_eq!(
                (scopes, account.to_string()),
                (vec![Scope::Read], guid.to_owned())
            );
        }
        // make key passes an empty ACCOUNT when none is given.
        let Ok(Command::Create(_, _, None)) =
            command(&["create", "okunevo", "import,read", "--account", ""])
        else {
            panic!("an empty account is none")
        };
        for bad in [
            vec!["create", "okunevo", "read", "--account", "nope"],
            vec!["create", "okunevo", "read", "--account"],
            vec!["list", "--account", guid],
            vec!["create", "okunevo", "import,read", "--account", guid],
        ] {
            assert!(command(&bad).is_err(), "{bad:?}");
        }
    }
}
