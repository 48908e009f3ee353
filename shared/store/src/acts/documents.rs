//! Acts that carry 1C's document (`id`): an act number holds one live document at a time. An
//! import walks each number's versions in the request's order, starting from the document
//! stored live under it, before anything is written:
//!
//! - a version naming another document while one is live under its number refuses the whole
//!   request ([`NUMBER_REUSED`]): 1C numbers acts again every year, and act № 5 of 2026 must
//!   not replace act № 5 of 2025 in silence;
//! - a deletion naming another document than the live one does nothing: 1C withdrew a document
//!   this number does not hold;
//! - a deletion of the live document, or any version without `id`, frees the number; the next
//!   version may then be another document.
//!
//! The last version that does something is the one written.

use std::collections::{BTreeMap, HashMap};

use domain::{Act, ActNumber, Guid, Problem};

/// Why an act is refused when its number holds another document.
pub(super) const NUMBER_REUSED: &str = "номер акта уже занят другим документом 1С (другой id); \
     нумерация актов, начатая заново, требует удалить или перенумеровать прежний акт";

/// The document live under each number (none for a number stored without one, deleted or
/// absent).
pub(super) type LiveDocuments = HashMap<ActNumber, Option<Guid>>;

/// The acts of the request to write, one per number in number order; or, when a version would
/// replace another live document, a problem per such version.
pub(super) fn choose(acts: &[Act], live: &LiveDocuments) -> Result<Vec<usize>, Vec<Problem>> {
    let mut versions: BTreeMap<ActNumber, Vec<usize>> = BTreeMap::new();
    for (index, act) in acts.iter().enumerate() {
        versions.entry(act.act_number).or_default().push(index);
    }
    let mut chosen = Vec::with_capacity(versions.len());
    let mut reused = Vec::new();
    for (number, indexes) in versions {
        let mut held = live.get(&number).copied().flatten();
        let mut written = None;
        for index in indexes {
            let act = &acts[index];
            if act.id.zip(held).is_some_and(|(sent, live)| sent != live) {
                if !act.deleted {
                    reused.push(Problem::new("act_number", NUMBER_REUSED).at(index));
                }
                continue;
            }
            written = Some(index);
            held = if act.deleted { None } else { act.id };
        }
        chosen.extend(written);
    }
    if reused.is_empty() {
        Ok(chosen)
    } else {
        Err(reused)
    }
}

/// Whether writing `act` over `live` (the document live under its number when its transaction
/// was built) is still what [`choose`] decided from `checked` (the document live then): a
/// document that took the number in between refuses it.
pub(super) fn taken_since(act: &Act, checked: Option<Guid>, live: Option<Guid>) -> bool {
    live != checked && act.id.zip(live).is_some_and(|(sent, live)| sent != live)
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "6f1c7a52-1b0e-11e9-80d4-0050569c3f5e";
    const B: &str = "0b9d35a4-1b0f-11e9-80d4-0050569c3f5e";

    fn act(number: u64, id: Option<&str>, deleted: bool) -> Act {
        let mut json = serde_json::json!({"act_number": number, "created_at": "2026-01-01",
            "payer": {"id": 1, "name": "П"}, "recipient": {"id": 2, "name": "Р"},
            "act_status": "sended", "services": [{"title": "У", "amount": 1}],
            "deleted": deleted});
        if let Some(id) = id {
            json["id"] = id.into();
        }
        crate::parsed::parse(json)
    }

    fn live(number: u64, id: Option<&str>) -> LiveDocuments {
        let number = acts_number(number);
        HashMap::from([(number, id.map(|i| i.parse().unwrap()))])
    }

    fn acts_number(number: u64) -> ActNumber {
        act(number, None, false).act_number
    }

    fn refused(result: Result<Vec<usize>, Vec<Problem>>) -> Vec<usize> {
        result.unwrap_err().iter().filter_map(|p| p.index).collect()
    }

    #[test]
    fn another_document_under_a_live_number_is_refused_in_the_request_and_against_the_store() {
        let two = [act(5, Some(A), false), act(5, Some(B), false)];
        assert_eq!(refused(choose(&two, &HashMap::new())), [1]);
        assert_eq!(
            refused(choose(&[act(5, Some(B), false)], &live(5, Some(A)))),
            [0]
        );
        // Positive controls: the same document, and a number stored without one.
        assert_eq!(
            choose(&[act(5, Some(A), false)], &live(5, Some(A))),
            Ok(vec![0])
        );
        assert_eq!(
            choose(&[act(5, Some(B), false)], &live(5, None)),
            Ok(vec![0])
        );
    }

    #[test]
    fn deleting_the_live_document_frees_its_number_in_the_same_request() {
        let freed = [act(5, Some(A), true), act(5, Some(B), false)];
        assert_eq!(choose(&freed, &live(5, Some(A))), Ok(vec![1]));
        // In the other order the new document meets the live one.
        let late = [act(5, Some(B), false), act(5, Some(A), true)];
        assert_eq!(refused(choose(&late, &live(5, Some(A)))), [0]);
    }

    #[test]
    fn a_deletion_of_a_document_the_number_does_not_hold_does_nothing() {
        assert_eq!(
            choose(&[act(5, Some(B), true)], &live(5, Some(A))),
            Ok(vec![])
        );
        let then = [act(5, Some(A), false), act(5, Some(B), true)];
        assert_eq!(choose(&then, &live(5, Some(A))), Ok(vec![0]));
    }

    #[test]
    fn a_number_taken_between_the_check_and_the_write_is_refused() {
        let (a, b) = (Some(A.parse().unwrap()), Some(B.parse().unwrap()));
        assert!(taken_since(&act(5, Some(A), false), None, b));
        assert!(!taken_since(&act(5, Some(A), false), None, a));
        assert!(
            !taken_since(&act(5, Some(A), false), b, b),
            "checked already"
        );
    }
}
