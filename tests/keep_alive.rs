//! Connections are reused: a sync of many pages opens one TCP connection and
//! sends every request over it (a refused host never gets one: tests/egress.rs).
//! Counted on both sides: by the harness (`http_stats`) and by a loopback
//! relay in front of the mock that counts the connections it accepts.

use crate::common::warehouse::{options, sync};
use crate::common::*;
use host_harness::sync::Outcome;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::net::{TcpListener, TcpStream};

/// A TCP relay to `target` that counts the connections it accepts.
struct CountingRelay {
    addr: SocketAddr,
    accepted: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl CountingRelay {
    async fn to(target: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accepted = Arc::new(AtomicU64::new(0));
        let counter = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self {
            addr,
            accepted,
            task,
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for CountingRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sync_of_many_pages_opens_one_connection() {
    let mock = mock(95, 1).await;
    let relay = CountingRelay::to(mock.addr()).await;
    let connection = connection(&relay.base_url(), ADMIN_ONLY);
    let dir = tempfile::tempdir().unwrap();
    let report = sync(
        &connection,
        &dir.path().join("w.sqlite"),
        &options(&["admin_users"], 10),
    )
    .await;
    let users = report.stream("admin_users").unwrap();
    assert_eq!(
        (users.outcome.clone(), users.rows),
        (Outcome::Succeeded, 95)
    );

    let requests = mock.requests().len() as u64;
    assert!(requests >= 10, "{requests} requests for 10 pages");
    let stats = connection.http_stats();
    assert_eq!(stats.requests, requests, "{stats:?}");
    assert_eq!(stats.connections_opened, 1, "{stats:?}");
    assert_eq!(relay.accepted(), 1, "connections the server side accepted");
    assert!(stats.in_flight > std::time::Duration::ZERO, "{stats:?}");
    assert_eq!(stats.paced, std::time::Duration::ZERO, "{stats:?}");

    // A clone is the same connection: it reuses the same pool.
    let again = connection.clone();
    assert!(runtime().check_connection(&again).await.unwrap()[0].ok);
    assert_eq!(relay.accepted(), 1);
    // One call per scope the Admin key's streams need: the Admin API and the feed.
    assert_eq!(again.http_stats().requests, requests + 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_broken_by_the_server_is_replaced() {
    use anthropic_mock::{Behaviour, Fault, FaultKind};
    let mock = mock(30, 1).await;
    let relay = CountingRelay::to(mock.addr()).await;
    let connection = connection(&relay.base_url(), ADMIN_ONLY);
    // The second page's first answer is cut mid-body: that connection is
    // gone, and the retry goes out on a new one.
    mock.set_behaviour(Behaviour {
        fault: Some(Fault {
            path: "/v1/organizations/users".into(),
            kind: FaultKind::DropMidBody,
            after: 1,
            times: Some(1),
        }),
        ..Behaviour::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let report = sync(
        &connection,
        &dir.path().join("w.sqlite"),
        &options(&["admin_users"], 10),
    )
    .await;
    let users = report.stream("admin_users").unwrap();
    assert_eq!(
        (users.outcome.clone(), users.rows, users.retries),
        (Outcome::Succeeded, 30, 1)
    );
    assert_eq!(connection.http_stats().connections_opened, 2);
    assert_eq!(relay.accepted(), 2);
}
