//! A local Lambda Runtime API for one function process, as Lambda runs it: the function polls
//! `GET /2018-06-01/runtime/invocation/next`, gets one event, and posts its answer back. Every
//! step is reported with the instant it happened, so that init, cold and warm invocations and
//! peak memory are measured on the release binary itself (`make bench`), and what a function
//! logs under the runtime is read whole (the logs test).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::process::{Child, Command};
use tokio::sync::{Mutex, mpsc};

/// What the function did, when.
#[derive(Debug)]
enum Step {
    Polled(Instant),
    Handed(Instant),
    Answered(Instant, Bytes),
    Failed(String),
}

/// One function process and the Runtime API it polls.
pub struct Function {
    child: Child,
    events: mpsc::UnboundedSender<String>,
    steps: mpsc::UnboundedReceiver<Step>,
    pub spawned: Instant,
    /// The readers of its standard output and error, when spawned to be read
    /// ([`Function::spawn_logged`]): each answers all it read once the pipe closes.
    readers: Vec<tokio::task::JoinHandle<Vec<u8>>>,
}

/// One invocation's answer and how long it took from the event being handed over.
pub struct Invocation {
    pub took: Duration,
    /// From the process being spawned: the cold start's first answer, for a first invocation.
    pub since_spawn: Duration,
    pub status: u16,
    pub body: String,
}

impl Function {
    /// Starts `binary` with `env` (and nothing else of this process's environment) against a new
    /// Runtime API on a free port.
    pub async fn spawn(binary: &Path, env: &BTreeMap<String, String>) -> Self {
        Self::start(binary, &[], env, false).await
    }

    /// [`Function::spawn`] with `args`, its standard output and error kept for
    /// [`Function::logs`].
    pub async fn spawn_logged(
        binary: &Path,
        args: &[&str],
        env: &BTreeMap<String, String>,
    ) -> Self {
        Self::start(binary, args, env, true).await
    }

    async fn start(
        binary: &Path,
        args: &[&str],
        env: &BTreeMap<String, String>,
        logged: bool,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("bound");
        let (events, queue) = mpsc::unbounded_channel();
        let (report, steps) = mpsc::unbounded_channel();
        tokio::spawn(serve(listener, Arc::new(Mutex::new(queue)), report));
        let spawned = Instant::now();
        let output = || {
            if logged {
                Stdio::piped()
            } else {
                Stdio::null()
            }
        };
        let mut child = Command::new(binary)
            .args(args)
            .env_clear()
            .envs(env)
            .envs(lambda_environment(address))
            .stdout(output())
            .stderr(output())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
        // Read as it comes: a full pipe would stop the function.
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(tokio::spawn(read_all(stdout)));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(tokio::spawn(read_all(stderr)));
        }
        Self {
            child,
            events,
            steps,
            spawned,
            readers,
        }
    }

    /// Stops the process and answers everything it wrote: its standard output and its
    /// standard error, each whole (for [`Function::spawn_logged`]; empty otherwise).
    pub async fn finish(mut self) -> (String, String) {
        self.child.kill().await.expect("the function stops");
        let mut outputs = Vec::new();
        for reader in self.readers.drain(..) {
            let bytes = reader.await.expect("the reader ends with the pipe");
            outputs.push(String::from_utf8_lossy(&bytes).into_owned());
        }
        let stderr = outputs.pop().unwrap_or_default();
        let stdout = outputs.pop().unwrap_or_default();
        (stdout, stderr)
    }

    /// How long the process took from its start to its first poll for an event: its init.
    pub async fn init(&mut self) -> Duration {
        loop {
            match self.next_step().await {
                Step::Polled(at) => return at - self.spawned,
                Step::Failed(error) => panic!("init failed: {error}"),
                _ => {}
            }
        }
    }

    pub async fn invoke(&mut self, event: String) -> Invocation {
        self.events.send(event).expect("the Runtime API runs");
        let mut handed = None;
        loop {
            match self.next_step().await {
                Step::Handed(at) => handed = Some(at),
                Step::Answered(at, payload) => {
                    let answer: serde_json::Value =
                        serde_json::from_slice(&payload).expect("the answer is JSON");
                    return Invocation {
                        took: at - handed.expect("handed before answered"),
                        since_spawn: at - self.spawned,
                        status: answer["statusCode"].as_u64().unwrap_or_default() as u16,
                        body: answer["body"].as_str().unwrap_or_default().to_owned(),
                    };
                }
                Step::Failed(error) => panic!("invocation failed: {error}"),
                Step::Polled(_) => {}
            }
        }
    }

    /// The process's peak resident memory so far (Linux's `VmHWM`), in bytes.
    pub fn peak_memory(&self) -> u64 {
        let pid = self.child.id().expect("running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("procfs");
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM");
        let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib * 1024
    }

    async fn next_step(&mut self) -> Step {
        tokio::time::timeout(Duration::from_secs(300), self.steps.recv())
            .await
            .expect("the function answers within 5 minutes")
            .expect("the Runtime API runs")
    }
}

/// Everything `from` gives until it ends.
async fn read_all(mut from: impl tokio::io::AsyncRead + Unpin) -> Vec<u8> {
    use tokio::io::AsyncReadExt;
    let mut all = Vec::new();
    let _ = from.read_to_end(&mut all).await;
    all
}

/// What Lambda sets for every function; the bench's own values.
fn lambda_environment(address: SocketAddr) -> [(&'static str, String); 6] {
    [
        ("AWS_LAMBDA_RUNTIME_API", address.to_string()),
        ("AWS_LAMBDA_FUNCTION_NAME", "bench".into()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/bench".into()),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
    ]
}

async fn serve(
    listener: TcpListener,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<String>>>,
    report: mpsc::UnboundedSender<Step>,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let (queue, report) = (queue.clone(), report.clone());
        let service = service_fn(move |request| answer(request, queue.clone(), report.clone()));
        tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
    }
}

async fn answer(
    request: Request<Incoming>,
    queue: Arc<Mutex<mpsc::UnboundedReceiver<String>>>,
    report: mpsc::UnboundedSender<Step>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let body = request.into_body().collect().await.map(|b| b.to_bytes());
    let body = body.unwrap_or_default();
    if method == Method::GET && path.ends_with("/invocation/next") {
        let _ = report.send(Step::Polled(Instant::now()));
        let Some(event) = queue.lock().await.recv().await else {
            // No more events: the poll stays open until the process is killed.
            return std::future::pending().await;
        };
        let _ = report.send(Step::Handed(Instant::now()));
        let deadline = SystemTime::now() + Duration::from_secs(900);
        let deadline = deadline.duration_since(UNIX_EPOCH).unwrap().as_millis();
        let response = Response::builder()
            .header("lambda-runtime-aws-request-id", "bench-request")
            .header("lambda-runtime-deadline-ms", deadline.to_string())
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:eu-central-1:000000000000:function:bench",
            )
            .body(Full::new(Bytes::from(event)))
            .expect("static headers");
        return Ok(response);
    }
    if path.ends_with("/response") {
        let _ = report.send(Step::Answered(Instant::now(), body));
    } else {
        let _ = report.send(Step::Failed(String::from_utf8_lossy(&body).into_owned()));
    }
    Ok(Response::builder()
        .status(202)
        .body(Full::new(Bytes::new()))
        .expect("static status"))
}

/// An API Gateway HTTP API (payload 2.0) event for `method path?query` with the key and body.
pub fn http_event(method: &str, path: &str, query: &str, key: &str, body: &str) -> String {
    routed_event(method, path, path, &[], query, key, body)
}

/// [`http_event`] for a route with path parameters: `route` as the template writes it
/// (`/api/counters/{id}/readings`), `path` as called, `params` its parameters.
pub fn routed_event(
    method: &str,
    route: &str,
    path: &str,
    params: &[(&str, &str)],
    query: &str,
    key: &str,
    body: &str,
) -> String {
    let params: serde_json::Map<String, serde_json::Value> = params
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    serde_json::json!({
        "version": "2.0",
        "routeKey": format!("{method} {route}"),
        "rawPath": path,
        "pathParameters": params,
        "rawQueryString": query,
        "headers": {
            "authorization": format!("Bearer {key}"),
            "content-type": "application/json",
        },
        "requestContext": {
            "accountId": "000000000000", "apiId": "bench", "domainName": "localhost",
            "domainPrefix": "bench", "requestId": "bench-request", "routeKey": format!("{method} {route}"),
            "stage": "$default", "time": "22/Nov/2026:00:00:00 +0000", "timeEpoch": 0,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "bench"},
        },
        "body": body,
        "isBase64Encoded": false,
    })
    .to_string()
}
