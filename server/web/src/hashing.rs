//! Password hashing, bounded: every argon2 hash and check a server makes goes through one
//! [`Hasher`], a few long-lived threads that each own one argon2 work area (19 MiB).
//!
//! Why: argon2 is slow and memory-hard on purpose. Run on tokio's blocking pool, a burst of
//! sign-ins became a burst of threads, each with its own 19 MiB and its own malloc arena
//! that glibc kept after the burst (200 wrong passwords at once left a hall at 4.7 GB).
//! Here at most `threads` hashes run at once, each in the work area its thread allocated
//! once and reuses for ever, so the memory is `threads × 19 MiB` whatever the load, with no
//! `unsafe` and nothing to give back. The rest wait for a place in a bounded queue, asleep;
//! one that waited past its deadline is refused (`sign_in_busy`) unhashed.
//!
//! An unknown name is checked against nothing with the same work as a real hash, so the
//! answer's timing does not tell which names exist.

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use motcua_domain::Error;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

/// How many hashes at once, and how long the rest may wait.
#[derive(Clone, Copy, Debug)]
pub struct HashingSettings {
    /// Hashes at once: each holds 19 MiB while the server runs (after its first use).
    pub threads: usize,
    /// Sign-ins that may wait for a free thread; more are refused at once.
    pub queue: usize,
    /// How long one may wait before it is refused.
    pub wait: Duration,
}

impl Default for HashingSettings {
    fn default() -> Self {
        HashingSettings {
            threads: 1,
            queue: 64,
            wait: Duration::from_secs(5),
        }
    }
}

/// What a hashing thread is asked to do.
enum Work {
    Hash(String),
    /// `None`: an unknown name, checked against nothing with the same work.
    Verify(Option<String>, String),
}

enum Outcome {
    Hashed(String),
    Verified(bool),
    /// Waited past its deadline: refused unhashed.
    Late,
    Failed(String),
}

struct Job {
    work: Work,
    deadline: Instant,
    reply: oneshot::Sender<Outcome>,
    /// The job's place in the queue, given back when it is done.
    _place: OwnedSemaphorePermit,
}

/// The server's hashing threads (cheap to clone; the threads end with the last clone).
#[derive(Clone)]
pub struct Hasher {
    jobs: SyncSender<Job>,
    /// Places in the queue and at the threads: a sign-in waits for one (asleep, costing
    /// nothing and holding its client's request, so a guesser cannot spin on refusals)
    /// until its deadline.
    places: Arc<Semaphore>,
    wait: Duration,
    /// argon2 runs done since the start: checks (an unknown name's included) and hashes.
    runs: Arc<AtomicU64>,
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hasher").field("wait", &self.wait).finish()
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher::new(HashingSettings::default())
    }
}

/// Refused without hashing: every thread is busy and the queue is full, or the wait was
/// too long.
fn busy() -> Error {
    Error::too_many(
        "sign_in_busy",
        "too many sign-ins at once: try again in a moment",
        2,
    )
}

impl Hasher {
    /// Start `settings.threads` hashing threads (at least one).
    pub fn new(settings: HashingSettings) -> Hasher {
        let places = settings.queue.max(1) + settings.threads.max(1);
        let (jobs, queue) = sync_channel::<Job>(places);
        let queue = Arc::new(Mutex::new(queue));
        let runs = Arc::new(AtomicU64::new(0));
        for n in 0..settings.threads.max(1) {
            let (queue, runs) = (queue.clone(), runs.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue, &runs));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Hasher {
            jobs,
            places: Arc::new(Semaphore::new(places)),
            wait: settings.wait,
            runs,
        }
    }

    /// How many times argon2 ran since the start (`/metrics`): every check, an unknown
    /// name's as well, and every new hash; not a sign-in refused before hashing.
    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    async fn submit(&self, work: Work) -> Result<oneshot::Receiver<Outcome>, Error> {
        let deadline = Instant::now() + self.wait;
        let place = tokio::time::timeout(self.wait, self.places.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| Error::internal("the hashing queue is closed"))?;
        let (reply, answer) = oneshot::channel();
        let job = Job {
            work,
            deadline,
            reply,
            _place: place,
        };
        match self.jobs.try_send(job) {
            Ok(()) => Ok(answer),
            Err(TrySendError::Full(_)) => Err(busy()),
            Err(TrySendError::Disconnected(_)) => Err(Error::internal("no hashing thread")),
        }
    }

    fn answer(outcome: Result<Outcome, oneshot::error::RecvError>) -> Result<Outcome, Error> {
        match outcome {
            Ok(Outcome::Late) => Err(busy()),
            Ok(Outcome::Failed(why)) => Err(Error::internal(why)),
            Ok(outcome) => Ok(outcome),
            Err(_) => Err(Error::internal("a hashing thread ended")),
        }
    }

    /// Hash a new password (a new user, a reset).
    pub async fn hash(&self, password: String) -> Result<String, Error> {
        let answer = self.submit(Work::Hash(password)).await?;
        match Self::answer(answer.await)? {
            Outcome::Hashed(phc) => Ok(phc),
            _ => Err(Error::internal("hashing answered a check")),
        }
    }

    /// Check `password` against a stored hash; `None` (an unknown name) does the same work
    /// and answers false.
    pub async fn verify(&self, hash: Option<String>, password: String) -> Result<bool, Error> {
        let answer = self.submit(Work::Verify(hash, password)).await?;
        match Self::answer(answer.await)? {
            Outcome::Verified(ok) => Ok(ok),
            _ => Err(Error::internal("a check answered a hash")),
        }
    }
}

/// A hashing thread: take jobs until the last [`Hasher`] is gone, in one work area.
fn work(queue: &Mutex<Receiver<Job>>, runs: &AtomicU64) {
    // Guessing passwords must not slow the hall: at the lowest priority (niceness 19) a
    // hash only takes what the kiosks, consoles and displays leave. On an idle box it
    // runs as fast as ever.
    if let Err(e) =
        thread_priority::set_current_thread_priority(thread_priority::ThreadPriority::Min)
    {
        tracing::warn!(error = ?e, "cannot lower the priority of a password hashing thread");
    }
    let mut area = WorkArea::default();
    loop {
        let job = {
            let Ok(queue) = queue.lock() else { return };
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        let outcome = if Instant::now() > job.deadline {
            Outcome::Late
        } else {
            runs.fetch_add(1, Ordering::Relaxed);
            match job.work {
                Work::Hash(password) => area
                    .hash(&password)
                    .map_or_else(Outcome::Failed, Outcome::Hashed),
                Work::Verify(hash, password) => Outcome::Verified(area.verify(hash, &password)),
            }
        };
        // The caller may have gone (a closed connection): nothing to tell.
        let _ = job.reply.send(outcome);
    }
}

/// One thread's argon2 memory, allocated at its first hash and reused for every later one.
#[derive(Default)]
struct WorkArea {
    blocks: Vec<Block>,
}

impl WorkArea {
    fn run(
        &mut self,
        argon2: &Argon2<'_>,
        password: &str,
        salt: &[u8],
        out: &mut [u8],
    ) -> Result<(), argon2::Error> {
        let needed = argon2.params().block_count();
        if needed <= Params::DEFAULT.block_count() {
            if self.blocks.len() < needed {
                self.blocks
                    .resize(Params::DEFAULT.block_count(), Block::default());
            }
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut self.blocks)
        } else {
            // A hash made with more memory than ours (an older setting): a one-off area,
            // so the kept one stays the usual size.
            let mut blocks = vec![Block::default(); needed];
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, out, &mut blocks)
        }
    }

    /// A new PHC string (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`) for `password`.
    fn hash(&mut self, password: &str) -> Result<String, String> {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let mut buf = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut buf).map_err(|e| e.to_string())?;
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let argon2 = Argon2::default();
        self.run(&argon2, password, salt_bytes, &mut out)
            .map_err(|e| e.to_string())?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&Params::DEFAULT).map_err(|e| e.to_string())?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(|e| e.to_string())?),
        };
        Ok(phc.to_string())
    }

    fn verify(&mut self, hash: Option<String>, password: &str) -> bool {
        let Some(hash) = hash else {
            // An unknown name: the same work as a real check, then no.
            let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
            let _ = self.run(&Argon2::default(), password, b"unknown-name-salt", &mut out);
            return false;
        };
        self.check(&hash, password).unwrap_or(false)
    }

    fn check(&mut self, hash: &str, password: &str) -> Option<bool> {
        let parsed = PasswordHash::new(hash).ok()?;
        let algorithm = Algorithm::try_from(parsed.algorithm).ok()?;
        let version = match parsed.version {
            Some(v) => Version::try_from(v).ok()?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).ok()?;
        let expected = parsed.hash?;
        let mut buf = [0u8; 64];
        let salt = parsed.salt?.decode_b64(&mut buf).ok()?;
        let mut out = vec![0u8; expected.len()];
        let argon2 = Argon2::new(algorithm, version, params);
        self.run(&argon2, password, salt, &mut out).ok()?;
        // Output's equality takes the same time wherever the bytes differ.
        Some(Output::new(&out).ok()? == expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_checks_its_password_only_and_old_hashes_still_check() {
        let hasher = Hasher::default();
        let phc = hasher
            .hash("Mây trắng bay qua đồi".to_owned())
            .await
            .unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(
            hasher
                .verify(Some(phc.clone()), "Mây trắng bay qua đồi".to_owned())
                .await
                .unwrap()
        );
        assert!(!hasher.verify(Some(phc), "wrong".to_owned()).await.unwrap());
        assert!(!hasher.verify(None, "anything".to_owned()).await.unwrap());
        assert!(
            !hasher
                .verify(Some("not a hash".to_owned()), "x".to_owned())
                .await
                .unwrap()
        );
        // A hash the argon2 crate made its own way (as before this module) still checks.
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let old = Argon2::default()
            .hash_password(b"an older password", &salt)
            .unwrap()
            .to_string();
        assert!(
            hasher
                .verify(Some(old), "an older password".to_owned())
                .await
                .unwrap()
        );
    }

    #[tokio::test]
    async fn past_the_queue_a_sign_in_is_refused_unhashed_as_busy() {
        // One thread, a queue of one, a short wait: of many at once, most must be
        // refused, none fail.
        let hasher = Hasher::new(HashingSettings {
            threads: 1,
            queue: 1,
            wait: Duration::from_millis(30),
        });
        let tries = (0..16).map(|_| {
            let hasher = hasher.clone();
            tokio::spawn(async move { hasher.verify(None, "x".to_owned()).await })
        });
        let tries: Vec<_> = tries.collect();
        let mut busy = 0;
        for t in tries {
            match t.await.unwrap() {
                Ok(ok) => assert!(!ok),
                Err(Error::TooMany { code, .. }) => {
                    assert_eq!(code, "sign_in_busy");
                    busy += 1;
                }
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(
            busy >= 1,
            "sixteen hashes do not fit in 30 ms on one thread"
        );
    }

    #[tokio::test]
    async fn a_sign_in_that_waited_past_its_deadline_is_refused() {
        let hasher = Hasher::new(HashingSettings {
            threads: 1,
            queue: 8,
            wait: Duration::ZERO,
        });
        // Every job's deadline is the moment it was queued: the thread finds it late.
        let answer = hasher.verify(None, "x".to_owned()).await;
        assert!(
            matches!(
                answer,
                Err(Error::TooMany {
                    code: "sign_in_busy",
                    ..
                })
            ),
            "{answer:?}"
        );
    }
}
