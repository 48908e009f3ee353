//! What the model expects after each request: what is written, what the rule removes, and the
//! store compared with it.

use super::*;

impl Case {
    /// The model of a request's writes: each item's version, written now; an id written for the
    /// first time replaces one copy of the same transaction stored without its id, the one of
    /// the highest occurrence that the request does not write again.
    pub(super) fn written(&mut self, items: &[Version]) {
        let now = self.now();
        let keyed = keyed(items);
        let rewritten: BTreeSet<&Identity> = keyed.iter().map(|(i, _)| i).collect();
        let mut claimed = Vec::new();
        for (_, item) in &keyed {
            let Some(id) = item.id else { continue };
            if self.ever.insert(id) {
                let copy = self
                    .store
                    .keys()
                    .filter(|i| item.same_content(i) && !rewritten.contains(i))
                    .filter(|i| !claimed.contains(*i))
                    .max()
                    .cloned();
                claimed.extend(copy);
            }
        }
        for copy in &claimed {
            self.store.remove(copy);
        }
        for (identity, item) in keyed {
            let stored = Stored {
                version: item.clone(),
                written_at: now,
            };
            self.store.insert(identity, stored);
        }
    }

    /// The rule, at the completion of an import of `period` that contained `contained` and
    /// began at `began`: answers how many items it removes.
    pub(super) fn complete(
        &mut self,
        period: usize,
        contained: &BTreeSet<Identity>,
        began: i64,
    ) -> usize {
        let before = self.store.len();
        let settle = self.settle_ms;
        self.store.retain(|identity, stored| {
            !stored.version.in_period(PERIODS[period])
                || contained.contains(identity)
                || stored.written_at >= began - settle
        });
        self.log.push(format!(
            "  completes: {} removed",
            before - self.store.len()
        ));
        before - self.store.len()
    }

    pub(super) fn check_removed(&self, answered: Option<Option<u64>>, expected: usize) {
        if let Some(answered) = answered {
            if answered != Some(expected as u64) {
                self.fail(&format!(
                    "answered removed {answered:?}, the rule removes {expected}"
                ));
            }
        }
    }

    /// The store holds exactly what the model says: every version, once.
    pub(super) async fn check_store(&self) {
        let mut stored = Vec::new();
        for account in ACCOUNTS {
            let history: Vec<Transaction> = self
                .app
                .app
                .store()
                .whole_history(&self.app.tenant, account.parse().unwrap())
                .await
                .unwrap();
            stored.extend(history.into_iter().map(|t| {
                let account = ACCOUNTS
                    .iter()
                    .position(|a| *a == t.account.to_string())
                    .unwrap();
                let amount: i64 = t.amount.to_string().parse().unwrap();
                (account, t.date.to_string(), amount, t.id)
            }));
        }
        stored.sort();
        let mut expected: Vec<_> = self
            .store
            .values()
            .map(|s| {
                let v = &s.version;
                (v.account, v.date.clone(), v.amount, v.id)
            })
            .collect();
        expected.sort();
        if stored != expected {
            self.fail(&format!(
                "the store holds\n    {stored:?}\nthe rule expects\n    {expected:?}"
            ));
        }
    }

    /// The reconciliation of November and December (сверка) is the model's books: per account,
    /// deleted ones too, how many transactions the rule keeps and their sum.
    pub(super) async fn check_reconciliation(&self) {
        let (from, to) = PERIODS[2];
        let (status, page) = self
            .app
            .get_transaction_reconciliation(&[("from", from), ("to", to)])
            .await;
        if status != 200 {
            self.fail(&format!("reconciliation answered {status} {page}"));
        }
        let mut tallied: Vec<(String, u64, i64)> = page["data"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let sum = t["sum"]
                    .as_i64()
                    .unwrap_or_else(|| self.fail(&format!("{t}")));
                (
                    t["account"].as_str().unwrap().to_owned(),
                    t["count"].as_u64().unwrap(),
                    sum,
                )
            })
            .collect();
        tallied.sort();
        let mut expected: Vec<(String, u64, i64)> = ACCOUNTS
            .iter()
            .enumerate()
            .map(|(account, id)| {
                let kept = self
                    .store
                    .values()
                    .map(|s| &s.version)
                    .filter(|v| v.account == account && v.in_period(PERIODS[2]));
                let (count, sum) = kept.fold((0, 0), |(n, sum), v| (n + 1, sum + v.amount));
                ((*id).to_owned(), count, sum)
            })
            .collect();
        expected.sort();
        if tallied != expected {
            self.fail(&format!(
                "the reconciliation says\n    {tallied:?}\nthe books say\n    {expected:?}"
            ));
        }
    }
}
