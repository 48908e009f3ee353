//! `GET /api/journal`: the Lambda of `api::Endpoint::JournalList`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::JournalList).await?;
    run(service_fn(|request| {
        Endpoint::JournalList.handle(&app, request)
    }))
    .await
}
