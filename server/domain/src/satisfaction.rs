//! Satisfaction as the city counts it: the three official levels of Decision 766/QĐ-TTg
//! (Rất hài lòng, Hài lòng, Không hài lòng) that both of the hall's rating scales map onto,
//! the reasons a low rating gives, the topics of a complaint (phản ánh), and a dossier's
//! code (mã hồ sơ) as the hall accepts it.
//!
//! The figure itself (the share of dossiers not rated "không hài lòng" and without a
//! complaint) is [`crate::stats::OfficialFigure`].

use serde::Serialize;

/// The three levels of Decision 766, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Official {
    VerySatisfied,
    Satisfied,
    Dissatisfied,
}

impl Official {
    pub const ALL: [Official; 3] = [
        Official::VerySatisfied,
        Official::Satisfied,
        Official::Dissatisfied,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Official::VerySatisfied => "very_satisfied",
            Official::Satisfied => "satisfied",
            Official::Dissatisfied => "dissatisfied",
        }
    }

    /// The number a province's system codes the level with: 1 the best.
    pub fn number(self) -> u8 {
        match self {
            Official::VerySatisfied => 1,
            Official::Satisfied => 2,
            Official::Dissatisfied => 3,
        }
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Official::VerySatisfied => "Rất hài lòng",
            Official::Satisfied => "Hài lòng",
            Official::Dissatisfied => "Không hài lòng",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Official::VerySatisfied => "Very satisfied",
            Official::Satisfied => "Satisfied",
            Official::Dissatisfied => "Dissatisfied",
        }
    }
}

/// A rating (level 1 the worst) on the official scale. On 3 levels they are the official
/// ones; on 5, the top level is "rất hài lòng", 4 and the middle 3 ("bình thường": not
/// dissatisfied) are "hài lòng", 2 and 1 are "không hài lòng".
pub fn official(level: u8, scale: u8) -> Official {
    match scale {
        3 => match level {
            3.. => Official::VerySatisfied,
            2 => Official::Satisfied,
            _ => Official::Dissatisfied,
        },
        _ => match level {
            5.. => Official::VerySatisfied,
            3 | 4 => Official::Satisfied,
            _ => Official::Dissatisfied,
        },
    }
}

/// Whether the rating asks why: 3 stars or fewer of 5 (as the counter tablets the
/// provinces use ask), the lowest of 3.
pub fn is_low(level: u8, scale: u8) -> bool {
    match scale {
        3 => level <= 1,
        _ => level <= 3,
    }
}

/// The answers to "how many times did you have to come for this dossier": 1, 2, or 3 for
/// three or more.
pub const VISITS_NEEDED_MAX: u8 = 3;

/// Why a rating was low: chips the citizen taps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Wait,
    Attitude,
    Guidance,
    Repeat,
    Other,
}

impl Reason {
    pub const ALL: [Reason; 5] = [
        Reason::Wait,
        Reason::Attitude,
        Reason::Guidance,
        Reason::Repeat,
        Reason::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Wait => "wait",
            Reason::Attitude => "attitude",
            Reason::Guidance => "guidance",
            Reason::Repeat => "repeat",
            Reason::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Reason::Wait => "Chờ lâu",
            Reason::Attitude => "Thái độ",
            Reason::Guidance => "Hướng dẫn chưa rõ",
            Reason::Repeat => "Phải đi lại nhiều lần",
            Reason::Other => "Khác",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Reason::Wait => "Long wait",
            Reason::Attitude => "Staff attitude",
            Reason::Guidance => "Unclear guidance",
            Reason::Repeat => "Had to come back many times",
            Reason::Other => "Other",
        }
    }
}

/// What a complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Attitude,
    Wait,
    ExtraDemands,
    Process,
    Other,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Attitude,
        Topic::Wait,
        Topic::ExtraDemands,
        Topic::Process,
        Topic::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Topic::Attitude => "attitude",
            Topic::Wait => "wait",
            Topic::ExtraDemands => "extra_demands",
            Topic::Process => "process",
            Topic::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn name_vi(self) -> &'static str {
        match self {
            Topic::Attitude => "Thái độ phục vụ",
            Topic::Wait => "Chờ đợi quá lâu",
            Topic::ExtraDemands => "Yêu cầu thêm giấy tờ, chi phí ngoài quy định",
            Topic::Process => "Thủ tục, hướng dẫn",
            Topic::Other => "Khác",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Topic::Attitude => "Staff attitude",
            Topic::Wait => "Waited too long",
            Topic::ExtraDemands => "Asked for papers or fees beyond the rules",
            Topic::Process => "Procedure or guidance",
            Topic::Other => "Other",
        }
    }
}

/// At most this many reasons on one rating (there are no more).
pub const REASONS_MAX: usize = Reason::ALL.len();
/// A complaint's text, in characters.
pub const COMPLAINT_TEXT_MAX: usize = 1000;
/// Complaints one ticket may make.
pub const COMPLAINTS_PER_TICKET: usize = 3;
/// How long a dossier's code may be, in characters.
pub const DOSSIER_CODE_MAX: usize = 40;
/// Dossiers one ticket may carry.
pub const DOSSIERS_PER_TICKET: usize = 10;

pub mod dossier {
    use super::DOSSIER_CODE_MAX;

    /// A dossier's code as the hall keeps it: trimmed, in capitals, 1 to
    /// [`DOSSIER_CODE_MAX`] of `A-Z 0-9 . - _ /`, with at least one digit (the
    /// provinces' codes, e.g. `000.00.16.H26-241204-0001`, carry the received date).
    pub fn normalise(input: &str) -> Option<String> {
        let code = input.trim().to_uppercase();
        let allowed = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit() || ".-_/".contains(c);
        (!code.is_empty()
            && code.chars().count() <= DOSSIER_CODE_MAX
            && code.chars().all(allowed)
            && code.chars().any(|c| c.is_ascii_digit()))
        .then_some(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_scales_map_onto_the_three_official_levels() {
        let on = |scale: u8| -> Vec<Official> { (1..=scale).map(|l| official(l, scale)).collect() };
        use Official::*;
        assert_eq!(on(3), vec![Dissatisfied, Satisfied, VerySatisfied]);
        assert_eq!(
            on(5),
            vec![
                Dissatisfied,
                Dissatisfied,
                Satisfied,
                Satisfied,
                VerySatisfied
            ]
        );
    }

    #[test]
    fn a_low_rating_is_three_stars_or_fewer_or_the_lowest_of_three() {
        assert_eq!((1..=5).filter(|&l| is_low(l, 5)).count(), 3);
        assert_eq!(
            (1..=3).filter(|&l| is_low(l, 3)).collect::<Vec<_>>(),
            vec![1]
        );
    }

    #[test]
    fn codes_read_back_and_unknown_ones_do_not() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(t));
        }
        assert_eq!(Reason::parse("rude"), None);
        assert_eq!(Topic::parse(""), None);
    }

    #[test]
    fn a_dossier_code_is_kept_in_capitals_and_refused_when_it_is_not_one() {
        assert_eq!(
            dossier::normalise("  000.00.16.h26-241204-0001 ").as_deref(),
            Some("000.00.16.H26-241204-0001")
        );
        assert_eq!(
            dossier::normalise("H26.22-2412/0001").as_deref(),
            Some("H26.22-2412/0001")
        );
        for bad in ["", "ABC", "12 34", "0001;DROP", &"1".repeat(41), "Ồ123"] {
            assert_eq!(dossier::normalise(bad), None, "{bad:?}");
        }
    }
}
