//! Which migrations a command acts on: pure functions of the migration files and the order in
//! which migrations were applied, unit-tested without a database.
//!
//! The policy for a pending migration older than an applied one is Flyway's default (and
//! refinery's `abort_divergent`): `status` marks it, `up` refuses to apply it unless the
//! operator allows it, and `down` always follows the order of application, newest first, so a
//! migration applied late is rolled back first.

/// Which migrations a command acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Every pending migration (up) or every applied one (down).
    All,
    /// The next N pending, or the last N applied.
    Count(u32),
    /// Up to and including this version (up), or every migration applied after it (down). A
    /// full name, a unique prefix (`m20261121_000006`), a serial number (`6`, `000006`) or a
    /// group name (`progress`).
    To(String),
}

/// Why a selection cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("no migration matches '{query}'; known: {known}")]
    UnknownVersion { query: String, known: String },
    #[error("'{query}' matches several migrations ({matches}); give more of the name")]
    AmbiguousVersion { query: String, matches: String },
    #[error("{version} is not applied, so there is nothing to roll back to")]
    NotApplied { version: String },
    #[error(
        "refusing to apply {pending} out of order: {applied} is already applied and is newer; rename the new migration so it sorts last, or run `up --allow-out-of-order` if applying it after {applied} is safe"
    )]
    OutOfOrder { pending: String, applied: String },
}

/// `m20261121_000006_progress` → `progress`.
pub fn group_of(version: &str) -> String {
    version.splitn(3, '_').nth(2).unwrap_or(version).to_owned()
}

/// Resolves a version query against migration names: a full name, a unique prefix, a serial
/// number or a group name.
pub fn find_version(names: &[String], query: &str) -> Result<String, PlanError> {
    let query = query.trim();
    if let Some(exact) = names.iter().find(|n| n.as_str() == query) {
        return Ok(exact.clone());
    }
    let serial = |name: &str| name.split('_').nth(1).and_then(|s| s.parse::<u64>().ok());
    let wanted_serial = query.parse::<u64>().ok();
    let matches: Vec<&String> = names
        .iter()
        .filter(|name| {
            let after_date = name.split_once('_').map_or("", |(_, rest)| rest);
            !query.is_empty()
                && (name.starts_with(query)
                    || after_date.starts_with(query)
                    || group_of(name) == query
                    || (wanted_serial.is_some() && serial(name) == wanted_serial))
        })
        .collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(PlanError::UnknownVersion {
            query: query.to_owned(),
            known: names.join(", "),
        }),
        many => Err(PlanError::AmbiguousVersion {
            query: query.to_owned(),
            matches: many
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// Pending migrations older than the newest applied one, each with that newest applied version.
pub fn out_of_order(names: &[String], applied: &[String]) -> Vec<(String, String)> {
    let Some(newest) = applied.iter().max() else {
        return Vec::new();
    };
    names
        .iter()
        .filter(|n| !applied.contains(n) && *n < newest)
        .map(|n| (n.clone(), newest.clone()))
        .collect()
}

/// What `up` applies, in file order. `names` is every migration in file order; `applied` the
/// applied ones in any order.
pub fn select_up(
    names: &[String],
    applied: &[String],
    selection: &Selection,
    allow_out_of_order: bool,
) -> Result<Vec<String>, PlanError> {
    let last = match selection {
        Selection::To(query) => Some(find_version(names, query)?),
        _ => None,
    };
    let mut pending: Vec<String> = names
        .iter()
        .filter(|n| !applied.contains(n))
        .filter(|n| last.as_ref().is_none_or(|last| *n <= last))
        .cloned()
        .collect();
    if let Selection::Count(n) = selection {
        pending.truncate(usize::try_from(*n).unwrap_or(usize::MAX));
    }
    if !allow_out_of_order
        && let Some((pending, applied)) = out_of_order(names, applied)
            .into_iter()
            .find(|(p, _)| pending.contains(p))
    {
        return Err(PlanError::OutOfOrder { pending, applied });
    }
    Ok(pending)
}

/// What `down` rolls back: `applied` in the order of application (oldest first), rolled back
/// newest first. `To(v)` rolls back every migration applied after `v`.
pub fn select_down(
    names: &[String],
    applied: &[String],
    selection: &Selection,
) -> Result<Vec<String>, PlanError> {
    let mut chosen: Vec<String> = applied.iter().rev().cloned().collect();
    match selection {
        Selection::All => {}
        Selection::Count(n) => chosen.truncate(usize::try_from(*n).unwrap_or(usize::MAX)),
        Selection::To(query) => {
            let keep = find_version(names, query)?;
            let Some(position) = chosen.iter().position(|v| *v == keep) else {
                return Err(PlanError::NotApplied { version: keep });
            };
            chosen.truncate(position);
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn names() -> Vec<String> {
        [
            "m20261121_000001_users",
            "m20261121_000002_content",
            "m20261121_000006_progress",
            "m20261121_000009_collaborative",
            "m20261121_000010_plugins",
        ]
        .map(String::from)
        .to_vec()
    }

    fn pick(indexes: &[usize]) -> Vec<String> {
        let n = names();
        indexes.iter().map(|i| n[*i].clone()).collect()
    }

    #[test]
    fn versions_resolve_by_name_prefix_serial_and_group() {
        let n = names();
        assert_eq!(find_version(&n, "m20261121_000006_progress").unwrap(), n[2]);
        assert_eq!(find_version(&n, "m20261121_000002").unwrap(), n[1]);
        assert_eq!(find_version(&n, "000006").unwrap(), n[2]);
        assert_eq!(find_version(&n, "6").unwrap(), n[2]);
        assert_eq!(find_version(&n, "010").unwrap(), n[4]);
        assert_eq!(find_version(&n, " progress ").unwrap(), n[2]);
        assert!(matches!(
            find_version(&n, "m2026"),
            Err(PlanError::AmbiguousVersion { .. })
        ));
        for unknown in ["7", "", "m2027", "99999999999999999999999", "progress_x"] {
            assert!(
                matches!(
                    find_version(&n, unknown),
                    Err(PlanError::UnknownVersion { .. })
                ),
                "{unknown}"
            );
        }
    }

    #[test]
    fn up_applies_pending_in_file_order_within_the_selection() {
        let n = names();
        let applied = pick(&[0]);
        assert_eq!(
            select_up(&n, &applied, &Selection::All, false).unwrap(),
            pick(&[1, 2, 3, 4])
        );
        assert_eq!(
            select_up(&n, &applied, &Selection::Count(2), false).unwrap(),
            pick(&[1, 2])
        );
        assert_eq!(
            select_up(&n, &applied, &Selection::To("6".into()), false).unwrap(),
            pick(&[1, 2])
        );
        assert_eq!(
            select_up(&n, &applied, &Selection::Count(u32::MAX), false).unwrap(),
            pick(&[1, 2, 3, 4])
        );
        assert!(
            select_up(&n, &n, &Selection::All, false)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_pending_migration_older_than_an_applied_one_is_refused_unless_allowed() {
        let n = names();
        // 006 pending, 009 and 010 applied.
        let applied = pick(&[0, 1, 3, 4]);
        assert_eq!(
            out_of_order(&n, &applied),
            vec![(n[2].clone(), n[4].clone())]
        );
        assert_eq!(
            select_up(&n, &applied, &Selection::All, false),
            Err(PlanError::OutOfOrder {
                pending: n[2].clone(),
                applied: n[4].clone()
            })
        );
        let message = select_up(&n, &applied, &Selection::All, false)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains(&n[2]) && message.contains(&n[4]),
            "{message}"
        );
        assert_eq!(
            select_up(&n, &applied, &Selection::All, true).unwrap(),
            pick(&[2])
        );
        // A selection that leaves the old one out is not out of order.
        let applied = pick(&[0, 3]);
        assert_eq!(
            select_up(&n, &applied, &Selection::To("2".into()), false),
            Err(PlanError::OutOfOrder {
                pending: n[1].clone(),
                applied: n[3].clone()
            })
        );
        assert!(out_of_order(&n, &[]).is_empty());
        assert!(out_of_order(&n, &pick(&[0, 1])).is_empty());
    }

    #[test]
    fn down_follows_the_order_of_application_newest_first() {
        let n = names();
        // 006 was applied last, out of order.
        let applied = pick(&[0, 1, 3, 4, 2]);
        assert_eq!(
            select_down(&n, &applied, &Selection::Count(1)).unwrap(),
            pick(&[2])
        );
        assert_eq!(
            select_down(&n, &applied, &Selection::All).unwrap(),
            pick(&[2, 4, 3, 1, 0])
        );
        assert_eq!(
            select_down(&n, &applied, &Selection::To("9".into())).unwrap(),
            pick(&[2, 4])
        );
        assert_eq!(
            select_down(&n, &applied, &Selection::To("6".into())).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(
            select_down(&n, &pick(&[0]), &Selection::To("9".into())),
            Err(PlanError::NotApplied {
                version: n[3].clone()
            })
        );
        assert_eq!(
            select_down(&n, &applied, &Selection::Count(u32::MAX)).unwrap(),
            pick(&[2, 4, 3, 1, 0])
        );
    }
}
