//! `PUT /api/settings`: the Lambda of `api::Endpoint::SettingsPut`.

use api::{App, Endpoint};
use lambda_http::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    api::init_tracing();
    let app = App::from_env(Endpoint::SettingsPut).await?;
    run(service_fn(|request| {
        Endpoint::SettingsPut.handle(&app, request)
    }))
    .await
}
