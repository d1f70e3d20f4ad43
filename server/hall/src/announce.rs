//! Spoken announcements: "Mời công dân có số thứ tự A 0 1 2 đến quầy số 3", synthesised on
//! the server with espeak-ng (Northern, Central or Southern Vietnamese voice, male or
//! female variant, from the settings), so the hall needs no internet, and cached: a hall
//! calls the same few hundred phrases all day.
//!
//! When espeak-ng is not installed the answer is 404 `no_voice`, and the display falls
//! back to the browser's own vi-VN voice if the device has one, else the chime alone.

use axum::body::Bytes;
use motcua_domain::Error;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
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
}

impl Default for VoiceSettings {
    fn default() -> Self {
        VoiceSettings {
            region: "north".into(),
            gender: "female".into(),
            speed: 135,
            volume: 90,
            chime: true,
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
    voice: String,
    speed: u32,
    /// What the displays need to know: loudness and whether to chime.
    pub volume: u8,
    pub chime: bool,
    cache: Arc<Mutex<HashMap<String, Bytes>>>,
    /// At most two synthesisers at once, whoever asks.
    voices: Arc<tokio::sync::Semaphore>,
}

/// How many phrases to keep: a busy day's worth of codes and counters.
const CACHE_LIMIT: usize = 4096;

impl Announcer {
    pub fn new(settings: &VoiceSettings) -> Self {
        Announcer {
            voice: settings.espeak_voice().unwrap_or_else(|_| "vi".into()),
            speed: settings.speed,
            volume: settings.volume,
            chime: settings.chime,
            cache: Arc::new(Mutex::new(HashMap::new())),
            voices: Arc::new(tokio::sync::Semaphore::new(2)),
        }
    }

    /// WAV audio of `text`.
    pub async fn speak(&self, text: String) -> Result<Bytes, Error> {
        if let Some(hit) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&text)
        {
            return Ok(hit.clone());
        }
        let _voice = self.voices.acquire().await.map_err(Error::internal)?;
        let output = tokio::process::Command::new("espeak-ng")
            .args([
                "-v",
                &self.voice,
                "-s",
                &self.speed.to_string(),
                "--stdout",
                &text,
            ])
            .kill_on_drop(true)
            .output()
            .await;
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
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(text, audio.clone());
        Ok(audio)
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
