//! `DELETE /api/keys/{id}`: the Lambda of `api::Endpoint::KeysRevoke`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::KeysRevoke).await?;
    run(service_fn(|request| {
        Endpoint::KeysRevoke.handle(&app, request)
    }))
    .await
}
