//! The demo service of the bundled example: a tiny HTTP server (standard library only) that
//! the example chart deploys and the example tests talk to.
//!
//! * `GET /healthz` → `ok` (liveness and readiness probes)
//! * `GET /` → the greeting from `GREETING` (set by the chart's ConfigMap)
//! * `GET /config` → the mounted config file (`CONFIG_FILE`, default `/etc/demo/config.yaml`)
//!
//! Listens on `LISTEN_ADDR` (default `0.0.0.0:8080`). Exits with status 1 when `GREETING`
//! is not set, so a broken chart shows up as a CrashLoopBackOff with a clear log line.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

fn respond(mut stream: TcpStream, greeting: &str, config_file: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body) = match path {
        "/healthz" => ("200 OK", "ok\n".to_string()),
        "/" => ("200 OK", format!("{greeting}\n")),
        "/config" => match std::fs::read_to_string(config_file) {
            Ok(text) => ("200 OK", text),
            Err(e) => (
                "500 Internal Server Error",
                format!("cannot read {config_file}: {e}\n"),
            ),
        },
        _ => ("404 Not Found", "not found\n".to_string()),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn main() {
    let Ok(greeting) = std::env::var("GREETING") else {
        eprintln!("demo: fatal: GREETING is not set");
        std::process::exit(1);
    };
    let addr = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "0.0.0.0:8080".into());
    let config_file =
        std::env::var("CONFIG_FILE").unwrap_or_else(|_| "/etc/demo/config.yaml".into());
    let listener = match TcpListener::bind(&addr) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("demo: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    eprintln!("demo: listening on {addr}");
    for stream in listener.incoming() {
        match stream {
            Ok(s) => {
                if let Err(e) = respond(s, &greeting, &config_file) {
                    eprintln!("demo: request failed: {e}");
                }
            }
            Err(e) => eprintln!("demo: accept failed: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn serves_health_and_greeting() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            for s in listener.incoming().take(2) {
                respond(s.unwrap(), "hello", "/nonexistent").unwrap();
            }
        });
        for (path, want) in [("/healthz", "ok\n"), ("/", "hello\n")] {
            let mut c = TcpStream::connect(addr).unwrap();
            write!(c, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut out = String::new();
            c.read_to_string(&mut out).unwrap();
            assert!(out.starts_with("HTTP/1.1 200 OK"), "{out}");
            assert!(out.ends_with(want), "{out}");
        }
    }
}
