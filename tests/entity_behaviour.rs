#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The entity crate's hand-written behaviour (entity/src/behavior.rs) on real databases: an
//! insert that leaves `id`, `created_at` and `updated_at` unset gets a UUIDv7 and the current
//! UTC time from the application on PostgreSQL, MariaDB and SQLite alike; explicit values are
//! kept; an update moves `updated_at` and never `created_at`; the 2.0 nested save and
//! `insert_many` through `prepare_insert` fill every row; `entity::bulk::insert_all` batches at
//! each backend's bind-parameter cap; and on MySQL the timestamps stay UTC whatever the session
//! time zone, where the database default alone would not.

mod common;

use std::time::Duration;

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use common::service::assert_read_back;
use common::{Backend, TestDb};
use entity::behavior::prepare_insert;
use entity::{user_preferences, user_profiles, users};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectOptions, ConnectionTrait, Database, EntityTrait,
    IntoActiveModel, Iterable, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

on_every_backend!(
    an_insert_gets_a_uuid_v7_and_utc_timestamps_from_the_application,
    insert_fills
);
on_every_backend!(explicit_ids_and_timestamps_are_kept, explicit_values_kept);
on_every_backend!(
    an_update_moves_updated_at_and_never_created_at,
    update_moves_updated_at
);
on_every_backend!(a_nested_save_fills_the_ids_of_every_row, nested_save_fills);
on_every_backend!(
    insert_many_through_prepare_insert_gets_ordered_uuid_v7_ids,
    insert_many_fills
);

fn user(email: &str) -> users::ActiveModel {
    users::ActiveModel {
        email: Set(Some(email.to_owned())),
        ..Default::default()
    }
}

/// The window an application-side `now()` taken during `write` must fall in.
async fn during<T>(write: impl Future<Output = T>) -> (T, DateTime<Utc>, DateTime<Utc>) {
    let before = Utc::now().trunc_subsecs(6);
    let out = write.await;
    let after = Utc::now();
    (out, before, after)
}

async fn insert_fills(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let (model, before, after) = during(user("fills@example.org").insert(&t.db)).await;
    let model = model.unwrap_or_else(|e| panic!("{backend:?}: insert with no id: {e}"));
    assert_eq!(model.id.get_version_num(), 7, "{backend:?}: {}", model.id);
    assert_eq!(model.created_at, model.updated_at);
    assert_eq!(model.created_at.offset().local_minus_utc(), 0);
    assert!(
        before <= model.created_at && model.created_at <= after,
        "{backend:?}: created_at {} is not the application's now ({before}..{after})",
        model.created_at
    );
    assert_read_back(&t.db, &model).await;
}

async fn explicit_values_kept(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let id = Uuid::new_v4(); // an id migrated from a source system, for example
    let created = DateTime::parse_from_rfc3339("2019-05-06T07:08:09.123456Z").unwrap();
    let updated = created + TimeDelta::days(3);
    let model = users::ActiveModel {
        id: Set(id),
        created_at: Set(created),
        updated_at: Set(updated),
        ..user("explicit@example.org")
    }
    .insert(&t.db)
    .await
    .unwrap();
    assert_eq!(
        (model.id, model.created_at, model.updated_at),
        (id, created, updated)
    );
    assert_read_back(&t.db, &model).await;
}

async fn update_moves_updated_at(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let created = DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z").unwrap();
    let inserted = users::ActiveModel {
        created_at: Set(created),
        updated_at: Set(created),
        ..user("update@example.org")
    }
    .insert(&t.db)
    .await
    .unwrap();

    let mut renamed = inserted.clone().into_active_model();
    renamed.full_name = Set(Some("Grace Hopper".into()));
    let (renamed, before, after) = during(renamed.update(&t.db)).await;
    let renamed = renamed.unwrap();
    assert_eq!(renamed.created_at, created, "{backend:?}: created_at moved");
    assert!(
        before <= renamed.updated_at && renamed.updated_at <= after,
        "{backend:?}: updated_at {} is not the time of the update",
        renamed.updated_at
    );
    assert_read_back(&t.db, &renamed).await;

    // An explicit updated_at wins over the behaviour and over the database's own maintenance.
    let mut backdated = renamed.clone().into_active_model();
    backdated.login_count = Set(1);
    backdated.updated_at = Set(created + TimeDelta::hours(1));
    let backdated = backdated.update(&t.db).await.unwrap();
    assert_eq!(backdated.updated_at, created + TimeDelta::hours(1));
    assert_read_back(&t.db, &backdated).await;
}

async fn nested_save_fills(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    users::ActiveModel::builder()
        .set_email("nested@example.org".to_owned())
        .set_user_profiles(
            user_profiles::ActiveModel::builder()
                .set_timezone("Asia/Tokyo")
                .set_language("ja")
                .set_privacy_settings(json!({"profile": "public"}))
                .set_notification_preferences(json!({"email": false})),
        )
        .add_user_preference(
            user_preferences::ActiveModel::builder()
                .set_preference_key("ui.theme")
                .set_preference_value(json!("dark")),
        )
        .add_user_preference(
            user_preferences::ActiveModel::builder()
                .set_preference_key("ui.locale")
                .set_preference_value(json!({"lang": "ja"})),
        )
        .save(&t.db)
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: nested save: {e}"));

    let saved = users::Entity::load()
        .filter(users::Column::Email.eq("nested@example.org"))
        .with(user_profiles::Entity)
        .with(user_preferences::Entity)
        .one(&t.db)
        .await
        .unwrap()
        .expect("the nested user was saved");
    let profile = saved.user_profiles.as_ref().expect("its profile was saved");
    let mut ids = vec![saved.id, profile.id];
    ids.extend(saved.user_preferences.iter().map(|p| p.id));
    assert_eq!(ids.len(), 4);
    for id in ids {
        assert_eq!(id.get_version_num(), 7, "{backend:?}: {id}");
    }
    assert_eq!(profile.user_id, saved.id);
    assert_eq!(profile.created_at.offset().local_minus_utc(), 0);
}

async fn insert_many_fills(backend: Backend) {
    let t = TestDb::migrated(backend).await;
    let rows = (0..50).map(|i| prepare_insert(user(&format!("bulk{i:02}@example.org"))));
    users::Entity::insert_many(rows).exec(&t.db).await.unwrap();
    let inserted = users::Entity::find()
        .filter(users::Column::Email.like("bulk%"))
        .order_by_asc(users::Column::Email)
        .all(&t.db)
        .await
        .unwrap();
    assert_eq!(inserted.len(), 50);
    for u in &inserted {
        assert_eq!(u.id.get_version_num(), 7, "{backend:?}: {}", u.id);
        assert_eq!(u.created_at.offset().local_minus_utc(), 0);
    }
    // UUIDv7 ids generated in one process sort in creation order (SPEC.md §0.1).
    let ids: Vec<Uuid> = inserted.iter().map(|u| u.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted, "{backend:?}: ids do not sort by creation");
}

/// MySQL's `CURRENT_TIMESTAMP(6)` is the session's local time, and DATETIME keeps no zone: a
/// service whose connections run in `+05:00` would store created_at five hours ahead if the
/// database filled it. The application fills it in UTC, so the session's zone does not matter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mysql_timestamps_are_utc_in_any_session_time_zone() {
    let t = TestDb::migrated(Backend::MySql).await;
    let mut options = ConnectOptions::new(t.url.clone());
    options
        .max_connections(1)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    let db = Database::connect(options).await.unwrap();
    db.execute_unprepared("SET time_zone = '+05:00'")
        .await
        .unwrap();

    let (filled, before, after) = during(user("tz@example.org").insert(&db)).await;
    let filled = filled.unwrap();
    assert!(
        before <= filled.created_at && filled.created_at <= after,
        "created_at {} is not UTC now ({before}..{after})",
        filled.created_at
    );

    // The same insert without the behaviour (Entity::insert runs no hooks) takes the default.
    let raw_id = Uuid::now_v7();
    users::Entity::insert(users::ActiveModel {
        id: Set(raw_id),
        created_at: NotSet,
        ..user("tz-default@example.org")
    })
    .exec(&db)
    .await
    .unwrap();
    let raw = users::Entity::find_by_id(raw_id)
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    let ahead = raw.created_at.to_utc() - Utc::now();
    assert!(
        ahead > TimeDelta::hours(4),
        "expected the database default to follow the +05:00 session (got {ahead})"
    );
}

on_every_backend!(
    insert_all_batches_at_the_bind_parameter_cap,
    insert_all_batches
);

/// `entity::bulk::insert_all` sends batches as large as the backend accepts: one row more than a
/// batch, every column set, is refused as a single `insert_many`, and `insert_all` stores
/// 2½ batches of such rows, each with its own UUIDv7.
async fn insert_all_batches(backend: Backend) {
    use common::service::{attempt, attempt_parents};
    use entity::attempts;
    use entity::bulk::{insert_all, rows_per_batch};
    use sea_orm::PaginatorTrait;

    let t = TestDb::migrated(backend).await;
    let parents = attempt_parents(&t.db, "bulk").await;
    let batch = rows_per_batch::<attempts::Entity>(t.db.get_database_backend()) as u64;

    let too_many = (0..=batch).map(|i| prepare_insert(attempt(&parents, i)));
    let refused = attempts::Entity::insert_many(too_many)
        .exec_without_returning(&t.db)
        .await;
    // Refused for its size, not for a row: each backend's own words for the cap.
    let refusal = match backend {
        Backend::Postgres => "too many arguments",
        Backend::MySql => "too many placeholders",
        Backend::Sqlite => "too many SQL variables",
    };
    match refused {
        Err(e) => assert!(e.to_string().contains(refusal), "{backend:?}: {e}"),
        Ok(_) => panic!(
            "{backend:?}: {} rows of {} parameters were accepted in one statement; the cap is wrong",
            batch + 1,
            attempts::Column::iter().count()
        ),
    }

    let rows = batch * 5 / 2;
    let inserted = insert_all(&t.db, (0..rows).map(|i| attempt(&parents, i)))
        .await
        .unwrap_or_else(|e| panic!("{backend:?}: insert_all: {e}"));
    assert_eq!(inserted, rows);
    assert_eq!(attempts::Entity::find().count(&t.db).await.unwrap(), rows);
    let ids: std::collections::BTreeSet<Uuid> = attempts::Entity::find()
        .all(&t.db)
        .await
        .unwrap()
        .into_iter()
        .inspect(|a| assert_eq!(a.id.get_version_num(), 7))
        .map(|a| a.id)
        .collect();
    assert_eq!(ids.len() as u64, rows, "{backend:?}: duplicate ids");
}
