//! The demo service of the bundled example: a tiny HTTP server (standard library only) that
//! the example chart deploys and the example tests talk to.
//!
//! * `GET /healthz` → `ok` (liveness and readiness probes)
//! * `GET /` → the greeting from `GREETING` (set by the chart's ConfigMap)
//! * `GET /config` → the mounted config file (`CONFIG_FILE`, default `/etc/demo/config.yaml`)
//!
//! Listens on `LISTEN_ADDR` (default `0.0.0.0:8080`). Exits with status 1 when `GREETING`
//! is not set, so a broken chart shows up as a CrashLoopBackOff with a clear log line.
//!
//! `demo probe [PATH]` (default `/healthz`) is a client for the image's own server, for `kubectl exec`
//! and the example tests' `ctx.exec` (the distroless image has no shell or curl): it GETs PATH from the
//! port of `LISTEN_ADDR` on 127.0.0.1, prints the body and exits 0 on `200`, 1 otherwise.

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

/// `demo probe PATH`: GET PATH from the server at `target`; the body on stdout; exit code 0 on 200.
fn probe(target: &str, path: &str) -> i32 {
    let answer = (|| -> std::io::Result<String> {
        let mut c = TcpStream::connect(target)?;
        write!(
            c,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )?;
        let mut out = String::new();
        std::io::Read::read_to_string(&mut c, &mut out)?;
        Ok(out)
    })();
    match answer {
        Ok(text) => {
            let status = text.lines().next().unwrap_or("").to_string();
            print!(
                "{}",
                text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("")
            );
            if status.split_whitespace().nth(1) == Some("200") {
                0
            } else {
                eprintln!("demo probe: GET {path}: {status}");
                1
            }
        }
        Err(e) => {
            eprintln!("demo probe: GET {path} from {target}: {e}");
            1
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("probe") {
        let path = args.get(1).map(String::as_str).unwrap_or("/healthz");
        let addr = std::env::var("LISTEN_ADDR").unwrap_or_else(|_| "0.0.0.0:8080".into());
        let port = addr.rsplit(':').next().unwrap_or("8080");
        std::process::exit(probe(&format!("127.0.0.1:{port}"), path));
    }
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

    #[test]
    fn probe_exit_codes() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for s in listener.incoming().take(2) {
                respond(s.unwrap(), "hello", "/nonexistent").unwrap();
            }
        });
        assert_eq!(probe(&addr, "/healthz"), 0);
        assert_eq!(probe(&addr, "/nope"), 1);
        // Nothing listens on port 1.
        assert_eq!(probe("127.0.0.1:1", "/healthz"), 1);
    }
}
