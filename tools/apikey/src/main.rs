//! API keys for the deployment the environment points at: AWS credentials and `API_KEYS_TABLE`
//! (the stack's `ApiKeysTableName` output), or `.local/lambda.env` for DynamoDB Local, as
//! `make key` does:
//!
//! ```text
//! apikey create <tenant> [import,read]   prints the new key, once, alone on the last line
//! apikey list                            every key: id, tenant, scopes, created, revoked
//! apikey revoke <id>
//! ```

use domain::{ApiKey, Scope, Tenant};

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
    Create(Tenant, Vec<Scope>),
    List,
    Revoke(String),
}

fn command(args: &[&str]) -> Result<Command, Error> {
    Ok(match args {
        ["create", tenant] => Command::Create(Tenant::parse(tenant)?, Scope::ALL.to_vec()),
        ["create", tenant, scopes] => {
            Command::Create(Tenant::parse(tenant)?, parse_scopes(scopes)?)
        }
        ["list"] => Command::List,
        ["revoke", id] => Command::Revoke((*id).to_owned()),
        _ => {
            return Err(
                "usage: apikey create <tenant> [import,read] | apikey list | apikey revoke <id>"
                    .into(),
            );
        }
    })
}

async fn run() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let command = command(&args)?;
    let store = store::Dynamo::for_tool(&[store::Table::ApiKeys]).await?;
    match command {
        Command::Create(tenant, scopes) => {
            let key = ApiKey::generate();
            let record = store.create_key(&key.hash(), &tenant, &scopes).await?;
            eprintln!(
                "created key {} for tenant {} with scopes {}; it is shown only now:",
                record.id,
                record.tenant,
                record.scopes.join(",")
            );
            println!("{}", key.reveal());
        }
        Command::List => {
            println!(
                "{:<12}  {:<20}  {:<12}  {:<20}  revoked",
                "id", "tenant", "scopes", "created"
            );
            for k in store.list_keys().await? {
                println!(
                    "{:<12}  {:<20}  {:<12}  {:<20}  {}",
                    k.id,
                    k.tenant,
                    k.scopes.join(","),
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
        .map(|s| Scope::parse(s).ok_or_else(|| format!("unknown scope {s}: import or read")))
        .collect::<Result<_, _>>()?;
    if scopes.is_empty() {
        return Err("at least one scope".into());
    }
    Ok(scopes)
}
