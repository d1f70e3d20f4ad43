//! Spoken announcements: "Mời công dân có số thứ tự A 0 1 2 đến quầy số 3", synthesised on
//! the server with espeak-ng (Northern, Central or Southern Vietnamese voice, male or
//! female variant, from the settings), so the hall needs no internet, and cached: a hall
//! calls the same few hundred phrases all day.
//!
//! Anyone may ask (the displays hold no credentials), so the server speaks only what the
//! hall has said: a ticket called or recalled today at that counter (signed-in staff may
//! hear any code, to try the voice). The cache is bounded in bytes
//! (`announcements.cache_mib`), the least recently heard phrase going first: each phrase
//! is a WAV of a few hundred KB, and a bound in entries let 1,700 invented codes grow the
//! server by 478 MB.
//!
//! When espeak-ng is not installed the answer is 404 `no_voice`, and the display falls
//! back to the browser's own vi-VN voice if the device has one, else the chime alone.

use axum::body::Bytes;
use motcua_domain::Error;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The voice, as configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct VoiceSettings {
    /// `north`, `central` or `south`.
    pub region: String,
    /// `male` or `female`.
    pub gender: String,
    /// Words per minute (80 to 260).
    pub speed: u32,
    /// Loudness on the displays, 0 to 100.
    pub volume: u8,
    /// Ring a chime before each announcement.
    pub chime: bool,
    /// The most the spoken calls kept in memory may weigh, in MiB (1 to 1024).
    pub cache_mib: u32,
}

impl Default for VoiceSettings {
    fn default() -> Self {
        VoiceSettings {
            region: "north".into(),
            gender: "female".into(),
            speed: 135,
            volume: 90,
            chime: true,
            cache_mib: 32,
        }
    }
}

impl VoiceSettings {
    /// The espeak-ng voice name, e.g. `vi-vn-x-south+f3`; on a bad value, the key and why.
    pub fn espeak_voice(&self) -> Result<String, (&'static str, String)> {
        let base = match self.region.as_str() {
            "north" => "vi",
            "central" => "vi-vn-x-central",
            "south" => "vi-vn-x-south",
            other => return Err(("region", format!("{other:?}: use north, central or south"))),
        };
        let variant = match self.gender.as_str() {
            "male" => "m3",
            "female" => "f3",
            other => return Err(("gender", format!("{other:?}: use male or female"))),
        };
        if !(80..=260).contains(&self.speed) {
            return Err((
                "speed",
                format!("{} words per minute: use 80 to 260", self.speed),
            ));
        }
        if self.volume > 100 {
            return Err(("volume", "0 to 100".into()));
        }
        if !(1..=1024).contains(&self.cache_mib) {
            return Err((
                "cache_mib",
                format!("{} MiB: use 1 to 1024", self.cache_mib),
            ));
        }
        Ok(format!("{base}+{variant}"))
    }
}

/// The sentence for a call: the code read character by character, then the counter.
pub fn phrase(code: &str, counter: u16) -> String {
    let spelled: Vec<String> = code.chars().map(|c| c.to_string()).collect();
    format!(
        "Mời công dân có số thứ tự {} đến quầy số {}",
        spelled.join(" "),
        counter
    )
}

/// Synthesises and caches announcements.
#[derive(Clone)]
pub struct Announcer {
    /// The voice as set now (the admin pages change it while the hall runs).
    voice: Arc<Mutex<Voice>>,
    cache: Arc<Mutex<Cache>>,
    /// At most two synthesisers at once, whoever asks.
    voices: Arc<tokio::sync::Semaphore>,
    /// How many times espeak-ng was asked to speak (for the tests and `/metrics`).
    synthesised: Arc<AtomicU64>,
}

/// How the announcements sound: espeak-ng's voice and speed, and what the displays need
/// to know (loudness, whether to chime).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Voice {
    pub espeak: String,
    pub speed: u32,
    pub volume: u8,
    pub chime: bool,
}

impl Voice {
    fn of(settings: &VoiceSettings) -> Self {
        Voice {
            espeak: settings.espeak_voice().unwrap_or_else(|_| "vi".into()),
            speed: settings.speed,
            volume: settings.volume,
            chime: settings.chime,
        }
    }
}

impl Announcer {
    pub fn new(settings: &VoiceSettings) -> Self {
        Announcer {
            voice: Arc::new(Mutex::new(Voice::of(settings))),
            cache: Arc::new(Mutex::new(Cache::new(
                settings.cache_mib.clamp(1, 1024) as usize * 1024 * 1024,
            ))),
            voices: Arc::new(tokio::sync::Semaphore::new(2)),
            synthesised: Arc::default(),
        }
    }

    /// The voice as set now.
    pub fn voice(&self) -> Voice {
        self.voice.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// From now on, speak with `settings` (the admin pages changed them). What was said
    /// in the old voice is forgotten.
    pub fn set_voice(&self, settings: &VoiceSettings) {
        let voice = Voice::of(settings);
        let mut now = self.voice.lock().unwrap_or_else(|e| e.into_inner());
        if (&now.espeak, now.speed) != (&voice.espeak, voice.speed) {
            self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
        *now = voice;
    }

    /// How many times espeak-ng was asked to speak since the start.
    pub fn synthesised(&self) -> u64 {
        self.synthesised.load(Ordering::Relaxed)
    }

    /// What the kept phrases weigh, in bytes.
    pub fn cached_bytes(&self) -> usize {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).bytes
    }

    /// WAV audio of `text` (the caller has checked that it may be said).
    pub async fn speak(&self, text: String) -> Result<Bytes, Error> {
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&text)
        {
            return Ok(hit);
        }
        let _voice = self.voices.acquire().await.map_err(Error::internal)?;
        let voice = self.voice();
        let output = tokio::process::Command::new("espeak-ng")
            .args([
                "-v",
                &voice.espeak,
                "-s",
                &voice.speed.to_string(),
                "--stdout",
                &text,
            ])
            .kill_on_drop(true)
            .output()
            .await;
        self.synthesised.fetch_add(1, Ordering::Relaxed);
        let output = match output {
            Ok(o) if o.status.success() && !o.stdout.is_empty() => o.stdout,
            Ok(o) => {
                tracing::warn!(stderr = %String::from_utf8_lossy(&o.stderr), "espeak-ng failed");
                return Err(Error::not_found(
                    "no_voice",
                    "the server could not synthesise this announcement",
                ));
            }
            Err(e) => {
                tracing::warn!(error = %e, "espeak-ng is not available");
                return Err(Error::not_found(
                    "no_voice",
                    "no voice on this server: install espeak-ng",
                ));
            }
        };
        let audio = Bytes::from(fix_wav_sizes(output));
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .put(text, audio.clone());
        Ok(audio)
    }
}

/// Phrases kept by how recently they were heard, within a bound in bytes.
struct Cache {
    /// Each phrase's audio and when it was last heard (a counter, not a clock).
    phrases: HashMap<String, (Bytes, u64)>,
    /// The same phrases, least recently heard first.
    by_use: BTreeMap<u64, String>,
    bytes: usize,
    limit: usize,
    tick: u64,
}

impl Cache {
    fn new(limit: usize) -> Self {
        Cache {
            phrases: HashMap::new(),
            by_use: BTreeMap::new(),
            bytes: 0,
            limit,
            tick: 0,
        }
    }

    fn clear(&mut self) {
        self.phrases.clear();
        self.by_use.clear();
        self.bytes = 0;
    }

    fn get(&mut self, text: &str) -> Option<Bytes> {
        self.tick += 1;
        let (audio, used) = self.phrases.get_mut(text)?;
        let text = self.by_use.remove(used)?;
        *used = self.tick;
        let audio = audio.clone();
        self.by_use.insert(self.tick, text);
        Some(audio)
    }

    fn put(&mut self, text: String, audio: Bytes) {
        if audio.len() > self.limit {
            return;
        }
        self.tick += 1;
        if let Some((old, used)) = self.phrases.remove(&text) {
            self.bytes -= old.len();
            self.by_use.remove(&used);
        }
        self.bytes += audio.len();
        self.by_use.insert(self.tick, text.clone());
        self.phrases.insert(text, (audio, self.tick));
        while self.bytes > self.limit {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            if let Some((gone, _)) = self.phrases.remove(&oldest) {
                self.bytes -= gone.len();
            }
        }
    }
}

/// espeak-ng writing to a pipe cannot go back to fill in the WAV header's sizes, so it
/// leaves placeholders; write the real ones, or strict players misjudge the length.
fn fix_wav_sizes(mut wav: Vec<u8>) -> Vec<u8> {
    if wav.len() < 12 || &wav[0..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        return wav;
    }
    let total = wav.len();
    let riff = u32::try_from(total - 8).unwrap_or(u32::MAX);
    wav[4..8].copy_from_slice(&riff.to_le_bytes());
    // Walk the chunks to the data chunk and set its size to what follows it.
    let mut at = 12;
    while at + 8 <= total {
        let size =
            u32::from_le_bytes([wav[at + 4], wav[at + 5], wav[at + 6], wav[at + 7]]) as usize;
        if &wav[at..at + 4] == b"data" {
            let data = u32::try_from(total - at - 8).unwrap_or(u32::MAX);
            wav[at + 4..at + 8].copy_from_slice(&data.to_le_bytes());
            break;
        }
        at = at.saturating_add(8).saturating_add(size + (size & 1));
    }
    wav
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wav_header_gets_its_real_sizes() {
        let mut wav = b"RIFF\xff\xff\xff\x7fWAVEfmt \x10\0\0\0".to_vec();
        wav.extend([0u8; 16]);
        wav.extend(b"data\xff\xff\xff\x7f");
        wav.extend([1u8; 10]);
        let fixed = fix_wav_sizes(wav);
        assert_eq!(
            u32::from_le_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]) as usize,
            fixed.len() - 8
        );
        assert_eq!(
            u32::from_le_bytes([fixed[40], fixed[41], fixed[42], fixed[43]]),
            10
        );
    }

    #[test]
    fn the_cache_keeps_the_most_recently_heard_within_its_bytes() {
        let mut cache = Cache::new(10);
        let audio = |n: usize| Bytes::from(vec![0u8; n]);
        cache.put("a".into(), audio(4));
        cache.put("b".into(), audio(4));
        assert!(
            cache.get("a").is_some(),
            "a heard again: b is now the oldest"
        );
        cache.put("c".into(), audio(4));
        assert_eq!(cache.bytes, 8);
        assert!(cache.get("b").is_none(), "the least recently heard went");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
        cache.put("huge".into(), audio(11));
        assert!(
            cache.get("huge").is_none(),
            "larger than the whole cache: not kept"
        );
        cache.put("c".into(), audio(6));
        assert_eq!(cache.bytes, 10, "a phrase said again replaces its audio");
        assert_eq!(cache.phrases.len(), cache.by_use.len());
    }

    #[test]
    fn the_code_is_read_one_character_at_a_time() {
        assert_eq!(
            phrase("A012", 3),
            "Mời công dân có số thứ tự A 0 1 2 đến quầy số 3"
        );
    }

    #[test]
    fn voices_follow_region_and_gender() {
        let mut v = VoiceSettings::default();
        assert_eq!(v.espeak_voice(), Ok("vi+f3".into()));
        v.region = "south".into();
        v.gender = "male".into();
        assert_eq!(v.espeak_voice(), Ok("vi-vn-x-south+m3".into()));
        v.region = "saigon".into();
        assert_eq!(v.espeak_voice().map_err(|e| e.0), Err("region"));
    }
}
