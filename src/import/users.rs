//! What every system's users share (SPEC-26-27 §27.6, §27.9): who is merged with whom by
//! email, usernames and their comparison key, preferences as derived rows, profile languages.

use std::collections::{HashMap, HashSet};

use entity::generated::{user_preferences, users};
use migration::sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QuerySelect};
use serde_json::{Value as Json, json};
use uuid::Uuid;

use super::ImportError;
use super::engine::{Conflict, Import, Out, Reject, Step};
use super::row::{Fields, derived_key, redacted};
use super::source::SourceRow;

/// A username's comparison key (§27.10): case and trailing spaces ignored. This approximates
/// `utf8mb4_unicode_ci` at primary strength for the scripts legacy usernames use; accents and
/// full-width forms are not folded (schema-decisions 65).
pub fn username_key(name: &str) -> String {
    name.trim_end().to_lowercase()
}

/// learndb's `ck_users_email_format`, evaluated by the importer on every backend.
pub fn email_format_ok(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else {
        return false;
    };
    let Some((host, tld)) = domain.rsplit_once('.') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b))
        && !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".-".contains(&b))
        && tld.len() >= 2
        && tld.bytes().all(|b| b.is_ascii_alphabetic())
}

/// id, username, email, email_verified, deleted_at of a target user.
type UserRow = (
    Uuid,
    Option<String>,
    Option<String>,
    bool,
    Option<chrono::DateTime<chrono::FixedOffset>>,
);

/// A target user holding an email.
#[derive(Debug, Clone, Copy)]
pub struct Holder {
    pub id: Uuid,
    pub verified: bool,
    pub deleted: bool,
}

/// The target's users as the merge rules need them: usernames by key, emails with their holder.
/// Read once before the users table (memory in proportion to the target's users).
pub struct Book {
    pub names: HashSet<String>,
    /// Every target user's username, so a row an earlier run imported keeps the name it got.
    pub by_id: HashMap<Uuid, String>,
    pub emails: HashMap<String, Holder>,
    /// Emails this run gave to a source row, and to which (same-source duplicates, §27.6).
    pub taken: HashMap<String, String>,
}

/// What happens to a source row's email (§27.6).
pub enum EmailDecision {
    /// No email.
    None,
    /// Inserted with this email.
    Keep(String),
    /// Merged into the target user holding it.
    Merge(String, Uuid),
    /// Imported without it: `withheld:<case>`.
    Withhold(&'static str),
}

impl Book {
    pub async fn read(txn: &DatabaseTransaction) -> Result<Book, ImportError> {
        let rows: Vec<UserRow> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Username)
            .column(users::Column::Email)
            .column(users::Column::EmailVerified)
            .column(users::Column::DeletedAt)
            .into_tuple()
            .all(txn)
            .await
            .map_err(|e| ImportError::db("reading the target's users", &e))?;
        let mut book = Book {
            names: HashSet::new(),
            by_id: HashMap::new(),
            emails: HashMap::new(),
            taken: HashMap::new(),
        };
        for (id, username, email, verified, deleted) in rows {
            if let Some(u) = username {
                book.names.insert(username_key(&u));
                book.by_id.insert(id, u);
            }
            if let Some(e) = email {
                book.emails.insert(
                    e.to_lowercase(),
                    Holder {
                        id,
                        verified,
                        deleted: deleted.is_some(),
                    },
                );
            }
        }
        Ok(book)
    }

    /// The email decision for source row `key` (already mapped to `own` by an earlier run, if
    /// so) with raw email `raw`, soft-deleted or not.
    pub fn email(
        &mut self,
        raw: Option<&str>,
        key: &str,
        own: Option<Uuid>,
        source_deleted: bool,
        merge_unverified: bool,
    ) -> EmailDecision {
        let Some(e) = raw
            .map(|r| r.trim().to_lowercase())
            .filter(|e| !e.is_empty())
        else {
            return EmailDecision::None;
        };
        if !email_format_ok(&e) {
            return EmailDecision::Withhold("invalid_email");
        }
        if self.taken.get(&e).is_some_and(|first| first != key) {
            return EmailDecision::Withhold("same_source_duplicate");
        }
        let decision = match self.emails.get(&e) {
            // The row an earlier run of this source wrote with this email: its own.
            Some(h) if Some(h.id) == own => EmailDecision::Keep(e.clone()),
            None if source_deleted => EmailDecision::Keep(e.clone()),
            None => EmailDecision::Keep(e.clone()),
            Some(h) if source_deleted || h.deleted => {
                let _ = h;
                EmailDecision::Withhold("soft_deleted")
            }
            Some(h) if h.verified || merge_unverified => EmailDecision::Merge(e.clone(), h.id),
            Some(_) => EmailDecision::Withhold("unverified_email_collision"),
        };
        if matches!(decision, EmailDecision::Keep(_) | EmailDecision::Merge(..)) {
            self.taken.insert(e, key.to_owned());
        }
        decision
    }

    /// [`Book::email`] settled for a row: the email it keeps, and the target user it merges into
    /// (only for a row no earlier run mapped); a withheld email becomes its conflict.
    #[allow(clippy::too_many_arguments)]
    pub fn settle_email(
        &mut self,
        raw: Option<String>,
        key: &str,
        own: Option<Uuid>,
        source_deleted: bool,
        merge_unverified: bool,
        c: &mut Vec<Conflict>,
    ) -> (Option<String>, Option<Uuid>) {
        match self.email(raw.as_deref(), key, own, source_deleted, merge_unverified) {
            EmailDecision::None => (None, None),
            EmailDecision::Keep(e) => (Some(e), None),
            EmailDecision::Merge(e, target) => (Some(e), own.is_none().then_some(target)),
            EmailDecision::Withhold(case) => {
                c.push(Conflict::new(
                    "email_withheld",
                    Some("email"),
                    raw.map(Json::String),
                    format!("withheld:{case}"),
                ));
                (None, None)
            }
        }
    }

    /// The username a row gets (§27.6): kept when free, `<name>.<source>` (then `.<source>2`, …)
    /// when taken, `<source>:<key>` when absent and the row keeps no email. `mapped`: the
    /// target row an earlier run gave this source row, which keeps the name it has.
    pub fn username(
        &mut self,
        raw: Option<&str>,
        has_email: bool,
        source: &str,
        key: &str,
        mapped: Option<Uuid>,
        c: &mut Vec<Conflict>,
    ) -> Option<String> {
        if let Some(id) = mapped {
            return self.by_id.get(&id).cloned();
        }
        let mapped = false;
        // Kept as stored (§27.6 trims only to tell an empty name); compared by its key.
        let name = raw.filter(|u| !u.trim().is_empty()).map(str::to_owned);
        let Some(name) = name else {
            return (!has_email).then(|| format!("{source}:{key}"));
        };
        if self.emails.contains_key(&name.to_lowercase()) && !mapped {
            c.push(Conflict::new(
                "possible_duplicate",
                Some("username"),
                Some(json!(name)),
                "kept_apart",
            ));
        }
        let mut candidate = name.clone();
        let mut n = 1;
        while !mapped && self.names.contains(&username_key(&candidate)) {
            n += 1;
            candidate = if n == 2 {
                format!("{name}.{source}")
            } else {
                format!("{name}.{source}{}", n - 1)
            };
        }
        if candidate != name {
            c.push(Conflict::new(
                "possible_duplicate",
                Some("username"),
                Some(json!(name)),
                "kept_apart",
            ));
            c.push(Conflict::new(
                "username_renamed",
                Some("username"),
                Some(json!(name)),
                format!("renamed:{candidate}"),
            ));
        }
        self.names.insert(username_key(&candidate));
        Some(candidate)
    }
}

/// A users row with every column at learndb's default (§27.9's legacy NULLs): the systems set
/// what they have over it (`users::Model { email, ..user_base(id, created_at) }`).
pub fn user_base(id: Uuid, created_at: chrono::DateTime<chrono::FixedOffset>) -> users::Model {
    users::Model {
        id,
        email: None,
        username: None,
        password_hash: None,
        password_salt: None,
        role: entity::generated::sea_orm_active_enums::Role::Student,
        content_role: None,
        first_name: None,
        last_name: None,
        full_name: None,
        country_code: None,
        email_verified: false,
        verification_token: None,
        password_reset_token: None,
        password_reset_expires: None,
        password_changed_at: None,
        mfa_enabled: false,
        mfa_secret: None,
        failed_login_attempts: 0,
        locked_until: None,
        login_count: 0,
        last_login: None,
        last_active_at: None,
        gdpr_consent: false,
        gdpr_consent_date: None,
        data_retention_until: None,
        metadata: None,
        is_active: true,
        deleted_at: None,
        created_at,
        updated_at: created_at,
        class: None,
    }
}

/// The users step: only rows the mapping decided to merge have a natural key (their email, or
/// the nil id of KG's anonymous user).
pub fn users_step(order: &'static str) -> Step<users::Entity> {
    Step {
        entity: users::Entity,
        source_table: "users",
        order,
        primary: true,
        natural: Some(|m: &users::Model| {
            if m.id.is_nil() {
                return Some(Condition::all().add(users::Column::Id.eq(Uuid::nil())));
            }
            m.email
                .as_ref()
                .map(|e| Condition::all().add(users::Column::Email.eq(e.clone())))
        }),
        never_fill: USER_TARGET_WINS,
    }
}

/// Users columns a merge never fills (§27.6: the target is kept).
pub const USER_TARGET_WINS: &[&str] = &[
    "email",
    "username",
    "password_hash",
    "password_salt",
    "password_changed_at",
    "mfa_enabled",
    "mfa_secret",
    "verification_token",
    "password_reset_token",
    "password_reset_expires",
    "role",
    "content_role",
    "is_active",
    "deleted_at",
    "email_verified",
];

pub fn preferences_step(order: &'static str) -> Step<user_preferences::Entity> {
    Step {
        entity: user_preferences::Entity,
        source_table: "users",
        order,
        primary: false,
        natural: Some(|m: &user_preferences::Model| {
            Some(
                Condition::all()
                    .add(user_preferences::Column::UserId.eq(m.user_id))
                    .add(user_preferences::Column::PreferenceKey.eq(m.preference_key.clone())),
            )
        }),
        never_fill: &[],
    }
}

/// `users.<column>` → one user_preferences row per top-level key (`<id>#pref:<key>`); a value
/// that is not an object becomes one row, key `preferences` (`value_wrapped`).
pub fn preferences(
    row: &SourceRow,
    imp: &Import,
    column: &str,
) -> Vec<Out<user_preferences::Model>> {
    let f = Fields::new(row);
    let user_key = f.text("id").unwrap_or_default();
    let (pairs, wrapped): (Vec<(String, Json)>, bool) = match f.json(column) {
        None | Some(Json::Null) => (Vec::new(), false),
        Some(Json::Object(map)) => (map.into_iter().collect(), false),
        Some(other) => (vec![("preferences".to_owned(), other)], true),
    };
    pairs
        .into_iter()
        .map(|(k, v)| {
            let key = derived_key(&user_key, "pref", &k);
            let piece = json!({"user": user_key, "key": k, "value": v});
            let mut conflicts = Vec::new();
            if wrapped {
                conflicts.push(Conflict::new(
                    "value_wrapped",
                    Some("preferences"),
                    None,
                    "key:preferences",
                ));
            }
            let model = (|| {
                if k.chars().count() > 100 {
                    return Err(Reject::new(
                        "value_too_long",
                        "preference_key",
                        format!(
                            "preference key of {} characters (at most 100)",
                            k.chars().count()
                        ),
                    ));
                }
                let user_id = f.required_ref(imp, "id", "users")?;
                let (created_at, updated_at) = f.times(&["updated_at"], imp)?;
                Ok(user_preferences::Model {
                    id: imp.id_for("users", &key, None, Some(created_at.to_utc())),
                    user_id,
                    preference_key: k.clone(),
                    preference_value: v.clone(),
                    created_at,
                    updated_at,
                })
            })();
            Out {
                key,
                source_hash: super::canon::hash(&piece),
                source_row: redacted(row),
                model,
                conflicts,
                pending: false,
            }
        })
        .collect()
}

/// A profile language (§27.9): primary subtag lower-cased, `_` → `-`, a 2-letter region
/// upper-cased, other subtags dropped; a primary subtag that is not 2 letters gives `en`.
pub fn language(raw: Option<&str>, c: &mut Vec<Conflict>) -> String {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return "en".into();
    };
    let normal = raw.replace('_', "-");
    let mut parts = normal.split('-');
    let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
    if primary.len() != 2 || !primary.bytes().all(|b| b.is_ascii_lowercase()) {
        c.push(Conflict::new(
            "value_replaced",
            Some("language"),
            Some(json!(raw)),
            "en",
        ));
        return "en".into();
    }
    let region = parts.find(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic()));
    match region {
        Some(r) => format!("{primary}-{}", r.to_ascii_uppercase()),
        None => primary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_normalise_as_the_spec_says() {
        let mut c = Vec::new();
        assert_eq!(language(Some("EN"), &mut c), "en");
        assert_eq!(language(Some("en_us"), &mut c), "en-US");
        assert_eq!(language(Some("zh-Hans-CN"), &mut c), "zh-CN");
        assert!(c.is_empty());
        assert_eq!(language(Some("english"), &mut c), "en");
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn email_format_is_learndbs_check() {
        assert!(email_format_ok("a.b+c@example.co"));
        assert!(!email_format_ok("a@b"));
        assert!(!email_format_ok("a b@example.com"));
        assert!(!email_format_ok("a@example.c"));
        assert!(!email_format_ok("a@exämple.com"));
    }

    #[test]
    fn same_source_duplicates_and_unverified_collisions_are_withheld() {
        let mut book = Book {
            names: HashSet::new(),
            by_id: HashMap::new(),
            emails: HashMap::new(),
            taken: HashMap::new(),
        };
        book.emails.insert(
            "v@example.com".into(),
            Holder {
                id: Uuid::from_u128(1),
                verified: true,
                deleted: false,
            },
        );
        book.emails.insert(
            "u@example.com".into(),
            Holder {
                id: Uuid::from_u128(2),
                verified: false,
                deleted: false,
            },
        );
        assert!(
            matches!(book.email(Some(" V@Example.com "), "a", None, false, false), EmailDecision::Merge(_, id) if id == Uuid::from_u128(1))
        );
        assert!(matches!(
            book.email(Some("u@example.com"), "b", None, false, false),
            EmailDecision::Withhold("unverified_email_collision")
        ));
        assert!(matches!(
            book.email(Some("u@example.com"), "b", None, false, true),
            EmailDecision::Merge(..)
        ));
        assert!(matches!(
            book.email(Some("new@example.com"), "c", None, false, false),
            EmailDecision::Keep(_)
        ));
        assert!(matches!(
            book.email(Some("NEW@example.com"), "d", None, false, false),
            EmailDecision::Withhold("same_source_duplicate")
        ));
        assert!(matches!(
            book.email(Some("bad@"), "e", None, false, false),
            EmailDecision::Withhold("invalid_email")
        ));
    }
}
