//! What the service-flow tests (`tests/flows_*.rs`) share: writes through an entity's
//! `ActiveModel` exactly as a service makes them, and the checks every written row must pass.
//!
//! A flow never sets `id`, `created_at` or `updated_at`: the entity crate's behaviour fills
//! them (entity/src/behavior.rs). [`insert`] checks, on the model the database returned, that
//! every uuid `id` is a UUIDv7 and that every timestamp is in UTC; [`assert_read_back`] checks
//! that reading the row again gives the same model.

use sea_orm::sea_query::ColumnType;
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityName, EntityTrait,
    IdenStatic, IntoActiveModel, Iterable, ModelTrait, PrimaryKeyToColumn, QueryFilter, Value,
};

/// Inserts `am` with `ActiveModel::insert` (the hooks run) and checks the returned model with
/// [`assert_well_formed`].
pub async fn insert<A, C>(db: &C, am: A) -> <A::Entity as EntityTrait>::Model
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let model = am
        .insert(db)
        .await
        .unwrap_or_else(|e| panic!("insert into {table}: {e}"));
    assert_well_formed(&model);
    model
}

/// Updates `am` with `ActiveModel::update` (the hooks run) and checks the returned model.
pub async fn update<A, C>(db: &C, am: A) -> <A::Entity as EntityTrait>::Model
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
    C: ConnectionTrait,
{
    let table = <A::Entity as Default>::default().table_name().to_owned();
    let model = am
        .update(db)
        .await
        .unwrap_or_else(|e| panic!("update {table}: {e}"));
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
