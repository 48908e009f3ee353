//! `GET /api/counters/{id}/submissions`: the Lambda of `api::Endpoint::CounterSubmissions`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::CounterSubmissions).await?;
    run(service_fn(|request| {
        Endpoint::CounterSubmissions.handle(&app, request)
    }))
    .await
}
