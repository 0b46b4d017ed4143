//! The mock counts the TCP connections it accepts: requests over a kept-alive
//! connection share one.

use crate::common::*;
use anthropic_mock::OrgSize;

#[tokio::test(flavor = "multi_thread")]
async fn requests_over_one_kept_alive_connection_count_one_connection() {
    let mock = mock(OrgSize::default()).await;
    assert_eq!(mock.connections_accepted(), 0);
    let mut first = Client::connect(&mock).await;
    for _ in 0..3 {
        let answer = first.get(ADMIN, "/v1/organizations/users?limit=2").await;
        assert_eq!(answer.status, 200);
    }
    assert_eq!(mock.connections_accepted(), 1);
    let mut second = Client::connect(&mock).await;
    second.get(COMPLIANCE, "/v1/compliance/groups").await;
    first.get(ADMIN, "/v1/organizations/invites").await;
    assert_eq!(mock.connections_accepted(), 2);
    assert_eq!(mock.requests().len(), 5);
}
