//! `POST /api/counters/{id}/readings`: the Lambda of `api::Endpoint::CounterSubmit`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::CounterSubmit).await?;
    run(service_fn(|request| {
        Endpoint::CounterSubmit.handle(&app, request)
    }))
    .await
}
