//! Determinism: every value of a demo row is a pure function of (seed, table, row index).
//!
//! A row's random numbers come from its own ChaCha generator, seeded from a hash of the seed,
//! the table name and the row index, so a generator can produce any row of any table without
//! having produced the rows before it. That is what lets children stream: a lesson_progress row
//! names its enrollment with [`Ctx::id_of`]`("enrollments", e)` instead of holding enrollments.
//!
//! Times come from the as-of date (`--as-of`, today in UTC by default), never from the clock:
//! the anchor is 00:00 UTC 730 days before it, the catalogue appears over the first two months,
//! and the activity runs until 30 days before the as-of date, so that rows that follow their
//! parents by days or weeks (certificates, reviews) are still in the past and nothing is dated
//! in the future. The same scale, seed and as-of date give the same rows, ids included. Two
//! years of activity fill the PostgreSQL partition of the as-of year (`attempts_<year>`) and,
//! for the years before it, `attempts_default`.

use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::plan::Counts;

/// Milliseconds in one day.
pub const DAY_MS: i64 = 86_400_000;

/// When a table's rows are created, in days after the anchor: `[from, to)`.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub from: i64,
    pub to: i64,
}

/// The catalogue (people, courses, stories, items...) appears over the first two months.
pub const SETUP: Window = Window { from: 0, to: 60 };
/// Activity (enrollments, practice, messages...) runs over the rest of the two years, up to
/// 30 days before the as-of date.
pub const ACTIVITY: Window = Window { from: 60, to: 700 };
/// Days from the anchor to the as-of date.
pub const SPAN_DAYS: i64 = 730;

/// Everything a generator needs: the options and the promised counts.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub seed: u64,
    pub n: Counts,
    /// 00:00 UTC [`SPAN_DAYS`] days before the as-of date, in Unix milliseconds.
    pub anchor_ms: i64,
}

impl Ctx {
    /// A context for data that ends at `as_of` (00:00 UTC; see the module documentation).
    pub fn new(scale: u32, seed: u64, as_of: NaiveDate) -> Ctx {
        let anchor = as_of - TimeDelta::days(SPAN_DAYS);
        let anchor_ms = Utc
            .from_utc_datetime(&anchor.and_time(chrono::NaiveTime::MIN))
            .timestamp_millis();
        Ctx {
            seed,
            n: Counts::new(scale),
            anchor_ms,
        }
    }

    /// A 64-bit hash of (seed, table, index): the seed of that row's generator and id bits.
    pub fn hash(&self, table: &str, i: u64) -> u64 {
        // FNV-1a over the table name: stable across Rust versions, unlike `DefaultHasher`.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in table.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        splitmix(splitmix(self.seed ^ h).wrapping_add(i))
    }

    /// The random generator of row `i` of `table`.
    pub fn rng(&self, table: &str, i: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(self.hash(table, i))
    }

    /// Row `i` of `table` created in `window`: rows spread evenly, in index order, with a
    /// seeded jitter inside each row's slot, so ids (which carry this time) sort like indexes.
    pub fn at_in(&self, table: &str, i: u64, n: u64, window: Window) -> DateTime<FixedOffset> {
        let span = (window.to - window.from) * DAY_MS;
        let slot = (span / n.max(1) as i64).max(1);
        let jitter = (self.hash(table, i) >> 11) as i64 % slot;
        // Whole milliseconds: every backend stores them exactly.
        self.time(window.from * DAY_MS + slot * i as i64 + jitter)
    }

    /// The anchor plus `ms` milliseconds.
    pub fn time(&self, ms: i64) -> DateTime<FixedOffset> {
        Utc.timestamp_millis_opt(self.anchor_ms + ms)
            .single()
            .unwrap_or_default()
            .fixed_offset()
    }

    /// `at`, or the last hour before the as-of date if `at` is later: for times that follow
    /// their row by days or weeks (completion, last access), so none is in the future.
    pub fn past(&self, at: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        at.min(self.time(SPAN_DAYS * DAY_MS - DAY_MS / 24))
    }

    /// The anchor's calendar day plus `days`.
    pub fn date(&self, days: i64) -> NaiveDate {
        self.time(0).date_naive() + TimeDelta::days(days)
    }

    /// A UUIDv7 carrying `at` as its timestamp and 80 seeded bits.
    pub fn id(&self, table: &str, i: u64, at: DateTime<FixedOffset>) -> Uuid {
        let h1 = self.hash(table, i ^ 0x5eed_0000_0000_0000);
        let h2 = splitmix(h1);
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&h1.to_le_bytes());
        bytes[8..].copy_from_slice(&h2.to_le_bytes()[..2]);
        uuid::Builder::from_unix_timestamp_millis(at.timestamp_millis().max(0) as u64, &bytes)
            .into_uuid()
    }

    /// The creation time of row `i` of a table that other tables reference.
    pub fn created(&self, table: &str, i: u64) -> DateTime<FixedOffset> {
        let (n, window) = self.n.of(table);
        self.at_in(table, i, n, window)
    }

    /// The id of row `i` of a table that other tables reference.
    pub fn id_of(&self, table: &str, i: u64) -> Uuid {
        self.id(table, i, self.created(table, i))
    }
}

/// A seed-independent hash of (key, i), for the shape of the data that the plan counts (how
/// many lessons an enrollment reached): row totals are a function of the scale only, so they
/// must not depend on the seed.
pub fn shape(key: &str, i: u64) -> u64 {
    let mut h: u64 = 0x8422_2325_cbf2_9ce4;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    splitmix(h.wrapping_add(i))
}

/// Parents per block of a [`Fanout`].
pub const BLOCK: u64 = 5;

/// Children per parent that differ between parents while the total stays exact: parents come
/// in blocks of [`BLOCK`], and the five parents of a block get `mean - 2 ..= mean + 2` children
/// in a seeded order. So a table has `mean` children per parent in all (the plan's number), a
/// parent has 1 to 5 enrollments, say, and row `r` finds its parent without a table in memory.
/// The parent count must be a multiple of [`BLOCK`].
#[derive(Clone, Copy, Debug)]
pub struct Fanout {
    pub key: &'static str,
    pub mean: u64,
}

impl Fanout {
    /// The children of the parents of block `b`, in parent order.
    fn block(&self, ctx: &Ctx, b: u64) -> [u64; BLOCK as usize] {
        let mut counts = [0; BLOCK as usize];
        for (j, c) in counts.iter_mut().enumerate() {
            *c = self.mean + j as u64 - 2;
        }
        // Fisher-Yates with the block's own generator.
        let mut h = ctx.hash(self.key, b);
        for j in (1..counts.len()).rev() {
            counts.swap(j, (h % (j as u64 + 1)) as usize);
            h = splitmix(h);
        }
        counts
    }

    /// Children of parent `p`.
    pub fn count(&self, ctx: &Ctx, p: u64) -> u64 {
        self.block(ctx, p / BLOCK)[(p % BLOCK) as usize]
    }

    /// Row index of the first child of parent `p`.
    pub fn first(&self, ctx: &Ctx, p: u64) -> u64 {
        let (b, j) = (p / BLOCK, (p % BLOCK) as usize);
        b * BLOCK * self.mean + self.block(ctx, b)[..j].iter().sum::<u64>()
    }

    /// The parent of row `r` and the row's place among that parent's children.
    pub fn locate(&self, ctx: &Ctx, r: u64) -> (u64, u64) {
        let per_block = BLOCK * self.mean;
        let (b, mut o) = (r / per_block, r % per_block);
        let counts = self.block(ctx, b);
        let mut j = 0;
        // The block's counts sum to `per_block`, so the last parent takes what is left.
        while j + 1 < counts.len() && o >= counts[j] {
            o -= counts[j];
            j += 1;
        }
        (b * BLOCK + j as u64, o)
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `units` hundredths, thousandths...: `dec(1234, 2)` is 12.34.
pub fn dec(units: i64, scale: u32) -> Decimal {
    Decimal::new(units, scale)
}

/// A letter-and-digit-only form of a fake name, for emails and user names.
pub fn slug(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}
