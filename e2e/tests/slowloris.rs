//! `cis serve` against clients that hold connections open (bounded, on loopback): 200 connections that send
//! their headers a byte at a time, an idle keep-alive connection and a request whose body trickles in are
//! all closed within the configured deadlines, while another client's requests keep being served.

use cis_e2e::{Service, write_config};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER_TIMEOUT: u64 = 2;
const BODY_TIMEOUT: u64 = 2;
/// Scheduling slack on a loaded 2-core machine.
const MARGIN: Duration = Duration::from_secs(3);

fn addr(url: &str) -> String {
    url.trim_start_matches("http://").to_string()
}

/// Writes `head`, then one more byte every 300 ms, until the server closes the connection; how long it
/// stayed open (or `None` if it was still open after `give_up`).
async fn trickle(addr: String, head: &'static [u8], give_up: Duration) -> Option<Duration> {
    let start = Instant::now();
    let mut socket = TcpStream::connect(&addr).await.ok()?;
    if socket.write_all(head).await.is_err() {
        return Some(start.elapsed());
    }
    let mut buf = [0u8; 512];
    while start.elapsed() < give_up {
        tokio::select! {
            read = socket.read(&mut buf) => match read {
                // Closed (or answered and closed): anything but a still-open socket counts.
                Ok(0) | Err(_) => return Some(start.elapsed()),
                Ok(_) => continue,
            },
            () = tokio::time::sleep(Duration::from_millis(300)) => {
                if socket.write_all(b"x").await.is_err() {
                    return Some(start.elapsed());
                }
            }
        }
    }
    None
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed_within_the_deadlines_while_others_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!("[change_service]\nbody_timeout_seconds = {BODY_TIMEOUT}\n"),
    );
    let timeout = HEADER_TIMEOUT.to_string();
    let service = Service::start(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "--header-timeout",
            &timeout,
        ],
    );
    let (change, person) = (addr(&service.change_url), addr(&service.person_url));
    let deadline = Duration::from_secs(HEADER_TIMEOUT) + MARGIN;
    let give_up = deadline + Duration::from_secs(5);

    // 200 connections that never finish their headers, on both APIs.
    let mut slow = Vec::new();
    for n in 0..200 {
        let target = if n % 2 == 0 { &change } else { &person };
        let head: &'static [u8] = b"GET /v2/version HTTP/1.1\r\nHost: cis\r\nX-Slow: ";
        slow.push(tokio::spawn(trickle(target.clone(), head, give_up)));
    }
    // An idle keep-alive connection: one request answered, then silence.
    let idle = tokio::spawn({
        let person = person.clone();
        async move {
            let start = Instant::now();
            let mut socket = TcpStream::connect(&person).await.unwrap();
            socket
                .write_all(b"GET /v2 HTTP/1.1\r\nHost: cis\r\n\r\n")
                .await
                .unwrap();
            let mut buf = vec![0u8; 4096];
            let n = socket.read(&mut buf).await.unwrap();
            assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
            loop {
                match tokio::time::timeout(Duration::from_secs(20), socket.read(&mut buf)).await {
                    Ok(Ok(0)) | Ok(Err(_)) => return start.elapsed(),
                    Ok(Ok(_)) => continue,
                    Err(_) => panic!("an idle connection stayed open for 20 s"),
                }
            }
        }
    });
    // A body that trickles in: headers complete, then a byte every 300 ms of a 1,000-byte body.
    let body = tokio::spawn(trickle(
        change.clone(),
        b"POST /v2/user HTTP/1.1\r\nHost: cis\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
        give_up,
    ));

    // Meanwhile an honest client is served, quickly.
    let api = service.api();
    for _ in 0..20 {
        let started = Instant::now();
        let reply = api.user(None, "ad|Mozilla-LDAP|nobody").await;
        assert_eq!(reply.status, 401, "{}", reply.body);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a request took {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    for task in slow {
        let open = task
            .await
            .unwrap()
            .expect("a slow connection was still open");
        assert!(
            open <= deadline,
            "a slow connection was closed only after {open:?}"
        );
    }
    let idle = idle.await.unwrap();
    assert!(
        idle <= deadline,
        "the idle connection was closed only after {idle:?}"
    );
    let body = body
        .await
        .unwrap()
        .expect("the trickling body was still open");
    assert!(
        body <= Duration::from_secs(BODY_TIMEOUT) + MARGIN,
        "the trickling body was cut only after {body:?}"
    );
}
