//! What the service-flow tests (`tests/flows_*.rs`) share: writes through an entity's
//! `ActiveModel` exactly as a service makes them, and the checks every written row must pass.
//!
//! A flow never sets `id`, `created_at` or `updated_at`: the entity crate's behaviour fills
//! them (entity/src/behavior.rs). [`insert`] checks, on the model the database returned, that
//! every uuid `id` is a UUIDv7 and that every timestamp is in UTC; [`assert_read_back`] checks
//! that reading the row again gives the same model.

use chrono::{DateTime, FixedOffset};
use entity::sea_orm_active_enums::Role;
use entity::users;
use rust_decimal::Decimal;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{ColumnType, Expr, ExprTrait};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr,
    EntityName, EntityTrait, IdenStatic, IntoActiveModel, Iterable, ModelTrait, PrimaryKeyToColumn,
    QueryFilter, QuerySelect, QueryTrait, Select, Value,
};
use serde_json::json;

/// Inserts `am` with `ActiveModel::insert` (the hooks run) and checks the returned model with
/// [`assert_well_formed`].
pub async fn insert<A, C>(db: &C, am: A) -> <A::Entity as EntityTrait>::Model
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    checked("insert into", am.insert(db).await)
}

/// Updates `am` with `ActiveModel::update` (the hooks run) and checks the returned model.
pub async fn update<A, C>(db: &C, am: A) -> <A::Entity as EntityTrait>::Model
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    checked("update", am.update(db).await)
}

fn checked<M: ModelTrait>(write: &str, result: Result<M, DbErr>) -> M {
    let table = <M::Entity as Default>::default().table_name();
    let model = result.unwrap_or_else(|e| panic!("{write} {table}: {e}"));
    assert_well_formed(&model);
    model
}

/// Every uuid `id` column holds a UUIDv7 (no id left unset, none from the PostgreSQL v4
/// fallback default), and every timestamp is in UTC.
pub fn assert_well_formed<M: ModelTrait>(model: &M) {
    let table = <M::Entity as Default>::default().table_name().to_owned();
    for col in <M::Entity as EntityTrait>::Column::iter() {
        let name = col.as_str();
        match (col.def().get_column_type(), model.get(col)) {
            (ColumnType::Uuid, Value::Uuid(Some(id))) if name == "id" => {
                assert_eq!(id.get_version_num(), 7, "{table}.id = {id} is not a UUIDv7")
            }
            (ColumnType::TimestampWithTimeZone, Value::ChronoDateTimeWithTimeZone(Some(at))) => {
                assert_eq!(
                    at.offset().local_minus_utc(),
                    0,
                    "{table}.{name} = {at} is not in UTC"
                )
            }
            _ => {}
        }
    }
}

/// Reads the row of `model` again by its primary key and checks it equals `model`: what a
/// write returned is what the database holds.
pub async fn assert_read_back<M, C>(db: &C, model: &M)
where
    M: ModelTrait + PartialEq + std::fmt::Debug + sea_orm::FromQueryResult + Send + Sync,
    M::Entity: EntityTrait<Model = M>,
    C: ConnectionTrait,
{
    let table = <M::Entity as Default>::default().table_name().to_owned();
    let mut find = M::Entity::find();
    for key in <M::Entity as EntityTrait>::PrimaryKey::iter() {
        let col = key.into_column();
        find = find.filter(col.eq(model.get(col)));
    }
    let read = find
        .one(db)
        .await
        .unwrap_or_else(|e| panic!("read back {table}: {e}"))
        .unwrap_or_else(|| panic!("{table}: the row just written is gone"));
    assert_eq!(&read, model, "{table}: the row read back differs");
}

/// An instant of a flow's own (RFC 3339, UTC, at most microseconds: what every backend stores).
pub fn at(rfc3339: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap()
}

pub fn dec(value: &str) -> Decimal {
    value.parse().unwrap()
}

/// A user who signs up with an email, a username and a password hash, as every product does.
pub async fn sign_up(db: &DatabaseConnection, name: &str, role: Role) -> users::Model {
    insert(
        db,
        users::ActiveModel {
            email: Set(Some(format!("{name}@example.com"))),
            username: Set(Some(name.to_owned())),
            password_hash: Set(Some(
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
            )),
            role: Set(role),
            full_name: Set(Some(format!("{name} Example"))),
            gdpr_consent: Set(true),
            gdpr_consent_date: Set(Some(at("2026-03-01T09:00:00Z"))),
            metadata: Set(Some(json!({"signup": {"source": "web", "campaign": null}}))),
            ..Default::default()
        },
    )
    .await
}

/// `SUM(column)` over the rows `select` finds, computed by the database. Its type differs by
/// backend: `bigint` (integers) or `numeric` on PostgreSQL, `DECIMAL` on MySQL, `INTEGER` or
/// `REAL` on SQLite; so it is read as an integer first and as a decimal otherwise. No rows: 0.
pub async fn total<E: EntityTrait>(
    db: &DatabaseConnection,
    select: Select<E>,
    column: E::Column,
) -> Decimal {
    let statement = select
        .select_only()
        .column_as(Expr::col(column).sum(), "total")
        .build(db.get_database_backend());
    let row = db
        .query_one_raw(statement)
        .await
        .unwrap()
        .expect("SUM returns one row");
    match row.try_get::<Option<i64>>("", "total") {
        Ok(sum) => Decimal::from(sum.unwrap_or(0)),
        Err(_) => row
            .try_get::<Option<Decimal>>("", "total")
            .unwrap_or_else(|e| panic!("SUM({column:?}): {e}"))
            .unwrap_or_default(),
    }
}

/// What an attempt needs to exist: a learner, a published item and a practice session.
pub struct AttemptParents {
    pub user: users::Model,
    pub item: entity::items::Model,
    pub session: entity::practice_sessions::Model,
}

pub async fn attempt_parents(db: &DatabaseConnection, name: &str) -> AttemptParents {
    use entity::{items, practice_sessions};
    let user = sign_up(db, name, Role::Student).await;
    let item = insert(
        db,
        items::ActiveModel {
            slug: Set(format!("{name}-item")),
            content: Set(json!({"stem": "2 + 2 = ?"})),
            choices: Set(json!(["3", "4", "5"])),
            correct: Set(json!("4")),
            ..Default::default()
        },
    )
    .await;
    let session = insert(
        db,
        practice_sessions::ActiveModel {
            user_id: Set(user.id),
            ..Default::default()
        },
    )
    .await;
    AttemptParents {
        user,
        item,
        session,
    }
}

/// Attempt `i` of `parents`, with every column set (the most bind parameters a row can take);
/// `id` and `created_at` are left to the entity crate.
pub fn attempt(parents: &AttemptParents, i: u64) -> entity::attempts::ActiveModel {
    use entity::attempts;
    let attempted_at = at("2026-06-01T00:00:00Z") + chrono::TimeDelta::seconds(i as i64);
    attempts::ActiveModel {
        user_id: Set(parents.user.id),
        item_id: Set(parents.item.id),
        session_id: Set(parents.session.id),
        selected: Set(json!({"choice": i % 3})),
        correct: Set(i % 3 == 1),
        quality: Set(Some((i % 6) as i16)),
        confidence: Set(Some((i % 5 + 1) as i16)),
        time_taken_ms: Set(1_000 + (i % 9_000) as i32),
        hints_used: Set((i % 3) as i32),
        client_attempt_id: Set(uuid::Uuid::now_v7()),
        device_type: Set(Some("ios".into())),
        app_version: Set(Some("4.2.0".into())),
        ip_address: Set(Some("192.0.2.10".into())),
        user_agent: Set(Some("learndb-bench/1".into())),
        sm2_state_before: Set(Some(json!({"ef": 2.5, "n": i % 7}))),
        sm2_state_after: Set(Some(json!({"ef": 2.6, "n": i % 7 + 1}))),
        bkt_state_before: Set(Some(json!({"p_known": 0.4}))),
        bkt_state_after: Set(Some(json!({"p_known": 0.5}))),
        irt_ability_before: Set(Some(json!({"theta": -0.2}))),
        irt_ability_after: Set(Some(json!({"theta": 0.1}))),
        attempted_at: Set(attempted_at),
        ..Default::default()
    }
}
