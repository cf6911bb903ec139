#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Product flows of four of the five merged systems, written as their services would write
//! them: only the `entity` crate and `sea-orm`, on PostgreSQL, MariaDB and SQLite.
//!
//! 3. StorySign: a learner practises an author's story sentence by sentence, their progress in
//!    the skill is created and then updated; a learning group runs a collaborative session on the
//!    story and records its weekly analytics.
//! 4. Kedge: a weakness-reinforcement session over knowledge points records answers, the
//!    mistakes to review and the weakness per knowledge point; a review session masters one
//!    mistake and the weakness is recomputed.
//! 5. WriteBot: a user builds a template on one of the seeded page sizes next to the seeded
//!    templates, a collection of glyph overrides, and the day's usage counters accumulate.
//! 6. Adaptive: items reviewed and approved by content staff, attempts read back per user and per
//!    day; on PostgreSQL each attempt lands in the yearly partition of its `created_at`.
//!
//! No flow sets `id`, `created_at` or `updated_at`, with one exception: the attempts of another
//! year are backfilled with their `created_at` (the partition key) as a synchronising client
//! would, because no other way lands a row in next year's partition. Every write is checked for
//! a UUIDv7 id and UTC timestamps (`common::service`). Each flow then reads what its service
//! reads: related rows through relations (`find_related`, the 2.0 entity loader and its
//! `ModelEx`, `LoaderTrait`), counts and totals, enum and JSON values, domain timestamps.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, TimeDelta, Utc};
use common::service::{
    assert_read_back, assert_well_formed, at, dec, insert, sign_up, total, update,
};
use common::{Backend, TestDb};
use entity::sea_orm_active_enums::{
    AnalyticsPeriodType, ChunkingStrategy, CollaborativeSessionStatus, ContentRole, ContentStatus,
    DataSharingLevel, Difficulty, GroupPrivacyLevel, GroupRole, ItemStatus, LengthUnit,
    PageOrientation, PracticeSessionStatus, PracticeStrategy, PracticeStrategyType,
    QuestionDifficulty, QuestionType, Role, SessionType, TextAlignment,
};
use entity::{
    attempts, character_override_collections, character_overrides, collaborative_sessions,
    group_analytics, group_memberships, items, knowledge_points, knowledge_points_metadata,
    learning_groups, page_size_presets, practice_answers, practice_sessions, practice_strategies,
    questions, sentence_attempts, stories, student_mistakes, student_weaknesses, template_presets,
    usage_statistics, user_progress, users,
};
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use sea_orm::entity::prelude::{BelongsTo, HasMany};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, LoaderTrait, ModelTrait,
    PaginatorTrait, QueryFilter, QueryOrder, Statement,
};
use serde_json::json;
use uuid::Uuid;

on_every_backend!(
    a_storysign_learner_practises_a_story_and_a_group_runs_a_session,
    storysign
);
on_every_backend!(
    a_kedge_session_records_answers_mistakes_and_weaknesses,
    kedge
);
on_every_backend!(
    a_writebot_user_builds_a_template_glyphs_and_usage_accumulates,
    writebot
);
on_every_backend!(
    adaptive_attempts_read_back_per_user_per_day_and_partition,
    adaptive
);

/// Seed rows (SPEC.md §21): the A4 and Letter page sizes, the "Standard Handwriting" template
/// and the two KG strategies the flows use.
const A4: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000102);
const LETTER: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000103);
const STANDARD_HANDWRITING: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000201);
const WEAKNESS_REINFORCEMENT: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000302);
const MISTAKE_REINFORCEMENT: Uuid = Uuid::from_u128(0x00000000_0000_7000_8000_000000000303);

// ---------------------------------------------------------------------------------------------
// 3. StorySign
// ---------------------------------------------------------------------------------------------

async fn storysign(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let db = &t.db;
    let author = sign_up(db, "maya", Role::Educator).await;
    let learner = sign_up(db, "leo", Role::Student).await;

    // The author publishes a story of three sentences.
    let sentences = json!(["Hello.", "My name is Leo.", "Nice to meet you."]);
    let story = insert(
        db,
        stories::ActiveModel {
            title: Set("First meeting".into()),
            description: Set(Some("Greetings and names.".into())),
            content: Set("Hello. My name is Leo. Nice to meet you.".into()),
            sentences: Set(sentences.clone()),
            difficulty_level: Set(Difficulty::Beginner),
            skill_areas: Set(Some(json!(["greetings", "fingerspelling"]))),
            story_metadata: Set(Some(json!({"signs": 11, "video": {"fps": 30, "hd": true}}))),
            status: Set(ContentStatus::Published),
            is_public: Set(true),
            sentence_count: Set(3),
            word_count: Set(9),
            estimated_duration: Set(Some(5)),
            created_by: Set(Some(author.id)),
            published_at: Set(Some(at("2026-05-04T08:00:00Z"))),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &story).await;
    assert_eq!(
        (story.language.as_str(), story.content_type.as_str()),
        ("en", "story"),
        "column defaults"
    );
    assert_eq!(story.published_at, Some(at("2026-05-04T08:00:00Z")));
    let by = story.find_related(users::Entity).one(db).await.unwrap();
    assert_eq!(by.map(|u| u.id), Some(author.id));

    // First practice of the skill: the progress row starts from its defaults.
    let progress = insert(
        db,
        user_progress::ActiveModel {
            user_id: Set(learner.id),
            skill_area: Set("greetings".into()),
            skill_category: Set(Some("vocabulary".into())),
            weekly_goal_minutes: Set(Some(60)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(progress.created_at, progress.updated_at);
    assert_eq!(
        (
            progress.current_level,
            progress.total_attempts,
            progress.average_accuracy,
            progress.current_difficulty.clone()
        ),
        (Decimal::ZERO, 0, None, Difficulty::Beginner),
        "column defaults"
    );

    // The session and one attempt per try: sentence 1 needed a second try.
    let started = at("2026-05-04T18:00:00Z");
    let session = insert(
        db,
        practice_sessions::ActiveModel {
            user_id: Set(learner.id),
            session_type: Set(SessionType::Individual),
            status: Set(PracticeSessionStatus::Completed),
            story_id: Set(Some(story.id)),
            session_name: Set(Some("Evening practice".into())),
            difficulty_level: Set(Some(Difficulty::Beginner)),
            skill_areas: Set(Some(json!(["greetings"]))),
            story_content: Set(Some(json!({"title": story.title, "sentences": sentences}))),
            performance_metrics: Set(Some(json!({"hand_visibility": 0.97, "retries": 1}))),
            total_items: Set(Some(3)),
            completed_items: Set(3),
            correct_items: Set(3),
            overall_score: Set(Some(dec("0.8125"))),
            started_at: Set(Some(started)),
            completed_at: Set(Some(started + TimeDelta::minutes(6))),
            duration_ms: Set(Some(360_000)),
            device_type: Set(Some("web".into())),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &session).await;
    assert_eq!(session.started_at, Some(started));
    let tries = [
        (0, 1, "0.9500", true),
        (1, 1, "0.5000", false),
        (1, 2, "0.8500", true),
        (2, 1, "0.7000", true),
    ];
    for (i, (index, number, accuracy, ok)) in tries.into_iter().enumerate() {
        let attempted_at = started + TimeDelta::minutes(i as i64 + 1);
        let feedback = (!ok).then(|| "Keep the handshape near the chin.".to_owned());
        let errors = (!ok).then(|| json!([{"sign": "NAME", "issue": "handshape"}]));
        let attempt = insert(
            db,
            sentence_attempts::ActiveModel {
                session_id: Set(session.id),
                sentence_index: Set(index),
                attempt_number: Set(number),
                target_sentence: Set(sentences[index as usize].as_str().unwrap().into()),
                landmark_data: Set(Some(json!({"frames": 42, "hands": [{"x": 0.5}]}))),
                confidence_score: Set(Some(dec("0.9000"))),
                accuracy_score: Set(Some(dec(accuracy))),
                fluency_score: Set(Some(dec("0.8000"))),
                ai_feedback: Set(feedback),
                detected_errors: Set(errors),
                attempted_at: Set(attempted_at),
                duration_ms: Set(Some(4_000)),
                is_successful: Set(Some(ok)),
                video_start_frame: Set(Some(120 * i as i32)),
                video_end_frame: Set(Some(120 * i as i32 + 100)),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(attempt.attempted_at, attempted_at);
    }

    // What the story page shows: author, sessions and their attempts, in one loader call.
    let story_ex = stories::Entity::load()
        .filter(stories::Column::Id.eq(story.id))
        .with(users::Entity)
        .with((practice_sessions::Entity, sentence_attempts::Entity))
        .one(db)
        .await
        .unwrap()
        .expect("the story reads back through the loader");
    let BelongsTo::Loaded(Some(loaded_author)) = &story_ex.users else {
        panic!("the author is loaded: {:?}", story_ex.users)
    };
    assert_eq!(loaded_author.username.as_deref(), Some("maya"));
    let HasMany::Loaded(loaded_sessions) = &story_ex.practice_sessions else {
        panic!("the sessions are loaded")
    };
    assert_eq!(loaded_sessions.len(), 1);
    let mut loaded_tries: Vec<_> = loaded_sessions[0]
        .sentence_attempts
        .iter()
        .map(|a| (a.sentence_index, a.attempt_number, a.is_successful))
        .collect();
    loaded_tries.sort_unstable();
    assert_eq!(
        loaded_tries,
        [
            (0, 1, Some(true)),
            (1, 1, Some(false)),
            (1, 2, Some(true)),
            (2, 1, Some(true))
        ]
    );

    // The progress update after the session, computed from what the database holds.
    let attempts = session
        .find_related(sentence_attempts::Entity)
        .order_by_asc(sentence_attempts::Column::AttemptedAt)
        .all(db)
        .await
        .unwrap();
    let successful = session
        .find_related(sentence_attempts::Entity)
        .filter(sentence_attempts::Column::IsSuccessful.eq(true))
        .count(db)
        .await
        .unwrap();
    assert_eq!((attempts.len(), successful), (4, 3));
    let practised: BTreeSet<i32> = attempts.iter().map(|a| a.sentence_index).collect();
    assert_eq!(practised.len() as i32, story.sentence_count);
    let accuracy_sum: Decimal = attempts.iter().filter_map(|a| a.accuracy_score).sum();
    let mean_accuracy = accuracy_sum / Decimal::from(attempts.len() as i64);
    assert_eq!(mean_accuracy, dec("0.75"));
    assert_eq!(
        attempts[1].detected_errors,
        Some(json!([{"sign": "NAME", "issue": "handshape"}]))
    );

    let mut progressed = progress.clone().into_active_model();
    progressed.total_sessions = Set(progress.total_sessions + 1);
    progressed.total_attempts = Set(progress.total_attempts + attempts.len() as i32);
    progressed.successful_attempts = Set(progress.successful_attempts + successful as i32);
    progressed.total_practice_time = Set(progress.total_practice_time + 360);
    progressed.experience_points = Set(progress.experience_points + dec("30.50"));
    progressed.current_level = Set(dec("0.75"));
    progressed.average_score = Set(session.overall_score);
    progressed.average_accuracy = Set(Some(mean_accuracy));
    progressed.learning_streak = Set(1);
    progressed.longest_streak = Set(1);
    progressed.last_practice_date = Set(session.completed_at);
    progressed.milestones = Set(Some(json!([{"id": "first_story", "story": story.id}])));
    let progressed = update(db, progressed).await;
    assert!(
        progressed.updated_at > progress.updated_at,
        "updated_at moves"
    );
    assert_eq!(
        progressed.created_at, progress.created_at,
        "created_at stays"
    );
    assert_eq!(
        (
            progressed.total_sessions,
            progressed.total_attempts,
            progressed.successful_attempts,
            progressed.total_practice_time,
            progressed.experience_points,
        ),
        (1, 4, 3, 360, dec("30.50"))
    );
    assert_eq!(
        progressed.last_practice_date,
        Some(started + TimeDelta::minutes(6))
    );
    assert_eq!(
        progressed.milestones,
        Some(json!([{"id": "first_story", "story": story.id.to_string()}]))
    );
    let read = learner
        .find_related(user_progress::Entity)
        .all(db)
        .await
        .unwrap();
    assert_eq!(read, [progressed]);

    // A learning group: the author owns it, the learner was invited and approved.
    let group = insert(
        db,
        learning_groups::ActiveModel {
            name: Set("Tuesday signers".into()),
            description: Set(Some("Retelling stories together.".into())),
            creator_id: Set(author.id),
            privacy_level: Set(GroupPrivacyLevel::InviteOnly),
            join_code: Set(Some("TUE-SIGN-01".into())),
            max_members: Set(Some(12)),
            requires_approval: Set(true),
            skill_focus: Set(Some(json!(["greetings", "storytelling"]))),
            difficulty_level: Set(Some(Difficulty::Beginner)),
            tags: Set(Some(json!(["evening", "online"]))),
            timezone: Set(Some("Europe/Lisbon".into())),
            ..Default::default()
        },
    )
    .await;
    let opened = at("2026-05-05T17:00:00Z");
    insert(
        db,
        group_memberships::ActiveModel {
            group_id: Set(group.id),
            user_id: Set(author.id),
            role: Set(GroupRole::Owner),
            joined_at: Set(opened),
            data_sharing_level: Set(DataSharingLevel::Full),
            share_performance: Set(true),
            ..Default::default()
        },
    )
    .await;
    let membership = insert(
        db,
        group_memberships::ActiveModel {
            group_id: Set(group.id),
            user_id: Set(learner.id),
            joined_at: Set(opened + TimeDelta::hours(1)),
            invited_by: Set(Some(author.id)),
            approved_by: Set(Some(author.id)),
            approved_at: Set(Some(opened + TimeDelta::minutes(30))),
            data_sharing_level: Set(DataSharingLevel::Detailed),
            share_practice_sessions: Set(true),
            custom_role_name: Set(Some("Storyteller".into())),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(membership.role, GroupRole::Member, "enum default");
    assert_eq!(membership.joined_at, opened + TimeDelta::hours(1));
    assert!(membership.is_active && membership.share_progress && !membership.share_performance);

    // Members and who invited them: two foreign keys to users, loaded by relation name.
    let members = group_memberships::Entity::load()
        .filter(group_memberships::Column::GroupId.eq(group.id))
        .with(group_memberships::Relation::Users1)
        .with(group_memberships::Relation::Users2)
        .order_by_asc(group_memberships::Column::JoinedAt)
        .all(db)
        .await
        .unwrap();
    let roster: Vec<_> = members
        .iter()
        .map(|m| {
            let BelongsTo::Loaded(member) = &m.users_1 else {
                panic!("the member is loaded")
            };
            let BelongsTo::Loaded(inviter) = &m.users_2 else {
                panic!("the inviter is loaded")
            };
            (
                member.username.clone().unwrap(),
                m.role.clone(),
                inviter.as_ref().and_then(|u| u.username.clone()),
            )
        })
        .collect();
    assert_eq!(
        roster,
        [
            ("maya".to_owned(), GroupRole::Owner, None),
            ("leo".to_owned(), GroupRole::Member, Some("maya".to_owned()))
        ]
    );

    // The collaborative session on the story; the group's session counter is the app's job.
    let start = at("2026-05-12T18:00:00Z");
    let collab = insert(
        db,
        collaborative_sessions::ActiveModel {
            session_name: Set("Retelling: First meeting".into()),
            host_id: Set(author.id),
            group_id: Set(group.id),
            story_id: Set(Some(story.id)),
            session_config: Set(Some(json!({"turns": 2, "feedback": "peer"}))),
            participant_ids: Set(Some(json!([author.id, learner.id]))),
            max_participants: Set(Some(12)),
            scheduled_start: Set(Some(start)),
            scheduled_end: Set(Some(start + TimeDelta::hours(1))),
            actual_start: Set(Some(start + TimeDelta::minutes(2))),
            actual_end: Set(Some(start + TimeDelta::minutes(47))),
            status: Set(CollaborativeSessionStatus::Completed),
            performance_summary: Set(Some(json!({"average_score": 0.82, "turns": 4}))),
            enable_voice_chat: Set(true),
            difficulty_level: Set(Some(Difficulty::Beginner)),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &collab).await;
    assert_eq!(collab.actual_end, Some(start + TimeDelta::minutes(47)));
    assert_eq!(
        collab.participant_ids,
        Some(json!([author.id.to_string(), learner.id.to_string()]))
    );
    let on_story = collab.find_related(stories::Entity).one(db).await.unwrap();
    assert_eq!(on_story.map(|s| s.id), Some(story.id));
    let mut counted = group.clone().into_active_model();
    counted.total_sessions = Set(group.total_sessions + 1);
    counted.last_activity_at = Set(collab.actual_end);
    let group = update(db, counted).await;
    assert_eq!(group.total_sessions, 1);

    // The week's analytics, from the group's rows.
    let total_members = group
        .find_related(group_memberships::Entity)
        .count(db)
        .await
        .unwrap();
    let active_members = group
        .find_related(group_memberships::Entity)
        .filter(group_memberships::Column::IsActive.eq(true))
        .count(db)
        .await
        .unwrap();
    let week = at("2026-05-11T00:00:00Z");
    let analytics = insert(
        db,
        group_analytics::ActiveModel {
            group_id: Set(group.id),
            period_start: Set(week),
            period_end: Set(week + TimeDelta::days(7)),
            period_type: Set(AnalyticsPeriodType::Weekly),
            total_members: Set(total_members as i32),
            active_members: Set(active_members as i32),
            total_sessions: Set(group.total_sessions),
            collaborative_sessions: Set(1),
            total_practice_time: Set(45 * 60),
            average_group_score: Set(Some(dec("0.8200"))),
            average_completion_rate: Set(Some(dec("0.7500"))),
            skill_progress: Set(Some(json!({"greetings": {"before": 0.5, "after": 0.75}}))),
            peer_feedback_count: Set(3),
            group_interactions: Set(17),
            milestones_achieved: Set(Some(json!(["first_group_story"]))),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &analytics).await;
    assert_eq!((analytics.total_members, analytics.active_members), (2, 2));
    assert_eq!(analytics.period_type, AnalyticsPeriodType::Weekly);

    // The group page: creator, members, sessions and analytics in one loader call.
    let group_ex = learning_groups::Entity::load()
        .filter(learning_groups::Column::Id.eq(group.id))
        .with(users::Entity)
        .with(group_memberships::Entity)
        .with(collaborative_sessions::Entity)
        .with(group_analytics::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let BelongsTo::Loaded(creator) = &group_ex.users else {
        panic!("the creator is loaded")
    };
    assert_eq!(creator.id, author.id);
    assert_eq!(group_ex.group_memberships.len(), 2);
    assert_eq!(group_ex.collaborative_sessions.len(), 1);
    assert_eq!(
        group_ex.collaborative_sessions[0].status,
        CollaborativeSessionStatus::Completed
    );
    assert_eq!(group_ex.group_analytics.len(), 1);
    assert_eq!(
        group_ex.group_analytics[0].skill_progress,
        Some(json!({"greetings": {"before": 0.5, "after": 0.75}}))
    );
    assert_eq!(
        group_ex.last_activity_at,
        Some(start + TimeDelta::minutes(47))
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Kedge
// ---------------------------------------------------------------------------------------------

async fn kedge(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let db = &t.db;
    let student = sign_up(db, "mei", Role::Student).await;

    // The reference rows the session strategy comes from.
    let strategies = practice_strategies::Entity::find()
        .filter(practice_strategies::Column::IsActive.eq(true))
        .order_by_asc(practice_strategies::Column::Priority)
        .all(db)
        .await
        .unwrap();
    let names: Vec<&str> = strategies.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Quick Practice",
            "Weakness Reinforcement",
            "Mistake Reinforcement"
        ]
    );
    strategies.iter().for_each(assert_well_formed);
    let strategy = practice_strategies::Entity::find_by_id(WEAKNESS_REINFORCEMENT)
        .one(db)
        .await
        .unwrap()
        .expect("the seed strategy");
    assert_eq!(
        strategy.strategy_type,
        PracticeStrategyType::WeaknessReinforcement
    );
    assert_eq!(strategy.config, json!({"threshold": 60, "min_attempts": 3}));
    let review_strategy = practice_strategies::Entity::find_by_id(MISTAKE_REINFORCEMENT)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let review_days = review_strategy.config["review_interval_days"]
        .as_i64()
        .unwrap();
    assert_eq!(review_days, 3);

    // The curriculum: metadata and two knowledge points, each with questions from the bank.
    let curriculum = insert(
        db,
        knowledge_points_metadata::ActiveModel {
            meta_key: Set("curriculum".into()),
            meta_value: Set(
                json!({"edition": "2024", "grades": [7, 8], "source": {"publisher": "PEP"}}),
            ),
            description: Set(Some("Where the knowledge points come from".into())),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &curriculum).await;
    let mut points = Vec::new();
    for (code, topic, unit, sub) in [
        (
            "7A-02-03",
            "Algebra",
            "Unit 2 Equations",
            "Solving linear equations",
        ),
        ("7A-04-01", "Geometry", "Unit 4 Angles", "Vertical angles"),
    ] {
        points.push(
            insert(
                db,
                knowledge_points::ActiveModel {
                    code: Set(code.into()),
                    topic: Set(topic.into()),
                    volume: Set(Some("Grade 7 Volume 1".into())),
                    unit: Set(Some(unit.into())),
                    lesson: Set(Some("Lesson 1".into())),
                    sub: Set(Some(sub.into())),
                    ..Default::default()
                },
            )
            .await,
        );
    }
    let (equations, angles) = (&points[0], &points[1]);
    let bank = [
        (
            equations,
            QuestionType::MultipleChoice,
            false,
            "Solve 2x + 3 = 11.",
            Some(json!(["x = 3", "x = 4", "x = 7"])),
            json!("x = 4"),
            3,
        ),
        (
            equations,
            QuestionType::MultipleChoice,
            true,
            "Which numbers solve x² = 4?",
            Some(json!(["-2", "0", "2"])),
            json!(["-2", "2"]),
            4,
        ),
        (
            angles,
            QuestionType::TrueFalse,
            false,
            "Vertical angles are equal.",
            None,
            json!(true),
            2,
        ),
    ];
    let mut bank_questions = Vec::new();
    for (point, kind, multiple, text, options, answer, score) in bank {
        bank_questions.push(
            insert(
                db,
                questions::ActiveModel {
                    knowledge_point_id: Set(Some(point.id)),
                    question_type: Set(kind),
                    allow_multiple: Set(multiple),
                    question_text: Set(text.into()),
                    options: Set(options),
                    correct_answer: Set(answer),
                    original_paragraph: Set(Some("Exercise 2.3".into())),
                    tags: Set(Some(json!([point.topic.to_lowercase()]))),
                    points: Set(score),
                    ..Default::default()
                },
            )
            .await,
        );
    }
    assert_eq!(
        bank_questions[0].difficulty,
        QuestionDifficulty::Medium,
        "enum default"
    );
    assert_eq!(bank_questions[0].quiz_id, None, "a question-bank question");

    // The session, and the student's answers: two wrong, one right.
    let started = at("2026-06-01T19:00:00Z");
    let session = insert(
        db,
        practice_sessions::ActiveModel {
            user_id: Set(student.id),
            session_type: Set(SessionType::Practice),
            status: Set(PracticeSessionStatus::Active),
            strategy: Set(Some(PracticeStrategy::Weakness)),
            knowledge_point_ids: Set(Some(json!([equations.id, angles.id]))),
            question_ids: Set(Some(json!(
                bank_questions.iter().map(|q| q.id).collect::<Vec<_>>()
            ))),
            session_data: Set(Some(
                json!({"strategy_id": strategy.id, "threshold": strategy.config["threshold"]}),
            )),
            total_items: Set(Some(3)),
            time_limit_minutes: Set(Some(15)),
            started_at: Set(Some(started)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(session.started_at, Some(started));
    assert_eq!((session.completed_items, session.correct_items), (0, 0));
    let given = [json!("x = 7"), json!(["2"]), json!(true)];
    let seconds = [40, 75, 12];
    let mut answered_at = started;
    for ((question, answer), spent) in bank_questions.iter().zip(given).zip(seconds) {
        answered_at += TimeDelta::seconds(spent.into());
        let correct = answer == question.correct_answer;
        let recorded = insert(
            db,
            practice_answers::ActiveModel {
                session_id: Set(session.id),
                question_id: Set(question.id),
                user_answer: Set(Some(answer)),
                is_correct: Set(correct),
                time_spent_seconds: Set(Some(spent)),
                answered_at: Set(answered_at),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(recorded.answered_at, answered_at);
        if !correct {
            insert(
                db,
                student_mistakes::ActiveModel {
                    user_id: Set(student.id),
                    question_id: Set(question.id),
                    practice_session_id: Set(Some(session.id)),
                    last_mistake_at: Set(answered_at),
                    next_review_at: Set(Some(answered_at + TimeDelta::days(review_days))),
                    ..Default::default()
                },
            )
            .await;
        }
    }

    // Closing the session: its counters come from the answers the database holds.
    let answered = session
        .find_related(practice_answers::Entity)
        .count(db)
        .await
        .unwrap();
    let right = session
        .find_related(practice_answers::Entity)
        .filter(practice_answers::Column::IsCorrect.eq(true))
        .count(db)
        .await
        .unwrap();
    assert_eq!((answered, right), (3, 1));
    let spent = total(
        db,
        practice_answers::Entity::find().filter(practice_answers::Column::SessionId.eq(session.id)),
        practice_answers::Column::TimeSpentSeconds,
    )
    .await;
    assert_eq!(spent, Decimal::from(40 + 75 + 12));
    let mut closing = session.clone().into_active_model();
    closing.status = Set(PracticeSessionStatus::Completed);
    closing.completed_items = Set(answered as i32);
    closing.correct_items = Set(right as i32);
    closing.points_earned = Set(Some(2));
    closing.completed_at = Set(Some(answered_at));
    closing.duration_ms = Set(Some(127_000));
    let session = update(db, closing).await;
    assert_eq!(session.status, PracticeSessionStatus::Completed);
    assert_eq!(
        session.completed_at,
        Some(started + TimeDelta::seconds(127))
    );

    // The result page: answers with their questions, and the mistakes, in one loader call.
    let result = practice_sessions::Entity::load()
        .filter(practice_sessions::Column::Id.eq(session.id))
        .with((practice_answers::Entity, questions::Entity))
        .with(student_mistakes::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut marked: Vec<_> = result
        .practice_answers
        .iter()
        .map(|a| {
            let BelongsTo::Loaded(q) = &a.questions else {
                panic!("the question is loaded")
            };
            (q.question_text.clone(), a.is_correct, a.user_answer.clone())
        })
        .collect();
    marked.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        marked,
        [
            ("Solve 2x + 3 = 11.".to_owned(), false, Some(json!("x = 7"))),
            (
                "Vertical angles are equal.".to_owned(),
                true,
                Some(json!(true))
            ),
            (
                "Which numbers solve x² = 4?".to_owned(),
                false,
                Some(json!(["2"]))
            ),
        ]
    );
    assert_eq!(result.student_mistakes.len(), 2);
    assert_eq!(result.strategy, Some(PracticeStrategy::Weakness));
    assert_eq!(
        result.knowledge_point_ids,
        Some(json!([equations.id.to_string(), angles.id.to_string()]))
    );

    // Weakness per knowledge point, from the answers and their questions.
    let answers = session
        .find_related(practice_answers::Entity)
        .all(db)
        .await
        .unwrap();
    let asked = answers.load_one(questions::Entity, db).await.unwrap();
    let mut per_point: BTreeMap<Uuid, (i32, i32)> = BTreeMap::new();
    for (answer, question) in answers.iter().zip(&asked) {
        let point = question.as_ref().unwrap().knowledge_point_id.unwrap();
        let entry = per_point.entry(point).or_default();
        entry.0 += 1;
        entry.1 += i32::from(answer.is_correct);
    }
    assert_eq!(per_point[&equations.id], (2, 0));
    assert_eq!(per_point[&angles.id], (1, 1));
    let mut weaknesses = BTreeMap::new();
    for (point, (tries, correct)) in &per_point {
        let score = Decimal::from(100 * (tries - correct)) / Decimal::from(*tries);
        let weakness = insert(
            db,
            student_weaknesses::ActiveModel {
                user_id: Set(student.id),
                knowledge_point_id: Set(*point),
                weakness_score: Set(score.round_dp(2)),
                total_attempts: Set(*tries),
                correct_attempts: Set(*correct),
                last_attempt_at: Set(Some(answered_at)),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(weakness.improvement_trend, Decimal::ZERO, "column default");
        weaknesses.insert(*point, weakness);
    }

    // Three days later: the review session, on the mistake due for review.
    let review_at = started + TimeDelta::days(review_days) + TimeDelta::hours(1);
    let due = student_mistakes::Entity::find()
        .filter(student_mistakes::Column::UserId.eq(student.id))
        .filter(student_mistakes::Column::IsMastered.eq(false))
        .filter(student_mistakes::Column::NextReviewAt.lte(review_at))
        .order_by_asc(student_mistakes::Column::NextReviewAt)
        .all(db)
        .await
        .unwrap();
    assert_eq!(due.len(), 2);
    let mistake = due[0].clone();
    assert_eq!(mistake.question_id, bank_questions[0].id);
    assert_eq!(mistake.mistake_count, 1, "column default");
    let review = insert(
        db,
        practice_sessions::ActiveModel {
            user_id: Set(student.id),
            session_type: Set(SessionType::Review),
            status: Set(PracticeSessionStatus::Completed),
            strategy: Set(Some(PracticeStrategy::Review)),
            question_ids: Set(Some(json!([mistake.question_id]))),
            total_items: Set(Some(1)),
            completed_items: Set(1),
            correct_items: Set(1),
            points_earned: Set(Some(bank_questions[0].points)),
            started_at: Set(Some(review_at)),
            completed_at: Set(Some(review_at + TimeDelta::seconds(30))),
            ..Default::default()
        },
    )
    .await;
    insert(
        db,
        practice_answers::ActiveModel {
            session_id: Set(review.id),
            question_id: Set(mistake.question_id),
            user_answer: Set(Some(json!("x = 4"))),
            is_correct: Set(true),
            time_spent_seconds: Set(Some(30)),
            answered_at: Set(review_at + TimeDelta::seconds(30)),
            ..Default::default()
        },
    )
    .await;
    let mut mastered = mistake.clone().into_active_model();
    mastered.review_count = Set(mistake.review_count + 1);
    mastered.is_mastered = Set(true);
    mastered.mastered_at = Set(Some(review_at + TimeDelta::seconds(30)));
    mastered.next_review_at = Set(None);
    let mastered = update(db, mastered).await;
    assert!(mastered.updated_at > mistake.updated_at);
    assert_eq!(mastered.created_at, mistake.created_at);
    assert_eq!(
        (
            mastered.review_count,
            mastered.is_mastered,
            mastered.mastered_at
        ),
        (1, true, Some(review_at + TimeDelta::seconds(30)))
    );
    let before = weaknesses[&equations.id].clone();
    let mut recomputed = before.clone().into_active_model();
    recomputed.total_attempts = Set(before.total_attempts + 1);
    recomputed.correct_attempts = Set(before.correct_attempts + 1);
    recomputed.weakness_score = Set(dec("66.67"));
    recomputed.improvement_trend = Set(dec("-33.33"));
    recomputed.last_attempt_at = Set(Some(review_at + TimeDelta::seconds(30)));
    let recomputed = update(db, recomputed).await;
    assert_eq!(
        (recomputed.total_attempts, recomputed.correct_attempts),
        (3, 1)
    );

    // What the student's dashboard reads.
    let ranked = student_weaknesses::Entity::find()
        .filter(student_weaknesses::Column::UserId.eq(student.id))
        .find_also_related(knowledge_points::Entity)
        .order_by_desc(student_weaknesses::Column::WeaknessScore)
        .all(db)
        .await
        .unwrap();
    let ranked: Vec<_> = ranked
        .into_iter()
        .map(|(w, kp)| (kp.unwrap().code, w.weakness_score, w.improvement_trend))
        .collect();
    assert_eq!(
        ranked,
        [
            ("7A-02-03".to_owned(), dec("66.67"), dec("-33.33")),
            ("7A-04-01".to_owned(), Decimal::ZERO, Decimal::ZERO),
        ]
    );
    let still_due = student_mistakes::Entity::find()
        .filter(student_mistakes::Column::UserId.eq(student.id))
        .filter(student_mistakes::Column::IsMastered.eq(false))
        .count(db)
        .await
        .unwrap();
    assert_eq!(still_due, 1);
    assert_eq!(
        student
            .find_related(practice_sessions::Entity)
            .count(db)
            .await
            .unwrap(),
        2
    );
    let curriculum_tree = knowledge_points::Entity::load()
        .with(questions::Entity)
        .with(student_weaknesses::Entity)
        .order_by_asc(knowledge_points::Column::Code)
        .all(db)
        .await
        .unwrap();
    let tree: Vec<_> = curriculum_tree
        .iter()
        .map(|kp| {
            (
                kp.code.as_str(),
                kp.questions.len(),
                kp.student_weaknesses.len(),
            )
        })
        .collect();
    assert_eq!(tree, [("7A-02-03", 2, 1), ("7A-04-01", 1, 1)]);
    let answered_total = total(
        db,
        practice_answers::Entity::find()
            .filter(practice_answers::Column::SessionId.is_in([session.id, review.id])),
        practice_answers::Column::TimeSpentSeconds,
    )
    .await;
    assert_eq!(answered_total, Decimal::from(127 + 30));
}

// ---------------------------------------------------------------------------------------------
// 5. WriteBot
// ---------------------------------------------------------------------------------------------

async fn writebot(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let db = &t.db;
    let writer = sign_up(db, "iris", Role::Student).await;

    // The system presets the editor offers: the seed's 4 page sizes and 3 templates.
    assert_eq!(
        page_size_presets::Entity::find().count(db).await.unwrap(),
        4
    );
    assert_eq!(template_presets::Entity::find().count(db).await.unwrap(), 3);
    let sizes = page_size_presets::Entity::find()
        .filter(page_size_presets::Column::IsActive.eq(true))
        .order_by_asc(page_size_presets::Column::Width)
        .order_by_asc(page_size_presets::Column::Height)
        .all(db)
        .await
        .unwrap();
    let offered: Vec<_> = sizes
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.width,
                p.height,
                p.unit.clone(),
                p.created_by,
            )
        })
        .collect();
    assert_eq!(
        offered,
        [
            ("A5", dec("148.00"), dec("210.00"), LengthUnit::Mm, None),
            ("A4", dec("210.00"), dec("297.00"), LengthUnit::Mm, None),
            ("Letter", dec("215.90"), dec("279.40"), LengthUnit::Mm, None),
            ("Legal", dec("215.90"), dec("355.60"), LengthUnit::Mm, None),
        ]
    );
    sizes.iter().for_each(assert_well_formed);
    let defaults = page_size_presets::Entity::find()
        .filter(page_size_presets::Column::IsDefault.eq(true))
        .all(db)
        .await
        .unwrap();
    assert_eq!(defaults.iter().map(|p| p.id).collect::<Vec<_>>(), [A4]);
    let a4 = page_size_presets::Entity::load()
        .filter(page_size_presets::Column::Id.eq(A4))
        .with(template_presets::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let mut seeded: Vec<&str> = a4
        .template_presets
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    seeded.sort_unstable();
    assert_eq!(
        seeded,
        ["Compact Notes", "Large Print", "Standard Handwriting"]
    );
    let standard = template_presets::Entity::find_by_id(STANDARD_HANDWRITING)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            standard.margin_top,
            standard.margin_left,
            standard.line_height,
            standard.global_scale,
            standard.orientation.clone(),
            standard.text_alignment.clone(),
            standard.adaptive_strategy.clone(),
        ),
        (
            dec("15"),
            dec("15"),
            Some(dec("8.0")),
            Decimal::ONE,
            PageOrientation::Portrait,
            TextAlignment::Left,
            Some(ChunkingStrategy::Balanced)
        )
    );

    // The writer's own template: the standard one, on Letter, landscape and centred.
    let letter = page_size_presets::Entity::find_by_id(LETTER)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    let template = insert(
        db,
        template_presets::ActiveModel {
            name: Set("Iris letter, landscape".into()),
            description: Set(Some(format!("From {}", standard.name))),
            page_size_preset_id: Set(Some(letter.id)),
            orientation: Set(PageOrientation::Landscape),
            margin_top: Set(dec("12.50")),
            margin_right: Set(standard.margin_right),
            margin_bottom: Set(dec("12.50")),
            margin_left: Set(standard.margin_left),
            margin_unit: Set(LengthUnit::Mm),
            line_height: Set(Some(dec("0.25"))),
            line_height_unit: Set(LengthUnit::In),
            text_alignment: Set(TextAlignment::Center),
            global_scale: Set(dec("1.125")),
            biases: Set(Some("0.75|0.5".into())),
            per_line_styles: Set(Some("3,3,5".into())),
            stroke_colors: Set(Some("#1a1a1a".into())),
            wrap_utilization: Set(Some(dec("0.875"))),
            use_chunked_generation: Set(true),
            adaptive_chunking: Set(true),
            adaptive_strategy: Set(Some(ChunkingStrategy::Sentence)),
            words_per_chunk: Set(Some(4)),
            created_by: Set(Some(writer.id)),
            ..Default::default()
        },
    )
    .await;
    assert_read_back(db, &template).await;
    assert_eq!(
        (
            template.horizontal_stretch,
            template.denoise,
            template.background_color.as_deref(),
            template.is_active
        ),
        (Decimal::ONE, false, Some("#ffffff"), true),
        "column defaults"
    );
    assert_eq!(template.line_height_unit, LengthUnit::In);
    let on = template
        .find_related(page_size_presets::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((on.name.as_str(), on.width), ("Letter", dec("215.90")));

    // A collection of glyph overrides; 'a' and 'A' are different glyphs.
    let collection = insert(
        db,
        character_override_collections::ActiveModel {
            name: Set("Iris handwriting".into()),
            description: Set(Some("Letters the model draws badly".into())),
            created_by: Set(Some(writer.id)),
            ..Default::default()
        },
    )
    .await;
    assert!(collection.is_active, "column default");
    for (glyph, baseline) in [("a", "0"), ("A", "-2.5"), ("ä", "0.125")] {
        let glyph_row = insert(
            db,
            character_overrides::ActiveModel {
                collection_id: Set(collection.id),
                glyph: Set(glyph.into()),
                svg_data: Set(format!("<path d=\"M0 0 L10 10\" data-glyph=\"{glyph}\"/>")),
                viewbox_width: Set(dec("64.000")),
                viewbox_height: Set(dec("80.000")),
                baseline_offset: Set(dec(baseline)),
                ..Default::default()
            },
        )
        .await;
        assert_read_back(db, &glyph_row).await;
        assert_eq!(glyph_row.viewbox_x, Decimal::ZERO, "column default");
    }
    assert_eq!(
        collection
            .find_related(character_overrides::Entity)
            .count(db)
            .await
            .unwrap(),
        3
    );
    let upper = collection
        .find_related(character_overrides::Entity)
        .filter(character_overrides::Column::Glyph.eq("A"))
        .all(db)
        .await
        .unwrap();
    assert_eq!(upper.len(), 1, "'A' matches only itself: {upper:?}");
    assert_eq!(upper[0].baseline_offset, dec("-2.5"));

    // Usage: yesterday's row, then today's row created on the first generation and
    // incremented by every one after it.
    let today = Utc::now().date_naive();
    let yesterday = today.pred_opt().unwrap();
    insert(
        db,
        usage_statistics::ActiveModel {
            user_id: Set(writer.id),
            date: Set(yesterday),
            svg_generations: Set(2),
            total_lines_generated: Set(10),
            total_characters_generated: Set(420),
            total_processing_time: Set(dec("1.500")),
            ..Default::default()
        },
    )
    .await;
    let first = insert(
        db,
        usage_statistics::ActiveModel {
            user_id: Set(writer.id),
            date: Set(today),
            svg_generations: Set(1),
            total_lines_generated: Set(12),
            total_characters_generated: Set(480),
            total_processing_time: Set(dec("1.250")),
            ..Default::default()
        },
    )
    .await;
    assert_eq!((first.date, first.batch_generations), (today, 0));
    // (svg, batch, lines, characters, seconds) of each later generation.
    let generations = [
        (1, 0, 8, 3_000_000_000_i64, "0.875"),
        (0, 1, 40, 1_600, "4.125"),
        (1, 0, 6, 240, "0.500"),
    ];
    let mut today_row = first.clone();
    for (svg, batch, lines, characters, seconds) in generations {
        let mut counted = today_row.clone().into_active_model();
        counted.svg_generations = Set(today_row.svg_generations + svg);
        counted.batch_generations = Set(today_row.batch_generations + batch);
        counted.total_lines_generated = Set(today_row.total_lines_generated + lines);
        counted.total_characters_generated = Set(today_row.total_characters_generated + characters);
        counted.total_processing_time = Set(today_row.total_processing_time + dec(seconds));
        let counted = update(db, counted).await;
        assert!(
            counted.updated_at > today_row.updated_at,
            "updated_at moves"
        );
        assert_eq!(counted.created_at, first.created_at, "created_at stays");
        today_row = counted;
    }
    assert_eq!(
        (
            today_row.svg_generations,
            today_row.batch_generations,
            today_row.total_lines_generated,
            today_row.total_characters_generated,
            today_row.total_processing_time,
        ),
        (3, 1, 66, 3_000_002_320, dec("6.750"))
    );
    assert_read_back(db, &today_row).await;

    // The account page: totals over every day, by the database and from the rows.
    let usage =
        usage_statistics::Entity::find().filter(usage_statistics::Column::UserId.eq(writer.id));
    let days = usage
        .clone()
        .order_by_asc(usage_statistics::Column::Date)
        .all(db)
        .await
        .unwrap();
    assert_eq!(
        days.iter().map(|d| d.date).collect::<Vec<_>>(),
        [yesterday, today]
    );
    let svg_total = total(db, usage.clone(), usage_statistics::Column::SvgGenerations).await;
    let chars_total = total(
        db,
        usage.clone(),
        usage_statistics::Column::TotalCharactersGenerated,
    )
    .await;
    let seconds_total = total(
        db,
        usage.clone(),
        usage_statistics::Column::TotalProcessingTime,
    )
    .await;
    assert_eq!(
        (svg_total, chars_total, seconds_total),
        (
            Decimal::from(5),
            Decimal::from(3_000_002_740_i64),
            dec("8.250")
        )
    );
    assert_eq!(
        svg_total,
        Decimal::from(days.iter().map(|d| d.svg_generations).sum::<i32>())
    );
    assert_eq!(
        seconds_total,
        days.iter()
            .map(|d| d.total_processing_time)
            .sum::<Decimal>()
    );
    let account = users::Entity::load()
        .filter(users::Column::Id.eq(writer.id))
        .with(template_presets::Entity)
        .with((
            character_override_collections::Entity,
            character_overrides::Entity,
        ))
        .with(usage_statistics::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.template_presets.len(), 1);
    assert_eq!(
        account.template_presets[0].adaptive_strategy,
        Some(ChunkingStrategy::Sentence)
    );
    assert_eq!(account.character_override_collections.len(), 1);
    let mut glyphs: Vec<&str> = account.character_override_collections[0]
        .character_overrides
        .iter()
        .map(|g| g.glyph.as_str())
        .collect();
    glyphs.sort_unstable();
    assert_eq!(glyphs, ["A", "a", "ä"]);
    assert_eq!(account.usage_statistics.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// 6. Adaptive
// ---------------------------------------------------------------------------------------------

async fn adaptive(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let db = &t.db;
    let author = sign_up(db, "ravi", Role::Educator).await;
    let reviewer = sign_up(db, "sofia", Role::Educator).await;
    for (staff, role) in [
        (&author, ContentRole::Author),
        (&reviewer, ContentRole::Reviewer),
    ] {
        let mut am = staff.clone().into_active_model();
        am.content_role = Set(Some(role));
        update(db, am).await;
    }
    let learners = [
        sign_up(db, "noor", Role::Student).await,
        sign_up(db, "tom", Role::Student).await,
    ];

    // Two published items, written by the author and reviewed and approved by the reviewer.
    let published = at("2026-01-10T09:00:00Z");
    let mut bank = Vec::new();
    for (slug, kind, difficulty, correct) in [
        (
            "traffic-light-red",
            QuestionType::MultipleChoice,
            "-0.500",
            json!(["b"]),
        ),
        (
            "right-of-way-roundabout",
            QuestionType::TrueFalse,
            "1.250",
            json!([true]),
        ),
    ] {
        bank.push(
            insert(
                db,
                items::ActiveModel {
                    slug: Set(slug.into()),
                    content: Set(json!({"stem": format!("Question {slug}"), "locale": "en-GB"})),
                    choices: Set(json!([{"id": "a", "text": "Go"}, {"id": "b", "text": "Stop"}])),
                    correct: Set(correct),
                    explanation: Set(Some(json!({"text": "Highway Code rule 175"}))),
                    difficulty: Set(dec(difficulty)),
                    discrimination: Set(dec("1.125")),
                    topics: Set(json!(["signals"])),
                    jurisdictions: Set(json!(["GB"])),
                    item_type: Set(kind),
                    cognitive_level: Set("application".into()),
                    media_refs: Set(json!([])),
                    external_refs: Set(json!([{"code": "HC-175"}])),
                    tags: Set(json!(["theory-test"])),
                    status: Set(ItemStatus::Published),
                    created_by: Set(Some(author.id)),
                    reviewed_by: Set(Some(reviewer.id)),
                    approved_by: Set(Some(reviewer.id)),
                    published_at: Set(Some(published)),
                    ..Default::default()
                },
            )
            .await,
        );
    }
    assert_eq!(
        (
            bank[0].guessing,
            bank[0].estimated_time,
            bank[0].points,
            bank[0].version
        ),
        (dec("0.250"), 60, 1, 1),
        "column defaults"
    );
    assert_eq!(bank[0].published_at, Some(published));
    // Three foreign keys to users: each loaded by its relation name.
    let staffed = items::Entity::load()
        .filter(items::Column::Id.is_in(bank.iter().map(|i| i.id)))
        .with(items::Relation::Users2)
        .with(items::Relation::Users1)
        .with(items::Relation::Users3)
        .order_by_asc(items::Column::Slug)
        .all(db)
        .await
        .unwrap();
    for item in &staffed {
        let name = |who: &BelongsTo<Option<users::Entity>>| match who {
            BelongsTo::Loaded(Some(u)) => u.username.clone().unwrap(),
            other => panic!("{}: staff not loaded: {other:?}", item.slug),
        };
        assert_eq!(
            (
                name(&item.users_2),
                name(&item.users_1),
                name(&item.users_3)
            ),
            ("ravi".to_owned(), "sofia".to_owned(), "sofia".to_owned()),
            "created_by, reviewed_by, approved_by"
        );
    }

    // One adaptive session per learner.
    let mut sessions = Vec::new();
    for learner in &learners {
        sessions.push(
            insert(
                db,
                practice_sessions::ActiveModel {
                    user_id: Set(learner.id),
                    session_type: Set(SessionType::Practice),
                    status: Set(PracticeSessionStatus::Active),
                    skill_areas: Set(Some(json!(["signals"]))),
                    average_difficulty: Set(Some(dec("0.375"))),
                    device_type: Set(Some("ios".into())),
                    app_version: Set(Some("4.2.0".into())),
                    ..Default::default()
                },
            )
            .await,
        );
    }

    // Attempts: by now (created_at filled by the entity crate) on two days of the client's
    // clock, and backfilled from a synchronising client for next year and a distant past year.
    let year = Utc::now().year();
    let day_one = (Utc::now() - TimeDelta::days(1)).date_naive();
    let day_two = Utc::now().date_naive();
    let next_year = at(&format!("{}-01-15T12:00:00Z", year + 1));
    let long_ago = at("2001-03-04T05:06:07Z");
    // (learner, item, client time, correct, backfilled created_at)
    let plan = [
        (0, 0, noon(day_one) + TimeDelta::minutes(5), false, None),
        (0, 1, noon(day_one) + TimeDelta::minutes(9), true, None),
        (0, 0, noon(day_two), true, None),
        (0, 1, next_year, true, Some(next_year)),
        (0, 0, long_ago, false, Some(long_ago)),
        (1, 0, noon(day_two) + TimeDelta::hours(2), true, None),
    ];
    let mut written = Vec::new();
    for (n, (who, item, client_time, correct, created_at)) in plan.into_iter().enumerate() {
        let mut am = attempts::ActiveModel {
            user_id: Set(learners[who].id),
            item_id: Set(bank[item].id),
            session_id: Set(sessions[who].id),
            selected: Set(json!({"choice": if correct { "b" } else { "a" }})),
            correct: Set(correct),
            quality: Set(Some(if correct { 4 } else { 1 })),
            confidence: Set(Some(3)),
            time_taken_ms: Set(2_500 + 500 * n as i32),
            hints_used: Set(i32::from(!correct)),
            client_attempt_id: Set(Uuid::now_v7()),
            device_type: Set(Some("ios".into())),
            ip_address: Set(Some("2001:db8::17".into())),
            sm2_state_before: Set(Some(json!({"ef": 2.5, "interval": 1, "reps": n}))),
            sm2_state_after: Set(Some(json!({"ef": 2.5, "interval": 6, "reps": n + 1}))),
            irt_ability_after: Set(Some(json!({"theta": 0.25, "se": 0.5}))),
            attempted_at: Set(client_time),
            ..Default::default()
        };
        if let Some(created_at) = created_at {
            am.created_at = Set(created_at);
        }
        let attempt = insert(db, am).await;
        assert_read_back(db, &attempt).await;
        assert_eq!(attempt.attempted_at, client_time);
        if let Some(created_at) = created_at {
            assert_eq!(
                attempt.created_at, created_at,
                "a backfilled created_at is kept"
            );
        } else {
            assert_eq!(attempt.created_at.year(), year);
        }
        written.push(attempt);
    }

    // Per user, through attempts::Entity only.
    let noor = attempts::Entity::find()
        .filter(attempts::Column::UserId.eq(learners[0].id))
        .order_by_asc(attempts::Column::AttemptedAt)
        .all(db)
        .await
        .unwrap();
    assert_eq!(noor.len(), 5);
    noor.iter().for_each(assert_well_formed);
    assert_eq!(noor[0].created_at, long_ago);
    assert_eq!(noor[4].created_at, next_year);
    assert_eq!(
        noor[4].sm2_state_after,
        Some(json!({"ef": 2.5, "interval": 6, "reps": 4}))
    );
    assert_eq!(
        learners[1]
            .find_related(attempts::Entity)
            .count(db)
            .await
            .unwrap(),
        1
    );
    let per_session = sessions.load_many(attempts::Entity, db).await.unwrap();
    assert_eq!(per_session.iter().map(Vec::len).collect::<Vec<_>>(), [5, 1]);

    // An attempt's key is (id, created_at) in the entity, as on PostgreSQL, where
    // created_at is the partition key; MySQL and SQLite key on id alone.
    let backfilled = &written[3];
    let by_key = attempts::Entity::find_by_id((backfilled.id, backfilled.created_at))
        .one(db)
        .await
        .unwrap();
    assert_eq!(by_key.as_ref(), Some(backfilled));

    // Per day of the client's clock: grouped in Rust, and one range filter per day.
    let mut by_day: BTreeMap<NaiveDate, (u64, u64)> = BTreeMap::new();
    for a in &noor {
        let entry = by_day.entry(a.attempted_at.date_naive()).or_default();
        entry.0 += 1;
        entry.1 += u64::from(a.correct);
    }
    let expected = BTreeMap::from([
        (long_ago.date_naive(), (1, 0)),
        (day_one, (2, 1)),
        (day_two, (1, 1)),
        (next_year.date_naive(), (1, 1)),
    ]);
    assert_eq!(by_day, expected);
    for (day, (count, correct)) in &expected {
        let on_day = attempts::Entity::find()
            .filter(attempts::Column::UserId.eq(learners[0].id))
            .filter(attempts::Column::AttemptedAt.gte(midnight(*day)))
            .filter(attempts::Column::AttemptedAt.lt(midnight(day.succ_opt().unwrap())));
        assert_eq!(on_day.clone().count(db).await.unwrap(), *count, "{day}");
        let right = on_day
            .filter(attempts::Column::Correct.eq(true))
            .count(db)
            .await
            .unwrap();
        assert_eq!(right, *correct, "{day}");
    }
    let time_today = total(
        db,
        attempts::Entity::find()
            .filter(attempts::Column::AttemptedAt.gte(midnight(day_two)))
            .filter(attempts::Column::AttemptedAt.lt(midnight(day_two.succ_opt().unwrap()))),
        attempts::Column::TimeTakenMs,
    )
    .await;
    assert_eq!(time_today, Decimal::from((2_500 + 1_000) + (2_500 + 2_500)));

    // The item's statistics page: its attempts through the loader.
    let item_ex = items::Entity::load()
        .filter(items::Column::Id.eq(bank[0].id))
        .with(attempts::Entity)
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(item_ex.attempts.len(), 4);
    let answered_right = item_ex.attempts.iter().filter(|a| a.correct).count();
    assert_eq!(answered_right, 2);

    // PostgreSQL: every attempt sits in the partition of its created_at.
    if backend == Backend::Postgres {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT id::text AS id, tableoid::regclass::text AS part FROM attempts",
            ))
            .await
            .unwrap();
        let placed: BTreeMap<Uuid, String> = rows
            .iter()
            .map(|r| {
                let id: String = r.try_get("", "id").unwrap();
                (id.parse().unwrap(), r.try_get("", "part").unwrap())
            })
            .collect();
        let expected: BTreeMap<Uuid, String> = written
            .iter()
            .map(|a| {
                let part = match a.created_at.year() {
                    y if y == year || y == year + 1 => format!("attempts_{y}"),
                    _ => "attempts_default".to_owned(),
                };
                (a.id, part)
            })
            .collect();
        assert_eq!(placed, expected);
        let parts: BTreeSet<&str> = placed.values().map(String::as_str).collect();
        assert_eq!(parts.len(), 3, "{parts:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn midnight(day: NaiveDate) -> DateTime<FixedOffset> {
    day.and_hms_opt(0, 0, 0).unwrap().and_utc().fixed_offset()
}

fn noon(day: NaiveDate) -> DateTime<FixedOffset> {
    midnight(day) + TimeDelta::hours(12)
}
