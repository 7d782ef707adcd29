//! Delivery of the outbox: e-mails by SMTP, SMS through an HTTP gateway. A channel without
//! configuration keeps its messages in the outbox, where `hostingd outbox` shows them.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::ServeConfig;
use crate::store::{DeliveryAttempt, PendingMessage, RetryPolicy, Store};

/// Messages claimed at once per channel.
const CLAIM_BATCH: i64 = 20;
/// How long a claim lasts: longer than sending a batch (a slow SMTP server included), short
/// enough that the messages of an instance that died go out soon from another.
const CLAIM_SECONDS: i64 = 300;

/// How delivery is configured.
#[derive(Clone)]
pub struct Delivery {
    smtp: Option<(AsyncSmtpTransport<Tokio1Executor>, Mailbox)>,
    sms: Option<(reqwest::Client, String, Option<String>)>,
    retry: RetryPolicy,
    metrics: Option<std::sync::Arc<crate::metrics::Metrics>>,
}

impl Delivery {
    /// Reads the SMTP and SMS settings; `None` when neither is configured.
    pub fn from_config(config: &ServeConfig) -> anyhow::Result<Option<Delivery>> {
        let smtp = match config.smtp_url()? {
            Some(url) => Some((
                // The URL is not repeated in the error: it may hold a password.
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                    .map_err(|e| anyhow::anyhow!("the SMTP URL cannot be used: {e}"))?
                    .build(),
                config
                    .smtp_from
                    .parse::<Mailbox>()
                    .map_err(|e| anyhow::anyhow!("the sender address cannot be used: {e}"))?,
            )),
            None => None,
        };
        let sms = match config.sms_url()? {
            Some(url) => Some((
                reqwest::Client::builder()
                    .timeout(Duration::from_secs(20))
                    .build()?,
                url,
                config.sms_token()?,
            )),
            None => None,
        };
        Ok((smtp.is_some() || sms.is_some()).then_some(Delivery {
            smtp,
            sms,
            retry: config.retry_policy(),
            metrics: None,
        }))
    }

    /// Delivery that counts its attempts in `metrics`.
    pub fn with_metrics(mut self, metrics: std::sync::Arc<crate::metrics::Metrics>) -> Delivery {
        self.metrics = Some(metrics);
        self
    }

    async fn send_email(&self, message: &PendingMessage) -> Result<(), String> {
        let Some((transport, from)) = &self.smtp else {
            return Err("no SMTP server configured".to_string());
        };
        let email = Message::builder()
            .from(from.clone())
            .to(message
                .recipient
                .parse::<Mailbox>()
                .map_err(|e| e.to_string())?)
            .subject(message.subject.clone())
            .body(message.body.clone())
            .map_err(|e| e.to_string())?;
        transport
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    async fn send_sms(&self, message: &PendingMessage) -> Result<(), String> {
        let Some((client, url, token)) = &self.sms else {
            return Err("no SMS gateway configured".to_string());
        };
        let mut request = client
            .post(url)
            .json(&serde_json::json!({"to": message.recipient, "text": message.body}));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        // Without the URL: it may carry the gateway's credentials.
        let response = request
            .send()
            .await
            .map_err(|e| e.without_url().to_string())?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("the SMS gateway answered {}", response.status()))
        }
    }

    /// Delivers what is pending on the configured channels, once: the messages are claimed
    /// first, so that other instances over the same database leave them alone.
    pub async fn deliver_pending(&self, store: &Store) -> anyhow::Result<usize> {
        let mut delivered = 0;
        let mut bodies_dropped = false;
        for (channel, configured) in [("email", self.smtp.is_some()), ("sms", self.sms.is_some())] {
            if !configured {
                continue;
            }
            let claimed = store
                .claim_messages(channel, CLAIM_BATCH, crate::instance::id(), CLAIM_SECONDS)
                .await?;
            for message in claimed {
                let result = if channel == "email" {
                    self.send_email(&message).await
                } else {
                    self.send_sms(&message).await
                };
                if let Err(error) = &result {
                    // The recipient is logged, never the body (it may hold a password).
                    tracing::warn!(id = message.id, channel, %error, "delivery failed");
                }
                let attempt = store
                    .mark_delivery(message.id, result.err().as_deref(), &self.retry)
                    .await?;
                let outcome = match attempt {
                    DeliveryAttempt::Delivered => {
                        delivered += 1;
                        bodies_dropped = true;
                        "delivered"
                    }
                    DeliveryAttempt::Retry(_) => "retry",
                    DeliveryAttempt::Abandoned => {
                        bodies_dropped = true;
                        tracing::error!(
                            id = message.id,
                            channel,
                            "delivery given up: the message is too old; see `hostingd outbox --failed`"
                        );
                        "given_up"
                    }
                };
                if let Some(metrics) = &self.metrics {
                    metrics.delivery(outcome);
                }
            }
        }
        if bodies_dropped {
            // The dropped bodies leave the WAL now, not at some later checkpoint.
            store.checkpoint().await;
        }
        Ok(delivered)
    }

    /// Delivers pending messages every few seconds, for as long as the service runs.
    pub async fn run(self, store: Store) {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        loop {
            tick.tick().await;
            if let Err(error) = self.deliver_pending(&store).await {
                tracing::warn!(%error, "outbox delivery round failed");
            }
        }
    }
}
