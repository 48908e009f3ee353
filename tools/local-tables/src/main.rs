//! The local stack's commands:
//! - `local-tables tables <env-file>`: creates the tables of `template.yaml` in DynamoDB Local
//!   (named by their logical ids; existing ones are kept) and writes the environment that
//!   `cargo lambda watch` gives the functions.
//! - `local-tables sweep`: deletes the tables that tests created.

use std::fmt::Write;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let env_file = match args.as_slice() {
        [command, env_file] if command == "tables" => env_file,
        [command] if command == "sweep" => {
            let deleted = local_tables::sweep_test_tables(&local_tables::local_client()).await?;
            println!("deleted {deleted} test tables");
            return Ok(());
        }
        _ => return Err("usage: local-tables tables <env-file> | local-tables sweep".into()),
    };
    let template = local_tables::Template::load(&local_tables::template_path())?;
    template
        .create_tables(&local_tables::local_client(), "")
        .await?;
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap_or_else(|_| local_tables::DEFAULT_ENDPOINT.to_owned());
    // The local stack pseudonymises like a default deployment, and signs cursors and print
    // links, with keys that are no secret: there is no Secrets Manager here (store::secrets).
    // Its one instance of each function serves the tests and the schema fuzzer, each a tenant
    // sending far faster than an office: the per-tenant limit is raised for them.
    let mut env = format!(
        "AWS_ENDPOINT_URL_DYNAMODB={endpoint}\nAWS_REGION=eu-central-1\n\
         AWS_ACCESS_KEY_ID=local\nAWS_SECRET_ACCESS_KEY=local\n\
         PERSONAL_DATA=pseudonymise\nPERSONAL_DATA_KEY=local-development-only-not-a-secret-0000\n\
         SIGNING_KEY=local-development-only-not-a-secret-1111\n\
         TENANT_REQUESTS_PER_SECOND=1000\n"
    );
    for (var, table) in template.table_names("") {
        writeln!(env, "{var}={table}")?;
    }
    std::fs::write(env_file, env)?;
    println!(
        "DynamoDB Local at {endpoint}: {} tables ready",
        template.tables.len()
    );
    Ok(())
}
