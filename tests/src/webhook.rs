//! A webhook receiver for the alerts' tests: a real listener on 127.0.0.1:0 speaking plain
//! HTTP/1.1. It reads each request (one connection may carry several), hands out its
//! status, path and JSON body, then answers: a 500 for the first `refuse`, else 200. A
//! request is handed out before it is answered, so once the hall has its answer the test
//! can see the delivery.

use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// One request the receiver heard.
#[derive(Debug)]
pub struct Delivery {
    /// What it was answered: 500 for the refused, 200 after.
    pub status: u16,
    pub path: String,
    pub body: Value,
}

pub struct Receiver {
    /// `http://127.0.0.1:PORT/hooks/{room}/SECRET-{room}`: a chat webhook's shape, its
    /// secret in the path.
    pub url: String,
    pub got: mpsc::UnboundedReceiver<Delivery>,
}

impl Receiver {
    pub async fn start(room: &str, refuse: usize) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!(
            "http://{}/hooks/{room}/SECRET-{room}",
            listener.local_addr().expect("addr")
        );
        let (tx, got) = mpsc::unbounded_channel();
        let refused = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (tx, refused) = (tx.clone(), refused.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut read = BufReader::new(read);
                    while let Some((path, body)) = request(&mut read).await {
                        let status = if refused.fetch_add(1, Ordering::SeqCst) < refuse {
                            500
                        } else {
                            200
                        };
                        let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
                        let _ = tx.send(Delivery { status, path, body });
                        let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 0\r\n\r\n");
                        if write.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        Receiver { url, got }
    }

    /// The next delivery heard (refused ones too), within 20 s.
    pub async fn next_heard(&mut self) -> Delivery {
        tokio::time::timeout(std::time::Duration::from_secs(20), self.got.recv())
            .await
            .expect("a delivery within 20 s")
            .expect("the receiver runs")
    }
}

/// One HTTP request off the connection: its path and body; `None` once it closes.
async fn request(
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> Option<(String, Vec<u8>)> {
    let mut line = String::new();
    if read.read_line(&mut line).await.unwrap_or(0) == 0 {
        return None;
    }
    let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
    let mut length = 0;
    loop {
        let mut header = String::new();
        if read.read_line(&mut header).await.unwrap_or(0) == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    read.read_exact(&mut body).await.ok()?;
    Some((path, body))
}
