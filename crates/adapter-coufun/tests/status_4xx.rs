//! The one rule for 4xx answers: a body holding a `RESULT_CODE` is the vendor's
//! refusal (through the code table, HTTP status kept); a body without one leaves
//! the status to decide. Served by a bare loopback server.

#![cfg(feature = "client")]

use adapter_coufun::{Coufun, CoufunConfig};
use coupon_core::{ErrorKind, Pin};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

async fn serve(status: u16, body: &'static str) -> Coufun {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else { return };
            tokio::spawn(async move {
                // Read the head and the (small) form body, then answer.
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/xml; charset=UTF-8\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(body.as_bytes()).await;
            });
        }
    });
    Coufun::new(CoufunConfig::new(&format!("http://127.0.0.1:{port}"), "SANDBOX").unwrap()).unwrap()
}

#[tokio::test]
async fn a_4xx_whose_body_holds_a_result_code_is_that_refusal() {
    let body = "<COUFUNSEARCH><RESULT_CODE>99</RESULT_CODE><RESULT_MSG>not registered</RESULT_MSG></COUFUNSEARCH>";
    let e = serve(403, body).await.status("CF20001000", &Pin::new("ABC1234567890")).await.unwrap_err();
    assert_eq!((e.kind(), e.vendor_code().unwrap().raw(), e.http_status()), (ErrorKind::Rejected, "99", Some(403)));
    assert_eq!(e.vendor_message(), Some("not registered"));
}

#[tokio::test]
async fn a_4xx_without_a_result_code_is_decided_by_its_status() {
    let e = serve(403, "<html>forbidden</html>").await.status("CF20001000", &Pin::new("A1")).await.unwrap_err();
    assert_eq!((e.kind(), e.http_status()), (ErrorKind::PermissionDenied, Some(403)), "{e}");
    assert!(e.vendor_code().is_none());
}
