//! The `[plan]` settings: what the staffing planner aims at, and how far back it looks.

use super::{ConfigError, invalid};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlanSettings {
    /// The share of each field's citizens to call within its target wait, in percent.
    pub goal_percent: u8,
    /// How many weeks back the forecast takes the same weekday from.
    pub weeks: u32,
    /// Arrivals in a day the planner assumes while the hall has no history.
    pub expected_per_day: u32,
    /// Simulated days behind each check of a plan (more: steadier, slower).
    pub runs: u32,
}

impl Default for PlanSettings {
    fn default() -> Self {
        PlanSettings {
            goal_percent: 80,
            weeks: 6,
            expected_per_day: 100,
            runs: 40,
        }
    }
}

impl PlanSettings {
    pub fn check(&self) -> Result<(), ConfigError> {
        if !(50..=99).contains(&self.goal_percent) {
            return Err(invalid("plan.goal_percent", "50 to 99"));
        }
        if !(1..=12).contains(&self.weeks) {
            return Err(invalid("plan.weeks", "1 to 12"));
        }
        if self.expected_per_day > 5000 {
            return Err(invalid("plan.expected_per_day", "at most 5000"));
        }
        if !(5..=200).contains(&self.runs) {
            return Err(invalid("plan.runs", "5 to 200"));
        }
        Ok(())
    }
}
