//! Claim checking: does a sentence need a citation it lacks, and do the abstracts it
//! cites support it? Plain Rust over prose and bibliography entries; `jobs::claims`
//! schedules it and the server turns verdicts into diagnostics.

pub mod check;
pub mod cite;
pub mod detect;
pub mod diagnose;
pub mod evidence;
pub mod ignore;
pub mod inputs;
pub mod verify;

pub use check::{
    Candidate, Checker, CitedAbstract, Judgement, Pool, SentenceInput, Suggestion, Thresholds,
    Verdict,
};
