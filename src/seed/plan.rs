//! How many rows the demo writes into each table, as a pure function of the scale.
//!
//! Every count is linear in the scale (lesson progress up to the spread of the enrollments'
//! progress, and `system_config`'s few keys are fixed): scale 1 writes about 10,000 rows, most of
//! them into the high-volume tables (attempts, lesson_progress, sentence_attempts,
//! practice_answers, events, notifications, activities).
//!
//! Learners differ, yet the totals stay a function of the scale: per-learner fan-outs
//! (enrollments, weaknesses, mistakes) are [`Fanout`]s, whose blocks of five learners always sum
//! to five times the mean, and what a row count depends on beyond that (how many lessons an
//! enrollment reached) comes from the seed-independent [`shape`] hash. The reference rows of migration 19 (page sizes, templates,
//! strategies, the anonymous user and its preferences) are reused, not written again, so the
//! plan promises no rows for `page_size_presets` and `practice_strategies`.

use std::collections::BTreeMap;

use super::det::{ACTIVITY, Fanout, SETUP, Window, shape};

/// Rows per table, and the shape of the data behind them (per-parent fan-outs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counts {
    pub scale: u64,
    pub users: u64,
    /// Users `0..instructors` teach and author (user 0 is the admin); the rest are learners.
    pub instructors: u64,
    pub learners: u64,
    pub stories: u64,
    pub courses: u64,
    pub enrollments: u64,
    pub payments: u64,
    pub knowledge_points: u64,
    pub sessions: u64,
    pub items: u64,
    pub groups: u64,
    pub plugins: u64,
    pub collections: u64,
}

pub const PREFERENCES_PER_USER: u64 = 3;
pub const SESSIONS_PER_USER: u64 = 2;
pub const TAGS_PER_STORY: u64 = 3;
pub const VERSIONS_PER_STORY: u64 = 2;
pub const RATINGS_PER_STORY: u64 = 5;
pub const MODULES_PER_COURSE: u64 = 4;
pub const LESSONS_PER_MODULE: u64 = 5;
pub const LESSONS_PER_COURSE: u64 = MODULES_PER_COURSE * LESSONS_PER_MODULE;
/// Learner `k` takes 1 to 5 courses, 3 on average.
pub const ENROLLMENTS: Fanout = Fanout {
    key: "enrollments.per_learner",
    mean: 3,
};
pub const QUESTIONS_PER_QUIZ: u64 = 5;
pub const BANK_QUESTIONS_PER_SCALE: u64 = 50;
/// Each enrollment submits the quizzes of its course's first two modules.
pub const SUBMISSIONS_PER_ENROLLMENT: u64 = 2;
pub const SENTENCES_PER_SESSION: u64 = 6;
pub const TRIES_PER_SENTENCE: u64 = 2;
pub const SKILLS_PER_LEARNER: u64 = 2;
pub const ANSWERS_PER_SESSION: u64 = 20;
/// Learner `k` has 1 to 5 weak knowledge points, 3 on average.
pub const WEAKNESSES: Fanout = Fanout {
    key: "student_weaknesses.per_learner",
    mean: 3,
};
/// Learner `k` keeps 2 to 6 mistakes, 4 on average.
pub const MISTAKES: Fanout = Fanout {
    key: "student_mistakes.per_learner",
    mean: 4,
};
/// Questions reported from practice sessions, per unit of scale.
pub const REPORTS_PER_SCALE: u64 = 6;
/// Site-wide settings: a fixed set of keys, whatever the scale.
pub const SYSTEM_CONFIG_ROWS: u64 = 4;
pub const ATTEMPTS_PER_SESSION: u64 = 40;
pub const MEMBERS_PER_GROUP: u64 = 8;
pub const MEETINGS_PER_GROUP: u64 = 3;
pub const WEEKS_PER_GROUP: u64 = 4;
pub const DATA_PER_PLUGIN: u64 = 4;
pub const THREADS_PER_COURSE: u64 = 4;
pub const POSTS_PER_THREAD: u64 = 5;
pub const ANNOUNCEMENTS_PER_COURSE: u64 = 2;
pub const GLYPHS: &str = "abcdefghijklmnopqrstuvwxyz";
pub const USAGE_DAYS_PER_LEARNER: u64 = 4;

impl Counts {
    pub fn new(scale: u32) -> Counts {
        let s = u64::from(scale.max(1));
        let instructors = 5 * s;
        let learners = 45 * s;
        let enrollments = learners * ENROLLMENTS.mean;
        Counts {
            scale: s,
            users: instructors + learners,
            instructors,
            learners,
            stories: 10 * s,
            courses: 5 * s,
            enrollments,
            // Every third enrollment was paid for (enrollment 3p → payment p).
            payments: enrollments.div_ceil(3),
            knowledge_points: 20 * s,
            // Sessions cycle story, story, Kedge quiz, adaptive (index % 4).
            sessions: 200 * s,
            items: 40 * s,
            groups: 5 * s,
            plugins: 5 * s,
            collections: 3 * s,
        }
    }

    pub fn modules(&self) -> u64 {
        self.courses * MODULES_PER_COURSE
    }

    pub fn lessons(&self) -> u64 {
        self.modules() * LESSONS_PER_MODULE
    }

    /// Sessions of each kind: story (StorySign), quiz (Kedge), adaptive (AL).
    pub fn story_sessions(&self) -> u64 {
        self.sessions / 2
    }

    pub fn quiz_sessions(&self) -> u64 {
        self.sessions / 4
    }

    pub fn adaptive_sessions(&self) -> u64 {
        self.sessions / 4
    }

    pub fn quiz_questions(&self) -> u64 {
        self.modules() * QUESTIONS_PER_QUIZ
    }

    pub fn bank_questions(&self) -> u64 {
        BANK_QUESTIONS_PER_SCALE * self.scale
    }

    /// Completed enrollments (index % 5 == 0) earn a certificate.
    pub fn certificates(&self) -> u64 {
        self.enrollments.div_ceil(5)
    }

    /// Lesson progress rows: one per lesson each enrollment started (see [`progress_rows`]).
    pub fn lesson_progress(&self) -> u64 {
        (0..self.enrollments).map(progress_rows).sum()
    }

    /// Every fourth assignment submission gets a second revision.
    pub fn assignment_submissions(&self) -> u64 {
        self.enrollments + self.enrollments.div_ceil(4)
    }

    /// Every fifth payment is (partly) refunded.
    pub fn refunds(&self) -> u64 {
        self.payments.div_ceil(5)
    }

    /// The rows and creation window of a table other tables reference (see `Ctx::id_of`).
    pub fn of(&self, table: &str) -> (u64, Window) {
        match table {
            "users" => (self.users, SETUP),
            "stories" => (self.stories, SETUP),
            "courses" => (self.courses, SETUP),
            "course_modules" => (self.modules(), SETUP),
            "lessons" => (self.lessons(), SETUP),
            "knowledge_points" => (self.knowledge_points, SETUP),
            "quizzes" => (self.modules(), SETUP),
            "questions" => (self.quiz_questions() + self.bank_questions(), SETUP),
            "assignments" => (self.modules(), SETUP),
            "items" => (self.items, SETUP),
            "learning_groups" => (self.groups, SETUP),
            "plugins" => (self.plugins, SETUP),
            "character_override_collections" => (self.collections, SETUP),
            "payments" => (self.payments, ACTIVITY),
            "enrollments" => (self.enrollments, ACTIVITY),
            "practice_sessions" => (self.sessions, ACTIVITY),
            "discussion_threads" => (self.courses * THREADS_PER_COURSE, ACTIVITY),
            _ => (1, ACTIVITY),
        }
    }

    /// Rows the demo inserts into each table, in insertion (foreign-key) order.
    pub fn tables(&self) -> Vec<(&'static str, u64)> {
        let s = self.scale;
        vec![
            ("users", self.users),
            ("user_profiles", self.users),
            ("user_preferences", self.users * PREFERENCES_PER_USER),
            ("user_sessions", self.users * SESSIONS_PER_USER),
            ("stories", self.stories),
            ("story_tags", self.stories * TAGS_PER_STORY),
            ("story_versions", self.stories * VERSIONS_PER_STORY),
            ("story_ratings", self.stories * RATINGS_PER_STORY),
            ("content_approvals", self.stories),
            ("courses", self.courses),
            ("course_modules", self.modules()),
            ("lessons", self.lessons()),
            ("payments", self.payments),
            ("subscriptions", 10 * s),
            ("enrollments", self.enrollments),
            ("lesson_progress", self.lesson_progress()),
            ("certificates", self.certificates()),
            ("refunds", self.refunds()),
            ("knowledge_points", self.knowledge_points),
            ("knowledge_points_metadata", 5 * s),
            ("quizzes", self.modules()),
            ("questions", self.quiz_questions() + self.bank_questions()),
            (
                "quiz_submissions",
                self.enrollments * SUBMISSIONS_PER_ENROLLMENT,
            ),
            ("assignments", self.modules()),
            ("assignment_submissions", self.assignment_submissions()),
            ("practice_sessions", self.sessions),
            (
                "sentence_attempts",
                self.story_sessions() * SENTENCES_PER_SESSION * TRIES_PER_SENTENCE,
            ),
            ("user_progress", self.learners * SKILLS_PER_LEARNER),
            (
                "practice_answers",
                self.quiz_sessions() * ANSWERS_PER_SESSION,
            ),
            ("question_reports", REPORTS_PER_SCALE * s),
            ("system_config", SYSTEM_CONFIG_ROWS),
            ("student_weaknesses", self.learners * WEAKNESSES.mean),
            ("student_mistakes", self.learners * MISTAKES.mean),
            ("attachments", 20 * s),
            ("items", self.items),
            ("attempts", self.adaptive_sessions() * ATTEMPTS_PER_SESSION),
            ("learning_groups", self.groups),
            ("group_memberships", self.groups * MEMBERS_PER_GROUP),
            ("collaborative_sessions", self.groups * MEETINGS_PER_GROUP),
            ("group_analytics", self.groups * WEEKS_PER_GROUP),
            ("plugins", self.plugins),
            ("plugin_data", self.plugins * DATA_PER_PLUGIN),
            ("messages", 150 * s),
            ("discussion_threads", self.courses * THREADS_PER_COURSE),
            (
                "discussion_posts",
                self.courses * THREADS_PER_COURSE * POSTS_PER_THREAD,
            ),
            ("announcements", self.courses * ANNOUNCEMENTS_PER_COURSE),
            ("notifications", 600 * s),
            ("course_analytics", self.courses),
            ("student_analytics", self.learners),
            ("analytics_events", 800 * s),
            ("template_presets", 5 * s),
            ("character_override_collections", self.collections),
            (
                "character_overrides",
                self.collections * GLYPHS.len() as u64,
            ),
            ("user_activities", 600 * s),
            ("usage_statistics", self.learners * USAGE_DAYS_PER_LEARNER),
        ]
    }
}

/// Whether enrollment `e` is completed: every fifth.
pub fn enrollment_completed(e: u64) -> bool {
    e.is_multiple_of(5)
}

/// Lessons enrollment `e` completed: all of them for a completed enrollment, otherwise 0 to 19,
/// in the course's order. Seed-independent, since the plan counts the progress rows.
pub fn lessons_completed(e: u64) -> u64 {
    if enrollment_completed(e) {
        LESSONS_PER_COURSE
    } else {
        shape("enrollments.lessons_completed", e) % LESSONS_PER_COURSE
    }
}

/// Lesson progress rows of enrollment `e`: one per lesson started, that is the completed ones
/// and, unless all are done, the one in progress.
pub fn progress_rows(e: u64) -> u64 {
    (lessons_completed(e) + 1).min(LESSONS_PER_COURSE)
}

/// The rows `learndb seed --demo --scale <scale>` promises to insert, per table. Tables of the
/// schema that are absent (`page_size_presets`, `practice_strategies`) get no demo rows: their
/// reference rows from migration 19 are used as they are.
pub fn plan(scale: u32) -> BTreeMap<&'static str, u64> {
    Counts::new(scale).tables().into_iter().collect()
}
